// The server back end: PgDb implements storage::Db on PostgreSQL through a
// bounded libpq connection pool. Reached only through storage::open_db("postgres…");
// nothing above storage names this header.
#pragma once

#include <memory>
#include <string>

#include "storage/db.hpp"

namespace signoff::storage::postgres {

/// Opens a pool on the database named by `conninfo`, a `postgres://` /
/// `postgresql://` URL or a libpq `key=value` string. Connects once up front and
/// fails with kConnection when that is impossible. Thread-safe; each Tx belongs
/// to one thread.
DbResult<std::unique_ptr<Db>> open_postgres(std::string const& conninfo);

}  // namespace signoff::storage::postgres
