// Bindings from storage and the group permission question (see permissions.hpp).
#include "server/identity/permissions.hpp"

#include "server/core/db_map.hpp"
#include "server/identity/authorize.hpp"
#include "storage/repos/roles_repo.hpp"

namespace signoff::server::identity {

std::string_view principal_type(core::Actor const& actor) {
    return actor.principal_kind == "agent" ? "agent" : "human";
}

core::Result<std::vector<RoleBinding>> load_bindings(
    storage::Tx& tx,
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id
) {
    auto rows = core::from_db(
        storage::repos::list_bindings(tx, org_id, std::string(principal_type), principal_id)
    );
    if (!rows) {
        return rows.error();
    }
    std::vector<RoleBinding> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        // The CHECK constraint admits only the four scope names.
        out.push_back(
            {r.role_name, {parse_scope_type(r.scope_type).value_or(ScopeType::kOrg), r.scope_id}}
        );
    }
    return out;
}

core::Result<std::vector<RoleBinding>> load_bindings(storage::Tx& tx, core::Actor const& actor) {
    return load_bindings(tx, actor.org_id, principal_type(actor), actor.principal_id);
}

core::Result<bool> holds_on_group(
    storage::Tx& tx, core::Actor const& actor, std::string const& group_id, Permission p
) {
    if (may(actor, {}, p, Target{ResourceType::kGroup, group_id})) {
        return true;  // an org admin: no need to read bindings
    }
    auto bindings = load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    return may(actor, *bindings, p, Target{ResourceType::kGroup, group_id});
}

}  // namespace signoff::server::identity
