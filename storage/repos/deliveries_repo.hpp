// Repository of webhook/e-mail deliveries and their attempts (migrations 0012, 0014):
// the delivery worker's fan-out, claim and record steps, and the delivery log
// reads. Portable SQL over storage::Tx; the rules live in server/delivery/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"
#include "storage/repos/events_repo.hpp"

namespace signoff::storage::repos {

struct DeliveryRecord {
    std::string id;
    std::string org_id;
    std::string event_id;
    std::string event_type;
    std::optional<std::string> endpoint_id;  // NULL for a workflow action target
    std::string target;                      // endpoint | action_webhook | action_email
    std::string state;                       // pending | delivered | failed
    std::int64_t attempts{0};
    std::string next_attempt_at;
    std::optional<std::string> first_attempt_at;
    std::int64_t previous_delay_ms{0};
    std::optional<std::string> lease_until;
    std::optional<std::string> leased_by;
    std::optional<std::int64_t> last_status;
    std::optional<std::string> last_error;
    std::string created_at;
    std::string updated_at;
    /// A workflow action's: the workflow whose outcome queued it (migration 0014).
    std::optional<std::string> workflow_id;
};

struct AttemptRecord {
    std::string delivery_id;
    std::int64_t attempt_no{1};
    std::string started_at;
    std::optional<std::int64_t> status_code;  // NULL: no HTTP answer (or e-mail)
    std::int64_t latency_ms{0};
    std::string answer_head;  // valid UTF-8, at most 1 KiB of the answer
    std::string error;        // empty on an answer
};

// ---- fan-out -------------------------------------------------------------------

/// Outbox rows not yet fanned out (delivered_at NULL) and available at `now`,
/// oldest first, at most `limit`. Row-locked with SKIP LOCKED where the back
/// end supports it (Tx::supports_skip_locked), so concurrent fan-outs split
/// the rows; call it in a kWrite transaction.
DbResult<std::vector<OutboxRecord>> claim_outbox_for_fanout(
    Tx& tx, std::string const& now, std::int64_t limit
);
/// Marks the row fanned out at `now`; answers rows changed (0: someone else did).
DbResult<std::int64_t> mark_outbox_fanned(Tx& tx, std::string const& id, std::string const& now);
DbResult<std::optional<OutboxRecord>> find_outbox(Tx& tx, std::string const& id);

DbStatus insert_delivery(Tx& tx, DeliveryRecord const& d);

// ---- claim and record ----------------------------------------------------------

/// Pending deliveries due at `now` whose lease is absent or expired, leased to
/// `token` until `lease_until`; at most `limit`, earliest first. Uses SKIP
/// LOCKED where supported; call it in a kWrite transaction. Answers the
/// records as leased.
DbResult<std::vector<DeliveryRecord>> claim_due_deliveries(
    Tx& tx,
    std::string const& now,
    std::string const& lease_until,
    std::string const& token,
    std::int64_t limit
);

/// The outcome of one attempt, written only while `token` holds the lease.
struct AttemptOutcomeRecord {
    std::string state;  // pending (retry), delivered or failed
    std::int64_t attempts{0};
    std::string next_attempt_at;
    std::optional<std::string> first_attempt_at;
    std::int64_t previous_delay_ms{0};
    std::optional<std::int64_t> last_status;
    std::optional<std::string> last_error;
    std::string now;
};

/// Writes the outcome and drops the lease when the delivery is still pending
/// and leased to `token`. Answers rows changed: 0 means the lease was lost
/// (expired and taken by another worker) and nothing may be recorded.
DbResult<std::int64_t> record_outcome(
    Tx& tx, std::string const& id, std::string const& token, AttemptOutcomeRecord const& o
);
DbStatus insert_attempt(Tx& tx, AttemptRecord const& a);

// ---- the delivery log ----------------------------------------------------------

DbResult<std::optional<DeliveryRecord>> find_delivery(
    Tx& tx, std::string const& org_id, std::string const& id
);

struct DeliveryFilter {
    std::string org_id;
    std::optional<std::string> endpoint_id;
    /// Only workflow-action deliveries (endpoint_id NULL), of any kind.
    bool actions_only{false};
    std::optional<std::string> target;  // endpoint | action_webhook | action_email
    std::optional<std::string> workflow_id;
    std::optional<std::string> state;
    std::optional<std::string> event_type;
    std::optional<std::string> created_from;  // inclusive
    std::optional<std::string> created_to;    // exclusive
    /// Keyset: rows strictly before (created_at, id) of the previous page's last.
    std::optional<std::string> before_created_at;
    std::optional<std::string> before_id;
    std::int64_t limit{50};
};

/// Newest first by (created_at, id).
DbResult<std::vector<DeliveryRecord>> list_deliveries(Tx& tx, DeliveryFilter const& f);
/// Attempts of one delivery, in order.
DbResult<std::vector<AttemptRecord>> list_attempts(Tx& tx, std::string const& delivery_id);

}  // namespace signoff::storage::repos
