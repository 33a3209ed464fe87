// Audit details and outbox payloads of the auth domain (see audit.hpp).
#include "server/auths/audit.hpp"

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

/// What an audit row and an event say about an auth's content.
JsonObject& content_members(JsonObject& o, AuthContent const& c) {
    return o.str("name", value_of(c.name))
        .str("description", value_of(c.description))
        .opt_str("flag", c.flag ? std::optional<std::string>{c.flag->value} : std::nullopt)
        .raw("protocols", string_array(c.protocols))
        .raw("slugs", string_array(c.slugs))
        .raw("items", string_array(c.items))
        .raw("department_ids", department_array(c.departments))
        .opt_str("group_id", c.group_id);
}

/// An auth's content and version: the before/after summary of an update.
std::string summary(Auth const& auth) {
    JsonObject o;
    content_members(o, auth.content).integer("version", auth.version);
    return o.text();
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
        entry = std::move(entry).with_change(summary(*before), summary(auth));
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
    Draft const& draft
) {
    JsonObject detail;
    detail.opt_str("auth_id", draft.auth_id).integer("version", draft.version);
    content_members(detail, draft.content);
    return recorder.audit(tx, Recorder::by(actor, action, "auth_draft", draft.id, detail.text()));
}

}  // namespace signoff::server::auths::detail
