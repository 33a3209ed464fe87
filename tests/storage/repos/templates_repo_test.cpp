// The space and workflow-template repositories on both back ends: spaces
// list by visibility; template versions (latest = ACTIVE else highest, max
// version, live count), the one-ACTIVE-per-name and (name, version)
// constraints, conditional status changes, disabling votes on old versions,
// and filtered listings with visibility by space ids and names.
#include "storage/repos/templates_repo.hpp"

#include <doctest/doctest.h>

#include "storage/repos/roles_repo.hpp"
#include "storage/repos/spaces_repo.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::SpaceRecord;
using storage::repos::SpaceVisibility;
using storage::repos::TemplateFilter;
using storage::repos::TemplateRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";

void seed(storage::Db& db) {
    testing::run_script(
        db,
        "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01T00:00:00.000Z');"
        "INSERT INTO spaces (id, org_id, name, name_lower, description, created_at, updated_at, "
        "version, via_mcp) VALUES ('s1', 'o1', 'Ops', 'ops', '', '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:00.000Z', 1, 0), ('s2', 'o1', 'lab', 'lab', '', "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1, 1)"
    );
}

TemplateRecord version(std::string id, std::string space, std::string name, std::int64_t v) {
    TemplateRecord t;
    t.id = std::move(id);
    t.org_id = "o1";
    t.space_id = std::move(space);
    t.name = name;
    t.name_lower = name;
    t.version = v;
    t.status = "ACTIVE";
    t.metadata = "{}";
    t.approval_rule = "{}";
    t.actions = "[]";
    t.created_at = kNow;
    t.updated_at = kNow;
    return t;
}

template <class F>
void in_tx(storage::Db& db, F&& body) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    body(**tx);
    REQUIRE((*tx)->commit().has_value());
}

std::vector<std::string> ids(std::vector<TemplateRecord> const& rows) {
    std::vector<std::string> out;
    for (auto const& r : rows) {
        out.push_back(r.id);
    }
    return out;
}

}  // namespace

