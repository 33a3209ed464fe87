// Audit details and outbox payloads of the auth domain (see audit.hpp).
#include "server/auths/audit.hpp"

#include <string_view>
#include <utility>

#include "server/events/json_text.hpp"

namespace signoff::server::auths::detail {
namespace {

using events::JsonObject;
using events::Recorder;

std::string value_of(std::optional<PartRef> const& p) {
    return p ? p->value : std::string{};
}

std::string string_array(std::vector<PartRef> const& refs) {
    std::string out = "[";
    for (std::size_t i = 0; i < refs.size(); ++i) {
        out += (i > 0 ? "," : "") + events::json_quote(refs[i].value);
    }
    return out + "]";
}

std::string department_array(std::vector<Department> const& departments) {
    std::string out = "[";
    for (std::size_t i = 0; i < departments.size(); ++i) {
        out += (i > 0 ? "," : "") + events::json_quote(departments[i].id);
    }
    return out + "]";
}

/// The two summaries of an audit row: before_json and after_json.
struct AuthEntryChange {
    std::string before;
    std::string after;
};

/// One side of a change: content at a version.
struct ContentAt {
    AuthContent const& content;
    std::int64_t version;
};

/// An auth's content as (key, JSON value) pairs, in the order rows show them.
std::vector<std::pair<std::string_view, std::string>> members_of(AuthContent const& c) {
    auto opt = [](std::optional<std::string> const& v) {
        return v ? events::json_quote(*v) : std::string{"null"};
    };
    return {
        {"name", events::json_quote(value_of(c.name))},
        {"description", events::json_quote(value_of(c.description))},
        {"flag", opt(c.flag ? std::optional<std::string>{c.flag->value} : std::nullopt)},
        {"protocols", string_array(c.protocols)},
        {"slugs", string_array(c.slugs)},
        {"items", string_array(c.items)},
        {"department_ids", department_array(c.departments)},
        {"group_id", opt(c.group_id)},
    };
}

/// What an audit row and an event say about an auth's content.
JsonObject& content_members(JsonObject& o, AuthContent const& c) {
    for (auto const& [key, json] : members_of(c)) {
        o.raw(key, json);
    }
    return o;
}

/// The before/after summary of an update of an auth or a draft: the content
/// fields that differ, and the version on each side (docs/audit.md).
AuthEntryChange change_of(ContentAt const& before, ContentAt const& after) {
    JsonObject b;
    JsonObject a;
    auto const old_members = members_of(before.content);
    auto const new_members = members_of(after.content);
    for (std::size_t i = 0; i < old_members.size(); ++i) {
        if (old_members[i].second != new_members[i].second) {
            b.raw(old_members[i].first, old_members[i].second);
            a.raw(new_members[i].first, new_members[i].second);
        }
    }
    b.integer("version", before.version);
    a.integer("version", after.version);
    return {b.text(), a.text()};
}

std::string actor_json(core::Actor const& actor) {
    return JsonObject{}.str("id", actor.principal_id).str("email", actor.email).text();
}

}  // namespace

core::Status audit_parts(
    storage::Tx& tx,
    Recorder const& recorder,
    core::Actor const& actor,
    std::vector<Part> const& parts
) {
    for (auto const& p : parts) {
        std::string detail = JsonObject{}.str("kind", p.kind).str("value", p.value).text();
        if (auto s = recorder.audit(
                tx, Recorder::by(actor, "auths.part.created", "auth_part", p.id, detail)
            );
            !s) {
            return s;
        }
    }
    return {};
}

core::Status record_auth(
    storage::Tx& tx,
    Recorder const& recorder,
    core::Actor const& actor,
    std::string const& action,
    Auth const& auth,
    std::optional<std::string> const& event_verb,
    std::optional<std::string> const& draft_id,
    Auth const* before
) {
    JsonObject detail;
    content_members(detail, auth.content)
        .integer("version", auth.version)
        .opt_str("draft_id", draft_id);
    auto entry = Recorder::by(actor, action, "auth", auth.id, detail.text());
    if (before != nullptr) {
        auto change = change_of({before->content, before->version}, {auth.content, auth.version});
        entry = std::move(entry).with_change(change.before, change.after);
    }
    if (auto s = recorder.audit(tx, entry); !s) {
        return s;
    }
    if (!event_verb) {
        return {};
    }
    JsonObject data;
    data.str("auth_id", auth.id).str("how", *event_verb).integer("version", auth.version);
    content_members(data, auth.content)
        .raw("actor", actor_json(actor))
        .opt_str("draft_id", draft_id);
    std::string payload = JsonObject{}
                              .integer("version", 1)
                              .str("type", kEventPublished)
                              .raw("data", data.text())
                              .text();
    return recorder.emit(tx, actor.org_id, kEventPublished, payload);
}

core::Status record_deleted(
    storage::Tx& tx, Recorder const& recorder, core::Actor const& actor, Auth const& auth
) {
    JsonObject detail;
    content_members(detail, auth.content).integer("version", auth.version);
    auto entry = Recorder::by(actor, "auths.auth.deleted", "auth", auth.id, detail.text());
    if (auto s = recorder.audit(tx, entry); !s) {
        return s;
    }
    std::string data = JsonObject{}
                           .str("auth_id", auth.id)
                           .str("name", value_of(auth.content.name))
                           .integer("version", auth.version)
                           .raw("actor", actor_json(actor))
                           .text();
    std::string payload =
        JsonObject{}.integer("version", 1).str("type", kEventDeleted).raw("data", data).text();
    return recorder.emit(tx, actor.org_id, kEventDeleted, payload);
}

core::Status record_draft(
    storage::Tx& tx,
    Recorder const& recorder,
    core::Actor const& actor,
    std::string const& action,
    Draft const& draft,
    Draft const* before
) {
    JsonObject detail;
    detail.opt_str("auth_id", draft.auth_id).integer("version", draft.version);
    content_members(detail, draft.content);
    auto entry = Recorder::by(actor, action, "auth_draft", draft.id, detail.text());
    if (before != nullptr) {
        auto change = change_of({before->content, before->version}, {draft.content, draft.version});
        entry = std::move(entry).with_change(change.before, change.after);
    }
    return recorder.audit(tx, entry);
}

}  // namespace signoff::server::auths::detail
