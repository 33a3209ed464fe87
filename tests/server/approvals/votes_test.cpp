// Votes through ApprovalsService on both back ends: quorum approval with the
// template's actions queued in the vote's transaction, VETO, WITHDRAW,
// membership judged at evaluation, votedForGroups rules, canVote and each of
// its reasons, expiry on vote, bad input, the authorization matrix, and 16
// voters casting the deciding votes at once.
#include <atomic>
#include <latch>
#include <thread>

#include <doctest/doctest.h>

#include "tests/server/approvals/workflow_world.hpp"

using namespace signoff;
using server::approvals::ApprovalRule;
using server::approvals::RuleKind;
using server::approvals::VoteInput;
using server::approvals::WorkflowStatus;
using server::core::ErrorKind;
using testing::Approvals;
using testing::approve;
using testing::as_agent;
using testing::on_org;
using testing::on_template;
using testing::PostgresBackend;
using testing::SqliteBackend;
using testing::veto;
using testing::withdraw;
using testing::WorkflowWorld;

namespace {

template <class T>
ErrorKind kind_of(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error().kind;
}

template <class T>
std::string field_of(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    REQUIRE(!r.error().details.empty());
    return r.error().details[0].field;
}

WorkflowStatus status_after(server::core::Result<server::approvals::VoteResult> const& r) {
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    return r->workflow.status;
}

}  // namespace

