// SQLite-only behaviour of storage/sqlite/sqlite_db.cpp: connection settings
// (WAL, synchronous, foreign keys), the shared in-memory connection, the
// statement cache, and refusals of misused statements.
#include "storage/sqlite/sqlite_db.hpp"

#include <string>

#include <doctest/doctest.h>

#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff::storage;
using signoff::testing::exec_committed;
using signoff::testing::read_rows;
using signoff::testing::run_script;
using signoff::testing::temp_dir;

namespace {

std::unique_ptr<Db> open_file_db() {
    auto db = sqlite::open_sqlite(temp_dir("sqlite-unit") + "/unit.db");
    REQUIRE_MESSAGE(db.has_value(), db.error().message);
    return std::move(*db);
}

Value pragma(Db& db, TxMode mode, std::string const& name) {
    auto tx = db.begin(mode);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("PRAGMA " + name, {});
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    REQUIRE(rows->size() == 1);
    return rows->at(0).at(0);
}

}  // namespace

TEST_SUITE("storage/sqlite/sqlite_db") {
    TEST_CASE("file databases run in WAL mode with NORMAL sync, foreign keys on, rare checkpoints"
    ) {
        auto db = open_file_db();
        CHECK(pragma(*db, TxMode::kWrite, "journal_mode") == Value{std::string("wal")});
        CHECK(pragma(*db, TxMode::kWrite, "synchronous") == Value{std::int64_t{1}});
        CHECK(pragma(*db, TxMode::kWrite, "foreign_keys") == Value{std::int64_t{1}});
        CHECK(pragma(*db, TxMode::kWrite, "busy_timeout") == Value{std::int64_t{5000}});
        // Checkpoints every ~40 MiB of WAL, not SQLite's 4 MiB (docs/PERFORMANCE.md).
        CHECK(pragma(*db, TxMode::kWrite, "wal_autocheckpoint") == Value{std::int64_t{10000}});
        SUBCASE("reader connections enforce foreign keys and are query-only") {
            CHECK(pragma(*db, TxMode::kRead, "foreign_keys") == Value{std::int64_t{1}});
            CHECK(pragma(*db, TxMode::kRead, "query_only") == Value{std::int64_t{1}});
        }
    }

    TEST_CASE("an in-memory database shares one connection between readers and writers") {
        auto db = open_db("sqlite::memory:");
        REQUIRE(db.has_value());
        run_script(**db, "CREATE TABLE m (id TEXT PRIMARY KEY)");
        exec_committed(**db, "INSERT INTO m (id) VALUES ($1)", {std::string("x")});
        CHECK(read_rows(**db, "SELECT COUNT(*) FROM m").at(0).integer(0) == 1);
    }

    TEST_CASE("a wrong number of parameters is refused instead of binding NULLs") {
        auto db = open_file_db();
        auto tx = db->begin(TxMode::kRead);
        REQUIRE(tx.has_value());
        SUBCASE("too few") {
            auto rows = (*tx)->query("SELECT $1, $2", {std::int64_t{1}});
            REQUIRE_FALSE(rows.has_value());
            CHECK(rows.error().kind == DbErrorKind::kOther);
        }
        SUBCASE("too many") {
            auto rows = (*tx)->query("SELECT $1", {std::int64_t{1}, std::int64_t{2}});
            REQUIRE_FALSE(rows.has_value());
        }
    }

    TEST_CASE("$10 binds the tenth parameter, not the first") {
        auto db = open_file_db();
        Params params;
        for (std::int64_t i = 1; i <= 10; ++i) {
            params.emplace_back(i * 100);
        }
        auto rows = read_rows(*db, "SELECT $10, $1, '$1'", params);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].at(0) == Value{std::int64_t{1000}});
        CHECK(rows[0].at(1) == Value{std::int64_t{100}});
        CHECK(rows[0].at(2) == Value{std::string("$1")});
    }

    TEST_CASE("query and exec take exactly one statement") {
        auto db = open_file_db();
        auto tx = db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        SUBCASE("two statements") {
            auto n = (*tx)->exec("CREATE TABLE a (x TEXT); CREATE TABLE b (x TEXT)", {});
            REQUIRE_FALSE(n.has_value());
            CHECK(n.error().message.find("exec_script") != std::string::npos);
        }
        SUBCASE("no statement") {
            CHECK_FALSE((*tx)->query("  -- nothing here", {}).has_value());
        }
        SUBCASE("a trailing semicolon is fine") {
            CHECK((*tx)->query("SELECT 1;", {}).has_value());
        }
    }

    TEST_CASE("cached statements follow schema changes") {
        auto db = open_file_db();
        run_script(*db, "CREATE TABLE s (a TEXT)");
        exec_committed(*db, "INSERT INTO s (a) VALUES ($1)", {std::string("x")});
        CHECK(read_rows(*db, "SELECT * FROM s").at(0).size() == 1);
        run_script(*db, "ALTER TABLE s ADD COLUMN b TEXT DEFAULT 'y'");
        auto rows = read_rows(*db, "SELECT * FROM s");
        REQUIRE(rows.at(0).size() == 2);
        CHECK(rows[0].text(1) == "y");
    }

    TEST_CASE("a second Db on the same file sees committed data") {
        std::string path = temp_dir("sqlite-unit") + "/shared.db";
        auto a = sqlite::open_sqlite(path);
        auto b = sqlite::open_sqlite(path);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        run_script(**a, "CREATE TABLE shared (id TEXT PRIMARY KEY)");
        exec_committed(**a, "INSERT INTO shared (id) VALUES ($1)", {std::string("one")});
        CHECK(read_rows(**b, "SELECT id FROM shared").at(0).text(0) == "one");
    }
}
