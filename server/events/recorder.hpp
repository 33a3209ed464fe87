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

/// actor_kind values (docs/audit.md): a human user, an agent, or the server.
inline constexpr const char* kActorUser = "user";
inline constexpr const char* kActorAgent = "agent";
inline constexpr const char* kActorSystem = "system";

/// The actor_kind stored for `actor`: "agent" for agents, "user" otherwise.
std::string actor_kind_of(core::Actor const& actor);

/// One audit row. `detail_json` says what the operation did (for a create, the
/// created state; for a delete, the deleted state). `before_json`/`after_json`
/// summarise the target around an update or a state transition; Recorder::audit
/// sets a create's after and a delete's before to its detail when the entry
/// has neither, and both stay null for other appends (docs/audit.md, "Before
/// and after").
struct AuditEntry {
    std::string org_id;
    std::optional<std::string> actor_id;  // null: the system
    std::string channel;
    std::string action;  // "catalog.approval.approved"
    std::string target_type;
    std::string target_id;
    std::string detail_json;  // a JSON object
    /// "user", "agent" or "system"; empty: "system" when actor_id is null,
    /// else "user" (entries built by hand before actor_kind existed).
    std::string actor_kind{};
    std::optional<std::string> before_json{};  // a JSON object, or null
    std::optional<std::string> after_json{};   // a JSON object, or null

    /// This entry with a before/after summary (each a JSON object).
    AuditEntry with_change(std::string before, std::string after) && {
        before_json = std::move(before);
        after_json = std::move(after);
        return std::move(*this);
    }
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
    /// actor's org, id, kind and channel filled in.
    static AuditEntry by(
        core::Actor const& actor,
        std::string action,
        std::string target_type,
        std::string target_id,
        std::string detail_json
    );

    /// The audit entry for a change the server made by itself (expiry): no
    /// actor, kind and channel "system".
    static AuditEntry by_system(
        std::string org_id,
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
