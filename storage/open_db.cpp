// open_db: picks the back end from the database URL given on the command line or
// in the config. The only file that knows both back ends exist.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "storage/db.hpp"
#include "storage/postgres/pg_db.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace signoff::storage {
namespace {

/// libpq key=value strings ("host=… dbname=…") name PostgreSQL too.
bool is_pg_conninfo(std::string_view url) {
    constexpr std::array<std::string_view, 6> kKeys = {
        "host=", "hostaddr=", "dbname=", "user=", "port=", "service="};
    return std::ranges::any_of(kKeys, [&](std::string_view key) { return url.starts_with(key); });
}

}  // namespace

DbResult<std::unique_ptr<Db>> open_db(std::string_view url) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (url.starts_with(kSqlite)) {
        return sqlite::open_sqlite(std::string(url.substr(kSqlite.size())));
    }
    if (url.starts_with("postgres://") || url.starts_with("postgresql://") || is_pg_conninfo(url)) {
        return postgres::open_postgres(std::string(url));
    }
    // The URL is not echoed back: it may carry a password.
    return DbError{
        DbErrorKind::kOther,
        "unsupported database URL: expected sqlite:PATH, sqlite::memory:, postgres://… or host=…",
        {}};
}

}  // namespace signoff::storage
