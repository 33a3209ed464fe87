// Portable SQL for deliveries and attempts (see deliveries_repo.hpp). The one
// dialect difference, the row lock of a claim, is asked of the Tx
// (supports_skip_locked) rather than spelt out per back end here.
#include "storage/repos/deliveries_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kColumns =
    "id, org_id, event_id, event_type, endpoint_id, target, state, attempts, next_attempt_at, "
    "first_attempt_at, previous_delay_ms, lease_until, leased_by, last_status, last_error, "
    "created_at, updated_at, workflow_id";

constexpr std::string_view kOutboxColumns =
    "id, org_id, event_type, payload_json, created_at, available_at, attempts, delivered_at";

std::optional<std::int64_t> opt_int(Row const& r, std::size_t i) {
    if (r.is_null(i)) {
        return std::nullopt;
    }
    return r.integer(i);
}

Value opt_int_value(std::optional<std::int64_t> v) {
    return v ? Value{*v} : Value{Null{}};
}

DeliveryRecord delivery_from(Row const& r) {
    return DeliveryRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.opt_text(4),
        r.text(5),
        r.text(6),
        r.integer(7),
        r.text(8),
        r.opt_text(9),
        r.integer(10),
        r.opt_text(11),
        r.opt_text(12),
        opt_int(r, 13),
        r.opt_text(14),
        r.text(15),
        r.text(16),
        r.opt_text(17),
    };
}

OutboxRecord outbox_from(Row const& r) {
    return OutboxRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.integer(6),
        r.opt_text(7)};
}

template <class Decode>
auto all_of(DbResult<Rows> rows, Decode decode)
    -> DbResult<std::vector<std::invoke_result_t<Decode, Row const&>>> {
    if (!rows) {
        return rows.error();
    }
    std::vector<std::invoke_result_t<Decode, Row const&>> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(decode(r));
    }
    return out;
}

/// The row-lock suffix of a claim's SELECT on this back end.
std::string_view lock_clause(Tx const& tx) {
    return tx.supports_skip_locked() ? " FOR UPDATE SKIP LOCKED" : "";
}

}  // namespace

DbResult<std::vector<OutboxRecord>> claim_outbox_for_fanout(
    Tx& tx, std::string const& now, std::int64_t limit
) {
    std::string const sql = "SELECT " + std::string(kOutboxColumns) +
                            " FROM outbox WHERE delivered_at IS NULL AND available_at <= $1 "
                            "ORDER BY created_at, id LIMIT $2" +
                            std::string(lock_clause(tx));
    return all_of(tx.query(sql, {now, limit}), outbox_from);
}

DbResult<std::int64_t> mark_outbox_fanned(Tx& tx, std::string const& id, std::string const& now) {
    return tx.exec(
        "UPDATE outbox SET delivered_at = $2, attempts = attempts + 1 "
        "WHERE id = $1 AND delivered_at IS NULL",
        {id, now}
    );
}

DbResult<std::optional<OutboxRecord>> find_outbox(Tx& tx, std::string const& id) {
    std::string const sql = "SELECT " + std::string(kOutboxColumns) + " FROM outbox WHERE id = $1";
    return first_row(tx.query(sql, {id}), outbox_from);
}

constexpr std::string_view kInsertDelivery =
    "INSERT INTO webhook_deliveries (id, org_id, event_id, event_type, endpoint_id, target, "
    "state, attempts, next_attempt_at, first_attempt_at, previous_delay_ms, lease_until, "
    "leased_by, last_status, last_error, created_at, updated_at, workflow_id) VALUES ($1, $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

DbStatus insert_delivery(Tx& tx, DeliveryRecord const& d) {
    return as_status(tx.exec(
        kInsertDelivery,
        {d.id,
         d.org_id,
         d.event_id,
         d.event_type,
         opt_text(d.endpoint_id),
         d.target,
         d.state,
         d.attempts,
         d.next_attempt_at,
         opt_text(d.first_attempt_at),
         d.previous_delay_ms,
         opt_text(d.lease_until),
         opt_text(d.leased_by),
         opt_int_value(d.last_status),
         opt_text(d.last_error),
         d.created_at,
         d.updated_at,
         opt_text(d.workflow_id)}
    ));
}

