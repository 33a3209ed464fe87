// The storage interface: a Db hands out transactions, a transaction runs
// parameterised SQL and returns rows. Repositories (storage/repos/) write SQL
// once against this; storage/sqlite/ and storage/postgres/ implement it.
//
//   repos ──► Db::begin() ──► Tx::query/exec ──► Tx::commit
//
// SQL dialect contract for portable statements:
// - placeholders are `$1`, `$2`, … (the SQLite back end rewrites them);
// - ids and timestamps are TEXT (UUID strings, RFC 3339 UTC, fixed width);
// - booleans are INTEGER 0/1; JSON is TEXT;
// - `INSERT … ON CONFLICT … DO …` and `RETURNING` are used freely (both support them).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/db_error.hpp"

namespace signoff::storage {

struct Null {
    bool operator==(Null const&) const = default;
};

/// A bound parameter or a column value. Booleans bind as integers 0/1.
using Value = std::variant<Null, std::int64_t, double, std::string>;

inline Value null_value() {
    return Null{};
}
inline Value opt_text(std::optional<std::string> const& s) {
    return s ? Value{*s} : Value{Null{}};
}

class Row {
public:
    Row() = default;
    explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}

    std::size_t size() const { return cols_.size(); }
    bool is_null(std::size_t i) const { return std::holds_alternative<Null>(cols_.at(i)); }
    /// Text of column i ("" for NULL). Integers are formatted in decimal.
    std::string text(std::size_t i) const;
    std::optional<std::string> opt_text(std::size_t i) const;
    /// Integer of column i (0 for NULL). Text columns are parsed.
    std::int64_t integer(std::size_t i) const;
    bool boolean(std::size_t i) const { return integer(i) != 0; }
    Value const& at(std::size_t i) const { return cols_.at(i); }

private:
    std::vector<Value> cols_;
};

using Rows = std::vector<Row>;
using Params = std::vector<Value>;

/// One open transaction on one connection. Not thread-safe; use from one thread.
/// Destroying an uncommitted Tx rolls it back. After any failed statement the
/// transaction is dead on both back ends (PostgreSQL aborts it; SQLite is made to
/// behave the same): every later call fails, so drop the Tx and start over.
/// A Tx must not outlive the Db that began it.
class Tx {
public:
    virtual ~Tx() = default;
    /// Runs a statement and returns its rows (a RETURNING clause counts).
    virtual DbResult<Rows> query(std::string_view sql, Params const& params) = 0;
    /// Runs a statement and returns the number of rows it changed.
    virtual DbResult<std::int64_t> exec(std::string_view sql, Params const& params) = 0;
    /// Runs several `;`-separated statements without parameters (migrations).
    virtual DbStatus exec_script(std::string_view sql) = 0;
    virtual DbStatus commit() = 0;
    /// True when `SELECT … FOR UPDATE SKIP LOCKED` works here (PostgreSQL):
    /// concurrent claimers then skip each other's rows instead of waiting.
    /// SQLite answers false: a kWrite transaction already excludes every
    /// other writer, so a plain SELECT then UPDATE in it is a safe claim.
    virtual bool supports_skip_locked() const { return false; }

    /// Notes that this transaction queued work for the delivery worker (an
    /// outbox row or a delivery); run_tx tells the Db's outbox listener once
    /// the transaction has committed, never before.
    void note_outbox_work() { outbox_work_ = true; }
    bool has_outbox_work() const { return outbox_work_; }

private:
    bool outbox_work_{false};
};

enum class TxMode {
    kRead,   // may only read; SQLite runs it on a reader connection
    kWrite,  // takes the write lock up front (SQLite BEGIN IMMEDIATE)
};

class Db {
public:
    virtual ~Db() = default;
    virtual DbResult<std::unique_ptr<Tx>> begin(TxMode mode) = 0;
    /// "sqlite" or "postgres": selects the migration folder, never SQL text in repos.
    virtual std::string_view dialect() const = 0;
    /// Serialises concurrent migrate() runs (several replicas starting at once).
    /// migrate() calls it first inside each of its kWrite transactions; the lock
    /// lasts until that transaction ends. The default does nothing: SQLite's
    /// BEGIN IMMEDIATE already excludes every other writer. PostgreSQL takes a
    /// transaction-scoped advisory lock.
    virtual DbStatus lock_for_migrations(Tx& tx) {
        (void)tx;
        return {};
    }

    /// Called after each committed transaction that queued outbox work (the
    /// delivery worker's wake-up, so an event leaves at once rather than at
    /// the next poll). Empty clears it; set and cleared while requests run.
    void set_outbox_listener(std::function<void()> listener) {
        std::lock_guard lock(listener_mutex_);
        outbox_listener_ = std::move(listener);
    }
    void notify_outbox() {
        std::lock_guard lock(listener_mutex_);
        if (outbox_listener_) {
            outbox_listener_();
        }
    }

private:
    std::mutex listener_mutex_;
    std::function<void()> outbox_listener_;
};

/// Opens `sqlite:PATH` (also `sqlite::memory:`) or `postgres://…` / `postgresql://…`.
/// Implemented in storage/open_db.cpp, the only file that knows both back ends.
DbResult<std::unique_ptr<Db>> open_db(std::string_view url);

/// The URL as logs and errors may show it: a password in user-info
/// (postgres://user:pw@…), in a `password=` conninfo pair or query parameter
/// is replaced by "***".
std::string redact_db_url(std::string_view url);

/// The SQLite file a `sqlite:PATH` URL names; nullopt for in-memory databases
/// and other back ends.
std::optional<std::string> sqlite_path(std::string_view url);

/// A consistent copy of a running SQLite database into the new file `to`
/// (SQLite's online backup API: what is still in the WAL is included), made
/// without stopping writers. `to` must not exist. PostgreSQL is kOther with a
/// pointer to pg_dump, which is the tool for it.
DbStatus backup_db(std::string_view url, std::string const& to);

}  // namespace signoff::storage
