// The audit rows and outbox events of the auth domain, written in the
// transaction of the change they describe (through events::Recorder, which
// stamps actor, channel and time). Internal to server/auths.
#pragma once

#include <string>
#include <vector>

#include "server/auths/auths_service.hpp"
#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "server/events/recorder.hpp"
#include "storage/db.hpp"

namespace signoff::server::auths::detail {

/// One `auths.part.created` row per part.
core::Status audit_parts(
    storage::Tx& tx,
    events::Recorder const& recorder,
    core::Actor const& actor,
    std::vector<Part> const& parts
);

/// `action` (e.g. "auths.auth.created") on the auth, and, when `event_verb` is
/// set, an `auth.published` event saying how (created, updated, published,
/// duplicated). With `before` (an update), the audit row also carries the
/// content fields that changed and the version, before and after.
core::Status record_auth(
    storage::Tx& tx,
    events::Recorder const& recorder,
    core::Actor const& actor,
    std::string const& action,
    Auth const& auth,
    std::optional<std::string> const& event_verb,
    std::optional<std::string> const& draft_id = std::nullopt,
    Auth const* before = nullptr
);

/// `auths.auth.deleted` and an `auth.deleted` event.
core::Status record_deleted(
    storage::Tx& tx, events::Recorder const& recorder, core::Actor const& actor, Auth const& auth
);

/// `action` (e.g. "auths.draft.patched") on the draft. With `before` (a
/// patch), the row also carries the fields that changed and the versions.
core::Status record_draft(
    storage::Tx& tx,
    events::Recorder const& recorder,
    core::Actor const& actor,
    std::string const& action,
    Draft const& draft,
    Draft const* before = nullptr
);

}  // namespace signoff::server::auths::detail
