// The auth writes: create (inline fields, or publish a draft of a new auth),
// update (fields under an optional expected_version, or publish a draft of an
// existing auth), duplicate and delete. Each item runs in its own transaction
// so that one failure leaves the others done; each writes its audit row and
// outbox event in that transaction, and rewrites the auth's search row.
#include <algorithm>

#include "server/auths/access.hpp"
#include "server/auths/audit.hpp"
#include "server/auths/auths_service.hpp"
#include "server/auths/content.hpp"
#include "server/auths/resolve.hpp"
#include "server/auths/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/identity/authorize.hpp"
#include "storage/repos/auth_drafts_repo.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using detail::ContentIds;
using storage::Tx;
using storage::TxMode;

bool any_field(AuthFields const& f) {
    return f.name || f.name_id || f.description || f.description_id || f.flag_id ||
           f.department_ids || f.protocol_ids || f.slug_ids || f.item_ids || f.group_id;
}

Error name_required() {
    return invalid_fields({{"name", "required: give name or name_id"}});
}

repos::AuthRecord record_of(
    std::string id,
    core::Actor const& actor,
    ContentIds const& c,
    std::string const& created_by,
    std::string const& now
) {
    return repos::AuthRecord{
        std::move(id),
        actor.org_id,
        c.name_part_id.value_or(""),
        c.description_part_id,
        c.flag_part_id,
        c.group_id,
        created_by,
        now,
        now,
        1,
        core::via_mcp(actor.channel),
    };
}

/// The stored auth, read back with its values for the answer and the audit row.
Result<Auth> reload(Tx& tx, std::string const& org_id, std::string const& id) {
    auto auth = detail::load_auth(tx, org_id, id);
    if (!auth) {
        return auth.error();
    }
    if (!*auth) {
        return Error::internal("auth vanished inside its own transaction");
    }
    return std::move(**auth);
}

/// Loads the draft for publishing: it must exist and be the actor's.
Result<Draft> owned_draft(Tx& tx, core::Actor const& actor, std::string const& draft_id) {
    auto draft = detail::load_draft(tx, actor.org_id, draft_id);
    if (!draft) {
        return draft.error();
    }
    if (!*draft) {
        return detail::draft_not_found(draft_id);
    }
    if (auto ok = detail::require_draft_owner(actor, **draft); !ok) {
        return ok.error();
    }
    return std::move(**draft);
}

/// A group named by a draft being published: it must still exist, and the
/// actor may give auths to it.
core::Status check_group(Tx& tx, core::Actor const& actor, std::optional<std::string> const& id) {
    if (!id) {
        return {};
    }
    auto subject = detail::group_subject(tx, actor, id, actor.principal_id);
    if (!subject) {
        return subject.error();
    }
    if (!subject->group_name) {
        return invalid_fields({{"group_id", "no group with this id in this organisation"}});
    }
    return identity::authorize(actor, identity::Action::kAuthsSetGroup, *subject);
}

/// The conflict for an auth whose version moved under us, naming the new one.
Error stale_auth(Tx& tx, std::string const& org_id, std::string const& auth_id) {
    auto now_at = core::from_db(repos::find_auth(tx, org_id, auth_id));
    if (!now_at) {
        return now_at.error();
    }
    if (!*now_at) {
        return detail::auth_not_found(auth_id);
    }
    return version_conflict("auth " + auth_id, (*now_at)->auth.version);
}

}  // namespace

void AuthsService::drop_part_kinds(std::string const& org_id, std::vector<Part> const& created) {
    for (auto const& kind : kinds_of(created)) {
        drop_options(org_id, kind);
    }
}

// ---- create -------------------------------------------------------------------

Result<Auth> AuthsService::insert_new(
    Tx& tx,
    core::Actor const& actor,
    ContentIds const& content,
    std::vector<Part> const& created,
    std::string const& now,
    std::string const& action,
    std::string const& verb
) {
    auto rec = record_of(ids_.new_id(), actor, content, actor.principal_id, now);
    if (auto s = core::from_db(repos::insert_auth(tx, rec)); !s) {
        return s.error();
    }
    auto lists =
        detail::write_auth_lists(tx, actor.org_id, rec.id, content, detail::ChangedLists::all());
    if (!lists) {
        return lists.error();
    }
    if (auto s = detail::audit_parts(tx, recorder_, actor, created); !s) {
        return s.error();
    }
    auto stored = reload(tx, actor.org_id, rec.id);
    if (!stored) {
        return stored.error();
    }
    if (auto s = detail::record_auth(tx, recorder_, actor, action, *stored, verb); !s) {
        return s.error();
    }
    return stored;
}

Result<Auth> AuthsService::create_inline(core::Actor const& actor, AuthFields const& fields) {
    if (auto ok = check_fields(fields); !ok) {
        return ok.error();
    }
    if (!fields.name && !fields.name_id) {
        return name_required();
    }
    std::vector<Part> created;
    auto auth = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Auth> {
        std::string now = core::to_rfc3339(clock_.now());
        auto r = detail::resolve_fields(tx, actor, fields, AuthContent{}, now, ids_);
        if (!r) {
            return r.error();
        }
        created = r->created;
        return insert_new(
            tx, actor, detail::ids_of(r->content), created, now, "auths.auth.created", "created"
        );
    });
    if (auth) {
        drop_part_kinds(actor.org_id, created);
    }
    return auth;
}