TEST_SUITE("storage/repos/templates_repo") {
    TEST_CASE_TEMPLATE(
        "spaces find by id and name and list by visibility", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            SpaceRecord sp{"s3", "o1", "Alpha", "alpha", "d", kNow, kNow, 1, true};
            REQUIRE(storage::repos::insert_space(tx, sp).has_value());
            CHECK(storage::repos::find_space_by_id(tx, "o1", "s3").value()->via_mcp);
            CHECK_FALSE(storage::repos::find_space_by_id(tx, "o2", "s3").value().has_value());
            CHECK(storage::repos::find_space_by_name(tx, "o1", "ops").value()->id == "s1");
            SpaceVisibility all{true, "human", "u1"};
            auto listed = storage::repos::list_spaces(tx, "o1", all, 2, 0).value();
            REQUIRE(listed.size() == 2);
            CHECK(listed[0].name == "Alpha");
            CHECK(listed[1].name == "lab");
            CHECK(storage::repos::count_spaces(tx, "o1", all).value() == 3);
            SpaceVisibility mine{false, "human", "u1"};
            CHECK(storage::repos::count_spaces(tx, "o1", mine).value() == 0);
            storage::repos::RoleBindingRecord b{
                "o1", "human", "u1", "SpaceReadOnly", "space", "s2", kNow, false};
            REQUIRE(storage::repos::insert_binding(tx, b).has_value());
            auto visible = storage::repos::list_spaces(tx, "o1", mine, 10, 0).value();
            REQUIRE(visible.size() == 1);
            CHECK(visible[0].id == "s2");
        });
    }

    TEST_CASE_TEMPLATE(
        "template versions: latest, max, live count, one ACTIVE per name",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            auto v1 = version("t1", "s1", "deploy", 1);
            v1.default_expires_in_hours = 48;
            REQUIRE(storage::repos::insert_template(tx, v1).has_value());
            auto found = storage::repos::find_template_by_id(tx, "o1", "t1").value();
            REQUIRE(found.has_value());
            CHECK(found->default_expires_in_hours == 48);
            CHECK(found->allow_voting_on_deprecated);
            CHECK(storage::repos::max_template_version(tx, "o1", "deploy").value() == 1);
            CHECK(storage::repos::max_template_version(tx, "o1", "none").value() == 0);
            // The stale expected version changes nothing.
            CHECK(
                storage::repos::set_template_status(
                    tx, "o1", "t1", "PENDING_DEPRECATION", true, 2, kNow
                )
                    .value() == 0
            );
            CHECK(
                storage::repos::set_template_status(
                    tx, "o1", "t1", "PENDING_DEPRECATION", true, 1, kNow
                )
                    .value() == 1
            );
            auto v2 = version("t2", "s1", "deploy", 2);
            REQUIRE(storage::repos::insert_template(tx, v2).has_value());
            auto latest = storage::repos::find_latest_template(tx, "o1", "deploy").value();
            REQUIRE(latest.has_value());
            CHECK(latest->id == "t2");
            CHECK_FALSE(latest->default_expires_in_hours.has_value());
            CHECK(storage::repos::max_template_version(tx, "o1", "deploy").value() == 2);
            CHECK(
                storage::repos::disable_voting_on_old_versions(tx, "o1", "deploy", kNow).value() ==
                1
            );
            CHECK(
                storage::repos::disable_voting_on_old_versions(tx, "o1", "deploy", kNow).value() ==
                0
            );
            auto old = storage::repos::find_template_by_id(tx, "o1", "t1").value();
            CHECK_FALSE(old->allow_voting_on_deprecated);
            CHECK(old->row_version == 3);
            CHECK(
                storage::repos::set_template_status(tx, "o1", "t2", "DEPRECATED", true, 1, kNow)
                    .value() == 1
            );
            // No ACTIVE version left: the highest one is the latest.
            CHECK(storage::repos::find_latest_template(tx, "o1", "deploy").value()->id == "t2");
            // Deprecation keeps the lineage's versions: its name stays taken.
            CHECK(storage::repos::max_template_version(tx, "o1", "deploy").value() == 2);
        });
        // A new ACTIVE version is fine; a second ACTIVE one, or a repeated
        // (name, version), is refused by the schema itself.
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            REQUIRE(
                storage::repos::insert_template(tx, version("t3", "s2", "deploy", 3)).has_value()
            );
        });
        auto refused = [&](TemplateRecord const& t) {
            auto tx = tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto r = storage::repos::insert_template(**tx, t);
            REQUIRE(r.has_error());
            CHECK(r.error().kind == storage::DbErrorKind::kConstraint);
        };
        refused(version("t5", "s1", "deploy", 4));
        auto same_number = version("t6", "s1", "deploy", 2);
        same_number.status = "DEPRECATED";
        refused(same_number);
    }

    TEST_CASE_TEMPLATE(
        "template listings filter by space, status and visibility",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        seed(*tdb.db);
        in_tx(*tdb.db, [&](storage::Tx& tx) {
            REQUIRE(storage::repos::insert_template(tx, version("a", "s1", "alpha", 1)).has_value()
            );
            REQUIRE(storage::repos::insert_template(tx, version("b", "s1", "bravo", 1)).has_value()
            );
            REQUIRE(
                storage::repos::insert_template(tx, version("c", "s2", "charlie", 1)).has_value()
            );
            auto retired = version("a0", "s1", "alpha", 0);
            retired.status = "DEPRECATED";
            REQUIRE(storage::repos::insert_template(tx, retired).has_value());

            TemplateFilter all;
            all.visibility.all = true;
            CHECK(
                ids(storage::repos::list_templates(tx, "o1", all, 10, 0).value()) ==
                std::vector<std::string>{"a", "a0", "b", "c"}
            );
            CHECK(storage::repos::count_templates(tx, "o1", all).value() == 4);
            auto active = all;
            active.status = "ACTIVE";
            active.space_id = "s1";
            CHECK(
                ids(storage::repos::list_templates(tx, "o1", active, 10, 0).value()) ==
                std::vector<std::string>{"a", "b"}
            );
            CHECK(
                ids(storage::repos::list_templates(tx, "o1", active, 1, 1).value()) ==
                std::vector<std::string>{"b"}
            );

            TemplateFilter none;
            CHECK(storage::repos::count_templates(tx, "o1", none).value() == 0);
            TemplateFilter some;
            some.visibility.space_ids = {"s2"};
            some.visibility.names = {"bravo", "nothing"};
            some.status = "ACTIVE";
            CHECK(
                ids(storage::repos::list_templates(tx, "o1", some, 10, 0).value()) ==
                std::vector<std::string>{"b", "c"}
            );
            CHECK(storage::repos::count_templates(tx, "o1", some).value() == 2);
            CHECK(storage::repos::count_templates(tx, "o2", all).value() == 0);
        });
    }
}
