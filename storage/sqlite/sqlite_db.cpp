// SqliteDb: storage::Db on SQLite, the only file that includes sqlite3.h.
// Writes serialise on one connection (BEGIN IMMEDIATE); reads run on a pool of
// query_only connections that WAL lets proceed beside the writer.
//
//   Db::begin(kWrite) ─► writer pool (1) ─► BEGIN IMMEDIATE ─► cached stmts ─► COMMIT
//   Db::begin(kRead)  ─► reader pool (4) ─► BEGIN          ─► cached stmts ─► COMMIT
#include "storage/sqlite/sqlite_db.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <sqlite3.h>

#include "storage/conn_pool.hpp"
#include "storage/sql.hpp"

namespace signoff::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr std::chrono::milliseconds kPoolWait{kBusyTimeoutMs};
constexpr std::size_t kReaderCount = 4;
// Bounds memory when callers build SQL dynamically; a full cache is simply dropped.
constexpr std::size_t kStatementCacheLimit = 256;
// WAL pages (4 KiB) between automatic checkpoints: the WAL file grows to about
// 40 MiB and is then reused; repeated writes of the same hot pages between two
// checkpoints are copied back once.
constexpr int kWalCheckpointPages = 10000;

enum class Role { kWriter, kReader };

DbErrorKind kind_of(int rc) {
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT:
            return DbErrorKind::kConstraint;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return DbErrorKind::kBusy;
        case SQLITE_CANTOPEN:
        case SQLITE_NOTADB:
        case SQLITE_IOERR:
        case SQLITE_FULL:
            return DbErrorKind::kConnection;
        default:
            return DbErrorKind::kOther;
    }
}

/// SQLite names the failed constraint after a colon: "UNIQUE constraint failed:
/// t.a, t.b" or "CHECK constraint failed: positive_amount".
std::string constraint_of(std::string_view message) {
    constexpr std::string_view kMarker = "constraint failed: ";
    auto at = message.find(kMarker);
    return at == std::string_view::npos ? std::string{}
                                        : std::string(message.substr(at + kMarker.size()));
}

DbError make_error(int rc, std::string message) {
    DbError e{kind_of(rc), std::move(message), {}};
    if (e.kind == DbErrorKind::kConstraint) {
        e.constraint = constraint_of(e.message);
    }
    return e;
}

DbError make_error(sqlite3* db, int rc) {
    return make_error(rc, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

DbError usage_error(std::string message) {
    return DbError{DbErrorKind::kOther, std::move(message), {}};
}

struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// One sqlite3 handle and its prepared statements, keyed by the caller's SQL text
/// (before placeholder rewriting, so a cache hit costs one hash lookup).
class Connection {
public:
    explicit Connection(sqlite3* db) : db_(db) {}
    Connection(Connection const&) = delete;
    Connection& operator=(Connection const&) = delete;
    ~Connection() {
        drop_statements();
        sqlite3_close_v2(db_);
    }

    sqlite3* handle() const { return db_; }

    DbResult<sqlite3_stmt*> statement(std::string_view sql) {
        if (auto it = cache_.find(sql); it != cache_.end()) {
            return it->second;
        }
        auto made = prepare(sql);
        if (!made) {
            return made.error();
        }
        if (cache_.size() >= kStatementCacheLimit) {
            drop_statements();
        }
        cache_.emplace(std::string(sql), *made);
        return *made;
    }

    /// Runs a parameterless statement that returns no rows (BEGIN, COMMIT, …).
    DbStatus run(std::string_view sql) {
        auto stmt = statement(sql);
        if (!stmt) {
            return stmt.error();
        }
        int rc = sqlite3_step(*stmt);
        DbStatus st;
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            st = make_error(db_, rc);
        }
        sqlite3_reset(*stmt);
        return st;
    }

    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

private:
    DbResult<sqlite3_stmt*> prepare(std::string_view sql) const {
        std::string text = rewrite_dollar_placeholders(sql);
        if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            return usage_error("statement too long");
        }
        sqlite3_stmt* stmt = nullptr;
        char const* tail = nullptr;
        int rc = sqlite3_prepare_v3(
            db_,
            text.c_str(),
            static_cast<int>(text.size()),
            SQLITE_PREPARE_PERSISTENT,
            &stmt,
            &tail
        );
        if (rc != SQLITE_OK) {
            return make_error(db_, rc);
        }
        if (stmt == nullptr) {
            return usage_error("empty statement");
        }
        if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
            sqlite3_finalize(stmt);
            return usage_error("one statement per call; use exec_script for several");
        }
        return stmt;
    }

    void drop_statements() {
        for (auto& entry : cache_) {
            sqlite3_finalize(entry.second);
        }
        cache_.clear();
    }

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

using Pool = detail::ConnPool<Connection>;

DbStatus exec_script_on(sqlite3* db, std::string const& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) {
        return {};
    }
    std::string message = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return make_error(rc, std::move(message));
}

