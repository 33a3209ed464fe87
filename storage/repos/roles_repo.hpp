// Repository of scoped role bindings and the per-principal role version:
// portable SQL over storage::Tx, plain records out, every statement scoped by
// org_id. Called by server/identity (permission checks) and server/approvals
// (role replacement); the rules live there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct RoleBindingRecord {
    std::string org_id;
    std::string principal_type;  // human | agent
    std::string principal_id;
    std::string role_name;
    std::string scope_type;  // org | space | group | workflow_template
    std::string scope_id;    // '' for org
    std::string created_at;
    bool via_mcp{false};
};

/// The principal's bindings ordered by role name, scope type, scope id.
DbResult<std::vector<RoleBindingRecord>> list_bindings(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id
);
/// Inserts unless the same (principal, role, scope) exists; answers rows inserted.
DbResult<std::int64_t> insert_binding(Tx& tx, RoleBindingRecord const& b);
/// Deletes the exact (principal, role, scope) binding; answers rows deleted.
DbResult<std::int64_t> delete_binding(Tx& tx, RoleBindingRecord const& b);
/// Deletes every binding whose scope is (scope_type, scope_id), for every principal.
DbResult<std::int64_t> delete_bindings_on_scope(
    Tx& tx, std::string const& org_id, std::string const& scope_type, std::string const& scope_id
);

/// The principal's role version; 1 when its roles were never changed.
DbResult<std::int64_t> role_version(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id
);
/// Moves the version from `expected` to expected + 1. Answers rows changed:
/// 0 means another transaction changed it first.
DbResult<std::int64_t> bump_role_version(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id,
    std::int64_t expected,
    std::string const& now
);

// ---- org admins: users whose org_role is admin or super_admin ----

struct OrgAdminRecord {
    std::string user_id;
    std::string email;
    std::string org_role;
    std::string since;  // admin_since, or the user's created_at when never promoted
};

/// Takes the org's row lock (a no-op UPDATE of orgs), so that admin changes of
/// one org run one at a time on PostgreSQL as they do on SQLite; the
/// last-admin rule depends on it.
DbStatus lock_org(Tx& tx, std::string const& org_id);
/// Admins ordered by `since`, then user id.
DbResult<std::vector<OrgAdminRecord>> list_org_admins(
    Tx& tx, std::string const& org_id, std::int64_t limit, std::int64_t offset
);
DbResult<std::int64_t> count_org_admins(Tx& tx, std::string const& org_id);
/// Sets the user's org_role and admin_since (null clears it); answers rows changed.
DbResult<std::int64_t> set_org_role(
    Tx& tx,
    std::string const& org_id,
    std::string const& user_id,
    std::string const& org_role,
    std::optional<std::string> const& admin_since
);

}  // namespace signoff::storage::repos
