// Votes (APPROVALS.md "Votes"): who may vote (canVote and its reasons),
// casting a vote with the rule evaluated in the same transaction, and the
// vote log. The transition itself is detail::Finisher's.
//
// Concurrency: a vote's transaction first bumps the workflow's row_version
// (lock_workflow), so votes on one workflow queue on its row (PostgreSQL row
// lock under READ COMMITTED; SQLite's single writer). Everything read after
// that sees the votes committed before, so the vote that completes a quorum
// always sees the others, and exactly one transaction moves the workflow out
// of EVALUATION_IN_PROGRESS (Finisher's conditional UPDATE backs that up).
#include <algorithm>
#include <set>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/approvals/json_lite.hpp"
#include "server/approvals/rule_eval.hpp"
#include "server/approvals/workflow_engine.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/agents_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/logins_repo.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxReason = 1024;
constexpr std::size_t kMaxVotedFor = 32;
constexpr std::size_t kMaxWorkflowRef = 255;

std::optional<VoteKind> parse_vote_kind(std::string_view s) {
    if (s == "APPROVE") {
        return VoteKind::kApprove;
    }
    if (s == "VETO") {
        return VoteKind::kVeto;
    }
    if (s == "WITHDRAW") {
        return VoteKind::kWithdraw;
    }
    return std::nullopt;
}

/// The vote input checked for shape; group ids lowercased.
Result<VoteInput> checked_input(VoteInput in) {
    auto kind = parse_vote_kind(in.vote_type);
    if (!kind) {
        return Error::invalid_field("voteType.type", "must be APPROVE, VETO or WITHDRAW");
    }
    if (in.reason && in.reason->size() > kMaxReason) {
        return Error::invalid_field("reason", "at most 1024 characters");
    }
    if (*kind != VoteKind::kApprove && !in.voted_for_groups.empty()) {
        return Error::invalid_field("voteType.votedForGroups", "only an APPROVE vote names groups");
    }
    if (in.voted_for_groups.size() > kMaxVotedFor) {
        return Error::invalid_field("voteType.votedForGroups", "at most 32 groups");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.voted_for_groups.size(); ++i) {
        auto& g = in.voted_for_groups[i];
        std::string const field = "voteType.votedForGroups[" + std::to_string(i) + "]";
        if (!detail::is_uuid(g)) {
            return Error::invalid_field(field, "must be a UUID");
        }
        g = identity::lower(g);
        if (!seen.insert(g).second) {
            return Error::invalid_field(field, "listed twice");
        }
    }
    return in;
}

std::string strings_json(std::vector<std::string> const& v) {
    std::string out = "[";
    for (auto const& s : v) {
        out += (out.size() > 1 ? "," : "") + events::json_quote(s);
    }
    return out + "]";
}

Result<std::vector<std::string>> strings_from_json(std::string const& text) {
    auto node = detail::parse_json(text, 2);
    if (!node) {
        return node.error();
    }
    std::vector<std::string> out;
    for (auto const& item : node->items) {
        out.push_back(item.text);
    }
    return out;
}

Result<VoteView> vote_view(repos::VoteRecord const& v) {
    auto groups = strings_from_json(v.voted_for_groups);
    if (!groups) {
        return groups.error();
    }
    return VoteView{
        {v.entity_type, v.entity_id}, v.vote_type, v.reason, v.created_at, std::move(*groups)};
}

/// Groups that a GROUP_REQUIREMENT without requireHighPrivilege names: an
/// approval for them counts without a step-up token.
void plain_groups(ApprovalRule const& r, std::set<std::string>& out) {
    if (r.kind == RuleKind::kGroupRequirement) {
        if (!r.require_high_privilege) {
            out.insert(r.group_id);
        }
        return;
    }
    for (auto const& child : r.rules) {
        plain_groups(child, out);
    }
}

/// Everything a vote decision reads about one workflow, in one transaction.
struct Context {
    repos::WorkflowRecord workflow;
    repos::TemplateRecord templ;
    ApprovalRule rule;
    Memberships members;
    std::vector<repos::VoteRecord> votes;
    Voter voter;
    std::vector<std::string> voter_groups;  // rule groups the voter is a member of
    bool may_vote{false};                   // holds `vote` on the template
    bool voter_is_beneficiary{false};       // the workflow decides the voter's own access
    /// The request carried an unused step-up token of this voter for a vote
    /// on this very workflow (a human's only; agents never step up).
    bool stepped_up{false};
};