Result<Auth> AuthsService::publish_new(core::Actor const& actor, std::string const& draft_id) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Auth> {
        auto draft = owned_draft(tx, actor, draft_id);
        if (!draft) {
            return draft.error();
        }
        if (draft->auth_id) {
            return invalid_fields(
                {{"draft_id",
                  "this draft edits auth " + *draft->auth_id + "; publish it with update"}}
            );
        }
        if (!draft->content.name) {
            return name_required();
        }
        if (auto ok = check_group(tx, actor, draft->content.group_id); !ok) {
            return ok.error();
        }
        std::string now = core::to_rfc3339(clock_.now());
        ContentIds content = detail::ids_of(draft->content);
        auto rec = record_of(ids_.new_id(), actor, content, actor.principal_id, now);
        if (auto s = core::from_db(repos::insert_auth(tx, rec)); !s) {
            return s.error();
        }
        return finish_publish(tx, actor, rec.id, content, draft_id, "auths.auth.created");
    });
}

Result<Auth> AuthsService::finish_publish(
    Tx& tx,
    core::Actor const& actor,
    std::string const& auth_id,
    ContentIds const& content,
    std::string const& draft_id,
    std::string const& action,
    Auth const* before
) {
    auto lists =
        detail::write_auth_lists(tx, actor.org_id, auth_id, content, detail::ChangedLists::all());
    if (!lists) {
        return lists.error();
    }
    if (auto d = core::from_db(repos::delete_draft(tx, actor.org_id, draft_id)); !d) {
        return d.error();
    }
    auto stored = reload(tx, actor.org_id, auth_id);
    if (!stored) {
        return stored.error();
    }
    auto s = detail::record_auth(
        tx, recorder_, actor, action, *stored, std::string{"published"}, draft_id, before
    );
    if (!s) {
        return s.error();
    }
    return stored;
}

std::vector<ItemOutcome> AuthsService::create(
    core::Actor const& actor, std::vector<CreateItem> const& items
) {
    std::vector<ItemOutcome> out;
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        out.push_back(ItemOutcome{i, create_one(actor, items[i])});
    }
    return out;
}

Result<Auth> AuthsService::create_one(core::Actor const& actor, CreateItem const& item) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsCreate); !ok) {
        return ok.error();
    }
    if (item.draft_id && any_field(item.fields)) {
        return invalid_fields({{"draft_id", "give either draft_id or the auth's fields, not both"}}
        );
    }
    return item.draft_id ? publish_new(actor, *item.draft_id) : create_inline(actor, item.fields);
}

// ---- update -------------------------------------------------------------------

std::vector<ItemOutcome> AuthsService::update(
    core::Actor const& actor, std::vector<UpdateItem> const& items
) {
    std::vector<ItemOutcome> out;
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        out.push_back(ItemOutcome{i, update_one(actor, items[i])});
    }
    return out;
}

Result<Auth> AuthsService::update_one(core::Actor const& actor, UpdateItem const& item) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    if (item.draft_id) {
        if (any_field(item.fields)) {
            return invalid_fields(
                {{"draft_id", "give either draft_id or the auth's fields, not both"}}
            );
        }
        return publish_existing(actor, item);
    }
    if (!item.auth_id) {
        return invalid_fields({{"auth_id", "required: the auth to update"}});
    }
    if (auto ok = check_fields(item.fields); !ok) {
        return ok.error();
    }
    std::vector<Part> created;
    auto auth = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Auth> {
        auto r = update_fields(tx, actor, item);
        if (r) {
            created = r->second;
        }
        return r ? Result<Auth>{std::move(r->first)} : Result<Auth>{r.error()};
    });
    if (auth) {
        drop_part_kinds(actor.org_id, created);
    }
    return auth;
}

Result<std::pair<Auth, std::vector<Part>>> AuthsService::update_fields(
    Tx& tx, core::Actor const& actor, UpdateItem const& item
) {
    auto found = detail::load_auth(tx, actor.org_id, *item.auth_id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return detail::auth_not_found(*item.auth_id);
    }
    Auth const& auth = **found;
    if (auto ok = detail::require_edit(tx, actor, auth); !ok) {
        return ok.error();
    }
    if (item.expected_version && *item.expected_version != auth.version) {
        return version_conflict("auth " + auth.id, auth.version);
    }
    std::string now = core::to_rfc3339(clock_.now());
    auto r = detail::resolve_fields(tx, actor, item.fields, auth.content, now, ids_);
    if (!r) {
        return r.error();
    }
    ContentIds content = detail::ids_of(r->content);
    auto rec = record_of(auth.id, actor, content, auth.created_by, now);
    auto changed = core::from_db(repos::update_auth(tx, rec, auth.version));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        // Another writer moved the version after our read (PostgreSQL). With
        // an expected_version the caller must re-read; without, run again.
        if (item.expected_version) {
            return stale_auth(tx, actor.org_id, auth.id);
        }
        return core::retry_tx();
    }
    if (auto s = detail::write_auth_lists(tx, actor.org_id, auth.id, content, r->changed); !s) {
        return s.error();
    }
    if (auto s = detail::audit_parts(tx, recorder_, actor, r->created); !s) {
        return s.error();
    }
    auto stored = reload(tx, actor.org_id, auth.id);
    if (!stored) {
        return stored.error();
    }
    auto s = detail::record_auth(
        tx, recorder_, actor, "auths.auth.updated", *stored, std::string{"updated"}, {}, &auth
    );
    if (!s) {
        return s.error();
    }
    return std::make_pair(std::move(*stored), std::move(r->created));
}

