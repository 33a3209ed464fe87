// Internal pieces the workflow operations share (workflows.cpp, votes.cpp,
// expiry.cpp): the reader's view of stored rows, the permission target of a
// workflow, and the ONE function that ends a workflow (status change, audit
// row, workflow.* event, the template's actions, the outcome hook) inside the
// caller's transaction. Internal to server/approvals.
#pragma once

#include <optional>
#include <string>

#include "server/approvals/approvals_service.hpp"
#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/events/recorder.hpp"
#include "server/identity/role_catalog.hpp"
#include "storage/db.hpp"
#include "storage/repos/templates_repo.hpp"
#include "storage/repos/workflows_repo.hpp"

namespace signoff::server::approvals::detail {

/// A stored template version as readers see it (templates.cpp).
core::Result<WorkflowTemplate> template_view(storage::repos::TemplateRecord const& r);
/// A stored workflow as readers see it (no template expansion).
Workflow workflow_view(storage::repos::WorkflowRecord const& r);
/// What workflow permissions are asked about: its template (space and name).
identity::Target workflow_target(storage::repos::WorkflowRecord const& w);

/// Who caused a transition: an actor, or the system (expiry timer, lazy expiry).
struct Origin {
    std::optional<std::string> actor_id;
    std::string channel;
    std::string actor_kind{events::kActorSystem};
    static Origin of(core::Actor const& a) {
        return {a.principal_id, core::channel_name(a.channel), events::actor_kind_of(a)};
    }
    static Origin system() { return {std::nullopt, events::kSystemChannel}; }
};

/// Ends workflows; see finish().
struct Finisher {
    events::Recorder const& recorder;
    core::Clock const& clock;
    WorkflowOutcomeHook* hook;

    /// EVALUATION_IN_PROGRESS → `to` with `reason`, in `tx`: the conditional
    /// update, an audit row `approvals.workflow.<status>`, the event
    /// `workflow.<status>`, one `workflow.action` event per template action
    /// whose `on` names the status, and the outcome hook. A workflow that is no
    /// longer in progress (another transition won) answers core::retry_tx(),
    /// so the caller's transaction runs again and sees the winner's status.
    core::Status finish(
        storage::Tx& tx,
        storage::repos::WorkflowRecord const& w,
        WorkflowStatus to,
        std::optional<std::string> const& reason,
        Origin const& who
    ) const;

    /// `w` itself when it is not due; otherwise finishes it EXPIRED and answers
    /// the stored result (lazy expiry: a read stores what it shows).
    core::Result<storage::repos::WorkflowRecord> expire_if_due(
        storage::Tx& tx, storage::repos::WorkflowRecord w, std::string const& now
    ) const;
};

/// Expires (and stores) up to `limit` due workflows of `org_id`, or of every
/// org when nullopt, each in its own write transaction. Answers how many it
/// expired (expiry.cpp).
core::Result<std::int64_t> expire_due(
    storage::Db& db,
    Finisher const& finisher,
    std::optional<std::string> const& org_id,
    core::TimePoint now,
    std::int64_t limit
);

/// The workflow by id or name (kNotFound when absent in the org).
core::Result<storage::repos::WorkflowRecord> find_workflow(
    storage::Tx& tx, std::string const& org_id, std::string const& id_or_name
);

}  // namespace signoff::server::approvals::detail
