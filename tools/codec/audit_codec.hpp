// JSON ⇄ audit log types (server/audit), found by ADL from boost::json::value_from.
// An item has the shape of one line of audit_export's file, so a caller can
// read both with the same code (docs/audit.md).
#pragma once

#include <boost/json.hpp>

#include "server/audit/audit_service.hpp"

namespace signoff::server::audit {

/// {id, created_at, actor_id, actor_kind, channel, action, target_type,
///  target_id, detail, before, after}; the last three are the stored JSON
///  objects (null when absent).
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, AuditRow const& r);
/// {items, next_cursor}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, AuditPage const& p);

}  // namespace signoff::server::audit

namespace signoff::tools::codec {

/// The filter fields of audit_list and audit_export (already schema-checked).
server::audit::AuditFilter audit_filter(boost::json::object const& args);

}  // namespace signoff::tools::codec
