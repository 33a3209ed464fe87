// The Actor of a stored principal, as every authentication path builds it
// (API key, Signoff access token, OIDC sign-in): one place, so that a field
// added to the Actor reaches them all.
#pragma once

#include <string>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "storage/db.hpp"
#include "storage/repos/agents_repo.hpp"
#include "storage/repos/identity_repo.hpp"

namespace signoff::server::identity {

/// A human: their org, id, e-mail, name and org role (channel left default).
core::Actor user_actor(storage::repos::UserRecord const& u, std::string const& org_name);
/// An agent: principal kind "agent", a plain member of its registrant's org
/// (its permissions come from its own role bindings only).
core::Actor agent_actor(storage::repos::AgentRecord const& a, std::string const& org_name);

/// The same, reading the org's name in `tx` (empty if the org is gone).
core::Result<core::Actor> user_actor(storage::Tx& tx, storage::repos::UserRecord const& u);
core::Result<core::Actor> agent_actor(storage::Tx& tx, storage::repos::AgentRecord const& a);

}  // namespace signoff::server::identity
