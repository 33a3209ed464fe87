// Ending a workflow and the shared read helpers (see workflow_engine.hpp).
// Every terminal transition of every path (vote, veto, expiry, cancel) goes
// through Finisher::finish, so "one transition, one set of actions" is
// decided in one place: the conditional UPDATE … WHERE status =
// 'EVALUATION_IN_PROGRESS' either changes the row (and this transaction
// writes the events) or changes nothing (and the transaction is retried).
#include "server/approvals/workflow_engine.hpp"

#include "server/approvals/checks.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/roles.hpp"

namespace signoff::server::approvals::detail {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;

std::string lower_status(WorkflowStatus s) {
    return identity::lower(workflow_status_name(s));
}

/// {"version":1,"type":…,"data":{…}} as every outbox payload is shaped.
std::string envelope(std::string const& type, std::string const& data) {
    return events::JsonObject{}.integer("version", 1).str("type", type).raw("data", data).text();
}

/// One workflow.action.<kind> event per action whose `on` names the outcome.
core::Status queue_actions(
    storage::Tx& tx,
    events::Recorder const& recorder,
    repos::WorkflowRecord const& w,
    std::string const& outcome
) {
    auto t = core::from_db(repos::find_template_by_id(tx, w.org_id, w.template_id));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::internal("the workflow's template vanished");
    }
    auto actions = actions_from_json((*t)->actions);
    if (!actions) {
        return actions.error();
    }
    std::int64_t index = 0;
    for (auto const& a : *actions) {
        bool const runs = std::find(a.on.begin(), a.on.end(), outcome) != a.on.end();
        if (runs) {
            // actions_to_json of one action is "[{…}]": the object is inside
            // the brackets, with the real (unredacted) values delivery needs.
            std::string const list = actions_to_json({a});
            std::string const type = "workflow.action." + identity::lower(action_kind_name(a.kind));
            auto data = events::JsonObject{}
                            .str("workflow_id", w.id)
                            .str("workflow_name", w.name)
                            .str("workflow_template_id", w.template_id)
                            .str("outcome", outcome)
                            .integer("action_index", index)
                            .raw("action", list.substr(1, list.size() - 2))
                            .text();
            if (auto s = recorder.emit(tx, w.org_id, type, envelope(type, data)); !s) {
                return s;
            }
        }
        ++index;
    }
    return {};
}

}  // namespace

Workflow workflow_view(repos::WorkflowRecord const& r) {
    Workflow w;
    w.id = r.id;
    w.name = r.name;
    w.description = r.description;
    w.status = parse_workflow_status(r.status).value_or(WorkflowStatus::kCanceled);
    w.status_reason = r.status_reason;
    w.workflow_template_id = r.template_id;
    w.metadata_json = r.metadata;
    w.created_at = r.created_at;
    w.updated_at = r.updated_at;
    w.expires_at = r.expires_at;
    return w;
}

identity::Target workflow_target(repos::WorkflowRecord const& w) {
    return identity::Target{
        identity::ResourceType::kWorkflowTemplate, "", w.space_id, w.template_name_lower};
}

Result<repos::WorkflowRecord> find_workflow(
    storage::Tx& tx, std::string const& org_id, std::string const& id_or_name
) {
    auto found = is_uuid(id_or_name)
                     ? repos::find_workflow_by_id(tx, org_id, identity::lower(id_or_name))
                     : repos::find_workflow_by_name(tx, org_id, identity::lower(id_or_name));
    auto w = core::from_db(std::move(found));
    if (!w) {
        return w.error();
    }
    if (!*w) {
        return Error::not_found("workflow not found");
    }
    return std::move(**w);
}

core::Status Finisher::finish(
    storage::Tx& tx,
    repos::WorkflowRecord const& w,
    WorkflowStatus to,
    std::optional<std::string> const& reason,
    Origin const& who
) const {
    std::string const now = core::to_rfc3339(clock.now());
    std::string const status(workflow_status_name(to));
    auto changed = core::from_db(repos::finish_workflow(tx, w.org_id, w.id, status, reason, now));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return core::retry_tx();  // another transition won; the retry sees it
    }
    std::string const data = events::JsonObject{}
                                 .str("workflow_id", w.id)
                                 .str("workflow_name", w.name)
                                 .str("workflow_template_id", w.template_id)
                                 .str("status", status)
                                 .opt_str("reason", reason)
                                 .text();
    events::AuditEntry audit{
        w.org_id,
        who.actor_id,
        who.channel,
        "approvals.workflow." + lower_status(to),
        "workflow",
        w.id,
        data};
    audit.actor_kind = who.actor_kind;
    audit.before_json = events::JsonObject{}.str("status", w.status).text();
    audit.after_json = events::JsonObject{}.str("status", status).opt_str("reason", reason).text();
    if (auto s = recorder.audit(tx, audit); !s) {
        return s;
    }
    std::string const type = "workflow." + lower_status(to);
    if (auto s = recorder.emit(tx, w.org_id, type, envelope(type, data)); !s) {
        return s;
    }
    if (auto s = queue_actions(tx, recorder, w, status); !s) {
        return s;
    }
    if (hook == nullptr) {
        return {};
    }
    return hook->on_workflow_outcome(
        tx, WorkflowOutcome{w.org_id, w.id, w.name, status, reason, who.actor_id, who.channel}
    );
}

Result<repos::WorkflowRecord> Finisher::expire_if_due(
    storage::Tx& tx, repos::WorkflowRecord w, std::string const& now
) const {
    if (w.status != workflow_status_name(WorkflowStatus::kInProgress) || w.expires_at > now) {
        return w;
    }
    if (auto s = finish(tx, w, WorkflowStatus::kExpired, std::string("expired"), Origin::system());
        !s) {
        return s.error();
    }
    auto after = core::from_db(repos::find_workflow_by_id(tx, w.org_id, w.id));
    if (!after) {
        return after.error();
    }
    if (!*after) {
        return Error::internal("expired workflow vanished");
    }
    return std::move(**after);
}

}  // namespace signoff::server::approvals::detail
