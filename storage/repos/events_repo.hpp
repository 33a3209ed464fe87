// Repository of the audit log and the outbox: append-only inserts that domain
// services make inside their own transaction, so an event exists exactly when
// the change it describes was committed. Delivery reads live elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct AuditRecord {
    std::string id;
    std::string org_id;
    std::optional<std::string> actor_id;  // null for the system (expiry timer)
    std::string channel;
    std::string action;
    std::string target_type;
    std::string target_id;
    std::string detail_json;
    std::string created_at;
    std::string actor_kind{"user"};  // user | agent | system
    std::optional<std::string> before_json{};
    std::optional<std::string> after_json{};
};

struct OutboxRecord {
    std::string id;
    std::string org_id;
    std::string event_type;
    std::string payload_json;
    std::string created_at;
    std::string available_at;
    std::int64_t attempts{0};
    std::optional<std::string> delivered_at;
};

DbStatus insert_audit(Tx& tx, AuditRecord const& a);
DbStatus insert_outbox(Tx& tx, OutboxRecord const& o);

/// The columns kAuditColumns (audit_repo.hpp) select, in that order.
AuditRecord audit_from_row(Row const& r);

/// Audit rows of one target, oldest first (for tests and the audit views).
DbResult<std::vector<AuditRecord>> list_audit_for_target(
    Tx& tx, std::string const& org_id, std::string const& target_type, std::string const& target_id
);
/// Outbox rows of one org, oldest first.
DbResult<std::vector<OutboxRecord>> list_outbox_for_org(Tx& tx, std::string const& org_id);

}  // namespace signoff::storage::repos