/// Removes from `members` the entities that stand for the workflow's
/// beneficiary (the user with that e-mail and every agent that user
/// registered), so that no vote of theirs counts, and answers whether `voter`
/// is one of them.
Result<bool> drop_beneficiary(
    Tx& tx, repos::WorkflowRecord const& w, Memberships& members, Voter const& voter
) {
    if (!w.beneficiary_email) {
        return false;
    }
    auto user = core::from_db(repos::find_user_by_email(tx, w.org_id, *w.beneficiary_email));
    if (!user) {
        return user.error();
    }
    if (!*user) {
        return false;  // the grantee has no account: nobody stands for them
    }
    std::string const& uid = (*user)->id;
    std::set<Voter> stands_for{{"human", uid}};
    std::set<std::string> agents;
    for (auto const& [group, set] : members) {
        for (auto const& m : set) {
            if (m.entity_type == "agent") {
                agents.insert(m.entity_id);
            }
        }
    }
    if (voter.entity_type == "agent") {
        agents.insert(voter.entity_id);
    }
    for (auto const& id : agents) {
        auto agent = core::from_db(repos::find_agent_by_id(tx, w.org_id, id));
        if (!agent) {
            return agent.error();
        }
        if (*agent && (*agent)->created_by == uid) {
            stands_for.insert({"agent", id});
        }
    }
    for (auto& [group, set] : members) {
        for (auto const& v : stands_for) {
            set.erase(v);
        }
    }
    return stands_for.contains(voter);
}

Result<Context> load_context(Tx& tx, core::Actor const& actor, repos::WorkflowRecord w) {
    Context c;
    c.workflow = std::move(w);
    c.voter = {std::string(identity::principal_type(actor)), actor.principal_id};
    c.stepped_up = actor.principal_kind == "user" && actor.step_up &&
                   actor.step_up->operation == "vote" &&
                   actor.step_up->resource_id == c.workflow.id;
    auto t = core::from_db(repos::find_template_by_id(tx, actor.org_id, c.workflow.template_id));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::internal("the workflow's template vanished");
    }
    c.templ = std::move(**t);
    auto rule = rule_from_json(c.templ.approval_rule);
    if (!rule) {
        return rule.error();
    }
    c.rule = std::move(*rule);
    std::vector<std::string> group_ids;
    for (auto const& g : rule_groups(c.rule)) {
        group_ids.push_back(g.group_id);
    }
    auto rows = core::from_db(repos::list_memberships_of(tx, actor.org_id, group_ids));
    if (!rows) {
        return rows.error();
    }
    for (auto const& m : *rows) {
        c.members[m.group_id].insert(Voter{m.entity_type, m.entity_id});
    }
    for (auto const& g : group_ids) {
        if (c.members[g].contains(c.voter)) {
            c.voter_groups.push_back(g);
        }
    }
    auto beneficiary = drop_beneficiary(tx, c.workflow, c.members, c.voter);
    if (!beneficiary) {
        return beneficiary.error();
    }
    c.voter_is_beneficiary = *beneficiary;
    auto votes = core::from_db(repos::list_votes(tx, actor.org_id, c.workflow.id));
    if (!votes) {
        return votes.error();
    }
    c.votes = std::move(*votes);
    auto bindings = identity::load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    c.may_vote = identity::authorize(
                     actor,
                     Action::kWorkflowVote,
                     {.bindings = &*bindings, .target = detail::workflow_target(c.workflow)}
    )
                     .has_value();
    return c;
}

/// canVote over a loaded context (the first failing check wins).
CanVote decide(Context const& c, std::string const& now) {
    CanVote out;
    for (auto it = c.votes.rbegin(); it != c.votes.rend(); ++it) {
        if (it->entity_type == c.voter.entity_type && it->entity_id == c.voter.entity_id) {
            out.vote_status = it->vote_type == "WITHDRAW" ? "VOTE_PENDING" : "ALREADY_VOTED";
            break;
        }
    }
    auto refuse = [&](char const* reason) {
        out.can_vote = false;
        out.cant_vote_reason = reason;
        return out;
    };
    auto const status = parse_workflow_status(c.workflow.status);
    if (status && *status != WorkflowStatus::kInProgress) {
        out.cant_vote_reason = "WORKFLOW_" + std::string(workflow_status_name(*status));
        return out;
    }
    if (c.workflow.expires_at <= now) {
        return refuse("WORKFLOW_EXPIRED");
    }
    if (c.templ.status != template_status_name(TemplateStatus::kActive) &&
        !c.templ.allow_voting_on_deprecated) {
        return refuse("WORKFLOW_TEMPLATE_NOT_ACTIVE");
    }
    if (c.voter_is_beneficiary) {
        return refuse("ENTITY_IS_BENEFICIARY");
    }
    if (!c.may_vote) {
        return refuse("NO_PERMISSIONS");
    }
    if (c.voter_groups.empty()) {
        return refuse("ENTITY_NOT_IN_GROUP");
    }
    out.require_high_privilege = needs_high_privilege(c.rule, c.voter_groups);
    std::set<std::string> plain;
    plain_groups(c.rule, plain);
    bool const counts = std::any_of(c.voter_groups.begin(), c.voter_groups.end(), [&](auto& g) {
        return plain.contains(g);
    });
    // A voter whose every group needs a step-up casts nothing that counts
    // without one (docs/identity.md "Step-up").
    if (!counts && !c.stepped_up) {
        return refuse("HIGH_PRIVILEGE_REQUIRED");
    }
    out.can_vote = true;
    return out;
}

