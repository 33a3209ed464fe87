// Portable SQL for orgs, users and API keys (see identity_repo.hpp). Queries
// are named constants next to the function that runs them.
#include "storage/repos/identity_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

UserRecord user_from(Row const& r, std::size_t at = 0) {
    return UserRecord{
        r.text(at + 0),
        r.text(at + 1),
        r.text(at + 2),
        r.text(at + 3),
        r.text(at + 4),
        r.text(at + 5),
        r.text(at + 6),
        r.boolean(at + 7),
        r.opt_text(at + 8),
    };
}

constexpr std::string_view kUserColumns =
    "id, org_id, email, email_lower, display_name, org_role, created_at, via_mcp, deactivated_at";

/// An api_keys row in its table's column order, from column 0.
ApiKeyRecord key_from(Row const& r) {
    return ApiKeyRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.opt_text(6),
        r.opt_text(7),
        r.opt_text(8),
        r.opt_text(9),
        r.opt_text(10),
    };
}

constexpr std::string_view kKeyColumns =
    "id, org_id, user_id, key_hash, prefix, created_at, last_used_at, revoked_at, issued_by, "
    "name, expires_at";

DbResult<std::optional<UserRecord>> one_user(DbResult<Rows> rows) {
    return first_row(std::move(rows), [](Row const& r) { return user_from(r); });
}

}  // namespace

constexpr std::string_view kInsertOrgIfAbsent =
    "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";

DbResult<OrgRecord> ensure_org(Tx& tx, OrgRecord const& org) {
    auto ins = tx.exec(kInsertOrgIfAbsent, {org.id, org.name, org.created_at});
    if (!ins) {
        return ins.error();
    }
    auto found = find_org_by_name(tx, org.name);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return DbError{DbErrorKind::kOther, "org vanished after insert", ""};
    }
    return **found;
}

constexpr std::string_view kSelectOrgByName =
    "SELECT id, name, created_at FROM orgs WHERE name = $1";

DbResult<std::vector<UserRecord>> users_for_sign_in(
    Tx& tx,
    std::string const& subject,
    std::string const& email_lower,
    std::optional<std::string> const& org_id
) {
    // Users already linked to this subject win; otherwise users with the
    // verified e-mail who are linked to no subject yet (never one linked to
    // another subject: an e-mail the IdP reassigned does not carry the account).
    std::string const org_clause = org_id ? " AND org_id = $2" : "";
    std::string const by_sub = "SELECT " + std::string(kUserColumns) +
                               " FROM users WHERE idp_subject = $1" + org_clause +
                               " ORDER BY created_at, id";
    Params p1{subject};
    if (org_id) {
        p1.emplace_back(*org_id);
    }
    auto rows = all_rows(tx.query(by_sub, p1), [](Row const& r) { return user_from(r); });
    if (!rows || !rows->empty()) {
        return rows;
    }
    std::string const by_email = "SELECT " + std::string(kUserColumns) +
                                 " FROM users WHERE email_lower = $1 AND idp_subject IS NULL" +
                                 org_clause + " ORDER BY created_at, id";
    Params p2{email_lower};
    if (org_id) {
        p2.emplace_back(*org_id);
    }
    return all_rows(tx.query(by_email, p2), [](Row const& r) { return user_from(r); });
}

DbResult<std::optional<OrgRecord>> find_org_by_id(Tx& tx, std::string const& id) {
    return first_row(
        tx.query("SELECT id, name, created_at FROM orgs WHERE id = $1", {id}),
        [](Row const& r) {
            return OrgRecord{r.text(0), r.text(1), r.text(2)};
        }
    );
}

DbResult<std::optional<OrgRecord>> find_org_by_name(Tx& tx, std::string const& name) {
    return first_row(tx.query(kSelectOrgByName, {name}), [](Row const& r) {
        return OrgRecord{r.text(0), r.text(1), r.text(2)};
    });
}

constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, org_id, email, email_lower, display_name, org_role, created_at, "
    "via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

DbStatus insert_user(Tx& tx, UserRecord const& u) {
    return as_status(tx.exec(
        kInsertUser,
        {u.id,
         u.org_id,
         u.email,
         u.email_lower,
         u.display_name,
         u.org_role,
         u.created_at,
         std::int64_t{u.via_mcp ? 1 : 0}}
    ));
}

