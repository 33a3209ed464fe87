// Drafts: private working copies under optimistic versioning (DESIGN.md §3).
// A patch without draft_id starts a draft at version 1 (a copy of the auth
// when auth_id is given). A patch of a draft must carry expected_version; the
// check is the UPDATE itself (`… WHERE id = $ AND version = $expected`), so of
// any number of concurrent patchers with the same expected_version exactly one
// changes the row, on SQLite (writers serialise) and PostgreSQL (the losers'
// UPDATE waits for the winner's row lock, then matches no row). A loser's
// transaction rolls back whole: parts it created vanish with it.
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

repos::DraftRecord record_of(Draft const& d, core::Actor const& actor, ContentIds const& c) {
    return repos::DraftRecord{
        d.id,
        actor.org_id,
        d.owner_id,
        d.auth_id,
        d.base_version,
        d.version,
        c.name_part_id,
        c.description_part_id,
        c.flag_part_id,
        c.group_id,
        d.created_at,
        d.updated_at,
        core::via_mcp(actor.channel),
    };
}

/// The whole draft as the form shows it, with what stands between it and publishing.
Result<FormState> form_state(Tx& tx, std::string const& org_id, Draft draft) {
    FormState f;
    if (!draft.content.name) {
        f.issues.push_back({"name", "required to publish: give name or name_id"});
    }
    if (draft.auth_id) {
        auto auth = core::from_db(repos::find_auth(tx, org_id, *draft.auth_id));
        if (!auth) {
            return auth.error();
        }
        if (!*auth) {
            f.issues.push_back({"auth_id", "the auth this draft edits no longer exists"});
        } else if ((*auth)->auth.version != draft.base_version) {
            f.issues.push_back(
                {"auth_id",
                 "the auth changed since this draft began at version " +
                     std::to_string(draft.base_version.value_or(0)) + ": it is at version " +
                     std::to_string((*auth)->auth.version)}
            );
        }
    }
    f.can_publish = f.issues.empty();
    f.draft = std::move(draft);
    return f;
}

/// The draft's audit row (with `before`, a patch: what changed) and the
/// answer, built from the draft as written (no re-read: the patch path stays a
/// handful of statements).
Result<PatchOutcome> answer(
    Tx& tx,
    events::Recorder const& recorder,
    core::Actor const& actor,
    Draft draft,
    std::string const& action,
    std::string message,
    Draft const* before = nullptr
) {
    if (auto s = detail::record_draft(tx, recorder, actor, action, draft, before); !s) {
        return s.error();
    }
    std::string id = draft.id;
    std::int64_t version = draft.version;
    auto form = form_state(tx, actor.org_id, std::move(draft));
    if (!form) {
        return form.error();
    }
    return PatchOutcome{std::move(id), version, std::move(message), std::move(*form)};
}

/// The conflict for a patch that lost: names the version the draft is at now.
Error stale_draft(Tx& tx, std::string const& org_id, std::string const& draft_id) {
    auto current = core::from_db(repos::draft_version(tx, org_id, draft_id));
    if (!current) {
        return current.error();
    }
    if (!*current) {
        return detail::draft_not_found(draft_id);
    }
    return version_conflict("draft " + draft_id, **current);
}

}  // namespace

Result<PatchOutcome> AuthsService::patch_draft(core::Actor const& actor, DraftPatch const& patch) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    if (patch.draft_id && !patch.expected_version) {
        return invalid_fields(
            {{"expected_version", "required when patching a draft: send the version you read"}}
        );
    }
    if (auto ok = check_fields(patch.fields); !ok) {
        return ok.error();
    }
    std::vector<Part> created;
    auto out = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<PatchOutcome> {
        auto r = patch.draft_id ? change_draft(tx, actor, patch) : start_draft(tx, actor, patch);
        if (r) {
            created = r->second;
            return std::move(r->first);
        }
        return r.error();
    });
    if (out) {
        drop_part_kinds(actor.org_id, created);
    }
    return out;
}

