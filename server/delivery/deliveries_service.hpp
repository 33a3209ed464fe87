// The delivery log (docs/webhooks.md, "Delivery log"): list and read the
// deliveries of one endpoint or of the workflow actions with their attempts,
// and redeliver one. Reads the tables the delivery worker writes;
// authorization through authorize() (kWebhooksDeliveries): owners see their
// employee hook's log, admins the integrations' and the workflow actions'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "storage/db.hpp"
#include "storage/repos/deliveries_repo.hpp"

namespace signoff::server::delivery {

inline constexpr std::int64_t kDefaultDeliveryPage = 50;
inline constexpr std::int64_t kMaxDeliveryPage = 100;

struct DeliveryView {
    storage::repos::DeliveryRecord delivery;
    std::vector<storage::repos::AttemptRecord> attempts;  // in order
};

struct DeliveryQuery {
    std::optional<std::string> state;       // pending | delivered | failed
    std::optional<std::string> event_type;  // exact
    std::optional<std::string> from;        // RFC 3339, created at or after
    std::optional<std::string> to;          // RFC 3339, created before
    std::optional<std::string> cursor;      // next_cursor of the previous page
    std::optional<std::int64_t> limit;      // 1..100, default 50
};

/// The workflow-action log's filters: the common ones plus the action's kind
/// and the workflow whose outcome queued it.
struct ActionDeliveryQuery {
    DeliveryQuery common;
    std::optional<std::string> kind;         // webhook | email
    std::optional<std::string> workflow_id;  // exact (compared lower-cased)
};

struct DeliveryPage {
    std::vector<DeliveryView> items;  // newest first
    std::optional<std::string> next_cursor;
};

/// Errors: kPermissionDenied, kNotFound (an endpoint or delivery the caller's
/// org does not have, or no own endpoint for list_mine), kInvalidArgument with
/// a field detail for a bad filter, kFailedPrecondition for redelivering to a
/// disabled or deleted endpoint, kUnavailable when the database is. Thread-safe.
class DeliveriesService {
public:
    DeliveriesService(storage::Db& db, core::Clock const& clock, core::IdSource& ids);

    /// Deliveries of one integration (admins).
    core::Result<DeliveryPage> list_for_endpoint(
        core::Actor const& actor, std::string const& endpoint_id, DeliveryQuery const& q
    );
    /// Deliveries of the caller's own employee hook.
    core::Result<DeliveryPage> list_mine(core::Actor const& actor, DeliveryQuery const& q);
    /// Deliveries of the org's workflow template actions (WEBHOOK and EMAIL;
    /// admins). kInvalidArgument names `kind` for a kind other than webhook
    /// or email.
    core::Result<DeliveryPage> list_actions(core::Actor const& actor, ActionDeliveryQuery const& q);
    core::Result<DeliveryView> get(core::Actor const& actor, std::string const& id);
    /// A NEW pending delivery of the same event to the same target, due now;
    /// audited as webhooks.delivery.redelivered. The old one stays as it was.
    core::Result<DeliveryView> redeliver(core::Actor const& actor, std::string const& id);

private:
    /// One page of `f` (its scope already set) narrowed by `q`'s filters.
    core::Result<DeliveryPage> list(
        storage::Tx& tx, storage::repos::DeliveryFilter f, DeliveryQuery const& q
    );

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
};

}  // namespace signoff::server::delivery