constexpr std::string_view kInsertUserIfAbsent =
    "INSERT INTO users (id, org_id, email, email_lower, display_name, org_role, created_at, "
    "via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (org_id, email_lower) DO NOTHING";

DbResult<UserRecord> ensure_user(Tx& tx, UserRecord const& u) {
    auto ins = tx.exec(
        kInsertUserIfAbsent,
        {u.id,
         u.org_id,
         u.email,
         u.email_lower,
         u.display_name,
         u.org_role,
         u.created_at,
         std::int64_t{u.via_mcp ? 1 : 0}}
    );
    if (!ins) {
        return ins.error();
    }
    auto found = find_user_by_email(tx, u.org_id, u.email_lower);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return DbError{DbErrorKind::kOther, "user vanished after insert", ""};
    }
    return **found;
}

DbResult<std::optional<UserRecord>> find_user_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql =
        "SELECT " + std::string(kUserColumns) + " FROM users WHERE org_id = $1 AND id = $2";
    return one_user(tx.query(sql, {org_id, id}));
}

DbResult<std::optional<UserRecord>> find_user_by_email(
    Tx& tx, std::string const& org_id, std::string const& email_lower
) {
    static std::string const sql = "SELECT " + std::string(kUserColumns) +
                                   " FROM users WHERE org_id = $1 AND email_lower = $2";
    return one_user(tx.query(sql, {org_id, email_lower}));
}

constexpr std::string_view kSetDeactivated =
    "UPDATE users SET deactivated_at = $3 WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> set_user_deactivated(
    Tx& tx, std::string const& org_id, std::string const& id, std::optional<std::string> const& at
) {
    return tx.exec(kSetDeactivated, {org_id, id, opt_text(at)});
}

constexpr std::string_view kCountActiveWithRole =
    "SELECT COUNT(*) FROM users WHERE org_id = $1 AND org_role = $2 AND deactivated_at IS NULL";

DbResult<std::int64_t> count_active_with_role(
    Tx& tx, std::string const& org_id, std::string const& role
) {
    return count_of(tx.query(kCountActiveWithRole, {org_id, role}));
}

DbResult<std::vector<UserRecord>> list_users(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& search,
    std::int64_t limit,
    std::int64_t offset
) {
    static std::string const sql =
        "SELECT " + std::string(kUserColumns) +
        " FROM users WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL "
        "OR email_lower LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\') "
        "ORDER BY email_lower, id LIMIT $3 OFFSET $4";
    return all_rows(
        tx.query(sql, {org_id, contains_pattern(search), limit, offset}),
        [](Row const& r) { return user_from(r); }
    );
}

constexpr std::string_view kCountUsers =
    "SELECT COUNT(*) FROM users WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL "
    "OR email_lower LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\')";

DbResult<std::int64_t> count_users(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& search
) {
    return count_of(tx.query(kCountUsers, {org_id, contains_pattern(search)}));
}

constexpr std::string_view kInsertApiKey =
    "INSERT INTO api_keys (id, org_id, user_id, key_hash, prefix, created_at, last_used_at, "
    "revoked_at, issued_by, name, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11)";

DbStatus insert_api_key(Tx& tx, ApiKeyRecord const& k) {
    return as_status(tx.exec(
        kInsertApiKey,
        {k.id,
         k.org_id,
         k.user_id,
         k.key_hash,
         k.prefix,
         k.created_at,
         opt_text(k.last_used_at),
         opt_text(k.revoked_at),
         opt_text(k.issued_by),
         opt_text(k.name),
         opt_text(k.expires_at)}
    ));
}

// One read on the unique key_hash index, joined to the user and the org.
constexpr std::string_view kSelectKeyPrincipal =
    "SELECT k.id, k.org_id, k.user_id, k.key_hash, k.prefix, k.created_at, k.last_used_at, "
    "k.revoked_at, k.issued_by, k.name, k.expires_at, u.id, u.org_id, u.email, u.email_lower, "
    "u.display_name, u.org_role, u.created_at, u.via_mcp, u.deactivated_at, o.name "
    "FROM api_keys k JOIN users u ON u.id = k.user_id AND u.org_id = k.org_id "
    "JOIN orgs o ON o.id = k.org_id WHERE k.key_hash = $1";

