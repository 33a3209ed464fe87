// The Db/Tx contract, run against both back ends (SQLite file and a fresh
// PostgreSQL schema): value round-trips, RETURNING, upserts, constraint mapping,
// rollback, visibility, and the read-only and aborted-transaction rules.
#include <cstdint>
#include <limits>
#include <string>

#include <doctest/doctest.h>

#include "storage/db.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff::storage;
using signoff::testing::exec_committed;
using signoff::testing::open_test_db;
using signoff::testing::PostgresBackend;
using signoff::testing::read_rows;
using signoff::testing::run_script;
using signoff::testing::SqliteBackend;

namespace {

constexpr std::string_view kCreateValues =
    "CREATE TABLE st_values (id TEXT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, s TEXT)";
constexpr std::string_view kInsertValues =
    "INSERT INTO st_values (id, i, r, s) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kCountValues = "SELECT COUNT(*) FROM st_values";

std::int64_t count_values(Db& db) {
    return read_rows(db, kCountValues).at(0).integer(0);
}

}  // namespace

TEST_SUITE("storage/db") {
    TEST_CASE_TEMPLATE(
        "every value type round-trips through a table", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        std::string const unicode = "héllo wörld — 日本語 🎉 'quoted' $1";
        constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
        constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
        exec_committed(*t.db, kInsertValues, {std::string("a"), kMax, 0.1, unicode});
        exec_committed(*t.db, kInsertValues, {std::string("b"), kMin, -1.5e300, std::string()});
        exec_committed(*t.db, kInsertValues, {std::string("c"), Null{}, Null{}, Null{}});

        auto rows = read_rows(*t.db, "SELECT id, i, r, s FROM st_values ORDER BY id");
        REQUIRE(rows.size() == 3);
        CHECK(rows[0].at(1) == Value{kMax});
        CHECK(rows[0].at(2) == Value{0.1});
        CHECK(rows[0].at(3) == Value{unicode});
        CHECK(rows[1].at(1) == Value{kMin});
        CHECK(rows[1].at(2) == Value{-1.5e300});
        CHECK(rows[1].at(3) == Value{std::string()});  // empty text is not NULL
        for (std::size_t c = 1; c < 4; ++c) {
            CHECK(rows[2].is_null(c));
        }
    }

    TEST_CASE_TEMPLATE(
        "parameters filter by their typed value", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        exec_committed(
            *t.db, kInsertValues, {std::string("a"), std::int64_t{5}, 2.5, std::string("x")}
        );
        exec_committed(
            *t.db, kInsertValues, {std::string("b"), std::int64_t{6}, 3.5, std::string("y")}
        );
        auto rows = read_rows(
            *t.db,
            "SELECT id FROM st_values WHERE i >= $1 AND r < $2 AND s <> $3 ORDER BY id",
            {std::int64_t{5}, 3.0, std::string("y")}
        );
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].text(0) == "a");
        SUBCASE("an optional filter: a placeholder may repeat, typed by a CAST where bare") {
            // PostgreSQL cannot type a bare `$1 IS NULL`; the CAST is portable.
            auto both = read_rows(
                *t.db,
                "SELECT COUNT(*) FROM st_values WHERE (CAST($1 AS TEXT) IS NULL OR s = $1) AND i > "
                "$2",
                {Null{}, std::int64_t{0}}
            );
            CHECK(both.at(0).integer(0) == 2);
            auto one = read_rows(
                *t.db,
                "SELECT COUNT(*) FROM st_values WHERE (CAST($1 AS TEXT) IS NULL OR s = $1) AND i > "
                "$2",
                {std::string("y"), std::int64_t{0}}
            );
            CHECK(one.at(0).integer(0) == 1);
        }
    }

    TEST_CASE_TEMPLATE(
        "RETURNING hands back the written row and exec counts changed rows",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        auto tx = t.db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto rows = (*tx)->query(
            "INSERT INTO st_values (id, i) VALUES ($1, $2) RETURNING id, i, s",
            {std::string("k"), std::int64_t{41}}
        );
        REQUIRE(rows.has_value());
        REQUIRE(rows->size() == 1);
        CHECK(rows->at(0).text(0) == "k");
        CHECK(rows->at(0).integer(1) == 41);
        CHECK(rows->at(0).is_null(2));
        REQUIRE((*tx)->exec(
                         kInsertValues, {std::string("m"), std::int64_t{1}, Null{}, Null{}}
        ).has_value());

        auto changed = (*tx)->exec("UPDATE st_values SET i = i + 1", {});
        REQUIRE(changed.has_value());
        CHECK(*changed == 2);
        auto none = (*tx)->exec("UPDATE st_values SET i = 0 WHERE id = $1", {std::string("zz")});
        REQUIRE(none.has_value());
        CHECK(*none == 0);
        auto read = (*tx)->exec("SELECT id FROM st_values", {});
        REQUIRE(read.has_value());
        CHECK(*read == 0);  // a SELECT changes nothing on either back end
        auto deleted = (*tx)->exec("DELETE FROM st_values WHERE id = $1", {std::string("m")});
        REQUIRE(deleted.has_value());
        CHECK(*deleted == 1);
        REQUIRE((*tx)->commit().has_value());
        CHECK(count_values(*t.db) == 1);
    }

    TEST_CASE_TEMPLATE(
        "ON CONFLICT upserts update the existing row or do nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        constexpr std::string_view kUpsert =
            "INSERT INTO st_values (id, i) VALUES ($1, $2) "
            "ON CONFLICT (id) DO UPDATE SET i = st_values.i + excluded.i RETURNING i";
        auto tx = t.db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto first = (*tx)->query(kUpsert, {std::string("u"), std::int64_t{5}});
        REQUIRE(first.has_value());
        CHECK(first->at(0).integer(0) == 5);
        auto second = (*tx)->query(kUpsert, {std::string("u"), std::int64_t{7}});
        REQUIRE(second.has_value());
        CHECK(second->at(0).integer(0) == 12);
        auto skipped = (*tx)->exec(
            "INSERT INTO st_values (id, i) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            {std::string("u"), std::int64_t{100}}
        );
        REQUIRE(skipped.has_value());
        CHECK(*skipped == 0);
        REQUIRE((*tx)->commit().has_value());
        CHECK(
            read_rows(*t.db, "SELECT i FROM st_values WHERE id = $1", {std::string("u")})
                .at(0)
                .integer(0) == 12
        );
    }

    TEST_CASE_TEMPLATE(
        "constraint violations map to kConstraint and name the constraint",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(
            *t.db,
            "CREATE TABLE st_parent (id TEXT PRIMARY KEY);"
            "CREATE TABLE st_child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES "
            "st_parent(id),"
            " n BIGINT NOT NULL, CONSTRAINT st_positive CHECK (n > 0));"
            "INSERT INTO st_parent (id) VALUES ('p');"
            "INSERT INTO st_child (id, parent_id, n) VALUES ('c', 'p', 1);"
        );
        constexpr std::string_view kInsertChild =
            "INSERT INTO st_child (id, parent_id, n) VALUES ($1, $2, $3)";
        auto attempt = [&](Params const& params) {
            auto tx = t.db->begin(TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto n = (*tx)->exec(kInsertChild, params);
            REQUIRE_FALSE(n.has_value());
            return n.error();
        };
        SUBCASE("duplicate primary key") {
            auto e = attempt({std::string("c"), std::string("p"), std::int64_t{2}});
            CHECK(e.kind == DbErrorKind::kConstraint);
            CHECK(e.constraint.find("st_child") != std::string::npos);
        }
        SUBCASE("missing foreign key target (foreign keys are enforced on SQLite too)") {
            auto e = attempt({std::string("d"), std::string("nope"), std::int64_t{2}});
            CHECK(e.kind == DbErrorKind::kConstraint);
        }
        SUBCASE("NOT NULL") {
            auto e = attempt({std::string("d"), Null{}, std::int64_t{2}});
            CHECK(e.kind == DbErrorKind::kConstraint);
        }
        SUBCASE("a named CHECK constraint is reported by name on both back ends") {
            auto e = attempt({std::string("d"), std::string("p"), std::int64_t{0}});
            CHECK(e.kind == DbErrorKind::kConstraint);
            CHECK(e.constraint == "st_positive");
        }
        CHECK(read_rows(*t.db, "SELECT COUNT(*) FROM st_child").at(0).integer(0) == 1);
    }

    TEST_CASE_TEMPLATE(
        "a transaction dropped without commit rolls back", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        {
            auto tx = t.db->begin(TxMode::kWrite);
            REQUIRE(tx.has_value());
            REQUIRE((*tx)->exec(
                             kInsertValues, {std::string("gone"), Null{}, Null{}, Null{}}
            ).has_value());
        }
        CHECK(count_values(*t.db) == 0);
        SUBCASE("and the connection is reusable for the next writer") {
            exec_committed(*t.db, kInsertValues, {std::string("kept"), Null{}, Null{}, Null{}});
            CHECK(count_values(*t.db) == 1);
        }
    }

    TEST_CASE_TEMPLATE(
        "committed writes are visible to later readers, uncommitted ones are not",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        auto writer = t.db->begin(TxMode::kWrite);
        REQUIRE(writer.has_value());
        REQUIRE(
            (*writer)->exec(kInsertValues, {std::string("w"), Null{}, Null{}, Null{}}).has_value()
        );
        CHECK(count_values(*t.db) == 0);  // a reader beside the open writer sees the old state
        REQUIRE((*writer)->commit().has_value());
        CHECK(count_values(*t.db) == 1);
    }

    TEST_CASE_TEMPLATE(
        "after a failed statement the transaction refuses further work",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        exec_committed(*t.db, kInsertValues, {std::string("a"), Null{}, Null{}, Null{}});
        {
            auto tx = t.db->begin(TxMode::kWrite);
            REQUIRE(tx.has_value());
            REQUIRE(
                (*tx)->exec(kInsertValues, {std::string("b"), Null{}, Null{}, Null{}}).has_value()
            );
            auto dup = (*tx)->exec(kInsertValues, {std::string("a"), Null{}, Null{}, Null{}});
            REQUIRE_FALSE(dup.has_value());
            CHECK(dup.error().kind == DbErrorKind::kConstraint);
            auto later = (*tx)->query(kCountValues, {});
            REQUIRE_FALSE(later.has_value());
            CHECK(later.error().kind == DbErrorKind::kConstraint);
            CHECK_FALSE((*tx)->commit().has_value());
        }
        CHECK(count_values(*t.db) == 1);  // "b" went with the failed transaction
    }

    TEST_CASE_TEMPLATE(
        "a committed transaction cannot be used again", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        auto tx = t.db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        REQUIRE((*tx)->commit().has_value());
        CHECK_FALSE((*tx)->query("SELECT 1", {}).has_value());
        CHECK_FALSE((*tx)->commit().has_value());
    }

    TEST_CASE_TEMPLATE("a read transaction may not write", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        auto tx = t.db->begin(TxMode::kRead);
        REQUIRE(tx.has_value());
        auto n = (*tx)->exec(kInsertValues, {std::string("r"), Null{}, Null{}, Null{}});
        REQUIRE_FALSE(n.has_value());
        CHECK(n.error().kind == DbErrorKind::kOther);
    }

    TEST_CASE_TEMPLATE(
        "malformed SQL fails as kOther instead of crashing", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        auto tx = t.db->begin(TxMode::kRead);
        REQUIRE(tx.has_value());
        auto rows = (*tx)->query("SELEKT nonsense FROM", {});
        REQUIRE_FALSE(rows.has_value());
        CHECK(rows.error().kind == DbErrorKind::kOther);
        CHECK_FALSE(rows.error().message.empty());
    }

    TEST_CASE_TEMPLATE(
        "exec_script runs several statements in one transaction", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, kCreateValues);
        {
            auto tx = t.db->begin(TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto st = (*tx)->exec_script(
                "INSERT INTO st_values (id) VALUES ('x'); INSERT INTO st_values (id) VALUES ('y');"
            );
            REQUIRE(st.has_value());
        }  // dropped: both inserts roll back together
        CHECK(count_values(*t.db) == 0);
        run_script(*t.db, "-- a script of comments only does nothing\n");
        run_script(
            *t.db,
            "INSERT INTO st_values (id) VALUES ('x'); INSERT INTO st_values (id) VALUES ('y')"
        );
        CHECK(count_values(*t.db) == 2);
    }
}
