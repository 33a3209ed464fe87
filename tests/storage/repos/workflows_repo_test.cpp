// The workflow and vote repository on both back ends: insert and find by id
// and name (one name per org), the in-progress-only lock and finish, filtered
// listings newest first with visibility by space, template name and starter,
// the due list (one org or all), in-flight ids by template name, the vote log
// in cast order, and memberships of a set of groups.
#include "storage/repos/workflows_repo.hpp"

#include <doctest/doctest.h>

#include "storage/repos/templates_repo.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::VoteRecord;
using storage::repos::WorkflowFilter;
using storage::repos::WorkflowRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace repos = storage::repos;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";

void seed(storage::Db& db) {
    testing::run_script(
        db,
        "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01T00:00:00.000Z'),"
        " ('o2', 'beta', '2026-01-01T00:00:00.000Z');"
        "INSERT INTO spaces (id, org_id, name, name_lower, description, created_at, updated_at, "
        "version, via_mcp) VALUES ('s1', 'o1', 'ops', 'ops', '', '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:00.000Z', 1, 0), ('s9', 'o2', 'ops', 'ops', '', "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1, 0);"
        "INSERT INTO workflow_templates (id, org_id, space_id, name, name_lower, version, status, "
        "allow_voting_on_deprecated, description, metadata, approval_rule, actions, created_at, "
        "updated_at, row_version) VALUES "
        "('t1', 'o1', 's1', 'deploy', 'deploy', 1, 'ACTIVE', 1, '', '{}', '{}', '[]', "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1), "
        "('t2', 'o1', 's1', 'other', 'other', 1, 'ACTIVE', 1, '', '{}', '{}', '[]', "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1), "
        "('t9', 'o2', 's9', 'deploy', 'deploy', 1, 'ACTIVE', 1, '', '{}', '{}', '[]', "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1);"
        "INSERT INTO approval_groups (id, org_id, name, name_lower, description, created_at, "
        "updated_at, version) VALUES ('g1', 'o1', 'a', 'a', '', '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:00.000Z', 1), ('g2', 'o1', 'b', 'b', '', '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:00.000Z', 1);"
        "INSERT INTO group_members (org_id, group_id, entity_type, entity_id, added_at) VALUES "
        "('o1', 'g1', 'human', 'u1', '2026-01-01T00:00:00.000Z'), "
        "('o1', 'g2', 'agent', 'a1', '2026-01-01T00:00:00.000Z')"
    );
}

WorkflowRecord workflow(
    std::string id, std::string org, std::string templ, std::string name, std::string created
) {
    WorkflowRecord w;
    w.id = std::move(id);
    w.org_id = std::move(org);
    w.template_id = templ;
    w.template_name_lower = templ == "t2" ? "other" : "deploy";
    w.space_id = w.org_id == "o1" ? "s1" : "s9";
    w.name = name;
    w.name_lower = name;
    w.metadata = "{}";
    w.status = "EVALUATION_IN_PROGRESS";
    w.expires_at = "2026-02-01T00:00:00.000Z";
    w.created_by_type = "human";
    w.created_by = "u1";
    w.created_at = created;
    w.updated_at = created;
    return w;
}

template <class F>
void in_tx(storage::Db& db, F&& body) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    body(**tx);
    REQUIRE((*tx)->commit().has_value());
}

std::vector<std::string> ids(std::vector<WorkflowRecord> const& rows) {
    std::vector<std::string> out;
    for (auto const& r : rows) {
        out.push_back(r.id);
    }
    return out;
}

}  // namespace

