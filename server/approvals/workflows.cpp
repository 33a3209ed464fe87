// Workflows (APPROVALS.md "Workflows"): started from an ACTIVE template
// version, listed and read with lazy expiry, and started by another domain
// through WorkflowStarter (the catalog tie). Votes are in votes.cpp, the
// timer's sweep and template cancellation in expiry.cpp.
//
//   create ─► template (ACTIVE?) ─► authorize(instantiate) ─► insert + audit
//   get/list ─► expire what is due (stored) ─► authorize / visibility ─► view
#include <algorithm>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/approvals/workflow_engine.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using identity::Action;
using identity::Permission;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 2048;
constexpr std::size_t kMaxMetadata = 16384;
constexpr std::int64_t kDefaultExpiresInHours = 30 * 24;
constexpr std::int64_t kLazyExpiryBatch = 100;

/// 1–255 characters: letters and digits at both ends; letters, digits, '_',
/// '-', '.', ':' and spaces between. Never a UUID (lookups take an id or a name).
core::Status check_name(std::string const& name) {
    if (name.empty() || name.size() > kMaxName) {
        return Error::invalid_field("name", "must be 1-255 characters");
    }
    bool const middle = std::all_of(name.begin(), name.end(), [](char c) {
        return detail::is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == ' ';
    });
    if (!middle || !detail::is_alnum(name.front()) || !detail::is_alnum(name.back())) {
        return Error::invalid_field(
            "name",
            "letters, digits, '_', '-', '.', ':' and spaces only, starting and ending with a "
            "letter or digit"
        );
    }
    if (detail::is_uuid(name)) {
        return Error::invalid_field(
            "name", "must not be a UUID (workflows are looked up by id or name)"
        );
    }
    return {};
}

core::Status check_fields(WorkflowStart const& in) {
    if (auto s = check_name(in.name); !s) {
        return s;
    }
    if (in.description.size() > kMaxDescription) {
        return Error::invalid_field("description", "at most 2048 characters");
    }
    if (in.metadata_json.size() > kMaxMetadata) {
        return Error::invalid_field("metadata", "at most 16384 characters of JSON");
    }
    return {};
}

core::Status authorize_on(
    Tx& tx,
    core::Actor const& actor,
    Action action,
    identity::Target const& target,
    std::optional<std::string> owner = std::nullopt
) {
    auto bindings = identity::load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    return identity::authorize(
        actor, action, {.owner_user_id = std::move(owner), .bindings = &*bindings, .target = target}
    );
}

Error not_active(repos::TemplateRecord const& t) {
    return detail::field_error(
        ErrorKind::kFailedPrecondition,
        "workflowTemplateId",
        "workflow template '" + t.name + "' version " + std::to_string(t.version) + " is " +
            t.status + ": only an ACTIVE template starts workflows"
    );
}

/// Writes a new in-progress workflow of `t` and its audit row.
Result<repos::WorkflowRecord> insert_new(
    Tx& tx,
    events::Recorder const& recorder,
    core::Clock const& clock,
    core::IdSource& ids,
    core::Actor const& actor,
    repos::TemplateRecord const& t,
    WorkflowStart const& in
) {
    auto clash =
        core::from_db(repos::find_workflow_by_name(tx, actor.org_id, identity::lower(in.name)));
    if (!clash) {
        return clash.error();
    }
    if (*clash) {
        return detail::field_error(
            ErrorKind::kAlreadyExists, "name", "a workflow with this name already exists"
        );
    }
    auto const at = clock.now();
    std::string const now = core::to_rfc3339(at);
    repos::WorkflowRecord w;
    w.id = ids.new_id();
    w.org_id = actor.org_id;
    w.template_id = t.id;
    w.template_name_lower = t.name_lower;
    w.space_id = t.space_id;
    w.name = in.name;
    w.name_lower = identity::lower(in.name);
    w.description = in.description;
    w.metadata = in.metadata_json;
    w.status = std::string(workflow_status_name(WorkflowStatus::kInProgress));
    auto const hours = t.default_expires_in_hours.value_or(kDefaultExpiresInHours);
    w.expires_at = core::to_rfc3339(at + std::chrono::hours(hours));
    w.created_by_type = std::string(identity::principal_type(actor));
    w.created_by = actor.principal_id;
    w.created_at = now;
    w.updated_at = now;
    w.via_mcp = core::via_mcp(actor.channel);
    w.beneficiary_email = in.beneficiary_email;
    if (auto s = core::from_db(repos::insert_workflow(tx, w)); !s) {
        return s.error();
    }
    auto detail_json = events::JsonObject{}
                           .str("name", w.name)
                           .str("workflow_template_id", t.id)
                           .integer("template_version", t.version)
                           .str("expires_at", w.expires_at)
                           .text();
    if (auto s = recorder.audit(
            tx,
            events::Recorder::by(actor, "approvals.workflow.created", "workflow", w.id, detail_json)
        );
        !s) {
        return s.error();
    }
    return w;
}

