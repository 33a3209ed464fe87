// Repository of outbound webhook endpoints (employee hooks and org
// integrations): portable SQL over storage::Tx, plain records out. Called by
// server/webhooks (configuration) and by the delivery worker (matching
// endpoints, failure counting, auto-disable); the rules live there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct WebhookEndpointRecord {
    std::string id;
    std::string org_id;
    std::optional<std::string> owner_user_id;  // set exactly for kind "employee"
    std::string kind;                          // employee | org
    std::optional<std::string> name;           // integrations only
    std::optional<std::string> description;
    std::string url;
    std::string events;  // subscribed types joined by commas, or "*" for every type
    std::string scheme;  // signoff | fluxdesk
    std::string secret;
    std::optional<std::string> previous_secret;  // still signs until the instant below
    std::optional<std::string> previous_secret_expires_at;
    bool enabled{true};
    std::optional<std::string> disabled_at;
    std::optional<std::string> disabled_reason;
    std::int64_t consecutive_failures{0};
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
};

// ---- configuration (server/webhooks) ----------------------------------------

/// Inserts unless the org already holds an employee endpoint for the same
/// owner; answers rows inserted (0 on that clash).
DbResult<std::int64_t> insert_webhook(Tx& tx, WebhookEndpointRecord const& w);
DbResult<std::optional<WebhookEndpointRecord>> find_webhook(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// The employee endpoint of `owner_user_id` (enabled or not), if any.
DbResult<std::optional<WebhookEndpointRecord>> find_employee_webhook(
    Tx& tx, std::string const& org_id, std::string const& owner_user_id
);
/// The org's integrations (kind "org"), oldest first.
DbResult<std::vector<WebhookEndpointRecord>> list_org_webhooks(Tx& tx, std::string const& org_id);
DbResult<std::int64_t> count_org_webhooks(Tx& tx, std::string const& org_id);
/// Writes name, description, url, events, scheme, the secrets, enabled,
/// disabled_at, disabled_reason, updated_at and via_mcp when the stored version
/// is `expected_version`, setting version = expected_version + 1. Answers rows
/// changed (0: lost a race). consecutive_failures belongs to the worker: only a
/// disabled endpoint turning enabled here resets it to 0.
DbResult<std::int64_t> update_webhook(
    Tx& tx, WebhookEndpointRecord const& w, std::int64_t expected_version
);
DbResult<std::int64_t> delete_webhook(Tx& tx, std::string const& org_id, std::string const& id);

// ---- delivery (the worker) -----------------------------------------------------

/// Enabled integrations of the org subscribed to `event_type` (listed, or "*"),
/// oldest first. `event_type` is matched literally; pass only subscribable
/// types (server/webhooks/event_types.hpp), since "*" matches any text.
DbResult<std::vector<WebhookEndpointRecord>> list_org_webhooks_for_event(
    Tx& tx, std::string const& org_id, std::string const& event_type
);
/// Enabled employee hooks, subscribed to `event_type`, of the org's admins and
/// super_admins (who are told about org-wide matters such as a disabled
/// endpoint), oldest first. Same matching rule as list_org_webhooks_for_event.
DbResult<std::vector<WebhookEndpointRecord>> list_admin_hooks_for_event(
    Tx& tx, std::string const& org_id, std::string const& event_type
);
/// A delivery succeeded: consecutive_failures back to 0. Answers rows changed
/// (0 when it already was 0, so a healthy endpoint costs no write, or is gone).
DbResult<std::int64_t> record_webhook_success(Tx& tx, std::string const& id);
/// A delivery failed: consecutive_failures + 1, answered (nullopt: no such endpoint).
DbResult<std::optional<std::int64_t>> record_webhook_failure(Tx& tx, std::string const& id);
/// Disables an enabled endpoint with `reason` at `now` (version + 1). Answers
/// rows changed: 0 when it was already disabled (the first reason stays) or is gone.
DbResult<std::int64_t> disable_webhook(
    Tx& tx, std::string const& id, std::string const& reason, std::string const& now
);

}  // namespace signoff::storage::repos