DbResult<std::unique_ptr<Connection>> open_connection(std::string const& path, Role role) {
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    auto conn = std::make_unique<Connection>(raw);  // owns raw even when the open failed
    if (rc != SQLITE_OK) {
        auto e = make_error(raw, rc);
        e.kind = DbErrorKind::kConnection;
        return e;
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    // WAL lets readers run beside the writer; NORMAL skips the fsync per commit
    // (a power cut may lose the last commits, never corrupt the file). The
    // commit that takes the WAL past kWalCheckpointPages copies it back into
    // the database and syncs both, holding the write lock meanwhile: at
    // SQLite's default of 1,000 pages that was ~30 checkpoints a second under
    // steady patching, a tenth of the writer's time (docs/PERFORMANCE.md).
    std::string const pragmas =
        role == Role::kWriter
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
              "PRAGMA wal_autocheckpoint=" +
                  std::to_string(kWalCheckpointPages) + ";"
            : "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;";
    if (auto st = exec_script_on(raw, pragmas); !st) {
        return st.error();
    }
    return conn;
}

/// Resets a statement after use so it releases its read snapshot and bindings.
class StatementUse {
public:
    explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
    StatementUse(StatementUse const&) = delete;
    StatementUse& operator=(StatementUse const&) = delete;
    ~StatementUse() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

private:
    sqlite3_stmt* stmt_;
};

DbStatus bind_all(sqlite3_stmt* stmt, Params const& params) {
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
        return usage_error(
            "statement takes " + std::to_string(expected) + " parameters, got " +
            std::to_string(params.size())
        );
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        int idx = static_cast<int>(i + 1);
        Value const& v = params[i];
        int rc = SQLITE_OK;
        if (auto const* n = std::get_if<std::int64_t>(&v)) {
            rc = sqlite3_bind_int64(stmt, idx, *n);
        } else if (auto const* d = std::get_if<double>(&v)) {
            rc = sqlite3_bind_double(stmt, idx, *d);
        } else if (auto const* s = std::get_if<std::string>(&v)) {
            // Static: params outlive the step, and StatementUse clears the binding.
            rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), nullptr, SQLITE_UTF8);
        } else {
            rc = sqlite3_bind_null(stmt, idx);
        }
        if (rc != SQLITE_OK) {
            return make_error(sqlite3_db_handle(stmt), rc);
        }
    }
    return {};
}

Value column_value(sqlite3_stmt* stmt, int col) {
    switch (sqlite3_column_type(stmt, col)) {
        case SQLITE_INTEGER:
            return sqlite3_column_int64(stmt, col);
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt, col);
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
            auto const* p = static_cast<char const*>(sqlite3_column_blob(stmt, col));
            auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, col));
            return p != nullptr ? std::string(p, n) : std::string{};
        }
        default:
            return Null{};
    }
}

Row read_row(sqlite3_stmt* stmt, int columns) {
    std::vector<Value> cols;
    cols.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
        cols.push_back(column_value(stmt, c));
    }
    return Row(std::move(cols));
}

class SqliteTx final : public Tx {
public:
    SqliteTx(Pool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    SqliteTx(SqliteTx const&) = delete;
    SqliteTx& operator=(SqliteTx const&) = delete;

    ~SqliteTx() override {
        if (conn_->in_transaction()) {
            (void)conn_->run("ROLLBACK");
        }
        bool healthy = !conn_->in_transaction();
        pool_.release(std::move(conn_), healthy);
    }

    DbResult<Rows> query(std::string_view sql, Params const& params) override {
        auto stmt = start(sql, params);
        if (!stmt) {
            return stmt.error();
        }
        StatementUse use(*stmt);
        Rows rows;
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
            // Counted after the step: a schema change re-prepares the statement
            // inside sqlite3_step, and `SELECT *` may then have more columns.
            rows.push_back(read_row(*stmt, sqlite3_column_count(*stmt)));
        }
        if (rc != SQLITE_DONE) {
            return fail(make_error(conn_->handle(), rc));
        }
        return rows;
    }

    DbResult<std::int64_t> exec(std::string_view sql, Params const& params) override {
        auto stmt = start(sql, params);
        if (!stmt) {
            return stmt.error();
        }
        StatementUse use(*stmt);
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) {
            return fail(make_error(conn_->handle(), rc));
        }
        // sqlite3_changes keeps the count of the last INSERT/UPDATE/DELETE, so a
        // SELECT would report a stale number; PostgreSQL reports 0 there.
        return sqlite3_stmt_readonly(*stmt) != 0 ? 0 : sqlite3_changes64(conn_->handle());
    }

    DbStatus exec_script(std::string_view sql) override {
        if (auto st = usable(); !st) {
            return st;
        }
        if (auto st = exec_script_on(conn_->handle(), std::string(sql)); !st) {
            return fail(st.error());
        }
        return {};
    }

    DbStatus commit() override {
        if (auto st = usable(); !st) {
            return st;
        }
        if (auto st = conn_->run("COMMIT"); !st) {
            return fail(st.error());
        }
        committed_ = true;
        return {};
    }

