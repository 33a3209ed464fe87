// Portable SQL for audit_log and outbox inserts (see events_repo.hpp).
#include "storage/repos/events_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {

AuditRecord audit_from_row(Row const& r) {
    return AuditRecord{
        r.text(0),
        r.text(1),
        r.opt_text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.text(6),
        r.text(7),
        r.text(8),
        r.text(9),
        r.opt_text(10),
        r.opt_text(11)};
}

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (id, org_id, actor_id, channel, action, target_type, target_id, "
    "detail_json, created_at, actor_kind, before_json, after_json) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

DbStatus insert_audit(Tx& tx, AuditRecord const& a) {
    return as_status(tx.exec(
        kInsertAudit,
        {a.id,
         a.org_id,
         opt_text(a.actor_id),
         a.channel,
         a.action,
         a.target_type,
         a.target_id,
         a.detail_json,
         a.created_at,
         a.actor_kind,
         opt_text(a.before_json),
         opt_text(a.after_json)}
    ));
}

constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (id, org_id, event_type, payload_json, created_at, available_at, "
    "attempts, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

DbStatus insert_outbox(Tx& tx, OutboxRecord const& o) {
    tx.note_outbox_work();
    return as_status(tx.exec(
        kInsertOutbox,
        {o.id,
         o.org_id,
         o.event_type,
         o.payload_json,
         o.created_at,
         o.available_at,
         o.attempts,
         opt_text(o.delivered_at)}
    ));
}

constexpr std::string_view kSelectAuditForTarget =
    "SELECT id, org_id, actor_id, channel, action, target_type, target_id, detail_json, "
    "created_at, actor_kind, before_json, after_json FROM audit_log "
    "WHERE org_id = $1 AND target_type = $2 AND target_id = $3 ORDER BY created_at, id";

DbResult<std::vector<AuditRecord>> list_audit_for_target(
    Tx& tx, std::string const& org_id, std::string const& target_type, std::string const& target_id
) {
    auto rows = tx.query(kSelectAuditForTarget, {org_id, target_type, target_id});
    if (!rows) {
        return rows.error();
    }
    std::vector<AuditRecord> out;
    for (auto const& r : *rows) {
        out.push_back(audit_from_row(r));
    }
    return out;
}

constexpr std::string_view kSelectOutboxForOrg =
    "SELECT id, org_id, event_type, payload_json, created_at, available_at, attempts, "
    "delivered_at FROM outbox WHERE org_id = $1 ORDER BY created_at, id";

DbResult<std::vector<OutboxRecord>> list_outbox_for_org(Tx& tx, std::string const& org_id) {
    auto rows = tx.query(kSelectOutboxForOrg, {org_id});
    if (!rows) {
        return rows.error();
    }
    std::vector<OutboxRecord> out;
    for (auto const& r : *rows) {
        out.push_back(OutboxRecord{
            r.text(0),
            r.text(1),
            r.text(2),
            r.text(3),
            r.text(4),
            r.text(5),
            r.integer(6),
            r.opt_text(7)});
    }
    return out;
}

}  // namespace signoff::storage::repos
