// The role-binding and group repositories on both back ends: bindings insert
// once and delete by exact match, the role version moves only from the
// expected value, org admins list in promotion order, and group listings
// honour visibility and count members.
#include "storage/repos/roles_repo.hpp"

#include <doctest/doctest.h>

#include "storage/repos/groups_repo.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::GroupRecord;
using storage::repos::GroupVisibility;
using storage::repos::MemberRecord;
using storage::repos::RoleBindingRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";

void seed_org(storage::Db& db) {
    testing::run_script(
        db,
        "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01T00:00:00.000Z');"
        "INSERT INTO users (id, org_id, email, email_lower, display_name, org_role, created_at) "
        "VALUES ('u1', 'o1', 'a@x.io', 'a@x.io', 'a', 'super_admin', '2026-01-01T00:00:00.000Z'),"
        "('u2', 'o1', 'b@x.io', 'b@x.io', 'b', 'member', '2026-01-01T00:00:01.000Z')"
    );
}

template <class F>
auto in_tx(storage::Db& db, F&& body) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    auto r = body(**tx);
    REQUIRE((*tx)->commit().has_value());
    return r;
}

}  // namespace

TEST_SUITE("storage/repos/roles_repo") {
    TEST_CASE_TEMPLATE(
        "bindings insert once, delete by exact match, versions move from the expected value",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        seed_org(db);
        RoleBindingRecord b{"o1", "human", "u2", "GroupReadOnly", "group", "g1", kNow, true};
        in_tx(db, [&](storage::Tx& tx) {
            CHECK(storage::repos::insert_binding(tx, b).value() == 1);
            CHECK(storage::repos::insert_binding(tx, b).value() == 0);
            auto org = b;
            org.scope_type = "org";
            org.scope_id = "";
            CHECK(storage::repos::insert_binding(tx, org).value() == 1);
            auto listed = storage::repos::list_bindings(tx, "o1", "human", "u2").value();
            REQUIRE(listed.size() == 2);
            CHECK(listed[0].scope_type == "group");
            CHECK(listed[0].via_mcp);
            auto other = b;
            other.scope_id = "g2";
            CHECK(storage::repos::delete_binding(tx, other).value() == 0);
            CHECK(storage::repos::delete_binding(tx, b).value() == 1);
            CHECK(storage::repos::list_bindings(tx, "o1", "human", "u2").value().size() == 1);

            CHECK(storage::repos::role_version(tx, "o1", "human", "u2").value() == 1);
            CHECK(storage::repos::bump_role_version(tx, "o1", "human", "u2", 1, kNow).value() == 1);
            CHECK(storage::repos::bump_role_version(tx, "o1", "human", "u2", 1, kNow).value() == 0);
            CHECK(storage::repos::role_version(tx, "o1", "human", "u2").value() == 2);
            CHECK(storage::repos::bump_role_version(tx, "o1", "human", "u2", 3, kNow).value() == 0);
            CHECK(storage::repos::bump_role_version(tx, "o1", "human", "u2", 2, kNow).value() == 1);
            CHECK(storage::repos::role_version(tx, "o1", "human", "u2").value() == 3);
            return 0;
        });
    }

    TEST_CASE_TEMPLATE(
        "org admins list in promotion order and roles change", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        seed_org(db);
        in_tx(db, [&](storage::Tx& tx) {
            REQUIRE(storage::repos::lock_org(tx, "o1").has_value());
            CHECK(storage::repos::count_org_admins(tx, "o1").value() == 1);
            CHECK(
                storage::repos::set_org_role(
                    tx, "o1", "u2", "admin", std::string{"2026-02-01T00:00:00.000Z"}
                )
                    .value() == 1
            );
            CHECK(
                storage::repos::set_org_role(tx, "o9", "u2", "member", std::nullopt).value() == 0
            );
            auto admins = storage::repos::list_org_admins(tx, "o1", 10, 0).value();
            REQUIRE(admins.size() == 2);
            CHECK(admins[0].user_id == "u1");
            CHECK(admins[0].since == kNow);  // never promoted: its created_at
            CHECK(admins[1].since == "2026-02-01T00:00:00.000Z");
            CHECK(storage::repos::list_org_admins(tx, "o1", 1, 1).value().at(0).user_id == "u2");
            return 0;
        });
    }
}

TEST_SUITE("storage/repos/groups_repo") {
    TEST_CASE_TEMPLATE(
        "groups list by visibility with member counts; members page by addedAt",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        seed_org(db);
        in_tx(db, [&](storage::Tx& tx) {
            for (auto const* name : {"beta", "alpha", "gamma"}) {
                GroupRecord g{std::string("g-") + name, "o1", name, name, "", kNow, kNow, 1, false};
                REQUIRE(storage::repos::insert_group(tx, g).has_value());
            }
            MemberRecord m{"o1", "g-beta", "human", "u2", kNow, true};
            CHECK(storage::repos::insert_member(tx, m).value() == 1);
            CHECK(storage::repos::insert_member(tx, m).value() == 0);
            m.entity_id = "u1";
            m.added_at = "2026-01-01T00:00:05.000Z";
            CHECK(storage::repos::insert_member(tx, m).value() == 1);
            RoleBindingRecord b{
                "o1", "human", "u2", "GroupReadOnly", "group", "g-gamma", kNow, false};
            CHECK(storage::repos::insert_binding(tx, b).value() == 1);

            GroupVisibility all{true, "human", "u1"};
            auto every = storage::repos::list_groups(tx, "o1", all, 10, 0).value();
            REQUIRE(every.size() == 3);
            CHECK(every[0].group.name == "alpha");
            CHECK(every[1].entities_count == 2);
            CHECK(storage::repos::count_groups(tx, "o1", all).value() == 3);
            GroupVisibility mine{false, "human", "u2"};
            auto visible = storage::repos::list_groups(tx, "o1", mine, 10, 0).value();
            REQUIRE(visible.size() == 2);
            CHECK(visible[0].group.id == "g-beta");
            CHECK(visible[1].group.id == "g-gamma");
            CHECK(storage::repos::count_groups(tx, "o1", mine).value() == 2);
            CHECK(storage::repos::count_groups(tx, "o2", all).value() == 0);

            CHECK(storage::repos::find_group_by_name(tx, "o1", "beta").value()->id == "g-beta");
            CHECK_FALSE(storage::repos::find_group_by_name(tx, "o1", "delta").value().has_value());
            auto members = storage::repos::list_members(tx, "o1", "g-beta", 1, 1).value();
            REQUIRE(members.size() == 1);
            CHECK(members[0].entity_id == "u1");
            CHECK(storage::repos::count_members(tx, "o1", "g-beta").value() == 2);
            CHECK(storage::repos::delete_member(tx, "o1", "g-beta", "human", "u2").value() == 1);
            CHECK(storage::repos::delete_member(tx, "o1", "g-beta", "human", "u2").value() == 0);
            REQUIRE(storage::repos::touch_group(tx, "o1", "g-beta", "2026-03-01T00:00:00.000Z")
                        .has_value());
            auto s = storage::repos::find_group_summary(tx, "o1", "g-beta").value();
            REQUIRE(s.has_value());
            CHECK(s->group.version == 2);
            CHECK(s->group.updated_at == "2026-03-01T00:00:00.000Z");
            CHECK(s->entities_count == 1);
            return 0;
        });
    }
}
