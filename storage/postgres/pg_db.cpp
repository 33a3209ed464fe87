// PgDb: storage::Db on PostgreSQL, the only file that includes libpq-fe.h.
// Each Tx leases one connection from a lazily grown pool of at most 8; a
// connection found broken is closed and its slot reopened on demand.
//
//   Db::begin() ─► pool ─► BEGIN … READ COMMITTED ─► PQexecParams (text) ─► COMMIT
#include "storage/postgres/pg_db.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <libpq-fe.h>

#include "storage/conn_pool.hpp"
#include "storage/sql.hpp"

namespace signoff::storage::postgres {
namespace {

constexpr std::size_t kPoolSize = 8;
constexpr std::chrono::milliseconds kPoolWait{30000};

// Type OIDs from pg_type.h (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

struct ResultFree {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

DbError usage_error(std::string message) {
    return DbError{DbErrorKind::kOther, std::move(message), {}};
}

std::string trimmed(char const* text) {
    std::string_view s = text != nullptr ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

DbErrorKind kind_of(std::string_view state, bool connection_bad) {
    if (connection_bad || state.starts_with("08") || state == "57P01" || state == "57P02" ||
        state == "57P03") {
        return DbErrorKind::kConnection;  // lost link, or the server shutting down
    }
    if (state.starts_with("23")) {
        return DbErrorKind::kConstraint;
    }
    if (state == "40001" || state == "40P01") {
        return DbErrorKind::kSerialization;
    }
    if (state == "55P03" || state == "57014") {
        return DbErrorKind::kBusy;  // lock_not_available, query_canceled (timeouts)
    }
    return DbErrorKind::kOther;
}

DbError result_error(PGconn* conn, PGresult const* res) {
    char const* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = trimmed(res != nullptr ? PQresultErrorMessage(res) : nullptr);
    if (message.empty()) {
        message = trimmed(PQerrorMessage(conn));
    }
    DbError e{
        kind_of(state != nullptr ? state : "", PQstatus(conn) == CONNECTION_BAD),
        std::move(message),
        {}};
    if (e.kind == DbErrorKind::kConstraint) {
        char const* name = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        e.constraint = name != nullptr ? name : "";
    }
    return e;
}

/// One libpq connection. Healthy means reusable: connected and outside any transaction.
class Connection {
public:
    explicit Connection(PGconn* conn) : conn_(conn) {}
    Connection(Connection const&) = delete;
    Connection& operator=(Connection const&) = delete;
    ~Connection() { PQfinish(conn_); }

    PGconn* handle() const { return conn_; }
    bool healthy() const {
        return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
    }

    /// Runs SQL without parameters (several `;`-separated statements allowed).
    /// Text holding only comments succeeds, as sqlite3_exec does.
    DbResult<ResultPtr> run(char const* sql) const { return checked(PQexec(conn_, sql), true); }

    DbResult<ResultPtr> run(std::string_view sql, Params const& params) const;

private:
    DbResult<ResultPtr> checked(PGresult* raw, bool allow_empty = false) const {
        ResultPtr res(raw);
        auto status = PQresultStatus(res.get());
        bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
                  (allow_empty && status == PGRES_EMPTY_QUERY);
        if (res == nullptr || !ok) {
            return result_error(conn_, res.get());
        }
        return res;
    }

    PGconn* conn_;
};

/// Parameters go as text with no declared type, so the server types each from
/// its context, as SQLite would: an integer can fill a BOOLEAN or INTEGER column,
/// be passed to an int4 function argument, or be compared with a text column.
struct TextParams {
    std::vector<std::string> storage;
    std::vector<char const*> values;
};

DbResult<TextParams> encode(Params const& params) {
    TextParams out;
    out.storage.resize(params.size());
    out.values.resize(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
        Value const& v = params[i];
        if (auto const* n = std::get_if<std::int64_t>(&v)) {
            out.storage[i] = format_int(*n);
        } else if (auto const* d = std::get_if<double>(&v)) {
            out.storage[i] = format_double(*d);
        } else if (auto const* s = std::get_if<std::string>(&v)) {
            if (s->find('\0') != std::string::npos) {
                return usage_error("text parameter contains a NUL byte");
            }
            out.values[i] = s->c_str();
            continue;
        } else {
            continue;  // NULL: values[i] stays nullptr
        }
        out.values[i] = out.storage[i].c_str();
    }
    return out;
}

DbResult<ResultPtr> Connection::run(std::string_view sql, Params const& params) const {
    auto encoded = encode(params);
    if (!encoded) {
        return encoded.error();
    }
    std::string text(sql);
    return checked(PQexecParams(
        conn_,
        text.c_str(),
        static_cast<int>(params.size()),
        nullptr,
        encoded->values.data(),
        nullptr,
        nullptr,
        0
    ));
}

template <class T>
std::optional<T> parse_number(char const* text, int length) {
    T v{};
    auto [end, ec] = std::from_chars(text, text + length, v);
    if (ec != std::errc{} || end != text + length) {
        return std::nullopt;
    }
    return v;
}

Value cell_value(PGresult const* res, int row, int col, Oid type) {
    if (PQgetisnull(res, row, col) != 0) {
        return Null{};
    }
    char const* text = PQgetvalue(res, row, col);
    int length = PQgetlength(res, row, col);
    switch (type) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid:
            if (auto n = parse_number<std::int64_t>(text, length)) {
                return *n;
            }
            break;
        case kFloat4Oid:
        case kFloat8Oid:
            if (auto d = parse_number<double>(text, length)) {
                return *d;
            }
            break;
        case kBoolOid:
            return std::int64_t{text[0] == 't' ? 1 : 0};
        default:
            break;
    }
    return std::string(text, static_cast<std::size_t>(length));
}

Rows read_rows(PGresult const* res) {
    int rows = PQntuples(res);
    int cols = PQnfields(res);
    std::vector<Oid> types;
    types.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
        types.push_back(PQftype(res, c));
    }
    Rows out;
    out.reserve(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(cols));
        for (int c = 0; c < cols; ++c) {
            values.push_back(cell_value(res, r, c, types[static_cast<std::size_t>(c)]));
        }
        out.emplace_back(std::move(values));
    }
    return out;
}

DbResult<std::unique_ptr<Connection>> connect(std::string const& conninfo) {
    // Keywords before "dbname" are defaults the caller's string may override;
    // keywords after it are forced (we always speak UTF-8).
    std::array<char const*, 5> keys = {
        "connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
    std::array<char const*, 5> values = {"10", "signoff", conninfo.c_str(), "UTF8", nullptr};
    PGconn* raw = PQconnectdbParams(keys.data(), values.data(), 1);
    if (raw == nullptr) {
        return DbError{DbErrorKind::kConnection, "libpq could not allocate a connection", {}};
    }
    auto conn = std::make_unique<Connection>(raw);
    if (PQstatus(raw) != CONNECTION_OK) {
        return DbError{DbErrorKind::kConnection, trimmed(PQerrorMessage(raw)), {}};
    }
    // Server notices ("relation already exists, skipping") must not reach stderr.
    PQsetNoticeProcessor(
        raw, [](void*, char const*) {}, nullptr
    );
    return conn;
}

using Pool = detail::ConnPool<Connection>;

class PgTx final : public Tx {
public:
    PgTx(Pool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    PgTx(PgTx const&) = delete;
    PgTx& operator=(PgTx const&) = delete;

    ~PgTx() override {
        PGconn* c = conn_->handle();
        if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE) {
            (void)conn_->run("ROLLBACK");
        }
        bool healthy = conn_->healthy();
        pool_.release(std::move(conn_), healthy);
    }

    DbResult<Rows> query(std::string_view sql, Params const& params) override {
        auto res = run(sql, params);
        if (!res) {
            return res.error();
        }
        return read_rows(res->get());
    }

    DbResult<std::int64_t> exec(std::string_view sql, Params const& params) override {
        auto res = run(sql, params);
        if (!res) {
            return res.error();
        }
        // PQcmdTuples also counts the rows a SELECT returned; a SELECT changes none.
        if (std::string_view(PQcmdStatus(res->get())).starts_with("SELECT")) {
            return 0;
        }
        char const* count = PQcmdTuples(res->get());
        return parse_number<std::int64_t>(count, static_cast<int>(std::strlen(count))).value_or(0);
    }

    DbStatus exec_script(std::string_view sql) override {
        if (auto st = usable(); !st) {
            return st;
        }
        // PQexec (not PQexecParams) accepts several statements in one string.
        std::string text(sql);
        if (auto res = conn_->run(text.c_str()); !res) {
            return fail(res.error());
        }
        return {};
    }

    bool supports_skip_locked() const override { return true; }

    DbStatus commit() override {
        if (auto st = usable(); !st) {
            return st;
        }
        auto res = conn_->run("COMMIT");
        if (!res) {
            return fail(res.error());
        }
        // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK.
        if (std::string_view(PQcmdStatus(res->get())) != "COMMIT") {
            return fail(usage_error("transaction was rolled back by the server"));
        }
        committed_ = true;
        return {};
    }

private:
    DbResult<ResultPtr> run(std::string_view sql, Params const& params) {
        if (auto st = usable(); !st) {
            return st.error();
        }
        auto res = conn_->run(sql, params);
        if (!res) {
            return fail(res.error());
        }
        return res;
    }

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

    Pool& pool_;
    std::unique_ptr<Connection> conn_;
    bool committed_ = false;
    std::optional<DbError> failed_;
};

class PgDb final : public Db {
public:
    explicit PgDb(std::string const& conninfo)
        : pool_(kPoolSize, [conninfo] { return connect(conninfo); }) {}

    /// Connects once so a wrong DSN fails at open rather than on the first request.
    DbStatus check() {
        auto conn = pool_.acquire(kPoolWait);
        if (!conn) {
            return conn.error();
        }
        pool_.release(std::move(*conn), true);
        return {};
    }

    DbResult<std::unique_ptr<Tx>> begin(TxMode mode) override {
        char const* sql = mode == TxMode::kWrite
                              ? "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE"
                              : "BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY";
        // An idle pooled connection may have died (server restart, idle kill):
        // drop it and try the next, up to a whole pool's worth plus a fresh one.
        DbError last;
        for (std::size_t attempt = 0; attempt <= kPoolSize; ++attempt) {
            auto conn = pool_.acquire(kPoolWait);
            if (!conn) {
                return conn.error();
            }
            auto res = (*conn)->run(sql);
            if (res) {
                return std::unique_ptr<Tx>(std::make_unique<PgTx>(pool_, std::move(*conn)));
            }
            bool healthy = (*conn)->healthy();
            pool_.release(std::move(*conn), healthy);
            if (res.error().kind != DbErrorKind::kConnection) {
                return res.error();
            }
            last = res.error();
        }
        return last;
    }

    std::string_view dialect() const override { return "postgres"; }

    /// A transaction-scoped advisory lock keyed by the current schema, so
    /// replicas sharing a schema queue up while separate schemas (tests) do not.
    DbStatus lock_for_migrations(Tx& tx) override {
        auto rows = tx.query(
            "SELECT pg_advisory_xact_lock(7305, hashtext(coalesce(current_schema(), '')))", {}
        );
        if (!rows) {
            return rows.error();
        }
        return {};
    }

private:
    Pool pool_;
};

}  // namespace

DbResult<std::unique_ptr<Db>> open_postgres(std::string const& conninfo) {
    auto db = std::make_unique<PgDb>(conninfo);
    if (auto st = db->check(); !st) {
        return st.error();
    }
    return std::unique_ptr<Db>(std::move(db));
}

}  // namespace signoff::storage::postgres
