// The bridge between storage and the domain: the ONE mapping from
// storage::DbError to core::Error, and the transaction runner every service
// uses (begin → work → commit, retried on transient contention).
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include "server/core/error.hpp"
#include "storage/db.hpp"

namespace signoff::server::core {

/// kConstraint → kAlreadyExists, kBusy/kSerialization/kConnection → kUnavailable,
/// kOther → kInternal (the SQL text is never put in the message).
Error map_db_error(storage::DbError const& e);

/// DbResult<T> → Result<T>, mapping the error.
template <class T>
Result<T> from_db(storage::DbResult<T> r) {
    if (!r) {
        return map_db_error(r.error());
    }
    return std::move(*r);
}
Status from_db(storage::DbStatus r);

/// The error a transaction body returns when it lost an optimistic race (a
/// conditional UPDATE changed no row, an ON CONFLICT DO NOTHING inserted
/// nothing): run_tx rolls back and runs the body again.
Error retry_tx();
bool is_retry_tx(Error const& e);

/// How many times run_tx runs a body before giving up with kUnavailable.
inline constexpr int kMaxTxAttempts = 8;

/// Runs `body(Tx&) -> Result<T>` in a transaction of `mode` and commits on
/// success. Rolls back on error. Retries the whole body when it returned
/// retry_tx() or when the database reported a transient failure (busy,
/// serialization); other errors are returned unchanged.
template <class F>
auto run_tx(storage::Db& db, storage::TxMode mode, F&& body)
    -> std::invoke_result_t<F&, storage::Tx&> {
    using R = std::invoke_result_t<F&, storage::Tx&>;
    Error last = Error::unavailable("database busy; retry later");
    for (int attempt = 0; attempt < kMaxTxAttempts; ++attempt) {
        auto tx = db.begin(mode);
        if (!tx) {
            last = map_db_error(tx.error());
            if (last.kind == ErrorKind::kUnavailable) {
                continue;
            }
            return R{last};
        }
        R r = body(**tx);
        if (!r) {
            last = r.error();
            if (is_retry_tx(last) || last.kind == ErrorKind::kUnavailable) {
                continue;
            }
            return r;
        }
        auto c = (*tx)->commit();
        if (c) {
            if ((*tx)->has_outbox_work()) {
                db.notify_outbox();
            }
            return r;
        }
        last = map_db_error(c.error());
        if (last.kind != ErrorKind::kUnavailable) {
            return R{last};
        }
    }
    if (is_retry_tx(last)) {
        last = Error::unavailable("too much contention on this record; retry later");
    }
    return R{last};
}

}  // namespace signoff::server::core
