// The embedded back end: SqliteDb implements storage::Db on a SQLite file in WAL
// mode (one writer connection, a small pool of readers). Reached only through
// storage::open_db("sqlite:…"); nothing above storage names this header.
#pragma once

#include <memory>
#include <string>

#include "storage/db.hpp"

namespace signoff::storage::sqlite {

/// Opens (creating if needed) the database file at `path`, or a private
/// in-memory database for ":memory:". Fails with kConnection when the file cannot
/// be opened. The returned Db is thread-safe; each Tx belongs to one thread.
DbResult<std::unique_ptr<Db>> open_sqlite(std::string const& path);

}  // namespace signoff::storage::sqlite