TEST_SUITE("server/approvals/votes") {
    TEST_CASE_TEMPLATE(
        "the vote that meets the quorum approves and queues the actions in its transaction",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d, 2};
        auto ann = w.voter("ann");
        auto bob = w.voter("bob");
        auto wf = w.start("ship");
        CHECK(
            status_after(d.approvals.cast_vote(ann, wf.id, approve())) ==
            WorkflowStatus::kInProgress
        );
        // A repeated approval by the same voter counts once.
        CHECK(
            status_after(d.approvals.cast_vote(ann, "ship", approve({w.group.id}))) ==
            WorkflowStatus::kInProgress
        );
        CHECK(w.events("workflow.approved") == 0);
        auto last = d.approvals.cast_vote(bob, wf.id, {"APPROVE", {}, std::string("lgtm")});
        CHECK(status_after(last) == WorkflowStatus::kApproved);
        CHECK(last->vote.voter.entity_id == bob.principal_id);
        CHECK(last->vote.reason == "lgtm");
        CHECK(w.events("workflow.approved") == 1);
        CHECK(w.events("workflow.action.email") == 1);
        CHECK(
            d.text("SELECT payload_json FROM outbox WHERE event_type = 'workflow.action.email'", {})
                .find("ops@acme.example") != std::string::npos
        );
        CHECK(d.audits("approvals.workflow.voted") == 3);
        CHECK(d.audits("approvals.workflow.approved") == 1);
        auto votes = d.approvals.list_votes(w.root, wf.id);
        REQUIRE(votes.has_value());
        REQUIRE(votes->size() == 3);
        CHECK(votes->at(1).voted_for_groups == std::vector<std::string>{w.group.id});
        // Terminal: no vote after approval, not even a VETO.
        auto late = d.approvals.cast_vote(ann, wf.id, veto());
        CHECK(kind_of(late) == ErrorKind::kFailedPrecondition);
        CHECK(late.error().message.find("WORKFLOW_APPROVED") != std::string::npos);
        CHECK(d.approvals.can_vote(ann, wf.id)->cant_vote_reason == "WORKFLOW_APPROVED");
        CHECK(w.events("workflow.action.email") == 1);
    }

    TEST_CASE_TEMPLATE("a VETO rejects at once and for good", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d, 2};
        auto ann = w.voter("ann");
        auto bob = w.voter("bob");
        auto wf = w.start("ship");
        REQUIRE(d.approvals.cast_vote(ann, wf.id, approve()).has_value());
        CHECK(
            status_after(d.approvals.cast_vote(bob, wf.id, veto("not today"))) ==
            WorkflowStatus::kRejected
        );
        auto got = d.approvals.get_workflow(w.root, wf.id, false);
        CHECK(got->status_reason == "not today");
        CHECK(w.events("workflow.rejected") == 1);
        CHECK(
            kind_of(d.approvals.cast_vote(bob, wf.id, withdraw())) == ErrorKind::kFailedPrecondition
        );
        auto can = d.approvals.can_vote(bob, wf.id);
        CHECK_FALSE(can->can_vote);
        CHECK(can->cant_vote_reason == "WORKFLOW_REJECTED");
        CHECK(can->vote_status == "ALREADY_VOTED");
    }

    TEST_CASE_TEMPLATE(
        "WITHDRAW takes an approval back and a removed member stops counting",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d, 2};
        auto ann = w.voter("ann");
        auto bob = w.voter("bob");
        auto cid = w.voter("cid");
        auto wf = w.start("ship");
        REQUIRE(d.approvals.cast_vote(ann, wf.id, approve()).has_value());
        CHECK(d.approvals.can_vote(ann, wf.id)->vote_status == "ALREADY_VOTED");
        REQUIRE(d.approvals.cast_vote(ann, wf.id, withdraw()).has_value());
        CHECK(d.approvals.can_vote(ann, wf.id)->vote_status == "VOTE_PENDING");
        CHECK(
            status_after(d.approvals.cast_vote(bob, wf.id, approve())) ==
            WorkflowStatus::kInProgress
        );
        // Bob leaves the group: his approval no longer counts when cid votes.
        REQUIRE(d.approvals.remove_members(w.root, w.group.id, testing::humans({bob.principal_id}))
                    .has_value());
        CHECK(
            status_after(d.approvals.cast_vote(cid, wf.id, approve())) ==
            WorkflowStatus::kInProgress
        );
        CHECK(
            status_after(d.approvals.cast_vote(ann, wf.id, approve())) == WorkflowStatus::kApproved
        );
    }

    TEST_CASE_TEMPLATE(
        "votedForGroups and the other vote fields are checked", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d, 2};
        auto ann = w.voter("ann");
        auto wf = w.start("ship");
        auto elsewhere = d.group(w.root, "elsewhere");
        auto cast = [&](VoteInput in) { return d.approvals.cast_vote(ann, wf.id, std::move(in)); };
        CHECK(field_of(cast({"MAYBE", {}, {}})) == "voteType.type");
        CHECK(field_of(cast(approve({"nope"}))) == "voteType.votedForGroups[0]");
        CHECK(field_of(cast(approve({w.group.id, w.group.id}))) == "voteType.votedForGroups[1]");
        CHECK(field_of(cast(approve({elsewhere.id}))) == "voteType.votedForGroups[0]");
        CHECK(kind_of(cast(approve({elsewhere.id}))) == ErrorKind::kInvalidArgument);
        CHECK(field_of(cast({"VETO", {w.group.id}, {}})) == "voteType.votedForGroups");
        CHECK(field_of(cast({"VETO", {}, std::string(1025, 'r')})) == "reason");
        CHECK(field_of(d.approvals.cast_vote(ann, "", approve())) == "workflowId");
        CHECK(
            kind_of(d.approvals.cast_vote(ann, "00000000-0000-7000-8000-00000000ffff", approve())
            ) == ErrorKind::kNotFound
        );
        CHECK(d.count("SELECT COUNT(*) FROM workflow_votes", {}) == 0);
    }

    TEST_CASE_TEMPLATE("canVote answers each reason", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto wf = w.start("ship");
        auto ok = w.voter("ann");
        auto can = d.approvals.can_vote(ok, wf.id);
        REQUIRE(can.has_value());
        CHECK(can->can_vote);
        CHECK(can->vote_status == "VOTE_PENDING");
        CHECK_FALSE(can->require_high_privilege);

        auto no_role = d.member(w.root, "norole@acme.example");
        w.join(no_role);
        CHECK(d.approvals.can_vote(no_role, wf.id)->cant_vote_reason == "NO_PERMISSIONS");
        CHECK(
            kind_of(d.approvals.cast_vote(no_role, wf.id, approve())) ==
            ErrorKind::kPermissionDenied
        );

        auto no_group = d.member(w.root, "nogroup@acme.example");
        d.bind(w.root, no_group.principal_id, {on_template("WorkflowTemplateVoter", "deploy")});
        CHECK(d.approvals.can_vote(no_group, wf.id)->cant_vote_reason == "ENTITY_NOT_IN_GROUP");
        CHECK(
            kind_of(d.approvals.cast_vote(no_group, wf.id, approve())) ==
            ErrorKind::kFailedPrecondition
        );

        // A requirement that needs a step-up token cannot be met by any token yet.
        auto in = Approvals::template_input(w.space.id, "guarded", w.group.id);
        in.approval_rule.require_high_privilege = true;
        auto guarded = d.approvals.create_template(w.root, in);
        REQUIRE(guarded.has_value());
        auto gw = d.approvals.create_workflow(w.root, {"guarded-1", "", "{}", guarded->id});
        REQUIRE(gw.has_value());
        d.bind(w.root, ok.principal_id, {on_org("OrgWideWorkflowTemplateVoter")});
        auto hp = d.approvals.can_vote(ok, gw->id);
        CHECK_FALSE(hp->can_vote);
        CHECK(hp->cant_vote_reason == "HIGH_PRIVILEGE_REQUIRED");
        CHECK(hp->require_high_privilege);
        auto unstepped = d.approvals.cast_vote(ok, gw->id, approve());
        REQUIRE(unstepped.has_error());
        CHECK(unstepped.error().kind == ErrorKind::kUnauthenticated);
        CHECK(
            unstepped.error().auth_challenge.find("insufficient_user_authentication") !=
            std::string::npos
        );
        // A step-up for another workflow, or an agent's, counts for nothing.
        auto elsewhere = ok;
        elsewhere.step_up = server::core::StepUp{"jti-1", "vote", std::string("some-other-id")};
        CHECK(
            d.approvals.can_vote(elsewhere, gw->id)->cant_vote_reason == "HIGH_PRIVILEGE_REQUIRED"
        );
        auto agentish = ok;
        agentish.principal_kind = "agent";
        agentish.step_up = server::core::StepUp{"jti-2", "vote", gw->id};
        CHECK_FALSE(d.approvals.can_vote(agentish, gw->id)->can_vote);
        // A step-up for this workflow lets the vote through only if its token
        // is unspent: one that was never issued is refused, nothing stored.
        auto stepped = ok;
        stepped.step_up = server::core::StepUp{"never-issued", "vote", gw->id};
        CHECK(d.approvals.can_vote(stepped, gw->id)->can_vote);
        auto spent = d.approvals.cast_vote(stepped, gw->id, approve());
        REQUIRE(spent.has_error());
        CHECK(spent.error().message == "this privileged token was used already; step up again");
        CHECK(d.count("SELECT COUNT(*) FROM workflow_votes WHERE workflow_id = $1", {gw->id}) == 0);

        // Expired: canVote stores the expiry it reports, and so does a vote.
        d.clock.advance(std::chrono::hours(31 * 24));
        CHECK(d.approvals.can_vote(ok, wf.id)->cant_vote_reason == "WORKFLOW_EXPIRED");
        CHECK(d.text("SELECT status FROM workflows WHERE id = $1", {wf.id}) == "EXPIRED");
        auto late = d.approvals.cast_vote(ok, gw->id, approve());
        CHECK(kind_of(late) == ErrorKind::kFailedPrecondition);
        CHECK(late.error().message.find("WORKFLOW_EXPIRED") != std::string::npos);
        CHECK(d.text("SELECT status FROM workflows WHERE id = $1", {gw->id}) == "EXPIRED");
    }

    TEST_CASE_TEMPLATE(
        "a pending-deprecation template's workflows stay votable unless voting was disabled",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto ann = w.voter("ann");
        auto a = w.start("a");
        server::approvals::TemplateUpdate u;
        u.expected_version = w.templ.concurrency_version;
        REQUIRE(d.approvals.update_template(w.root, "deploy", u).has_value());
        CHECK(d.approvals.can_vote(ann, a.id)->can_vote);
        CHECK(
            status_after(d.approvals.cast_vote(ann, a.id, approve())) == WorkflowStatus::kApproved
        );
    }

    TEST_CASE_TEMPLATE(
        "authorization matrix of vote, votes and canVote", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d, 5};
        auto wf = w.start("ship");
        auto plain = d.member(w.root, "plain@acme.example");
        auto voter = w.voter("voter");
        auto outsider = d.org_admin("other", "root@other.example");
        auto agent = as_agent(voter);
        w.join(w.root);  // the admin is a member too: admins hold every permission

        CHECK(
            kind_of(d.approvals.cast_vote(plain, wf.id, approve())) == ErrorKind::kPermissionDenied
        );
        CHECK(d.approvals.cast_vote(voter, wf.id, approve()).has_value());
        CHECK(d.approvals.cast_vote(w.root, wf.id, approve()).has_value());
        CHECK(
            kind_of(d.approvals.cast_vote(agent, wf.id, approve())) == ErrorKind::kPermissionDenied
        );
        CHECK(kind_of(d.approvals.cast_vote(outsider, wf.id, approve())) == ErrorKind::kNotFound);

        CHECK(kind_of(d.approvals.list_votes(plain, wf.id)) == ErrorKind::kPermissionDenied);
        CHECK(d.approvals.list_votes(voter, wf.id)->size() == 2);
        CHECK(d.approvals.list_votes(w.root, wf.id)->size() == 2);
        CHECK(kind_of(d.approvals.list_votes(agent, wf.id)) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(d.approvals.list_votes(outsider, wf.id)) == ErrorKind::kNotFound);

        CHECK(d.approvals.can_vote(plain, wf.id)->cant_vote_reason == "NO_PERMISSIONS");
        CHECK(d.approvals.can_vote(voter, wf.id)->vote_status == "ALREADY_VOTED");
        CHECK(d.approvals.can_vote(w.root, wf.id)->can_vote);
        CHECK(d.approvals.can_vote(agent, wf.id)->cant_vote_reason == "NO_PERMISSIONS");
        CHECK(kind_of(d.approvals.can_vote(outsider, wf.id)) == ErrorKind::kNotFound);
    }

    TEST_CASE_TEMPLATE(
        "16 voters casting the deciding votes at once approve exactly once",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        constexpr int kVoters = 16;
        // Every one of the 16 approvals is needed: whichever commits last
        // decides, and it must see the 15 others.
        WorkflowWorld w{d, kVoters};
        std::vector<server::core::Actor> voters;
        for (int i = 0; i < kVoters; ++i) {
            voters.push_back(w.voter("v" + std::to_string(i)));
        }
        auto wf = w.start("race");
        std::latch go{kVoters};
        std::atomic<int> ok{0};
        std::atomic<int> approved_answers{0};
        std::vector<std::string> errors(kVoters);
        std::vector<std::thread> threads;
        for (int i = 0; i < kVoters; ++i) {
            threads.emplace_back([&, i] {
                go.arrive_and_wait();
                auto r =
                    d.approvals.cast_vote(voters[static_cast<std::size_t>(i)], wf.id, approve());
                if (r) {
                    ++ok;
                    approved_answers += r->workflow.status == WorkflowStatus::kApproved ? 1 : 0;
                } else {
                    errors[static_cast<std::size_t>(i)] = r.error().message;
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (auto const& e : errors) {
            CHECK_MESSAGE(e.empty(), e);
        }
        CHECK(ok.load() == kVoters);
        CHECK(approved_answers.load() == 1);
        CHECK(
            d.count("SELECT COUNT(*) FROM workflow_votes WHERE workflow_id = $1", {wf.id}) ==
            kVoters
        );
        CHECK(d.text("SELECT status FROM workflows WHERE id = $1", {wf.id}) == "APPROVED");
        CHECK(w.events("workflow.approved") == 1);
        CHECK(w.events("workflow.action.email") == 1);
        CHECK(d.audits("approvals.workflow.approved") == 1);
    }

    TEST_CASE_TEMPLATE(
        "16 voters racing for a quorum of 3: one approval, the late votes refused, none lost",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        constexpr int kVoters = 16;
        WorkflowWorld w{d, 3};
        std::vector<server::core::Actor> voters;
        for (int i = 0; i < kVoters; ++i) {
            voters.push_back(w.voter("v" + std::to_string(i)));
        }
        auto wf = w.start("race");
        std::latch go{kVoters};
        std::atomic<int> accepted{0};
        std::atomic<int> approved_answers{0};
        std::atomic<int> late{0};
        std::vector<std::string> other_errors(kVoters);
        std::vector<std::thread> threads;
        for (int i = 0; i < kVoters; ++i) {
            threads.emplace_back([&, i] {
                go.arrive_and_wait();
                auto const at = static_cast<std::size_t>(i);
                auto r = d.approvals.cast_vote(voters[at], wf.id, approve());
                if (r) {
                    ++accepted;
                    approved_answers += r->workflow.status == WorkflowStatus::kApproved ? 1 : 0;
                } else if (r.error().message.find("WORKFLOW_APPROVED") != std::string::npos) {
                    ++late;
                } else {
                    other_errors[at] = r.error().message;
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (auto const& e : other_errors) {
            CHECK_MESSAGE(e.empty(), e);
        }
        CHECK(approved_answers.load() == 1);
        CHECK(accepted.load() == 3);  // the third approval decided; later ones saw APPROVED
        CHECK(accepted.load() + late.load() == kVoters);
        CHECK(d.count("SELECT COUNT(*) FROM workflow_votes WHERE workflow_id = $1", {wf.id}) == 3);
        CHECK(w.events("workflow.approved") == 1);
        CHECK(w.events("workflow.action.email") == 1);
    }

    TEST_CASE_TEMPLATE(
        "a refused vote on an ended workflow changes nothing", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto ann = w.voter("ann");
        auto wf = w.start("ship");
        REQUIRE(d.approvals.cast_vote(ann, wf.id, approve()).has_value());
        auto const before = d.text(
            "SELECT updated_at || ' ' || CAST(row_version AS TEXT) FROM workflows WHERE id = $1",
            {wf.id}
        );
        d.clock.advance(std::chrono::hours(1));
        CHECK(
            kind_of(d.approvals.cast_vote(ann, wf.id, approve())) == ErrorKind::kFailedPrecondition
        );
        d.clock.advance(std::chrono::hours(24 * 40));
        CHECK(kind_of(d.approvals.cast_vote(ann, wf.id, veto())) == ErrorKind::kFailedPrecondition);
        CHECK(d.approvals.get_workflow(w.root, wf.id, false)->status == WorkflowStatus::kApproved);
        CHECK(
            d.text(
                "SELECT updated_at || ' ' || CAST(row_version AS TEXT) FROM workflows WHERE id = "
                "$1",
                {wf.id}
            ) == before
        );
    }
}
