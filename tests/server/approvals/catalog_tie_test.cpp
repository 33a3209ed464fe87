// The catalog tie on both back ends: a catalog row naming a workflow
// template (stored by name), catalog_request starting a workflow, and the
// workflow's APPROVED / REJECTED / EXPIRED outcome settling the request with
// the team_support.* event in the transition's transaction.
#include <doctest/doctest.h>

#include "tests/server/approvals/workflow_world.hpp"

using namespace signoff;
using server::approvals::WorkflowStatus;
using server::catalog::RowInput;
using server::core::ErrorKind;
using testing::Approvals;
using testing::approve;
using testing::PostgresBackend;
using testing::SqliteBackend;
using testing::veto;
using testing::WorkflowWorld;

namespace {

/// The world plus a catalog row decided by the "deploy" template.
struct Tie : WorkflowWorld {
    explicit Tie(Approvals& domain) : WorkflowWorld(domain) {
        RowInput in{"prod-db", "Production DB", "", std::nullopt, std::nullopt, templ.id};
        auto row = d.catalog.create_row(root, in);
        REQUIRE_MESSAGE(row.has_value(), row.error().message);
        CHECK(row->workflow_template == "deploy");
    }
};

}  // namespace

TEST_SUITE("server/approvals/catalog_tie") {
    TEST_CASE_TEMPLATE(
        "a row names an existing template of the org", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        RowInput bad{"x", "X", "", std::nullopt, std::nullopt, "no such template"};
        auto r = d.catalog.create_row(w.root, bad);
        REQUIRE(r.has_error());
        CHECK(r.error().kind == ErrorKind::kNotFound);
        CHECK(r.error().details[0].field == "workflow_template");
        RowInput by_name{"y", "Y", "", std::nullopt, std::nullopt, "DEPLOY"};
        REQUIRE(d.catalog.create_row(w.root, by_name)->workflow_template == "deploy");
        server::catalog::RowPatch clear;
        clear.workflow_template = std::optional<std::string>{};
        auto cleared = d.catalog.update_row(w.root, "y", clear);
        REQUIRE(cleared.has_value());
        CHECK_FALSE(cleared->workflow_template.has_value());
    }

    TEST_CASE_TEMPLATE(
        "a request starts a workflow whose approval grants the access",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Tie w{d};
        auto ann = w.voter("ann");
        auto asker = d.member(w.root, "asker@acme.example");
        auto req = d.catalog.request(asker, "prod-db", std::nullopt, std::string("need it"));
        REQUIRE_MESSAGE(req.has_value(), req.error().message);
        CHECK(req->state == "pending");
        REQUIRE(req->workflow_id.has_value());
        // The requester started it, so they can follow it.
        auto wf = d.approvals.get_workflow(asker, *req->workflow_id, false);
        REQUIRE_MESSAGE(wf.has_value(), wf.error().message);
        CHECK(wf->status == WorkflowStatus::kInProgress);
        // Asking again while pending starts nothing new.
        CHECK(
            d.catalog.request(asker, "prod-db", std::nullopt, std::nullopt)->workflow_id ==
            req->workflow_id
        );
        CHECK(d.count("SELECT COUNT(*) FROM workflows", {}) == 1);

        auto vote = d.approvals.cast_vote(ann, *req->workflow_id, approve());
        REQUIRE_MESSAGE(vote.has_value(), vote.error().message);
        CHECK(vote->workflow.status == WorkflowStatus::kApproved);
        auto after = d.catalog.list_approvals(w.root, {std::string("prod-db"), {}, {}}, {});
        REQUIRE(after.has_value());
        REQUIRE(after->items.size() == 1);
        CHECK(after->items[0].state == "approved");
        CHECK(after->items[0].approver_id == ann.principal_id);
        CHECK(w.events("team_support.approved") == 1);
        CHECK(w.events("workflow.approved") == 1);
    }

    TEST_CASE_TEMPLATE(
        "a rejected or expired workflow revokes the request with the reason",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Tie w{d};
        auto ann = w.voter("ann");
        auto asker = d.member(w.root, "asker@acme.example");
        auto req = d.catalog.request(asker, "prod-db", std::nullopt, std::nullopt);
        REQUIRE(req.has_value());
        REQUIRE(d.approvals.cast_vote(ann, *req->workflow_id, veto("too risky")).has_value());
        auto rejected = d.catalog.list_approvals(w.root, {}, {});
        REQUIRE(rejected.has_value());
        CHECK(rejected->items[0].state == "revoked");
        CHECK(rejected->items[0].reason == "workflow rejected: too risky");
        CHECK(w.events("team_support.revoked") == 1);

        // Asking again starts a fresh workflow; left alone it expires.
        auto again = d.catalog.request(asker, "prod-db", std::nullopt, std::nullopt);
        REQUIRE(again.has_value());
        CHECK(again->state == "pending");
        REQUIRE(again->workflow_id.has_value());
        CHECK(*again->workflow_id != *req->workflow_id);
        d.clock.advance(std::chrono::hours(31 * 24));
        CHECK(d.approvals.expire_due_workflows(d.clock.now()).value() == 1);
        auto expired = d.catalog.list_approvals(w.root, {}, {});
        CHECK(expired->items[0].state == "revoked");
        CHECK(expired->items[0].reason == "workflow expired: expired");
        CHECK(w.events("team_support.revoked") == 2);
    }
}