Result<Auth> AuthsService::publish_existing(core::Actor const& actor, UpdateItem const& item) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Auth> {
        auto draft = owned_draft(tx, actor, *item.draft_id);
        if (!draft) {
            return draft.error();
        }
        if (!draft->auth_id) {
            return invalid_fields(
                {{"draft_id", "this draft is of a new auth; publish it with create"}}
            );
        }
        if (item.auth_id && *item.auth_id != *draft->auth_id) {
            return invalid_fields({{"auth_id", "this draft edits auth " + *draft->auth_id}});
        }
        auto found = detail::load_auth(tx, actor.org_id, *draft->auth_id);
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return detail::auth_not_found(*draft->auth_id);
        }
        Auth const& auth = **found;
        if (auto ok = detail::require_edit(tx, actor, auth); !ok) {
            return ok.error();
        }
        if (draft->base_version != auth.version) {
            Error e = version_conflict("auth " + auth.id, auth.version);
            e.message = "auth " + auth.id + " changed since this draft began at version " +
                        std::to_string(draft->base_version.value_or(0)) + ": current version is " +
                        std::to_string(auth.version);
            e.details.push_back({"draft_id", "start a new draft from the current auth"});
            return e;
        }
        if (item.expected_version && *item.expected_version != auth.version) {
            return version_conflict("auth " + auth.id, auth.version);
        }
        if (!draft->content.name) {
            return name_required();
        }
        if (draft->content.group_id != auth.content.group_id) {
            if (auto ok = check_group(tx, actor, draft->content.group_id); !ok) {
                return ok.error();
            }
        }
        ContentIds content = detail::ids_of(draft->content);
        std::string now = core::to_rfc3339(clock_.now());
        auto rec = record_of(auth.id, actor, content, auth.created_by, now);
        auto changed = core::from_db(repos::update_auth(tx, rec, auth.version));
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return core::retry_tx();  // the re-run reports the conflict with the new version
        }
        return finish_publish(tx, actor, auth.id, content, draft->id, "auths.auth.updated", &auth);
    });
}

// ---- duplicate and delete -------------------------------------------------------

Result<Auth> AuthsService::duplicate(core::Actor const& actor, std::string const& auth_id) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    std::vector<Part> created;
    auto copy = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Auth> {
        created.clear();
        auto found = detail::load_auth(tx, actor.org_id, auth_id);
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return detail::auth_not_found(auth_id);
        }
        Auth const& source = **found;
        if (auto ok = check_group(tx, actor, source.content.group_id); !ok) {
            return ok.error();
        }
        std::string now = core::to_rfc3339(clock_.now());
        std::string name = with_suffix(source.content.name->value, " (copy)", kMaxValueChars);
        auto part = detail::ensure_part(tx, actor, std::string{kKindName}, name, now, ids_);
        if (!part) {
            return part.error();
        }
        if (part->created) {
            created.push_back(part->part);
        }
        ContentIds content = detail::ids_of(source.content);
        content.name_part_id = part->part.id;
        return insert_new(tx, actor, content, created, now, "auths.auth.duplicated", "duplicated");
    });
    if (copy) {
        drop_part_kinds(actor.org_id, created);
    }
    return copy;
}

std::vector<DeleteOutcome> AuthsService::remove(
    core::Actor const& actor, std::vector<std::string> const& auth_ids
) {
    std::vector<DeleteOutcome> out;
    out.reserve(auth_ids.size());
    for (auto const& id : auth_ids) {
        out.push_back(DeleteOutcome{id, remove_one(actor, id)});
    }
    return out;
}

core::Status AuthsService::remove_one(core::Actor const& actor, std::string const& auth_id) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    auto done = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<bool> {
        auto found = detail::load_auth(tx, actor.org_id, auth_id);
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return detail::auth_not_found(auth_id);
        }
        if (auto ok = detail::require_edit(tx, actor, **found); !ok) {
            return ok.error();
        }
        if (auto d = core::from_db(repos::delete_auth(tx, actor.org_id, auth_id)); !d) {
            return d.error();
        }
        if (auto s = detail::record_deleted(tx, recorder_, actor, **found); !s) {
            return s.error();
        }
        return true;
    });
    if (!done) {
        return done.error();
    }
    return {};
}

}  // namespace signoff::server::auths