/// The view of `w`, with its template when asked.
Result<Workflow> view_of(Tx& tx, repos::WorkflowRecord const& w, bool include_template) {
    Workflow out = detail::workflow_view(w);
    if (!include_template) {
        return out;
    }
    auto t = core::from_db(repos::find_template_by_id(tx, w.org_id, w.template_id));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::internal("the workflow's template vanished");
    }
    auto view = detail::template_view(**t);
    if (!view) {
        return view.error();
    }
    out.workflow_template = std::move(*view);
    return out;
}

}  // namespace

std::string_view workflow_status_name(WorkflowStatus s) {
    switch (s) {
        case WorkflowStatus::kInProgress:
            return "EVALUATION_IN_PROGRESS";
        case WorkflowStatus::kApproved:
            return "APPROVED";
        case WorkflowStatus::kRejected:
            return "REJECTED";
        case WorkflowStatus::kExpired:
            return "EXPIRED";
        case WorkflowStatus::kCanceled:
            return "CANCELED";
    }
    return "CANCELED";
}

std::optional<WorkflowStatus> parse_workflow_status(std::string_view name) {
    for (auto s :
         {WorkflowStatus::kInProgress,
          WorkflowStatus::kApproved,
          WorkflowStatus::kRejected,
          WorkflowStatus::kExpired,
          WorkflowStatus::kCanceled}) {
        if (workflow_status_name(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

Result<Workflow> ApprovalsService::create_workflow(
    core::Actor const& actor, WorkflowCreate const& in
) {
    WorkflowStart const start{"", in.name, in.description, in.metadata_json};
    if (auto s = check_fields(start); !s) {
        return s.error();
    }
    if (!detail::is_uuid(in.workflow_template_id)) {
        return Error::invalid_field("workflowTemplateId", "must be a UUID");
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Workflow> {
        auto t = core::from_db(
            repos::find_template_by_id(tx, actor.org_id, identity::lower(in.workflow_template_id))
        );
        if (!t) {
            return t.error();
        }
        if (!*t) {
            return detail::field_error(
                ErrorKind::kNotFound, "workflowTemplateId", "workflow template not found"
            );
        }
        auto const target = identity::Target{
            identity::ResourceType::kWorkflowTemplate, "", (*t)->space_id, (*t)->name_lower};
        if (auto ok = authorize_on(tx, actor, Action::kWorkflowCreate, target); !ok) {
            return ok.error();
        }
        if ((*t)->status != template_status_name(TemplateStatus::kActive)) {
            return not_active(**t);
        }
        auto w = insert_new(tx, recorder_, clock_, ids_, actor, **t, start);
        if (!w) {
            return w.error();
        }
        return detail::workflow_view(*w);
    });
}

Result<Page<Workflow>> ApprovalsService::list_workflows(
    core::Actor const& actor, WorkflowListArgs const& args
) {
    if (auto ok = identity::authorize(actor, Action::kWorkflowsList); !ok) {
        return ok.error();
    }
    auto w = detail::window(args.page);
    if (!w) {
        return w.error();
    }
    if (args.status && !parse_workflow_status(*args.status)) {
        return Error::invalid_field(
            "status", "must be EVALUATION_IN_PROGRESS, APPROVED, REJECTED, EXPIRED or CANCELED"
        );
    }
    if (args.template_identifier &&
        (args.template_identifier->empty() || args.template_identifier->size() > kMaxName)) {
        return Error::invalid_field("workflowTemplateIdentifier", "must be 1-255 characters");
    }
    // Lazy expiry: what the listing would show as in progress but is due is
    // stored EXPIRED first, so no read ever shows an expired workflow running.
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    auto const now = clock_.now();
    for (;;) {  // batches until a pass finds less than a full batch due
        auto n = detail::expire_due(db_, finisher, actor.org_id, now, kLazyExpiryBatch);
        if (!n) {
            return n.error();
        }
        if (*n < kLazyExpiryBatch) {
            break;
        }
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<Workflow>> {
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        using identity::ResourceType;
        using identity::ScopeType;
        auto const& b = *bindings;
        repos::WorkflowFilter f;
        f.visibility.all = identity::may(
            actor, b, Permission::kWorkflowList, identity::Target{ResourceType::kWorkflowTemplate}
        );
        f.visibility.space_ids = identity::scope_ids_granting(
            b, Permission::kWorkflowList, ResourceType::kWorkflowTemplate, ScopeType::kSpace
        );
        f.visibility.template_names = identity::scope_ids_granting(
            b,
            Permission::kWorkflowList,
            ResourceType::kWorkflowTemplate,
            ScopeType::kWorkflowTemplate
        );
        f.visibility.creator_type = std::string(identity::principal_type(actor));
        f.visibility.creator_id = actor.principal_id;
        f.status = args.status;
        if (args.only_non_terminal) {
            // EVALUATION_IN_PROGRESS is the one non-terminal state (expiry ran
            // above); a terminal status asked for too matches nothing.
            std::string const running(workflow_status_name(WorkflowStatus::kInProgress));
            f.status = !args.status || *args.status == running ? running : std::string("-");
        }
        if (args.template_identifier) {
            if (detail::is_uuid(*args.template_identifier)) {
                f.template_id = identity::lower(*args.template_identifier);
            } else {
                f.template_name_lower = identity::lower(*args.template_identifier);
            }
        }
        auto rows =
            core::from_db(repos::list_workflows(tx, actor.org_id, f, w->limit, w->offset()));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_workflows(tx, actor.org_id, f));
        if (!total) {
            return total.error();
        }
        Page<Workflow> out{{}, *total, w->page, w->limit};
        for (auto const& r : *rows) {
            auto v = view_of(tx, r, args.include_template);
            if (!v) {
                return v.error();
            }
            out.items.push_back(std::move(*v));
        }
        return out;
    });
}

Result<Workflow> ApprovalsService::get_workflow(
    core::Actor const& actor, std::string const& id_or_name, bool include_template
) {
    if (id_or_name.empty() || id_or_name.size() > kMaxName) {
        return Error::invalid_field("workflowId", "must be 1-255 characters");
    }
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    // Most reads find nothing due and stay on a read transaction (`due`
    // stays false); a due workflow is expired and stored in a write one.
    bool due = false;
    bool writing = false;
    auto read = [&](Tx& tx) -> Result<Workflow> {
        auto w = detail::find_workflow(tx, actor.org_id, id_or_name);
        if (!w) {
            return w.error();
        }
        if (auto ok = authorize_on(
                tx, actor, Action::kWorkflowRead, detail::workflow_target(*w), w->created_by
            );
            !ok) {
            return ok.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        if (!writing && w->status == workflow_status_name(WorkflowStatus::kInProgress) &&
            w->expires_at <= now) {
            due = true;
            return Error::failed_precondition("due for expiry");  // not retried by run_tx
        }
        auto stored = finisher.expire_if_due(tx, std::move(*w), now);
        if (!stored) {
            return stored.error();
        }
        return view_of(tx, *stored, include_template);
    };
    auto r = core::run_tx(db_, TxMode::kRead, read);
    if (!due) {
        return r;
    }
    writing = true;
    return core::run_tx(db_, TxMode::kWrite, read);
}

Result<StartedWorkflow> ApprovalsService::start_workflow_in(
    Tx& tx, core::Actor const& requester, WorkflowStart const& start
) {
    if (auto s = check_fields(start); !s) {
        return s.error();
    }
    auto t =
        core::from_db(repos::find_latest_template(tx, requester.org_id, start.template_name_lower));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::failed_precondition(
            "workflow template '" + start.template_name_lower + "' no longer exists"
        );
    }
    if ((*t)->status != template_status_name(TemplateStatus::kActive)) {
        return not_active(**t);
    }
    auto w = insert_new(tx, recorder_, clock_, ids_, requester, **t, start);
    if (!w) {
        return w.error();
    }
    return StartedWorkflow{w->id, w->name, w->expires_at};
}

Result<std::string> ApprovalsService::template_name_of(
    Tx& tx, std::string const& org_id, std::string const& id_or_name, std::string const& field
) {
    auto found = detail::is_uuid(id_or_name)
                     ? repos::find_template_by_id(tx, org_id, identity::lower(id_or_name))
                     : repos::find_latest_template(tx, org_id, identity::lower(id_or_name));
    auto t = core::from_db(std::move(found));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return detail::field_error(ErrorKind::kNotFound, field, "workflow template not found");
    }
    return (*t)->name_lower;
}

}  // namespace signoff::server::approvals
