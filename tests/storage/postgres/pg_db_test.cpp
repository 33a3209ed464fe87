// PostgreSQL-only behaviour of storage/postgres/pg_db.cpp: result typing by
// column type, replacement of broken pooled connections, the key=value DSN form.
// Skipped, with a printed reason, when SIGNOFF_TEST_PG_DSN is unset.
#include "storage/postgres/pg_db.hpp"

#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff::storage;
using signoff::testing::Backend;
using signoff::testing::open_test_db;
using signoff::testing::pg_available;
using signoff::testing::read_rows;

#define SIGNOFF_REQUIRE_PG()                                                          \
    do {                                                                              \
        if (!pg_available()) {                                                        \
            MESSAGE("skipped: SIGNOFF_TEST_PG_DSN is not set (run scripts/test.sh)"); \
            return;                                                                   \
        }                                                                             \
    } while (0)

namespace {

std::int64_t backend_pid(Tx& tx) {
    auto rows = tx.query("SELECT pg_backend_pid()", {});
    REQUIRE(rows.has_value());
    return rows->at(0).integer(0);
}

void terminate_backend(Db& db, std::int64_t pid) {
    auto tx = db.begin(TxMode::kWrite);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("SELECT pg_terminate_backend($1)", {pid});
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    CHECK(rows->at(0).integer(0) == 1);
    REQUIRE((*tx)->commit().has_value());
}

}  // namespace

TEST_SUITE("storage/postgres/pg_db") {
    TEST_CASE("results are typed by column type: integers, floats and booleans as numbers") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        auto rows = read_rows(
            *t.db,
            "SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.25::float8, true, false, "
            "12.50::numeric, 'Infinity'::float8, NULL::int8, 'x'::text"
        );
        REQUIRE(rows.size() == 1);
        Row const& r = rows[0];
        CHECK(r.at(0) == Value{std::int64_t{1}});
        CHECK(r.at(1) == Value{std::int64_t{2}});
        CHECK(r.at(2) == Value{std::int64_t{3}});
        CHECK(r.at(3) == Value{1.5});
        CHECK(r.at(4) == Value{2.25});
        CHECK(r.at(5) == Value{std::int64_t{1}});
        CHECK(r.at(6) == Value{std::int64_t{0}});
        CHECK(r.at(7) == Value{std::string("12.50")});  // numeric may exceed int64/double
        CHECK(std::get<double>(r.at(8)) > 1e308);
        CHECK(r.is_null(9));
        CHECK(r.at(10) == Value{std::string("x")});
    }

    TEST_CASE("integer parameters fill boolean columns and int4 function arguments") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        signoff::testing::run_script(
            *t.db, "CREATE TABLE st_flags (id TEXT PRIMARY KEY, on_off BOOLEAN NOT NULL)"
        );
        signoff::testing::exec_committed(
            *t.db,
            "INSERT INTO st_flags (id, on_off) VALUES ($1, $2)",
            {std::string("f"), std::int64_t{1}}
        );
        auto rows = read_rows(
            *t.db,
            "SELECT on_off, substr('abcdef', $1, $2) FROM st_flags",
            {std::int64_t{2}, std::int64_t{3}}
        );
        CHECK(rows.at(0).boolean(0));
        CHECK(rows.at(0).text(1) == "bcd");
    }

    TEST_CASE("a connection killed mid-transaction reports kConnection and is replaced") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        {
            auto victim = t.db->begin(TxMode::kWrite);
            REQUIRE(victim.has_value());
            std::int64_t pid = backend_pid(**victim);
            terminate_backend(*t.db, pid);
            auto rows = (*victim)->query("SELECT 1", {});
            REQUIRE_FALSE(rows.has_value());
            CHECK(rows.error().kind == DbErrorKind::kConnection);
        }
        for (int i = 0; i < 3; ++i) {
            CHECK(read_rows(*t.db, "SELECT 1").at(0).integer(0) == 1);
        }
    }

    TEST_CASE("idle pooled connections killed by the server are skipped by begin()") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        std::vector<std::unique_ptr<Tx>> held;
        std::vector<std::int64_t> pids;
        for (int i = 0; i < 3; ++i) {  // make three distinct pooled connections
            auto tx = t.db->begin(TxMode::kRead);
            REQUIRE(tx.has_value());
            pids.push_back(backend_pid(**tx));
            held.push_back(std::move(*tx));
        }
        held.clear();  // all three go back to the pool, idle
        auto killer = open_test_db(Backend::kPostgres);
        for (auto pid : pids) {
            terminate_backend(*killer.db, pid);
        }
        for (int i = 0; i < 4; ++i) {
            auto tx = t.db->begin(TxMode::kRead);
            REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
            CHECK(std::find(pids.begin(), pids.end(), backend_pid(**tx)) == pids.end());
        }
    }

    TEST_CASE("the schema given in the test URL is the one a new Db opens") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        signoff::testing::run_script(*t.db, "CREATE TABLE st_here (x TEXT)");
        auto again = open_db(t.url);
        REQUIRE(again.has_value());
        auto rows = read_rows(**again, "SELECT current_schema(), COUNT(*) FROM st_here");
        CHECK(rows.at(0).text(0).starts_with("t_"));
    }

    TEST_CASE("libpq key=value conninfo opens the same cluster") {
        SIGNOFF_REQUIRE_PG();
        // Rebuild the DSN as key=value from the URL the test cluster script prints:
        // postgresql://USER@HOST:PORT/DB
        std::string url = std::getenv("SIGNOFF_TEST_PG_DSN");
        auto at = url.find('@');
        auto colon = url.find(':', at);
        auto slash = url.find('/', colon);
        if (!url.starts_with("postgresql://") || at == std::string::npos ||
            colon == std::string::npos || slash == std::string::npos) {
            MESSAGE("skipped: DSN is not of the form postgresql://user@host:port/db");
            return;
        }
        std::string user = url.substr(13, at - 13);
        std::string host = url.substr(at + 1, colon - at - 1);
        std::string port = url.substr(colon + 1, slash - colon - 1);
        std::string dbname = url.substr(
            slash + 1,
            url.find('?') == std::string::npos ? std::string::npos : url.find('?') - slash - 1
        );
        auto db = open_db("host=" + host + " port=" + port + " user=" + user + " dbname=" + dbname);
        REQUIRE_MESSAGE(db.has_value(), db.error().message);
        CHECK(read_rows(**db, "SELECT 40 + 2").at(0).integer(0) == 42);
    }

    TEST_CASE("a serialization failure maps to kSerialization") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        auto tx = t.db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        // Raising the SQLSTATE directly keeps this deterministic (no racing threads).
        auto st = (*tx)->exec_script(
            "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$"
        );
        REQUIRE_FALSE(st.has_value());
        CHECK(st.error().kind == DbErrorKind::kSerialization);
    }

    TEST_CASE("a statement timeout maps to kBusy") {
        SIGNOFF_REQUIRE_PG();
        auto t = open_test_db(Backend::kPostgres);
        auto tx = t.db->begin(TxMode::kWrite);
        REQUIRE(tx.has_value());
        REQUIRE((*tx)->exec_script("SET LOCAL statement_timeout = 1").has_value());
        auto rows = (*tx)->query("SELECT pg_sleep(1)", {});
        REQUIRE_FALSE(rows.has_value());
        CHECK(rows.error().kind == DbErrorKind::kBusy);
    }
}