Error refusal(CanVote const& answer) {
    std::string const reason = answer.cant_vote_reason.value_or("NO_PERMISSIONS");
    if (reason == "NO_PERMISSIONS") {
        return Error::permission_denied(
            "voting needs WorkflowTemplateVoter or WorkflowTemplateFullAccess on the workflow's "
            "template (NO_PERMISSIONS)"
        );
    }
    if (reason == "ENTITY_IS_BENEFICIARY") {
        return Error::permission_denied(
            "this workflow decides your own access: you cannot vote on it, nor can an agent you "
            "registered; another approver must (ENTITY_IS_BENEFICIARY)"
        );
    }
    if (reason == "HIGH_PRIVILEGE_REQUIRED") {
        Error e = Error::unauthenticated(
            "this vote needs a fresh sign-in (HIGH_PRIVILEGE_REQUIRED): step up with GET "
            "/api/v1/auth/cli/initiatePrivilegedTokenExchange, exchange the code for a privileged "
            "token for operation vote and this workflow's id (POST "
            "/api/v1/auth/cli/exchangePrivilegedToken), then vote with it as the bearer token "
            "(REST) or the privilegedToken argument (MCP); nothing was stored"
        );
        e.auth_challenge =
            "Bearer error=\"insufficient_user_authentication\", error_description=\"A fresh "
            "sign-in is required to vote on this workflow\", max_age=\"30\"";
        return e;
    }
    return detail::field_error(
        ErrorKind::kFailedPrecondition, "workflowId", "this vote cannot be cast: " + reason
    );
}

/// votedForGroups must be groups the voter belongs to that the rule names.
core::Status check_voted_for(Context const& c, VoteInput const& in) {
    for (std::size_t i = 0; i < in.voted_for_groups.size(); ++i) {
        auto const& g = in.voted_for_groups[i];
        if (std::find(c.voter_groups.begin(), c.voter_groups.end(), g) == c.voter_groups.end()) {
            return Error::invalid_field(
                "voteType.votedForGroups[" + std::to_string(i) + "]",
                "must be a group of the approval rule that you are a member of"
            );
        }
    }
    return {};
}

/// A new vote by the context's voter, cast through `actor`'s call.
repos::VoteRecord vote_record(
    core::IdSource& ids,
    core::Actor const& actor,
    Context const& c,
    std::string type,
    std::optional<std::string> reason,
    std::string const& now
) {
    repos::VoteRecord v;
    v.id = ids.new_id();
    v.org_id = actor.org_id;
    v.workflow_id = c.workflow.id;
    v.entity_type = c.voter.entity_type;
    v.entity_id = c.voter.entity_id;
    v.vote_type = std::move(type);
    v.reason = std::move(reason);
    v.created_at = now;
    v.via_mcp = core::via_mcp(actor.channel);
    return v;
}

std::vector<Vote> to_votes(std::vector<repos::VoteRecord> const& records);

/// Adds the stored vote `v` to the context and evaluates the rule over every
/// standing vote: a standing VETO rejects the workflow (with `v`'s reason when
/// `v` is that veto), a rule that holds approves it; else nothing changes.
core::Status settle(
    Tx& tx,
    detail::Finisher const& finisher,
    Context& c,
    repos::VoteRecord const& v,
    detail::Origin const& who
) {
    c.votes.push_back(v);
    auto const eval = evaluate(c.rule, to_votes(c.votes), c.members);
    if (eval.vetoed) {
        auto why =
            v.vote_type == "VETO" && v.reason ? v.reason : std::optional<std::string>("vetoed");
        return finisher.finish(tx, c.workflow, WorkflowStatus::kRejected, why, who);
    }
    if (eval.satisfied) {
        return finisher.finish(tx, c.workflow, WorkflowStatus::kApproved, std::nullopt, who);
    }
    return {};
}

