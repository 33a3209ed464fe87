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
    };
}

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
    };
}

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

constexpr std::string_view kSelectUserById =
    "SELECT id, org_id, email, email_lower, display_name, org_role, created_at, via_mcp "
    "FROM users WHERE org_id = $1 AND id = $2";

DbResult<std::optional<UserRecord>> find_user_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return one_user(tx.query(kSelectUserById, {org_id, id}));
}

constexpr std::string_view kSelectUserByEmail =
    "SELECT id, org_id, email, email_lower, display_name, org_role, created_at, via_mcp "
    "FROM users WHERE org_id = $1 AND email_lower = $2";

DbResult<std::optional<UserRecord>> find_user_by_email(
    Tx& tx, std::string const& org_id, std::string const& email_lower
) {
    return one_user(tx.query(kSelectUserByEmail, {org_id, email_lower}));
}

namespace {

/// A LIKE pattern matching `s` anywhere, with LIKE's wildcards escaped.
Value contains_pattern(std::optional<std::string> const& s) {
    if (!s) {
        return null_value();
    }
    std::string p{"%"};
    for (char c : *s) {
        if (c == '%' || c == '_' || c == '\\') {
            p.push_back('\\');
        }
        p.push_back(c);
    }
    p.push_back('%');
    return p;
}

}  // namespace

constexpr std::string_view kSelectUsersPage =
    "SELECT id, org_id, email, email_lower, display_name, org_role, created_at, via_mcp "
    "FROM users WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL "
    "OR email_lower LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\') "
    "ORDER BY email_lower, id LIMIT $3 OFFSET $4";

DbResult<std::vector<UserRecord>> list_users(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& search,
    std::int64_t limit,
    std::int64_t offset
) {
    auto rows = tx.query(kSelectUsersPage, {org_id, contains_pattern(search), limit, offset});
    if (!rows) {
        return rows.error();
    }
    std::vector<UserRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(user_from(r));
    }
    return out;
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
    "revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

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
         opt_text(k.revoked_at)}
    ));
}

// One read on the unique key_hash index, joined to the user and the org.
constexpr std::string_view kSelectKeyPrincipal =
    "SELECT k.id, k.org_id, k.user_id, k.key_hash, k.prefix, k.created_at, k.last_used_at, "
    "k.revoked_at, u.id, u.org_id, u.email, u.email_lower, u.display_name, u.org_role, "
    "u.created_at, u.via_mcp, o.name "
    "FROM api_keys k JOIN users u ON u.id = k.user_id AND u.org_id = k.org_id "
    "JOIN orgs o ON o.id = k.org_id WHERE k.key_hash = $1";

DbResult<std::optional<KeyPrincipal>> find_key_principal(Tx& tx, std::string const& key_hash) {
    return first_row(tx.query(kSelectKeyPrincipal, {key_hash}), [](Row const& r) {
        return KeyPrincipal{key_from(r), user_from(r, 8), r.text(16)};
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

constexpr std::string_view kSelectApiKey =
    "SELECT id, org_id, user_id, key_hash, prefix, created_at, last_used_at, revoked_at "
    "FROM api_keys WHERE org_id = $1 AND id = $2";

DbResult<std::optional<ApiKeyRecord>> find_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id
) {
    return first_row(tx.query(kSelectApiKey, {org_id, key_id}), key_from);
}

constexpr std::string_view kRevokeApiKey =
    "UPDATE api_keys SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL";

DbResult<std::int64_t> revoke_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id, std::string const& now
) {
    return tx.exec(kRevokeApiKey, {org_id, key_id, now});
}

}  // namespace signoff::storage::repos
