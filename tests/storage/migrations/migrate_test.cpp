// Tests for the migration runner (storage/migrations/migrate.cpp) on both back
// ends: every embedded script of the dialect is recorded once, a second run
// changes nothing, and several processes migrating at once agree.
#include "storage/migrations/migrate.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

std::vector<std::string_view> signoff_migration_names();

using namespace signoff::storage;
using signoff::testing::empty_test_db_url;
using signoff::testing::open_test_db;
using signoff::testing::PostgresBackend;
using signoff::testing::read_rows;
using signoff::testing::SqliteBackend;

namespace {

/// The versions migrate() must record for `dialect`, in order.
std::vector<std::string> expected_versions(std::string_view dialect) {
    std::string prefix = std::string(dialect) + "/";
    std::vector<std::string> out;
    for (auto name : signoff_migration_names()) {
        if (name.starts_with(prefix)) {
            out.emplace_back(name.substr(prefix.size()));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> recorded_versions(Db& db) {
    std::vector<std::string> out;
    for (auto const& row :
         read_rows(db, "SELECT version FROM schema_migrations ORDER BY version")) {
        out.push_back(row.text(0));
    }
    return out;
}

}  // namespace

TEST_SUITE("storage/migrations/migrate") {
    TEST_CASE_TEMPLATE(
        "migrate records every script of the dialect and a second run changes nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto t = open_test_db(T::kBackend);  // already migrated once
        auto expected = expected_versions(t.db->dialect());
        CHECK(recorded_versions(*t.db) == expected);
        auto stamps =
            read_rows(*t.db, "SELECT version, applied_at FROM schema_migrations ORDER BY version");

        auto again = migrate(*t.db);
        REQUIRE_MESSAGE(again.has_value(), again.error().message);
        CHECK(recorded_versions(*t.db) == expected);
        auto after =
            read_rows(*t.db, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
        REQUIRE(after.size() == stamps.size());
        for (std::size_t i = 0; i < after.size(); ++i) {
            CHECK(after[i].text(1) == stamps[i].text(1));
            CHECK(after[i].text(1).size() == 20);  // 2026-01-01T00:00:00Z
        }
    }

    TEST_CASE_TEMPLATE(
        "several processes migrating the same empty database at once all succeed",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        std::string url = empty_test_db_url(T::kBackend);
        constexpr int kProcesses = 4;
        std::vector<std::unique_ptr<Db>> dbs;
        for (int i = 0; i < kProcesses; ++i) {
            auto db = open_db(url);  // one Db each, as separate replicas would have
            REQUIRE_MESSAGE(db.has_value(), db.error().message);
            dbs.push_back(std::move(*db));
        }
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (auto& db : dbs) {
            threads.emplace_back([&failures, &db] {
                if (!migrate(*db)) {
                    ++failures;
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        CHECK(failures.load() == 0);
        CHECK(recorded_versions(*dbs[0]) == expected_versions(dbs[0]->dialect()));
    }

    TEST_CASE("an in-memory SQLite database migrates, twice") {
        auto db = open_db("sqlite::memory:");
        REQUIRE(db.has_value());
        REQUIRE(migrate(**db).has_value());
        REQUIRE(migrate(**db).has_value());
        CHECK(recorded_versions(**db) == expected_versions("sqlite"));
    }
}