std::vector<Vote> to_votes(std::vector<repos::VoteRecord> const& records) {
    std::vector<Vote> out;
    out.reserve(records.size());
    for (auto const& r : records) {
        Vote v;
        v.voter = {r.entity_type, r.entity_id};
        v.kind = parse_vote_kind(r.vote_type).value_or(VoteKind::kWithdraw);
        if (auto groups = strings_from_json(r.voted_for_groups)) {
            v.voted_for_groups = std::move(*groups);
        }
        v.high_privilege = r.high_privilege;
        out.push_back(std::move(v));
    }
    return out;
}

/// The workflow by id or name, with read access checked (lists and canVote).
Result<repos::WorkflowRecord> readable(Tx& tx, core::Actor const& actor, std::string const& ref) {
    auto w = detail::find_workflow(tx, actor.org_id, ref);
    if (!w) {
        return w.error();
    }
    auto bindings = identity::load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    identity::Subject s{
        .owner_user_id = w->created_by,
        .bindings = &*bindings,
        .target = detail::workflow_target(*w)};
    if (auto ok = identity::authorize(actor, Action::kWorkflowRead, s); !ok) {
        return ok.error();
    }
    return w;
}

core::Status check_ref(std::string const& ref) {
    if (ref.empty() || ref.size() > kMaxWorkflowRef) {
        return Error::invalid_field("workflowId", "must be 1-255 characters");
    }
    return {};
}

}  // namespace

Result<VoteResult> ApprovalsService::cast_vote(
    core::Actor const& actor, std::string const& workflow_id, VoteInput const& raw
) {
    if (auto s = check_ref(workflow_id); !s) {
        return s.error();
    }
    auto in = checked_input(raw);
    if (!in) {
        return in.error();
    }
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    std::optional<Error> refused;  // set when the body commits an expiry and then refuses
    auto r = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<VoteResult> {
        refused.reset();
        auto found = detail::find_workflow(tx, actor.org_id, workflow_id);
        if (!found) {
            return found.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        // No row changes when the workflow has ended: then nothing can change
        // and the checks below refuse the vote.
        if (auto l = core::from_db(repos::lock_workflow(tx, actor.org_id, found->id, now)); !l) {
            return l.error();
        }
        // Read again after the lock: the state every earlier vote committed.
        auto locked = detail::find_workflow(tx, actor.org_id, found->id);
        if (!locked) {
            return locked.error();
        }
        bool const was_running =
            locked->status == workflow_status_name(WorkflowStatus::kInProgress);
        auto w = finisher.expire_if_due(tx, std::move(*locked), now);
        if (!w) {
            return w.error();
        }
        bool const expired_now =
            was_running && w->status == workflow_status_name(WorkflowStatus::kExpired);
        auto c = load_context(tx, actor, std::move(*w));
        if (!c) {
            return c.error();
        }
        auto const answer = decide(*c, now);
        if (!answer.can_vote) {
            if (expired_now) {
                refused = refusal(answer);  // commit the expiry this call discovered
                return VoteResult{};
            }
            return refusal(answer);
        }
        if (auto s = check_voted_for(*c, *in); !s) {
            return s.error();
        }
        auto v = vote_record(ids_, actor, *c, in->vote_type, in->reason, now);
        v.voted_for_groups = strings_json(in->voted_for_groups);
        if (c->stepped_up) {
            // The privileged token is spent by this vote, in its transaction.
            auto used = core::from_db(repos::use_step_up(tx, actor.step_up->jti, now));
            if (!used) {
                return used.error();
            }
            if (*used == 0) {
                return Error::unauthenticated(
                    "this privileged token was used already; step up again"
                );
            }
            v.high_privilege = in->vote_type == "APPROVE";
        }
        if (auto s = core::from_db(repos::insert_vote(tx, v)); !s) {
            return s.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("vote_type", v.vote_type)
                               .raw("voted_for_groups", v.voted_for_groups)
                               .opt_str("reason", v.reason)
                               .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "approvals.workflow.voted", "workflow", c->workflow.id, detail_json
                )
            );
            !s) {
            return s.error();
        }
        if (auto s = settle(tx, finisher, *c, v, detail::Origin::of(actor)); !s) {
            return s.error();
        }
        auto after = detail::find_workflow(tx, actor.org_id, c->workflow.id);
        if (!after) {
            return after.error();
        }
        auto view = vote_view(v);
        if (!view) {
            return view.error();
        }
        return VoteResult{std::move(*view), detail::workflow_view(*after)};
    });
    if (r && refused) {
        return *refused;
    }
    return r;
}