DbResult<std::vector<DeliveryRecord>> claim_due_deliveries(
    Tx& tx,
    std::string const& now,
    std::string const& lease_until,
    std::string const& token,
    std::int64_t limit
) {
    std::string const pick =
        "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 "
        "AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, id LIMIT $2" +
        std::string(lock_clause(tx));
    auto ids = tx.query(pick, {now, limit});
    if (!ids) {
        return ids.error();
    }
    std::vector<DeliveryRecord> out;
    std::string const lease =
        "UPDATE webhook_deliveries SET lease_until = $2, leased_by = $3 "
        "WHERE id = $1 RETURNING " +
        std::string(kColumns);
    for (auto const& r : *ids) {
        auto leased = first_row(tx.query(lease, {r.text(0), lease_until, token}), delivery_from);
        if (!leased) {
            return leased.error();
        }
        if (*leased) {
            out.push_back(std::move(**leased));
        }
    }
    return out;
}

DbResult<std::int64_t> record_outcome(
    Tx& tx, std::string const& id, std::string const& token, AttemptOutcomeRecord const& o
) {
    return tx.exec(
        "UPDATE webhook_deliveries SET state = $3, attempts = $4, next_attempt_at = $5, "
        "first_attempt_at = $6, previous_delay_ms = $7, last_status = $8, last_error = $9, "
        "updated_at = $10, lease_until = NULL, leased_by = NULL "
        "WHERE id = $1 AND leased_by = $2 AND state = 'pending'",
        {id,
         token,
         o.state,
         o.attempts,
         o.next_attempt_at,
         opt_text(o.first_attempt_at),
         o.previous_delay_ms,
         opt_int_value(o.last_status),
         opt_text(o.last_error),
         o.now}
    );
}

DbStatus insert_attempt(Tx& tx, AttemptRecord const& a) {
    return as_status(tx.exec(
        "INSERT INTO webhook_attempts (delivery_id, attempt_no, started_at, status_code, "
        "latency_ms, answer_head, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {a.delivery_id,
         a.attempt_no,
         a.started_at,
         opt_int_value(a.status_code),
         a.latency_ms,
         a.answer_head,
         a.error}
    ));
}

DbResult<std::optional<DeliveryRecord>> find_delivery(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    std::string const sql = "SELECT " + std::string(kColumns) +
                            " FROM webhook_deliveries WHERE org_id = $1 AND id = $2";
    return first_row(tx.query(sql, {org_id, id}), delivery_from);
}

namespace {

/// Appends "AND <column> <op> $n" for a present filter value.
void narrow(
    std::string& sql,
    Params& params,
    std::string_view column,
    std::string_view op,
    std::optional<std::string> const& value
) {
    if (!value) {
        return;
    }
    params.emplace_back(*value);
    sql += " AND " + std::string(column) + " " + std::string(op) + " $" +
           std::to_string(params.size());
}

}  // namespace

DbResult<std::vector<DeliveryRecord>> list_deliveries(Tx& tx, DeliveryFilter const& f) {
    std::string sql =
        "SELECT " + std::string(kColumns) + " FROM webhook_deliveries WHERE org_id = $1";
    Params params{f.org_id};
    narrow(sql, params, "endpoint_id", "=", f.endpoint_id);
    if (f.actions_only) {
        sql += " AND endpoint_id IS NULL";
    }
    narrow(sql, params, "target", "=", f.target);
    narrow(sql, params, "workflow_id", "=", f.workflow_id);
    narrow(sql, params, "state", "=", f.state);
    narrow(sql, params, "event_type", "=", f.event_type);
    narrow(sql, params, "created_at", ">=", f.created_from);
    narrow(sql, params, "created_at", "<", f.created_to);
    if (f.before_created_at && f.before_id) {
        params.emplace_back(*f.before_created_at);
        params.emplace_back(*f.before_id);
        auto const a = std::to_string(params.size() - 1);
        auto const b = std::to_string(params.size());
        sql += " AND (created_at < $" + a + " OR (created_at = $" + a + " AND id < $" + b + "))";
    }
    params.emplace_back(f.limit);
    sql += " ORDER BY created_at DESC, id DESC LIMIT $" + std::to_string(params.size());
    return all_of(tx.query(sql, params), delivery_from);
}

DbResult<std::vector<AttemptRecord>> list_attempts(Tx& tx, std::string const& delivery_id) {
    return all_of(
        tx.query(
            "SELECT delivery_id, attempt_no, started_at, status_code, latency_ms, answer_head, "
            "error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt_no",
            {delivery_id}
        ),
        [](Row const& r) {
            return AttemptRecord{
                r.text(0),
                r.integer(1),
                r.text(2),
                opt_int(r, 3),
                r.integer(4),
                r.text(5),
                r.text(6)};
        }
    );
}

}  // namespace signoff::storage::repos
