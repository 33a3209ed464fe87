// Reading the audit log: one filtered, keyset-paginated query, newest first by
// (created_at, id), used by server/audit for audit_list (one page) and
// audit_export (batch after batch). Inserts stay in events_repo (the writers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"
#include "storage/repos/events_repo.hpp"

namespace signoff::storage::repos {

/// A position in the newest-first order: rows strictly older than it follow.
struct AuditKey {
    std::string created_at;
    std::string id;
};

/// Every filter is optional and they combine with AND. Times are RFC 3339
/// UTC in the stored fixed-width form (`from` inclusive, `to` exclusive).
struct AuditQuery {
    std::string org_id;
    std::optional<std::string> target_type;
    std::optional<std::string> target_id;
    std::optional<std::string> actor_id;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<std::string> action_prefix;  // matched literally (no wildcards)
    std::optional<AuditKey> after;             // continue after this row
    std::int64_t limit{50};
};

/// Up to `q.limit` rows of the org matching `q`, newest first.
DbResult<std::vector<AuditRecord>> query_audit(Tx& tx, AuditQuery const& q);

}  // namespace signoff::storage::repos
