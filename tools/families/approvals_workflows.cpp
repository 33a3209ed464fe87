// The approvals_* tool rows of workflows and votes (seed 001): create, list
// and get workflows; cast, list and check votes (decode → one
// ApprovalsService call → encode). Registered by register_approvals_tools
// after the template rows, so tools/list keeps the seed's order.
//
//   MCP tools/call ─┐
//   REST /api/v1/workflows[/{workflowId}[/vote|/votes|/canVote]] ─┴─► handler ─► ApprovalsService
#include "server/approvals/approvals_service.hpp"
#include "server/identity/token_service.hpp"
#include "tools/codec/approvals_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace approvals = server::approvals;
using codec::opt_int;
using codec::opt_string;
using codec::string_or;
using registry::Annotations;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kWorkflowsPath = "/api/v1/workflows";
constexpr const char* kWorkflowPath = "/api/v1/workflows/{workflowId}";
constexpr Annotations kReadOnly{.read_only = true, .idempotent = true};

constexpr FamilyRows tool{"approvals"};
constexpr auto service = &service_of<&registry::Services::approvals>;

bool include_template(json::object const& a) {
    return opt_string(a, "include").value_or("") == "workflow-template";
}

Result<json::value> workflow_json(approvals::Workflow const& w) {
    auto metadata = codec::read_stored(w.metadata_json);
    json::object ref;
    if (w.workflow_template) {
        auto t = codec::encode_template(*w.workflow_template);
        if (!t) {
            return t.error();
        }
        ref["workflowTemplate"] = std::move(*t);
    }
    json::object o{
        {"id", w.id},
        {"name", w.name},
        {"description", w.description},
        {"status", approvals::workflow_status_name(w.status)},
        {"workflowTemplateId", w.workflow_template_id},
        {"metadata", std::move(metadata)},
        {"ref", std::move(ref)},
        {"createdAt", w.created_at},
        {"updatedAt", w.updated_at},
        {"expiresAt", w.expires_at},
    };
    if (w.status_reason) {
        o["statusReason"] = *w.status_reason;
    }
    return o;
}

json::value vote_json(approvals::VoteView const& v) {
    json::object o{
        {"voterId", v.voter.entity_id},
        {"voterType", v.voter.entity_type},
        {"voteType", v.vote_type},
        {"timestamp", v.timestamp},
    };
    if (v.reason) {
        o["reason"] = *v.reason;
    }
    if (v.vote_type == "APPROVE") {
        json::array groups;
        for (auto const& g : v.voted_for_groups) {
            groups.emplace_back(g);
        }
        o["votedForGroups"] = std::move(groups);
    }
    return o;
}

Result<json::value> encode_workflow(Result<approvals::Workflow> const& r) {
    if (!r) {
        return r.error();
    }
    return workflow_json(*r);
}

Result<json::value> workflows_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    approvals::WorkflowCreate in;
    in.name = string_or(a, "name");
    in.description = string_or(a, "description");
    if (auto const* m = a.if_contains("metadata"); m != nullptr && m->is_object()) {
        auto text = codec::storable(*m, "metadata");
        if (!text) {
            return text.error();
        }
        in.metadata_json = std::move(*text);
    }
    in.workflow_template_id = string_or(a, "workflowTemplateId");
    return encode_workflow((*svc)->create_workflow(ctx.actor, in));
}

Result<json::value> workflows_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    approvals::WorkflowListArgs args{
        {opt_int(a, "page"), opt_int(a, "limit")},
        opt_string(a, "status"),
        opt_string(a, "workflowTemplateIdentifier"),
        include_template(a)};
    // The seed's spelling and its camelCase twin (the MCP-friendly one).
    for (auto const* key : {"include-only-non-terminal-state", "includeOnlyNonTerminalState"}) {
        if (auto const* v = a.if_contains(key); v != nullptr && v->is_bool() && v->as_bool()) {
            args.only_non_terminal = true;
        }
    }
    auto r = (*svc)->list_workflows(ctx.actor, args);
    if (!r) {
        return r.error();
    }
    json::array data;
    for (auto const& w : r->items) {
        auto j = workflow_json(w);
        if (!j) {
            return j.error();
        }
        data.push_back(std::move(*j));
    }
    return json::object{
        {"data", std::move(data)},
        {"pagination", {{"total", r->total}, {"page", r->page}, {"limit", r->limit}}},
    };
}

Result<json::value> workflows_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_workflow(
        (*svc)->get_workflow(ctx.actor, string_or(a, "workflowId"), include_template(a))
    );
}