private:
    DbStatus usable() const {
        if (failed_) {
            return DbError{
                failed_->kind, "transaction aborted by an earlier error: " + failed_->message, {}};
        }
        if (committed_) {
            return usage_error("transaction already committed");
        }
        return {};
    }

    DbError fail(DbError e) {
        if (!failed_) {
            failed_ = e;
        }
        return e;
    }

    DbResult<sqlite3_stmt*> start(std::string_view sql, Params const& params) {
        if (auto st = usable(); !st) {
            return st.error();
        }
        auto stmt = conn_->statement(sql);
        if (!stmt) {
            return fail(stmt.error());
        }
        if (auto st = bind_all(*stmt, params); !st) {
            sqlite3_clear_bindings(*stmt);
            return fail(st.error());
        }
        return stmt;
    }

    Pool& pool_;
    std::unique_ptr<Connection> conn_;
    bool committed_ = false;
    std::optional<DbError> failed_;
};

/// Process-wide settings, applied before the first connection opens (SQLite
/// refuses them later, which is harmless: the defaults then stay). Memory
/// statistics, on by default, take one global mutex around every allocation,
/// which serialises reader connections that otherwise run in parallel; we never
/// read those statistics.
void configure_library() {
    static std::once_flag once;
    std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

class SqliteDb final : public Db {
public:
    explicit SqliteDb(std::string const& path) {
        writer_ =
            std::make_unique<Pool>(1, [path] { return open_connection(path, Role::kWriter); });
        // Every ":memory:" connection is a database of its own, so one connection serves all.
        if (path != ":memory:") {
            readers_ = std::make_unique<Pool>(kReaderCount, [path] {
                return open_connection(path, Role::kReader);
            });
        }
    }

    /// Opens the writer once so a bad path fails at open, and WAL is set
    /// before any reader connects.
    DbStatus check() {
        auto conn = writer_->acquire(kPoolWait);
        if (!conn) {
            return conn.error();
        }
        writer_->release(std::move(*conn), true);
        return {};
    }

    DbResult<std::unique_ptr<Tx>> begin(TxMode mode) override {
        bool write = mode == TxMode::kWrite || !readers_;
        Pool& pool = write ? *writer_ : *readers_;
        auto conn = pool.acquire(kPoolWait);
        if (!conn) {
            return conn.error();
        }
        // IMMEDIATE takes the write lock now, so a write Tx never fails half-way
        // with SQLITE_BUSY when it upgrades from reading to writing.
        std::string_view sql = mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN";
        if (auto st = (*conn)->run(sql); !st) {
            pool.release(std::move(*conn), true);
            return st.error();
        }
        return std::unique_ptr<Tx>(std::make_unique<SqliteTx>(pool, std::move(*conn)));
    }

    std::string_view dialect() const override { return "sqlite"; }

private:
    std::unique_ptr<Pool> writer_;
    std::unique_ptr<Pool> readers_;  // null for ":memory:"
};

}  // namespace

DbResult<std::unique_ptr<Db>> open_sqlite(std::string const& path) {
    if (path.empty()) {
        return usage_error("sqlite: needs a file path or :memory:");
    }
    configure_library();
    auto db = std::make_unique<SqliteDb>(path);
    if (auto st = db->check(); !st) {
        return st.error();
    }
    return std::unique_ptr<Db>(std::move(db));
}

DbStatus backup_sqlite(std::string const& from, std::string const& to) {
    if (std::filesystem::exists(to)) {
        return usage_error("backup target " + to + " exists; give a new file");
    }
    sqlite3* src = nullptr;
    int rc = sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr);
    Connection const src_owner(src);
    if (rc != SQLITE_OK) {
        auto e = make_error(src, rc);
        e.kind = DbErrorKind::kConnection;
        return e;
    }
    sqlite3_busy_timeout(src, kBusyTimeoutMs);
    sqlite3* dst = nullptr;
    rc = sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection const dst_owner(dst);
    if (rc != SQLITE_OK) {
        auto e = make_error(dst, rc);
        e.kind = DbErrorKind::kConnection;
        return e;
    }
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == nullptr) {
        return make_error(dst, sqlite3_errcode(dst));
    }
    // All pages in one step: the copy is one consistent snapshot. Writers
    // wait for it (busy timeout) only for the time of the copy.
    do {
        rc = sqlite3_backup_step(b, -1);
    } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    int const finished = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        return make_error(dst, rc);
    }
    if (finished != SQLITE_OK) {
        return make_error(dst, finished);
    }
    return {};
}

}  // namespace signoff::storage::sqlite