TEST_SUITE("storage/repos/workflows_repo") {
    TEST_CASE_TEMPLATE(
        "workflows insert, find, lock and finish only while in progress",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            auto w = workflow("w1", "o1", "t1", "ship", kNow);
            w.via_mcp = true;
            REQUIRE(repos::insert_workflow(tx, w).has_value());
            auto found = repos::find_workflow_by_id(tx, "o1", "w1").value();
            REQUIRE(found.has_value());
            CHECK(found->via_mcp);
            CHECK_FALSE(found->status_reason.has_value());
            CHECK_FALSE(repos::find_workflow_by_id(tx, "o2", "w1").value().has_value());
            CHECK(repos::find_workflow_by_name(tx, "o1", "ship").value()->id == "w1");
            CHECK(repos::lock_workflow(tx, "o1", "w1", "2026-01-02T00:00:00.000Z").value() == 1);
            CHECK(repos::find_workflow_by_id(tx, "o1", "w1").value()->row_version == 2);
            CHECK(
                repos::finish_workflow(tx, "o1", "w1", "REJECTED", std::string("no"), kNow)
                    .value() == 1
            );
            // Terminal: neither a second finish nor a lock changes the row.
            CHECK(
                repos::finish_workflow(tx, "o1", "w1", "APPROVED", std::nullopt, kNow).value() == 0
            );
            CHECK(repos::lock_workflow(tx, "o1", "w1", kNow).value() == 0);
            auto done = repos::find_workflow_by_id(tx, "o1", "w1").value();
            CHECK(done->status == "REJECTED");
            CHECK(done->status_reason == "no");
            CHECK(done->row_version == 3);
        });
        // One name per org, case-folded by the caller.
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        CHECK(repos::insert_workflow(**tx, workflow("w2", "o1", "t1", "ship", kNow)).has_error());
    }

    TEST_CASE_TEMPLATE(
        "listings filter, page newest first and apply visibility", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            REQUIRE(repos::insert_workflow(
                        tx, workflow("w1", "o1", "t1", "a", "2026-01-01T00:00:01.000Z")
            )
                        .has_value());
            REQUIRE(repos::insert_workflow(
                        tx, workflow("w2", "o1", "t2", "b", "2026-01-01T00:00:02.000Z")
            )
                        .has_value());
            auto mine = workflow("w3", "o1", "t1", "c", "2026-01-01T00:00:03.000Z");
            mine.created_by = "u2";
            REQUIRE(repos::insert_workflow(tx, mine).has_value());
            REQUIRE(repos::insert_workflow(
                        tx, workflow("w9", "o2", "t9", "a", "2026-01-01T00:00:04.000Z")
            )
                        .has_value());
            REQUIRE(
                repos::finish_workflow(tx, "o1", "w1", "APPROVED", std::nullopt, kNow).has_value()
            );

            WorkflowFilter all;
            all.visibility.all = true;
            CHECK(
                ids(repos::list_workflows(tx, "o1", all, 10, 0).value()) ==
                std::vector<std::string>{"w3", "w2", "w1"}
            );
            CHECK(
                ids(repos::list_workflows(tx, "o1", all, 1, 1).value()) ==
                std::vector<std::string>{"w2"}
            );
            CHECK(repos::count_workflows(tx, "o1", all).value() == 3);
            auto by_status = all;
            by_status.status = "APPROVED";
            CHECK(
                ids(repos::list_workflows(tx, "o1", by_status, 10, 0).value()) ==
                std::vector<std::string>{"w1"}
            );
            auto by_name = all;
            by_name.template_name_lower = "deploy";
            CHECK(repos::count_workflows(tx, "o1", by_name).value() == 2);
            auto by_id = all;
            by_id.template_id = "t2";
            CHECK(
                ids(repos::list_workflows(tx, "o1", by_id, 10, 0).value()) ==
                std::vector<std::string>{"w2"}
            );

            WorkflowFilter none;
            CHECK(repos::count_workflows(tx, "o1", none).value() == 0);
            WorkflowFilter names;
            names.visibility.template_names = {"other"};
            CHECK(
                ids(repos::list_workflows(tx, "o1", names, 10, 0).value()) ==
                std::vector<std::string>{"w2"}
            );
            WorkflowFilter spaces;
            spaces.visibility.space_ids = {"s1"};
            CHECK(repos::count_workflows(tx, "o1", spaces).value() == 3);
            WorkflowFilter starter;
            starter.visibility.creator_type = "human";
            starter.visibility.creator_id = "u2";
            CHECK(
                ids(repos::list_workflows(tx, "o1", starter, 10, 0).value()) ==
                std::vector<std::string>{"w3"}
            );
        });
    }

    TEST_CASE_TEMPLATE(
        "due workflows, in-flight ids, votes in cast order, memberships",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            auto soon = workflow("w1", "o1", "t1", "a", kNow);
            soon.expires_at = "2026-01-05T00:00:00.000Z";
            REQUIRE(repos::insert_workflow(tx, soon).has_value());
            REQUIRE(repos::insert_workflow(tx, workflow("w2", "o1", "t2", "b", kNow)).has_value());
            REQUIRE(repos::insert_workflow(tx, workflow("w9", "o2", "t9", "a", kNow)).has_value());
            auto const late = "2026-03-01T00:00:00.000Z";
            CHECK(repos::list_due_workflows(tx, std::nullopt, "2026-01-04T00:00:00.000Z", 10)
                      .value()
                      .empty());
            auto due = repos::list_due_workflows(tx, std::nullopt, late, 10).value();
            REQUIRE(due.size() == 3);
            CHECK(due[0].id == "w1");  // soonest expiry first
            CHECK(repos::list_due_workflows(tx, std::string("o2"), late, 10).value().size() == 1);
            CHECK(repos::list_due_workflows(tx, std::nullopt, late, 2).value().size() == 2);
            REQUIRE(
                repos::finish_workflow(tx, "o1", "w2", "CANCELED", std::nullopt, kNow).has_value()
            );
            CHECK(
                repos::list_in_flight_by_template(tx, "o1", "deploy").value() ==
                std::vector<std::string>{"w1"}
            );
            CHECK(repos::list_in_flight_by_template(tx, "o1", "other").value().empty());

            VoteRecord v{
                "v2",
                "o1",
                "w1",
                "human",
                "u1",
                "APPROVE",
                std::nullopt,
                R"(["g1"])",
                false,
                "2026-01-01T00:00:02.000Z",
                true};
            REQUIRE(repos::insert_vote(tx, v).has_value());
            VoteRecord first{
                "v1",
                "o1",
                "w1",
                "agent",
                "a1",
                "VETO",
                std::string("no"),
                "[]",
                false,
                "2026-01-01T00:00:01.000Z",
                false};
            REQUIRE(repos::insert_vote(tx, first).has_value());
            auto votes = repos::list_votes(tx, "o1", "w1").value();
            REQUIRE(votes.size() == 2);
            CHECK(votes[0].id == "v1");
            CHECK(votes[0].reason == "no");
            CHECK(votes[1].voted_for_groups == R"(["g1"])");
            CHECK(votes[1].via_mcp);
            CHECK(repos::list_votes(tx, "o2", "w1").value().empty());
        });
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            auto m = repos::list_memberships_of(tx, "o1", {"g1", "g2"}).value();
            CHECK(m.size() == 2);
            CHECK(repos::list_memberships_of(tx, "o1", {}).value().empty());
            CHECK(repos::list_memberships_of(tx, "o2", {"g1"}).value().empty());
        });
        // An unknown vote type violates the CHECK constraint.
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        VoteRecord bad{
            "v3", "o1", "w1", "human", "u1", "MAYBE", std::nullopt, "[]", false, kNow, false};
        CHECK(repos::insert_vote(**tx, bad).has_error());
    }
}
