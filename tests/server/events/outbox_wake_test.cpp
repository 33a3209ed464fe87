// The delivery worker's wake-up: a transaction that queues an outbox event
// tells the Db's outbox listener once, after its commit, and never for a
// rollback or a transaction that queued nothing (storage/db.hpp, run_tx).
#include <atomic>

#include <doctest/doctest.h>

#include "server/core/db_map.hpp"
#include "server/events/recorder.hpp"
#include "storage/repos/events_repo.hpp"
#include "tests/support/fakes.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using server::core::Error;
using server::core::Status;
using storage::Tx;
using storage::TxMode;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr char const* kOrg = "00000000-0000-7000-8000-0000000000aa";

std::int64_t outbox_rows(storage::Db& db) {
    auto r = server::core::run_tx(db, TxMode::kRead, [](Tx& tx) {
        return server::core::from_db(storage::repos::list_outbox_for_org(tx, kOrg));
    });
    REQUIRE(r.has_value());
    return static_cast<std::int64_t>(r->size());
}

}  // namespace

TEST_SUITE("server/events/outbox_wake") {
    TEST_CASE_TEMPLATE(
        "the listener hears each committed emit once, after the commit",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = testing::open_test_db(T::kBackend);
        testing::FakeClock clock;
        testing::SeqIds ids;
        server::events::Recorder recorder{clock, ids};
        std::atomic<int> heard{0};
        std::int64_t rows_seen_by_listener = -1;
        t.db->set_outbox_listener([&] {
            ++heard;
            // After the commit: a fresh transaction already sees the row.
            rows_seen_by_listener = outbox_rows(*t.db);
        });
        auto emit = [&](Tx& tx) -> Status {
            return recorder.emit(tx, kOrg, "team_support.approved", R"({"version":1})");
        };

        SUBCASE("a committed emit is heard once and its row is visible then") {
            auto r = server::core::run_tx(*t.db, TxMode::kWrite, emit);
            REQUIRE(r.has_value());
            CHECK(heard == 1);
            CHECK(rows_seen_by_listener == 1);
        }
        SUBCASE("a rolled-back emit is never heard") {
            auto r = server::core::run_tx(*t.db, TxMode::kWrite, [&](Tx& tx) -> Status {
                if (auto s = emit(tx); !s) {
                    return s;
                }
                return Error::conflict("changed my mind");
            });
            CHECK_FALSE(r.has_value());
            CHECK(heard == 0);
            CHECK(outbox_rows(*t.db) == 0);
        }
        SUBCASE("a body retried after an emit is heard once, for the attempt that committed") {
            int runs = 0;
            auto r = server::core::run_tx(*t.db, TxMode::kWrite, [&](Tx& tx) -> Status {
                if (auto s = emit(tx); !s) {
                    return s;
                }
                return ++runs == 1 ? Status{server::core::retry_tx()} : Status{};
            });
            REQUIRE(r.has_value());
            CHECK(runs == 2);
            CHECK(heard == 1);
            CHECK(outbox_rows(*t.db) == 1);
        }
        SUBCASE("a transaction that queued nothing is not heard") {
            auto r = server::core::run_tx(*t.db, TxMode::kWrite, [&](Tx& tx) -> Status {
                auto rows = server::core::from_db(storage::repos::list_outbox_for_org(tx, kOrg));
                return rows ? Status{} : Status{rows.error()};
            });
            REQUIRE(r.has_value());
            CHECK(heard == 0);
        }
        SUBCASE("a cleared listener is not called") {
            t.db->set_outbox_listener({});
            REQUIRE(server::core::run_tx(*t.db, TxMode::kWrite, emit).has_value());
            CHECK(heard == 0);
        }
        t.db->set_outbox_listener({});
    }
}
