// Audit and outbox rows, written in the caller's transaction (see recorder.hpp).
#include "server/events/recorder.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "server/core/db_map.hpp"
#include "storage/repos/events_repo.hpp"

namespace signoff::server::events {

namespace {

std::string stored_kind(AuditEntry const& e) {
    if (!e.actor_kind.empty()) {
        return e.actor_kind;
    }
    return e.actor_id ? kActorUser : kActorSystem;
}

/// The verb of `<domain>.<noun>.<verb>`.
std::string_view verb_of(std::string_view action) {
    auto const dot = action.rfind('.');
    return dot == std::string_view::npos ? action : action.substr(dot + 1);
}

/// Creates and deletes get the one side they have (docs/audit.md): a create's
/// "after" and a delete's "before" are its detail, the state created or
/// removed. Entries that already carry a change (a grant re-requested) keep it.
void fill_sides(AuditEntry& e) {
    if (e.before_json || e.after_json) {
        return;
    }
    static constexpr std::array<std::string_view, 5> kCreates{
        "created", "registered", "requested", "assigned", "duplicated"};
    auto const verb = verb_of(e.action);
    if (std::find(kCreates.begin(), kCreates.end(), verb) != kCreates.end()) {
        e.after_json = e.detail_json;
    } else if (verb == "deleted") {
        e.before_json = e.detail_json;
    }
}

}  // namespace

std::string actor_kind_of(core::Actor const& actor) {
    return actor.principal_kind == kActorAgent ? kActorAgent : kActorUser;
}

core::Status Recorder::audit(storage::Tx& tx, AuditEntry const& entry) const {
    AuditEntry e = entry;
    fill_sides(e);
    storage::repos::AuditRecord rec{
        ids_.new_id(),
        e.org_id,
        e.actor_id,
        e.channel,
        e.action,
        e.target_type,
        e.target_id,
        e.detail_json,
        core::to_rfc3339(clock_.now()),
        stored_kind(e),
        e.before_json,
        e.after_json,
    };
    return core::from_db(storage::repos::insert_audit(tx, rec));
}

core::Status Recorder::emit(
    storage::Tx& tx,
    std::string const& org_id,
    std::string const& event_type,
    std::string const& payload_json
) const {
    std::string now = core::to_rfc3339(clock_.now());
    storage::repos::OutboxRecord rec{
        ids_.new_id(), org_id, event_type, payload_json, now, now, 0, std::nullopt};
    return core::from_db(storage::repos::insert_outbox(tx, rec));
}

AuditEntry Recorder::by(
    core::Actor const& actor,
    std::string action,
    std::string target_type,
    std::string target_id,
    std::string detail_json
) {
    return AuditEntry{
        actor.org_id,
        actor.principal_id,
        core::channel_name(actor.channel),
        std::move(action),
        std::move(target_type),
        std::move(target_id),
        std::move(detail_json),
        actor_kind_of(actor),
    };
}

AuditEntry Recorder::by_system(
    std::string org_id,
    std::string action,
    std::string target_type,
    std::string target_id,
    std::string detail_json
) {
    return AuditEntry{
        std::move(org_id),
        std::nullopt,
        kSystemChannel,
        std::move(action),
        std::move(target_type),
        std::move(target_id),
        std::move(detail_json),
        kActorSystem,
    };
}

}  // namespace signoff::server::events