DbResult<std::optional<KeyPrincipal>> find_key_principal(Tx& tx, std::string const& key_hash) {
    return first_row(tx.query(kSelectKeyPrincipal, {key_hash}), [](Row const& r) {
        return KeyPrincipal{key_from(r), user_from(r, 11), r.text(20)};
    });
}

constexpr std::string_view kTouchApiKey =
    "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 "
    "AND (last_used_at IS NULL OR last_used_at < $3)";

DbResult<std::int64_t> touch_api_key(
    Tx& tx, std::string const& key_id, std::string const& now, std::string const& not_before
) {
    return tx.exec(kTouchApiKey, {key_id, now, not_before});
}

DbResult<std::optional<ApiKeyRecord>> find_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id
) {
    static std::string const sql =
        "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE org_id = $1 AND id = $2";
    return first_row(tx.query(sql, {org_id, key_id}), key_from);
}

constexpr std::string_view kStoredEmails =
    "SELECT 'users', id, org_id, email FROM users UNION ALL "
    "SELECT 'catalog_approvals', id, org_id, email FROM catalog_approvals ORDER BY 1, 3, 2";

DbResult<std::vector<StoredEmail>> list_stored_emails(Tx& tx) {
    return all_rows(tx.query(kStoredEmails, {}), [](Row const& r) {
        return StoredEmail{r.text(0), r.text(1), r.text(2), r.text(3)};
    });
}

constexpr std::string_view kCheckDone = "SELECT COUNT(*) FROM data_checks WHERE name = $1";

DbResult<bool> data_check_done(Tx& tx, std::string const& name) {
    auto n = count_of(tx.query(kCheckDone, {name}));
    if (!n) {
        return n.error();
    }
    return *n > 0;
}

constexpr std::string_view kClaimCheck =
    "INSERT INTO data_checks (name, done_at, findings) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO NOTHING";

DbResult<bool> claim_data_check(
    Tx& tx, std::string const& name, std::string const& now, std::int64_t findings
) {
    auto n = tx.exec(kClaimCheck, {name, now, findings});
    if (!n) {
        return n.error();
    }
    return *n == 1;
}

DbResult<std::vector<ApiKeyRecord>> list_api_keys(
    Tx& tx, std::string const& org_id, std::string const& user_id
) {
    static std::string const sql = "SELECT " + std::string(kKeyColumns) +
                                   " FROM api_keys WHERE org_id = $1 AND user_id = $2 "
                                   "ORDER BY created_at, id";
    return all_rows(tx.query(sql, {org_id, user_id}), key_from);
}

DbResult<std::vector<std::pair<ApiKeyRecord, std::string>>> list_org_api_keys(
    Tx& tx, std::string const& org_id
) {
    static std::string const sql =
        "SELECT k.id, k.org_id, k.user_id, k.key_hash, k.prefix, k.created_at, k.last_used_at, "
        "k.revoked_at, k.issued_by, k.name, k.expires_at, u.email_lower FROM api_keys k "
        "JOIN users u ON u.id = k.user_id AND u.org_id = k.org_id WHERE k.org_id = $1 "
        "ORDER BY k.created_at, k.id";
    return all_rows(tx.query(sql, {org_id}), [](Row const& r) {
        return std::pair{key_from(r), r.text(11)};
    });
}

DbResult<std::vector<ApiKeyRecord>> find_api_keys_anywhere(
    Tx& tx, std::optional<std::string> const& id, std::optional<std::string> const& prefix
) {
    static std::string const sql = "SELECT " + std::string(kKeyColumns) +
                                   " FROM api_keys WHERE id = $1 OR prefix = $2 ORDER BY id";
    return all_rows(tx.query(sql, {opt_text(id), opt_text(prefix)}), key_from);
}

constexpr std::string_view kRevokeUserKeys =
    "UPDATE api_keys SET revoked_at = $3 WHERE org_id = $1 AND user_id = $2 AND "
    "revoked_at IS NULL";

DbResult<std::int64_t> revoke_user_api_keys(
    Tx& tx, std::string const& org_id, std::string const& user_id, std::string const& now
) {
    return tx.exec(kRevokeUserKeys, {org_id, user_id, now});
}

constexpr std::string_view kRevokeApiKey =
    "UPDATE api_keys SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL";

DbResult<std::int64_t> revoke_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id, std::string const& now
) {
    return tx.exec(kRevokeApiKey, {org_id, key_id, now});
}

}  // namespace signoff::storage::repos
