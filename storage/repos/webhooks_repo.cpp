// Portable SQL for webhook endpoints (see webhooks_repo.hpp). Event matching
// wraps the comma-joined list in commas and uses LIKE with an escape
// character, which both dialects spell the same way.
#include "storage/repos/webhooks_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kColumns =
    "id, org_id, owner_user_id, kind, name, description, url, events, scheme, secret, "
    "previous_secret, previous_secret_expires_at, enabled, disabled_at, disabled_reason, "
    "consecutive_failures, created_at, updated_at, version, via_mcp";

Value flag(bool b) {
    return std::int64_t{b ? 1 : 0};
}

/// A webhook_endpoints row in kColumns order.
WebhookEndpointRecord webhook_from(Row const& r) {
    return WebhookEndpointRecord{
        r.text(0),      r.text(1),      r.opt_text(2), r.text(3),      r.opt_text(4),
        r.opt_text(5),  r.text(6),      r.text(7),     r.text(8),      r.text(9),
        r.opt_text(10), r.opt_text(11), r.boolean(12), r.opt_text(13), r.opt_text(14),
        r.integer(15),  r.text(16),     r.text(17),    r.integer(18),  r.boolean(19),
    };
}

DbResult<std::vector<WebhookEndpointRecord>> all_webhooks(DbResult<Rows> rows) {
    if (!rows) {
        return rows.error();
    }
    std::vector<WebhookEndpointRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(webhook_from(r));
    }
    return out;
}

std::string select_where(std::string_view condition) {
    return "SELECT " + std::string(kColumns) + " FROM webhook_endpoints WHERE " +
           std::string(condition);
}

/// `%,type,%` with LIKE's own wildcards escaped by a backslash.
std::string listed_pattern(std::string const& event_type) {
    std::string out = "%,";
    for (char c : event_type) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + ",%";
}

}  // namespace

constexpr std::string_view kInsert =
    "INSERT INTO webhook_endpoints (id, org_id, owner_user_id, kind, name, description, url, "
    "events, scheme, secret, previous_secret, previous_secret_expires_at, enabled, disabled_at, "
    "disabled_reason, consecutive_failures, created_at, updated_at, version, via_mcp) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) "
    "ON CONFLICT (org_id, owner_user_id) DO NOTHING";

DbResult<std::int64_t> insert_webhook(Tx& tx, WebhookEndpointRecord const& w) {
    return tx.exec(
        kInsert,
        {w.id,
         w.org_id,
         opt_text(w.owner_user_id),
         w.kind,
         opt_text(w.name),
         opt_text(w.description),
         w.url,
         w.events,
         w.scheme,
         w.secret,
         opt_text(w.previous_secret),
         opt_text(w.previous_secret_expires_at),
         flag(w.enabled),
         opt_text(w.disabled_at),
         opt_text(w.disabled_reason),
         w.consecutive_failures,
         w.created_at,
         w.updated_at,
         w.version,
         flag(w.via_mcp)}
    );
}

DbResult<std::optional<WebhookEndpointRecord>> find_webhook(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql = select_where("org_id = $1 AND id = $2");
    return first_row(tx.query(sql, {org_id, id}), webhook_from);
}

DbResult<std::optional<WebhookEndpointRecord>> find_employee_webhook(
    Tx& tx, std::string const& org_id, std::string const& owner_user_id
) {
    static std::string const sql =
        select_where("org_id = $1 AND owner_user_id = $2 AND kind = 'employee'");
    return first_row(tx.query(sql, {org_id, owner_user_id}), webhook_from);
}

DbResult<std::vector<WebhookEndpointRecord>> list_org_webhooks(Tx& tx, std::string const& org_id) {
    static std::string const sql =
        select_where("org_id = $1 AND kind = 'org' ORDER BY created_at, id");
    return all_webhooks(tx.query(sql, {org_id}));
}

DbResult<std::int64_t> count_org_webhooks(Tx& tx, std::string const& org_id) {
    return count_of(tx.query(
        "SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $1 AND kind = 'org'", {org_id}
    ));
}

constexpr std::string_view kUpdate =
    "UPDATE webhook_endpoints SET name = $3, description = $4, url = $5, events = $6, "
    "scheme = $7, secret = $8, previous_secret = $9, previous_secret_expires_at = $10, "
    "consecutive_failures = CASE WHEN enabled = 0 AND $11 = 1 THEN 0 ELSE consecutive_failures "
    "END, enabled = $11, disabled_at = $12, disabled_reason = $13, updated_at = $14, "
    "via_mcp = $15, version = version + 1 WHERE org_id = $1 AND id = $2 AND version = $16";

DbResult<std::int64_t> update_webhook(
    Tx& tx, WebhookEndpointRecord const& w, std::int64_t expected_version
) {
    return tx.exec(
        kUpdate,
        {w.org_id,
         w.id,
         opt_text(w.name),
         opt_text(w.description),
         w.url,
         w.events,
         w.scheme,
         w.secret,
         opt_text(w.previous_secret),
         opt_text(w.previous_secret_expires_at),
         flag(w.enabled),
         opt_text(w.disabled_at),
         opt_text(w.disabled_reason),
         w.updated_at,
         flag(w.via_mcp),
         expected_version}
    );
}

DbResult<std::int64_t> delete_webhook(Tx& tx, std::string const& org_id, std::string const& id) {
    return tx.exec("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2", {org_id, id});
}

DbResult<std::vector<WebhookEndpointRecord>> list_org_webhooks_for_event(
    Tx& tx, std::string const& org_id, std::string const& event_type
) {
    static std::string const sql = select_where(
        "org_id = $1 AND kind = 'org' AND enabled = 1 AND (events = '*' OR "
        "(',' || events || ',') LIKE $2 ESCAPE '\\') ORDER BY created_at, id"
    );
    return all_webhooks(tx.query(sql, {org_id, listed_pattern(event_type)}));
}

DbResult<std::vector<WebhookEndpointRecord>> list_admin_hooks_for_event(
    Tx& tx, std::string const& org_id, std::string const& event_type
) {
    static std::string const sql = select_where(
        "org_id = $1 AND kind = 'employee' AND enabled = 1 AND (events = '*' OR "
        "(',' || events || ',') LIKE $2 ESCAPE '\\') AND owner_user_id IN (SELECT id FROM users "
        "WHERE org_id = $1 AND org_role IN ('admin', 'super_admin')) ORDER BY created_at, id"
    );
    return all_webhooks(tx.query(sql, {org_id, listed_pattern(event_type)}));
}

DbResult<std::int64_t> record_webhook_success(Tx& tx, std::string const& id) {
    return tx.exec(
        "UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND "
        "consecutive_failures <> 0",
        {id}
    );
}

DbResult<std::optional<std::int64_t>> record_webhook_failure(Tx& tx, std::string const& id) {
    return first_row(
        tx.query(
            "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 "
            "WHERE id = $1 RETURNING consecutive_failures",
            {id}
        ),
        [](Row const& r) { return r.integer(0); }
    );
}

DbResult<std::int64_t> disable_webhook(
    Tx& tx, std::string const& id, std::string const& reason, std::string const& now
) {
    return tx.exec(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_at = $2, disabled_reason = $3, "
        "updated_at = $2, version = version + 1 WHERE id = $1 AND enabled = 1",
        {id, now, reason}
    );
}

}  // namespace signoff::storage::repos
