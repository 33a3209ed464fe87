// Gathers what the auth permission rules need (the owning group's name, the
// actor's membership of it, the creator, a draft's owner) and asks
// identity::authorize(), the one place that decides. Internal to server/auths.
#pragma once

#include <optional>
#include <string>

#include "server/auths/auths_service.hpp"
#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "server/identity/authorize.hpp"
#include "storage/db.hpp"

namespace signoff::server::auths::detail {

/// The subject of a decision about group `group_id` (if any) and an auth
/// made by `created_by`: the group's name and whether the actor is a member.
core::Result<identity::Subject> group_subject(
    storage::Tx& tx,
    core::Actor const& actor,
    std::optional<std::string> const& group_id,
    std::string const& created_by
);

/// Why the actor may not edit the auth (the sentence saying who may), or
/// nullopt when they may; storage failures pass through.
core::Result<std::optional<std::string>> edit_refusal(
    storage::Tx& tx, core::Actor const& actor, Auth const& auth
);
/// Ok, or kPermissionDenied carrying edit_refusal's sentence.
core::Status require_edit(storage::Tx& tx, core::Actor const& actor, Auth const& auth);

/// kNotFound (as if the draft did not exist) unless the actor owns it.
core::Status require_draft_owner(core::Actor const& actor, Draft const& draft);

/// The error for a draft id that names nothing the actor may see.
core::Error draft_not_found(std::string const& draft_id);
core::Error auth_not_found(std::string const& auth_id);

}  // namespace signoff::server::auths::detail
