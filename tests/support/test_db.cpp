// Fresh databases for tests: a new SQLite file per call, or a new schema per call
// inside the PostgreSQL cluster named by SIGNOFF_TEST_PG_DSN. Every test suite
// that touches storage starts here (see test_db.hpp).
#include "tests/support/test_db.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "storage/migrations/migrate.hpp"

namespace signoff::testing {
namespace {

std::string pg_dsn() {
    char const* dsn =
        std::getenv("SIGNOFF_TEST_PG_DSN");  // NOLINT(concurrency-mt-unsafe): no setenv in tests
    return dsn != nullptr ? dsn : "";
}

std::string random_hex(std::size_t n) {
    static thread_local std::mt19937_64 gen{std::random_device{}()};
    constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[gen() % 16]);
    }
    return out;
}

/// The DSN plus a search_path option, in the DSN's own syntax (URL or key=value).
std::string with_search_path(std::string const& dsn, std::string const& schema) {
    if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
        char sep = dsn.find('?') == std::string::npos ? '?' : '&';
        return dsn + sep + "options=-csearch_path%3D" + schema;
    }
    return dsn + " options='-csearch_path=" + schema + "'";
}

std::string fresh_pg_schema_url() {
    auto admin = storage::open_db(pg_dsn());
    REQUIRE_MESSAGE(admin.has_value(), "cannot reach SIGNOFF_TEST_PG_DSN: ", admin.error().message);
    std::string schema = "t_" + random_hex(16);
    auto tx = (*admin)->begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    auto made = (*tx)->exec_script("CREATE SCHEMA " + schema);
    REQUIRE_MESSAGE(made.has_value(), made.error().message);
    REQUIRE((*tx)->commit().has_value());
    return with_search_path(pg_dsn(), schema);
}

std::string fresh_sqlite_url() {
    return "sqlite:" + temp_dir("sqlite") + "/test.db";
}

}  // namespace

bool pg_available() {
    return !pg_dsn().empty();
}

std::string temp_dir(std::string const& prefix) {
    char const* env =
        std::getenv("SIGNOFF_TEST_TMP");  // NOLINT(concurrency-mt-unsafe): no setenv in tests
    std::filesystem::path base = env != nullptr && *env != '\0' ? env : "/tmp";
    std::filesystem::create_directories(base);
    std::string pattern = (base / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed under " + base.string());
    }
    return pattern;
}

std::string empty_test_db_url(Backend backend) {
    return backend == Backend::kSqlite ? fresh_sqlite_url() : fresh_pg_schema_url();
}

TestDb open_test_db(Backend backend) {
    std::string url = empty_test_db_url(backend);
    auto db = storage::open_db(url);
    REQUIRE_MESSAGE(db.has_value(), "open_db failed: ", db.error().message);
    auto migrated = storage::migrate(**db);
    REQUIRE_MESSAGE(migrated.has_value(), "migrate failed: ", migrated.error().message);
    return TestDb{std::move(*db), std::move(url)};
}

}  // namespace signoff::testing
