// See principals.hpp.
#include "server/identity/principals.hpp"

#include "server/identity/roles.hpp"

namespace signoff::server::identity {

core::Actor user_actor(storage::repos::UserRecord const& u, std::string const& org_name) {
    core::Actor actor;
    actor.org_id = u.org_id;
    actor.org_name = org_name;
    actor.principal_id = u.id;
    actor.email = u.email;
    actor.display_name = u.display_name;
    actor.role = parse_role(u.org_role).value_or(core::OrgRole::kMember);
    return actor;
}

core::Actor agent_actor(storage::repos::AgentRecord const& a, std::string const& org_name) {
    core::Actor actor;
    actor.org_id = a.org_id;
    actor.org_name = org_name;
    actor.principal_id = a.id;
    actor.principal_kind = "agent";
    actor.display_name = a.name;
    actor.role = core::OrgRole::kMember;
    return actor;
}

}  // namespace signoff::server::identity
