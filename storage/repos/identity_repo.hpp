// Repository of orgs, users and API keys: portable SQL over storage::Tx,
// returning plain records. Called by server/identity; knows no rules, only
// rows. Every lookup except the API-key hash is scoped by org_id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct OrgRecord {
    std::string id;
    std::string name;
    std::string created_at;
};

struct UserRecord {
    std::string id;
    std::string org_id;
    std::string email;
    std::string email_lower;
    std::string display_name;
    std::string org_role;  // member | hr_admin | admin | super_admin
    std::string created_at;
    bool via_mcp{false};
    std::optional<std::string> deactivated_at{};  // set: off-boarded, no key works
};

struct ApiKeyRecord {
    std::string id;
    std::string org_id;
    std::string user_id;
    std::string key_hash;  // sha256 hex of the key; the key itself is never stored
    std::string prefix;    // first characters, to recognise a key in listings
    std::string created_at;
    std::optional<std::string> last_used_at;
    std::optional<std::string> revoked_at;
    std::optional<std::string> issued_by{};   // the user who minted it; none: the operator
    std::optional<std::string> name{};        // a label its holder chose
    std::optional<std::string> expires_at{};  // stops working at this instant
};

/// What authentication needs from one key, read in one indexed join.
struct KeyPrincipal {
    ApiKeyRecord key;
    UserRecord user;
    std::string org_name;
};

/// Inserts the org unless one with that name exists; answers the stored org.
DbResult<OrgRecord> ensure_org(Tx& tx, OrgRecord const& org);
DbResult<std::optional<OrgRecord>> find_org_by_name(Tx& tx, std::string const& name);
DbResult<std::optional<OrgRecord>> find_org_by_id(Tx& tx, std::string const& id);
/// The users a sign-in as IdP `subject` with verified `email_lower` may be
/// (in `org_id` when given): those linked to the subject, else those with the
/// e-mail and no subject yet. Any org; oldest first.
DbResult<std::vector<UserRecord>> users_for_sign_in(
    Tx& tx,
    std::string const& subject,
    std::string const& email_lower,
    std::optional<std::string> const& org_id
);

DbStatus insert_user(Tx& tx, UserRecord const& user);
/// Inserts the user unless (org_id, email_lower) exists; answers the stored user.
DbResult<UserRecord> ensure_user(Tx& tx, UserRecord const& user);
DbResult<std::optional<UserRecord>> find_user_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<UserRecord>> find_user_by_email(
    Tx& tx, std::string const& org_id, std::string const& email_lower
);
/// Users of the org ordered by email_lower; `search` (lowercase) keeps those
/// whose email or display name contains it.
DbResult<std::vector<UserRecord>> list_users(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& search,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_users(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& search
);

DbStatus insert_api_key(Tx& tx, ApiKeyRecord const& key);
DbResult<std::optional<KeyPrincipal>> find_key_principal(Tx& tx, std::string const& key_hash);
/// Sets last_used_at = now unless it is already at or after `not_before`.
DbResult<std::int64_t> touch_api_key(
    Tx& tx, std::string const& key_id, std::string const& now, std::string const& not_before
);
DbResult<std::optional<ApiKeyRecord>> find_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id
);
/// Sets (or with nullopt clears) a user's deactivated_at; answers rows changed.
DbResult<std::int64_t> set_user_deactivated(
    Tx& tx, std::string const& org_id, std::string const& id, std::optional<std::string> const& at
);
/// Active users of the org whose org_role is `role`.
DbResult<std::int64_t> count_active_with_role(
    Tx& tx, std::string const& org_id, std::string const& role
);

/// An e-mail address as stored in one row of `table` (users, catalog_approvals).
struct StoredEmail {
    std::string table;
    std::string id;
    std::string org_id;
    std::string email;
};
/// Every stored e-mail address of users and catalog approvals, all orgs.
DbResult<std::vector<StoredEmail>> list_stored_emails(Tx& tx);
/// Whether the data check `name` has run on this database.
DbResult<bool> data_check_done(Tx& tx, std::string const& name);
/// Records that the data check `name` ran; answers false when it already had.
DbResult<bool> claim_data_check(
    Tx& tx, std::string const& name, std::string const& now, std::int64_t findings
);

/// Every key of a user, revoked ones included, oldest first.
DbResult<std::vector<ApiKeyRecord>> list_api_keys(
    Tx& tx, std::string const& org_id, std::string const& user_id
);
/// Every key of an org with its user's e-mail, oldest first (operator listing).
DbResult<std::vector<std::pair<ApiKeyRecord, std::string>>> list_org_api_keys(
    Tx& tx, std::string const& org_id
);
/// Keys of any org by id or by prefix (exactly one of the two is given).
DbResult<std::vector<ApiKeyRecord>> find_api_keys_anywhere(
    Tx& tx, std::optional<std::string> const& id, std::optional<std::string> const& prefix
);
/// Revokes every live key of a user; answers how many.
DbResult<std::int64_t> revoke_user_api_keys(
    Tx& tx, std::string const& org_id, std::string const& user_id, std::string const& now
);
/// Marks the key revoked (no-op when it already is); answers rows changed.
DbResult<std::int64_t> revoke_api_key(
    Tx& tx, std::string const& org_id, std::string const& key_id, std::string const& now
);

}  // namespace signoff::storage::repos
