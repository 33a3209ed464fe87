// Small helpers shared by the storage test suites: run SQL in a committed
// transaction and fail the test (REQUIRE) when the database refuses.
// Used only by tests/storage/**; call from the test's own thread.
#pragma once

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "storage/db.hpp"

namespace signoff::testing {

/// Runs `sql` (one or more statements) in its own committed write transaction.
inline void run_script(storage::Db& db, std::string_view sql) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
    auto st = (*tx)->exec_script(sql);
    REQUIRE_MESSAGE(st.has_value(), st.error().message);
    auto done = (*tx)->commit();
    REQUIRE_MESSAGE(done.has_value(), done.error().message);
}

/// Runs one statement in its own committed write transaction; answers the row count.
inline std::int64_t exec_committed(
    storage::Db& db, std::string_view sql, storage::Params const& params
) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
    auto n = (*tx)->exec(sql, params);
    REQUIRE_MESSAGE(n.has_value(), n.error().message);
    auto done = (*tx)->commit();
    REQUIRE_MESSAGE(done.has_value(), done.error().message);
    return *n;
}

/// Runs one query in its own read transaction.
inline storage::Rows read_rows(
    storage::Db& db, std::string_view sql, storage::Params const& params = {}
) {
    auto tx = db.begin(storage::TxMode::kRead);
    REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
    auto rows = (*tx)->query(sql, params);
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    return *rows;
}

}  // namespace signoff::testing
