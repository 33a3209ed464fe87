// Workflows ended by time and by their template: the expiry sweep (the
// timer's expire_due_workflows, and the lazy expiry listings run first) and
// cancelWorkflows of a template update or deprecation. Both end workflows
// through detail::Finisher, like votes do.
#include "server/approvals/approvals_service.hpp"
#include "server/approvals/workflow_engine.hpp"
#include "server/core/db_map.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Result;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kSweepBatch = 500;

}  // namespace

Result<std::int64_t> detail::expire_due(
    storage::Db& db,
    Finisher const& finisher,
    std::optional<std::string> const& org_id,
    core::TimePoint now,
    std::int64_t limit
) {
    std::string const at = core::to_rfc3339(now);
    auto due = core::run_tx(db, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::list_due_workflows(tx, org_id, at, limit));
    });
    if (!due) {
        return due.error();
    }
    std::int64_t count = 0;
    for (auto const& d : *due) {
        auto done = core::run_tx(db, TxMode::kWrite, [&](Tx& tx) -> Result<bool> {
            auto w = core::from_db(repos::find_workflow_by_id(tx, d.org_id, d.id));
            if (!w) {
                return w.error();
            }
            if (!*w || (*w)->status != workflow_status_name(WorkflowStatus::kInProgress)) {
                return false;  // a vote, a reader or another sweep ended it first
            }
            auto after = finisher.expire_if_due(tx, **w, at);
            if (!after) {
                return after.error();
            }
            return after->status == workflow_status_name(WorkflowStatus::kExpired);
        });
        if (!done) {
            return done.error();
        }
        count += *done ? 1 : 0;
    }
    return count;
}

Result<std::int64_t> ApprovalsService::expire_due_workflows(core::TimePoint now) {
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    std::int64_t total = 0;
    // Batches until a sweep finds less than a full batch due.
    for (;;) {
        auto n = detail::expire_due(db_, finisher, std::nullopt, now, kSweepBatch);
        if (!n) {
            return n.error();
        }
        total += *n;
        if (*n < kSweepBatch) {
            return total;
        }
    }
}

Result<std::int64_t> ApprovalsService::cancel_in_flight_workflows(
    Tx& tx, std::string const& org_id, std::string const& name_lower, std::string const& now
) {
    (void)now;  // Finisher stamps its own time from the same clock
    auto ids = core::from_db(repos::list_in_flight_by_template(tx, org_id, name_lower));
    if (!ids) {
        return ids.error();
    }
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    std::int64_t canceled = 0;
    for (auto const& id : *ids) {
        auto w = core::from_db(repos::find_workflow_by_id(tx, org_id, id));
        if (!w) {
            return w.error();
        }
        if (!*w) {
            continue;
        }
        std::string const reason = "workflow template '" + (*w)->template_name_lower +
                                   "' was changed with cancelWorkflows";
        if (auto s = finisher.finish(
                tx, **w, WorkflowStatus::kCanceled, reason, detail::Origin::system()
            );
            !s) {
            return s.error();
        }
        ++canceled;
    }
    return canceled;
}

}  // namespace signoff::server::approvals
