// Concurrency of the Db implementations on both back ends: many threads sharing
// one Db, each doing optimistic read-then-conditional-update loops, must lose no
// update (the pattern every versioned repository uses).
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

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

constexpr int kMaxAttempts = 100000;

bool retryable(DbError const& e) {
    return e.kind == DbErrorKind::kBusy || e.kind == DbErrorKind::kSerialization;
}

enum class Outcome { kDone, kRetry, kFailed };

Outcome try_increment(Db& db) {
    std::int64_t version = 0;
    {
        auto tx = db.begin(TxMode::kRead);
        if (!tx) {
            return retryable(tx.error()) ? Outcome::kRetry : Outcome::kFailed;
        }
        auto rows =
            (*tx)->query("SELECT version FROM st_counter WHERE id = $1", {std::string("c")});
        if (!rows || rows->size() != 1) {
            return Outcome::kFailed;
        }
        version = rows->at(0).integer(0);
    }
    auto tx = db.begin(TxMode::kWrite);
    if (!tx) {
        return retryable(tx.error()) ? Outcome::kRetry : Outcome::kFailed;
    }
    auto n = (*tx)->exec(
        "UPDATE st_counter SET v = v + 1, version = version + 1 WHERE id = $1 AND version = $2",
        {std::string("c"), version}
    );
    if (!n) {
        return retryable(n.error()) ? Outcome::kRetry : Outcome::kFailed;
    }
    if (*n == 0) {
        return Outcome::kRetry;  // someone else won this version
    }
    auto done = (*tx)->commit();
    if (!done) {
        return retryable(done.error()) ? Outcome::kRetry : Outcome::kFailed;
    }
    return Outcome::kDone;
}

bool increment(Db& db) {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        switch (try_increment(db)) {
            case Outcome::kDone:
                return true;
            case Outcome::kFailed:
                return false;
            case Outcome::kRetry:
                break;
        }
    }
    return false;
}

}  // namespace

TEST_SUITE("storage/db") {
    TEST_CASE_TEMPLATE(
        "eight threads of optimistic increments reach the exact total",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(
            *t.db,
            "CREATE TABLE st_counter (id TEXT PRIMARY KEY, v BIGINT NOT NULL, version BIGINT NOT "
            "NULL)"
        );
        exec_committed(
            *t.db, "INSERT INTO st_counter (id, v, version) VALUES ($1, 0, 0)", {std::string("c")}
        );

        constexpr int kThreads = 8;
        constexpr int kIncrements = 40;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&] {
                for (int k = 0; k < kIncrements; ++k) {
                    if (!increment(*t.db)) {
                        ++failures;
                    }
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        CHECK(failures.load() == 0);
        auto rows =
            read_rows(*t.db, "SELECT v, version FROM st_counter WHERE id = $1", {std::string("c")});
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].integer(0) == kThreads * kIncrements);
        CHECK(rows[0].integer(1) == kThreads * kIncrements);
    }

    TEST_CASE_TEMPLATE(
        "plain concurrent inserts from many threads all land", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);
        run_script(*t.db, "CREATE TABLE st_log (id TEXT PRIMARY KEY, n BIGINT NOT NULL)");
        constexpr int kThreads = 6;
        constexpr int kRows = 50;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&, i] {
                for (int k = 0; k < kRows; ++k) {
                    auto tx = t.db->begin(TxMode::kWrite);
                    bool ok = tx.has_value() &&
                              (*tx)
                                  ->exec(
                                      "INSERT INTO st_log (id, n) VALUES ($1, $2)",
                                      {std::to_string(i) + "-" + std::to_string(k), std::int64_t{k}}
                                  )
                                  .has_value() &&
                              (*tx)->commit().has_value();
                    if (!ok) {
                        ++failures;
                    }
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        CHECK(failures.load() == 0);
        CHECK(read_rows(*t.db, "SELECT COUNT(*) FROM st_log").at(0).integer(0) == kThreads * kRows);
    }
}
