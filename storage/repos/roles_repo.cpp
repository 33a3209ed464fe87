// Portable SQL for role bindings and role versions (see roles_repo.hpp).
#include "storage/repos/roles_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

std::int64_t flag(bool b) {
    return b ? 1 : 0;
}

}  // namespace

constexpr std::string_view kSelectBindings =
    "SELECT org_id, principal_type, principal_id, role_name, scope_type, scope_id, created_at, "
    "via_mcp FROM role_bindings WHERE org_id = $1 AND principal_type = $2 AND principal_id = $3 "
    "ORDER BY role_name, scope_type, scope_id";

DbResult<std::vector<RoleBindingRecord>> list_bindings(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id
) {
    auto rows = tx.query(kSelectBindings, {org_id, principal_type, principal_id});
    if (!rows) {
        return rows.error();
    }
    std::vector<RoleBindingRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(RoleBindingRecord{
            r.text(0),
            r.text(1),
            r.text(2),
            r.text(3),
            r.text(4),
            r.text(5),
            r.text(6),
            r.boolean(7)});
    }
    return out;
}

constexpr std::string_view kInsertBinding =
    "INSERT INTO role_bindings (org_id, principal_type, principal_id, role_name, scope_type, "
    "scope_id, created_at, via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (org_id, principal_type, principal_id, role_name, scope_type, scope_id) "
    "DO NOTHING";

DbResult<std::int64_t> insert_binding(Tx& tx, RoleBindingRecord const& b) {
    return tx.exec(
        kInsertBinding,
        {b.org_id,
         b.principal_type,
         b.principal_id,
         b.role_name,
         b.scope_type,
         b.scope_id,
         b.created_at,
         flag(b.via_mcp)}
    );
}

constexpr std::string_view kDeleteBinding =
    "DELETE FROM role_bindings WHERE org_id = $1 AND principal_type = $2 AND principal_id = $3 "
    "AND role_name = $4 AND scope_type = $5 AND scope_id = $6";

DbResult<std::int64_t> delete_binding(Tx& tx, RoleBindingRecord const& b) {
    return tx.exec(
        kDeleteBinding,
        {b.org_id, b.principal_type, b.principal_id, b.role_name, b.scope_type, b.scope_id}
    );
}

constexpr std::string_view kDeleteBindingsOnScope =
    "DELETE FROM role_bindings WHERE org_id = $1 AND scope_type = $2 AND scope_id = $3";

DbResult<std::int64_t> delete_bindings_on_scope(
    Tx& tx, std::string const& org_id, std::string const& scope_type, std::string const& scope_id
) {
    return tx.exec(kDeleteBindingsOnScope, {org_id, scope_type, scope_id});
}

constexpr std::string_view kSelectRoleVersion =
    "SELECT version FROM principal_roles WHERE org_id = $1 AND principal_type = $2 "
    "AND principal_id = $3";

DbResult<std::int64_t> role_version(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id
) {
    auto v = first_row(
        tx.query(kSelectRoleVersion, {org_id, principal_type, principal_id}),
        [](Row const& r) { return r.integer(0); }
    );
    if (!v) {
        return v.error();
    }
    return v->value_or(1);
}

// A principal whose roles never changed has no row and version 1: the first
// change inserts version 2, and a concurrent first change loses on the key.
constexpr std::string_view kInsertRoleVersion =
    "INSERT INTO principal_roles (org_id, principal_type, principal_id, version, updated_at) "
    "VALUES ($1, $2, $3, 2, $4) ON CONFLICT (org_id, principal_type, principal_id) DO NOTHING";
constexpr std::string_view kUpdateRoleVersion =
    "UPDATE principal_roles SET version = version + 1, updated_at = $5 WHERE org_id = $1 "
    "AND principal_type = $2 AND principal_id = $3 AND version = $4";

DbResult<std::int64_t> bump_role_version(
    Tx& tx,
    std::string const& org_id,
    std::string const& principal_type,
    std::string const& principal_id,
    std::int64_t expected,
    std::string const& now
) {
    if (expected == 1) {
        return tx.exec(kInsertRoleVersion, {org_id, principal_type, principal_id, now});
    }
    return tx.exec(kUpdateRoleVersion, {org_id, principal_type, principal_id, expected, now});
}

}  // namespace signoff::storage::repos

namespace signoff::storage::repos {

constexpr std::string_view kLockOrg = "UPDATE orgs SET name = name WHERE id = $1";

DbStatus lock_org(Tx& tx, std::string const& org_id) {
    return as_status(tx.exec(kLockOrg, {org_id}));
}

constexpr std::string_view kSelectOrgAdmins =
    "SELECT id, email, org_role, COALESCE(admin_since, created_at) AS since FROM users "
    "WHERE org_id = $1 AND org_role IN ('admin', 'super_admin') ORDER BY since, id "
    "LIMIT $2 OFFSET $3";

DbResult<std::vector<OrgAdminRecord>> list_org_admins(
    Tx& tx, std::string const& org_id, std::int64_t limit, std::int64_t offset
) {
    auto rows = tx.query(kSelectOrgAdmins, {org_id, limit, offset});
    if (!rows) {
        return rows.error();
    }
    std::vector<OrgAdminRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(OrgAdminRecord{r.text(0), r.text(1), r.text(2), r.text(3)});
    }
    return out;
}

constexpr std::string_view kCountOrgAdmins =
    "SELECT COUNT(*) FROM users WHERE org_id = $1 AND org_role IN ('admin', 'super_admin') "
    "AND deactivated_at IS NULL";

DbResult<std::int64_t> count_org_admins(Tx& tx, std::string const& org_id) {
    return count_of(tx.query(kCountOrgAdmins, {org_id}));
}

constexpr std::string_view kSetOrgRole =
    "UPDATE users SET org_role = $3, admin_since = $4 WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> set_org_role(
    Tx& tx,
    std::string const& org_id,
    std::string const& user_id,
    std::string const& org_role,
    std::optional<std::string> const& admin_since
) {
    return tx.exec(kSetOrgRole, {org_id, user_id, org_role, opt_text(admin_since)});
}

}  // namespace signoff::storage::repos