Result<json::value> votes_cast(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    approvals::VoteInput in;
    if (auto const* vt = a.if_contains("voteType"); vt != nullptr && vt->is_object()) {
        in.vote_type = string_or(vt->get_object(), "type");
        in.voted_for_groups = codec::strings(vt->get_object(), "votedForGroups");
    }
    in.reason = opt_string(a, "reason");
    // stdio has no other channel for a step-up: the privileged token may come
    // as an argument; it must be the caller's own.
    server::core::Actor actor = ctx.actor;
    if (auto token = opt_string(a, "privilegedToken")) {
        if (ctx.services->tokens == nullptr) {
            return server::core::Error::unavailable("privileged tokens are not available here");
        }
        auto step = ctx.services->tokens->check_step_up(*token, actor);
        if (!step) {
            return step.error();
        }
        actor.step_up = *step;
    }
    auto r = (*svc)->cast_vote(actor, string_or(a, "workflowId"), in);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"workflowId", r->workflow.id},
        {"status", approvals::workflow_status_name(r->workflow.status)},
        {"vote", vote_json(r->vote)},
    };
}

Result<json::value> votes_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->list_votes(ctx.actor, string_or(a, "workflowId"));
    if (!r) {
        return r.error();
    }
    json::array votes;
    for (auto const& v : *r) {
        votes.push_back(vote_json(v));
    }
    return json::object{{"votes", std::move(votes)}};
}

Result<json::value> votes_can_vote(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->can_vote(ctx.actor, string_or(a, "workflowId"));
    if (!r) {
        return r.error();
    }
    json::object o{
        {"canVote", r->can_vote},
        {"voteStatus", r->vote_status},
        {"requireHighPrivilege", r->require_high_privilege},
    };
    if (r->cant_vote_reason) {
        o["cantVoteReason"] = *r->cant_vote_reason;
    }
    return o;
}

}  // namespace

void register_workflow_tools(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_workflows_create",
        "Start a workflow",
        "Starts a workflow from an ACTIVE workflow template version (workflowTemplateId) with a "
        "name unique in the organization, description and metadata; it expires after the "
        "template's defaultExpiresInHours (30 days when unset).",
        {},
        {"POST", kWorkflowsPath, "", "", 201, std::string(kWorkflowsPath) + "/{id}"},
        workflows_create,
        "WorkflowTemplateInstantiator or WorkflowTemplateFullAccess on the template (template, "
        "space or org scope); admins"
    ));
    r.add_tool(tool(
        "approvals_workflows_list",
        "List workflows",
        "Workflows newest first, filtered by status and workflowTemplateIdentifier (an id: that "
        "version; a name: every version), with page (default 1) and limit (default 20, max 100); "
        "include=workflow-template expands each template.",
        kReadOnly,
        {"GET", kWorkflowsPath},
        workflows_list,
        "any principal: WorkflowList / WorkflowFullAccess (template, space or org scope) and "
        "admins see those workflows, everyone the workflows they started"
    ));
    r.add_tool(tool(
        "approvals_workflows_get",
        "Get a workflow",
        "One workflow by id or name; include=workflow-template expands its template version. An "
        "expired workflow is shown (and stored) as EXPIRED.",
        kReadOnly,
        {"GET", kWorkflowPath},
        workflows_get,
        "a Workflow role with read or a voter role on its template; its starter; admins"
    ));
    r.add_tool(tool(
        "approvals_votes_cast",
        "Vote on a workflow",
        "Casts APPROVE (votedForGroups: groups of the rule you belong to; empty means all), VETO "
        "(rejects the workflow at once) or WITHDRAW (takes back your approval), with an optional "
        "reason. The rule is evaluated at once; answers the vote and the workflow's status.",
        {},
        {"POST", "/api/v1/workflows/{workflowId}/vote"},
        votes_cast,
        "WorkflowTemplateVoter or WorkflowTemplateFullAccess on the template (template, space or "
        "org scope) or admins, and membership of a group the rule names"
    ));
    r.add_tool(tool(
        "approvals_votes_list",
        "List a workflow's votes",
        "Every vote cast on the workflow, oldest first: voter, type, reason, timestamp and groups.",
        kReadOnly,
        {"GET", "/api/v1/workflows/{workflowId}/votes"},
        votes_list,
        "as approvals_workflows_get"
    ));
    r.add_tool(tool(
        "approvals_votes_can_vote",
        "Check whether you can vote",
        "Whether the caller may vote on the workflow now (canVote), whether they already voted "
        "(voteStatus), why not (cantVoteReason) and whether a step-up is needed "
        "(requireHighPrivilege).",
        kReadOnly,
        {"GET", "/api/v1/workflows/{workflowId}/canVote"},
        votes_can_vote,
        "any principal of the organization"
    ));
}

}  // namespace signoff::tools::families
