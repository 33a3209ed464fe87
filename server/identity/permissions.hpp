// Reading a principal's scoped role bindings and answering "does this actor
// hold permission P on group G" inside a service's transaction. The decision
// itself is role_catalog's holds() (org admins hold everything in their org);
// this file only loads what it needs. Reused by every approvals slice.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "server/identity/role_catalog.hpp"
#include "storage/db.hpp"

namespace signoff::server::identity {

/// "human" for users, "agent" for agents: the entity type bindings and
/// memberships are stored under.
std::string_view principal_type(core::Actor const& actor);

/// The bindings of one principal of the actor's org.
core::Result<std::vector<RoleBinding>> load_bindings(
    storage::Tx& tx,
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id
);
/// The actor's own bindings.
core::Result<std::vector<RoleBinding>> load_bindings(storage::Tx& tx, core::Actor const& actor);

/// True when the actor is an org admin or holds `p` on the group through a
/// binding at the group's scope or a wider one. The group is not looked up:
/// callers check that it exists in the actor's org.
core::Result<bool> holds_on_group(
    storage::Tx& tx, core::Actor const& actor, std::string const& group_id, Permission p
);

}  // namespace signoff::server::identity
