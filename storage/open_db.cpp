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

namespace {

/// `text` with the value after each `key` (up to the next `stop` character)
/// replaced by "***".
std::string mask_after(std::string text, std::string_view key, std::string_view stop) {
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
        std::size_t const from = at + key.size();
        std::size_t const to = text.find_first_of(stop, from);
        text.replace(from, (to == std::string::npos ? text.size() : to) - from, "***");
        at = from + 3;
    }
    return text;
}

}  // namespace

std::string redact_db_url(std::string_view url) {
    std::string out(url);
    auto const scheme = out.find("://");
    if (scheme != std::string::npos) {
        auto const start = scheme + 3;
        auto const end = out.find_first_of("/?#", start);
        auto const at = out.rfind('@', end == std::string::npos ? out.size() : end);
        if (at != std::string::npos && at > start) {
            auto const colon = out.find(':', start);
            if (colon != std::string::npos && colon < at) {
                out.replace(colon + 1, at - colon - 1, "***");
            }
        }
    }
    out = mask_after(std::move(out), "password=", " &");
    return out;
}

std::optional<std::string> sqlite_path(std::string_view url) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (!url.starts_with(kSqlite)) {
        return std::nullopt;
    }
    std::string path(url.substr(kSqlite.size()));
    if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
        return std::nullopt;
    }
    return path;
}

DbStatus backup_db(std::string_view url, std::string const& to) {
    if (auto path = sqlite_path(url)) {
        return sqlite::backup_sqlite(*path, to);
    }
    return DbError{
        DbErrorKind::kOther,
        "signoff admin backup copies SQLite databases; for PostgreSQL use pg_dump "
        "(docs/operations.md, \"Backup and restore\")",
        {}};
}

}  // namespace signoff::storage