Result<std::pair<PatchOutcome, std::vector<Part>>> AuthsService::start_draft(
    Tx& tx, core::Actor const& actor, DraftPatch const& patch
) {
    Draft draft;
    draft.id = ids_.new_id();
    draft.owner_id = actor.principal_id;
    draft.created_at = draft.updated_at = core::to_rfc3339(clock_.now());
    AuthContent base;
    if (patch.auth_id) {
        auto auth = detail::load_auth(tx, actor.org_id, *patch.auth_id);
        if (!auth) {
            return auth.error();
        }
        if (!*auth) {
            return detail::auth_not_found(*patch.auth_id);
        }
        if (auto ok = detail::require_edit(tx, actor, **auth); !ok) {
            return ok.error();
        }
        draft.auth_id = (*auth)->id;
        draft.base_version = (*auth)->version;
        base = std::move((*auth)->content);
    }
    auto r = detail::resolve_fields(tx, actor, patch.fields, base, draft.created_at, ids_);
    if (!r) {
        return r.error();
    }
    draft.content = std::move(r->content);
    ContentIds content = detail::ids_of(draft.content);
    if (auto s = core::from_db(repos::insert_draft(tx, record_of(draft, actor, content))); !s) {
        return s.error();
    }
    auto lists =
        detail::write_draft_lists(tx, actor.org_id, draft.id, content, detail::ChangedLists::all());
    if (!lists) {
        return lists.error();
    }
    if (auto s = detail::audit_parts(tx, recorder_, actor, r->created); !s) {
        return s.error();
    }
    auto out = answer(
        tx, recorder_, actor, std::move(draft), "auths.draft.created", "draft created at version 1"
    );
    if (!out) {
        return out.error();
    }
    return std::make_pair(std::move(*out), std::move(r->created));
}

Result<std::pair<PatchOutcome, std::vector<Part>>> AuthsService::change_draft(
    Tx& tx, core::Actor const& actor, DraftPatch const& patch
) {
    auto found = detail::load_draft(tx, actor.org_id, *patch.draft_id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return detail::draft_not_found(*patch.draft_id);
    }
    Draft& draft = **found;
    if (auto ok = detail::require_draft_owner(actor, draft); !ok) {
        return ok.error();
    }
    std::int64_t expected = *patch.expected_version;
    if (draft.version != expected) {
        return version_conflict("draft " + draft.id, draft.version);  // nothing written yet
    }
    if (patch.auth_id && patch.auth_id != draft.auth_id) {
        return invalid_fields({{"auth_id", "a draft keeps the auth it was started from"}});
    }
    Draft const before = draft;  // the audit row's "before"
    draft.updated_at = core::to_rfc3339(clock_.now());
    auto r = detail::resolve_fields(tx, actor, patch.fields, draft.content, draft.updated_at, ids_);
    if (!r) {
        return r.error();
    }
    ContentIds content = detail::ids_of(r->content);
    auto changed =
        core::from_db(repos::update_draft(tx, record_of(draft, actor, content), expected));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return stale_draft(tx, actor.org_id, draft.id);  // run_tx rolls back everything
    }
    if (auto s = detail::write_draft_lists(tx, actor.org_id, draft.id, content, r->changed); !s) {
        return s.error();
    }
    if (auto s = detail::audit_parts(tx, recorder_, actor, r->created); !s) {
        return s.error();
    }
    draft.content = std::move(r->content);
    draft.version = expected + 1;
    std::string message = "draft updated to version " + std::to_string(draft.version);
    auto out = answer(
        tx, recorder_, actor, std::move(draft), "auths.draft.patched", std::move(message), &before
    );
    if (!out) {
        return out.error();
    }
    return std::make_pair(std::move(*out), std::move(r->created));
}

Result<std::vector<FormState>> AuthsService::list_drafts(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::vector<FormState>> {
        auto drafts = detail::load_owner_drafts(tx, actor.org_id, actor.principal_id);
        if (!drafts) {
            return drafts.error();
        }
        std::vector<FormState> out;
        out.reserve(drafts->size());
        for (auto& d : *drafts) {
            auto form = form_state(tx, actor.org_id, std::move(d));
            if (!form) {
                return form.error();
            }
            out.push_back(std::move(*form));
        }
        return out;
    });
}

}  // namespace signoff::server::auths
