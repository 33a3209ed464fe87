// Fresh, migrated databases for tests on either back end. SQLite: a new file in
// a temp folder. PostgreSQL: a new schema in the cluster named by the
// SIGNOFF_TEST_PG_DSN environment variable (scripts/test.sh starts one); when
// it is unset, pg_available() is false and PG test legs print why and skip.
#pragma once

#include <memory>
#include <string>

#include "storage/db.hpp"

namespace signoff::testing {

enum class Backend { kSqlite, kPostgres };

struct TestDb {
    std::unique_ptr<storage::Db> db;
    /// The URL that opens this same database (for starting the real binary on it).
    std::string url;
};

bool pg_available();
/// Opens a fresh database with every migration applied. Fails the test (doctest
/// REQUIRE) when it cannot.
TestDb open_test_db(Backend backend);

/// A URL naming a fresh, empty database (no migrations applied), for tests of
/// the migration runner itself. REQUIREs that it can be made.
std::string empty_test_db_url(Backend backend);

/// doctest TEST_CASE_TEMPLATE types for the two back ends.
struct SqliteBackend {
    static constexpr Backend kBackend = Backend::kSqlite;
};
struct PostgresBackend {
    static constexpr Backend kBackend = Backend::kPostgres;
};

/// A unique temp directory under $SIGNOFF_TEST_TMP (or /tmp), created.
std::string temp_dir(std::string const& prefix);

}  // namespace signoff::testing

/// In a TEST_CASE_TEMPLATE over SqliteBackend/PostgresBackend: skips (with a
/// printed reason) the Postgres leg when no cluster is configured.
#define SIGNOFF_SKIP_WITHOUT_BACKEND(T)                                               \
    do {                                                                              \
        if (T::kBackend == ::signoff::testing::Backend::kPostgres &&                  \
            !::signoff::testing::pg_available()) {                                    \
            MESSAGE("skipped: SIGNOFF_TEST_PG_DSN is not set (run scripts/test.sh)"); \
            return;                                                                   \
        }                                                                             \
    } while (0)