Result<std::vector<VoteView>> ApprovalsService::list_votes(
    core::Actor const& actor, std::string const& workflow_id
) {
    if (auto s = check_ref(workflow_id); !s) {
        return s.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::vector<VoteView>> {
        auto w = readable(tx, actor, workflow_id);
        if (!w) {
            return w.error();
        }
        auto votes = core::from_db(repos::list_votes(tx, actor.org_id, w->id));
        if (!votes) {
            return votes.error();
        }
        std::vector<VoteView> out;
        for (auto const& v : *votes) {
            auto view = vote_view(v);
            if (!view) {
                return view.error();
            }
            out.push_back(std::move(*view));
        }
        return out;
    });
}

Result<CanVote> ApprovalsService::can_vote(
    core::Actor const& actor, std::string const& workflow_id
) {
    if (auto s = check_ref(workflow_id); !s) {
        return s.error();
    }
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    // A read transaction, unless the workflow is due: then it is expired
    // (and stored) in a write transaction, as every read does.
    bool due = false;
    bool writing = false;
    auto answer = [&](Tx& tx) -> Result<CanVote> {
        auto found = detail::find_workflow(tx, actor.org_id, workflow_id);
        if (!found) {
            return found.error();
        }
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        identity::Subject s{
            .owner_user_id = found->created_by,
            .bindings = &*bindings,
            .target = detail::workflow_target(*found)};
        if (!identity::authorize(actor, Action::kWorkflowRead, s)) {
            // Someone who may neither read nor vote learns nothing about its state.
            return CanVote{false, "VOTE_PENDING", std::string("NO_PERMISSIONS"), false};
        }
        std::string const now = core::to_rfc3339(clock_.now());
        if (!writing && found->status == workflow_status_name(WorkflowStatus::kInProgress) &&
            found->expires_at <= now) {
            due = true;
            return Error::failed_precondition("due for expiry");  // not retried by run_tx
        }
        auto w = finisher.expire_if_due(tx, std::move(*found), now);
        if (!w) {
            return w.error();
        }
        auto c = load_context(tx, actor, std::move(*w));
        if (!c) {
            return c.error();
        }
        return decide(*c, now);
    };
    auto r = core::run_tx(db_, TxMode::kRead, answer);
    if (!due) {
        return r;
    }
    writing = true;
    return core::run_tx(db_, TxMode::kWrite, answer);
}

core::Status ApprovalsService::on_user_deactivated(
    Tx& tx, core::Actor const& actor, std::string const& user_id
) {
    auto ids = core::from_db(repos::list_open_voted_by(tx, actor.org_id, "human", user_id));
    if (!ids) {
        return ids.error();
    }
    detail::Finisher const finisher{recorder_, clock_, outcome_hook_};
    std::string const now = core::to_rfc3339(clock_.now());
    core::Actor gone;
    gone.org_id = actor.org_id;
    gone.principal_id = user_id;
    for (auto const& id : *ids) {
        if (auto l = core::from_db(repos::lock_workflow(tx, actor.org_id, id, now)); !l) {
            return l.error();
        }
        auto w = detail::find_workflow(tx, actor.org_id, id);
        if (!w) {
            return w.error();
        }
        if (w->status != workflow_status_name(WorkflowStatus::kInProgress) ||
            w->expires_at <= now) {
            continue;  // ended, or due: expiry decides it, not this vote
        }
        auto c = load_context(tx, gone, std::move(*w));
        if (!c) {
            return c.error();
        }
        auto const mine = std::find_if(c->votes.rbegin(), c->votes.rend(), [&](auto const& v) {
            return v.entity_type == "human" && v.entity_id == user_id;
        });
        if (mine == c->votes.rend() || mine->vote_type == "WITHDRAW") {
            continue;
        }
        auto const v = vote_record(ids_, actor, *c, "WITHDRAW", "user deactivated", now);
        if (auto s = core::from_db(repos::insert_vote(tx, v)); !s) {
            return s.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("user_id", user_id)
                               .str("withdrawn", mine->vote_type)
                               .str("reason", "user deactivated")
                               .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor,
                    "approvals.workflow.vote_withdrawn",
                    "workflow",
                    c->workflow.id,
                    detail_json
                )
            );
            !s) {
            return s.error();
        }
        if (auto s = settle(tx, finisher, *c, v, detail::Origin::of(actor)); !s) {
            return s;
        }
    }
    return {};
}

}  // namespace signoff::server::approvals
