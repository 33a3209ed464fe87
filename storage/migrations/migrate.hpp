// Versioned migrations per dialect: storage/migrations/<dialect>/NNNN_name.sql,
// embedded at build time and applied in order at start-up, each in its own
// transaction, recorded in schema_migrations. Safe to run concurrently from
// several processes (the first to take the write lock applies, others skip).
#pragma once

#include "storage/db.hpp"

namespace signoff::storage {

/// Applies every migration of db.dialect() not yet recorded. Idempotent.
DbStatus migrate(Db& db);

}  // namespace signoff::storage
