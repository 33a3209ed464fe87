// Portable SQL of the audit log's read side (see audit_repo.hpp). The WHERE
// clause is assembled from fixed fragments, each value bound as a parameter;
// no caller text ever becomes SQL.
#include "storage/repos/audit_repo.hpp"

#include <string_view>

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kSelectAudit =
    "SELECT id, org_id, actor_id, channel, action, target_type, target_id, detail_json, "
    "created_at, actor_kind, before_json, after_json FROM audit_log WHERE org_id = $1";
constexpr std::string_view kOrderNewestFirst = " ORDER BY created_at DESC, id DESC LIMIT ";
/// LIKE's escape character for the action prefix: '!' needs no quoting in
/// either dialect's string literals, unlike a backslash.
constexpr char kLikeEscape = '!';

/// `prefix` with LIKE's wildcards (and the escape itself) escaped, plus '%'.
std::string like_prefix(std::string const& prefix) {
    std::string out;
    for (char c : prefix) {
        if (c == '%' || c == '_' || c == kLikeEscape) {
            out.push_back(kLikeEscape);
        }
        out.push_back(c);
    }
    return out + "%";
}

/// Binds `value` as the next parameter and answers its placeholder ("$n").
std::string placeholder(Params& params, Value value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
}

}  // namespace

DbResult<std::vector<AuditRecord>> query_audit(Tx& tx, AuditQuery const& q) {
    std::string sql(kSelectAudit);
    Params params{q.org_id};
    if (q.target_type) {
        sql += " AND target_type = " + placeholder(params, *q.target_type);
    }
    if (q.target_id) {
        sql += " AND target_id = " + placeholder(params, *q.target_id);
    }
    if (q.actor_id) {
        sql += " AND actor_id = " + placeholder(params, *q.actor_id);
    }
    if (q.from) {
        sql += " AND created_at >= " + placeholder(params, *q.from);
    }
    if (q.to) {
        sql += " AND created_at < " + placeholder(params, *q.to);
    }
    if (q.action_prefix) {
        sql += " AND action LIKE " + placeholder(params, like_prefix(*q.action_prefix)) +
               " ESCAPE '!'";
    }
    if (q.after) {
        // (created_at, id) < (c, i), with a plain range on created_at first so
        // both planners walk the (…, created_at, id) index from the cursor.
        std::string const c = placeholder(params, q.after->created_at);
        std::string const i = placeholder(params, q.after->id);
        sql += " AND created_at <= " + c + " AND (created_at < " + c + " OR id < " + i + ")";
    }
    sql += kOrderNewestFirst;
    sql += std::to_string(q.limit);
    auto rows = tx.query(sql, params);
    if (!rows) {
        return rows.error();
    }
    std::vector<AuditRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(audit_from_row(r));
    }
    return out;
}

}  // namespace signoff::storage::repos
