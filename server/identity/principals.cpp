// See principals.hpp.
#include "server/identity/principals.hpp"

#include "server/core/db_map.hpp"
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

namespace {

core::Result<std::string> org_name_of(storage::Tx& tx, std::string const& org_id) {
    auto org = core::from_db(storage::repos::find_org_by_id(tx, org_id));
    if (!org) {
        return org.error();
    }
    return *org ? (*org)->name : std::string{};
}

}  // namespace

core::Result<core::Actor> user_actor(storage::Tx& tx, storage::repos::UserRecord const& u) {
    auto name = org_name_of(tx, u.org_id);
    if (!name) {
        return name.error();
    }
    return user_actor(u, *name);
}

core::Result<core::Actor> agent_actor(storage::Tx& tx, storage::repos::AgentRecord const& a) {
    auto name = org_name_of(tx, a.org_id);
    if (!name) {
        return name.error();
    }
    return agent_actor(a, *name);
}

}  // namespace signoff::server::identity
