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

/// Copies the database file at `from` (readable while others write to it)
/// into the new file `to` with the online backup API. kConnection when either
/// cannot be opened; kOther when `to` exists.
DbStatus backup_sqlite(std::string const& from, std::string const& to);

}  // namespace signoff::storage::sqlite
