// Audit and outbox writers. A domain service calls them with the transaction
// of the change itself, so the audit row and the event exist exactly when the
// change was committed (delivery of outbox rows is a separate loop).
#pragma once

#include <optional>
#include <string>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "storage/db.hpp"

namespace signoff::server::events {

/// Channel recorded for changes the server makes by itself (expiry).
inline constexpr const char* kSystemChannel = "system";

struct AuditEntry {
    std::string org_id;
    std::optional<std::string> actor_id;  // null: the system
    std::string channel;
    std::string action;  // "catalog.approval.approved"
    std::string target_type;
    std::string target_id;
    std::string detail_json;  // a JSON object
};

/// Stamps ids and times from the injected sources and writes through the repos.
class Recorder {
public:
    Recorder(core::Clock const& clock, core::IdSource& ids) : clock_(clock), ids_(ids) {}

    core::Status audit(storage::Tx& tx, AuditEntry const& entry) const;
    /// Queues an event; available for delivery at once.
    core::Status emit(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& event_type,
        std::string const& payload_json
    ) const;

    /// The audit entry for an actor's change: `action` on the target, with the
    /// actor's org, id and channel filled in.
    static AuditEntry by(
        core::Actor const& actor,
        std::string action,
        std::string target_type,
        std::string target_id,
        std::string detail_json
    );

private:
    core::Clock const& clock_;
    core::IdSource& ids_;
};

}  // namespace signoff::server::events
