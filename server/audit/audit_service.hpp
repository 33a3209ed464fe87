// The audit log's read side: audit_list (one filtered page, newest first,
// keyset cursor) and audit_export (every matching row as JSON lines, streamed
// into an upload). Rows are written elsewhere, by every service through
// events::Recorder in the transaction of the change (docs/audit.md).
//
//   tools/families/audit.cpp ──► AuditService ──► authorize(kAuditRead)
//                                             ├─► storage/repos/audit_repo (query_audit)
//                                             └─► events::UploadWriter (export chunks)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "storage/db.hpp"

namespace signoff::server::audit {

inline constexpr std::int64_t kDefaultPageSize = 50;
inline constexpr std::int64_t kMaxPageSize = 500;
inline constexpr const char* kJsonLinesContentType = "application/x-ndjson; charset=utf-8";

/// Every field is optional; given ones combine with AND. `target_id` needs
/// `target_type`. Times are RFC 3339 (any offset): `from` inclusive, `to`
/// exclusive. `action_prefix` matches the start of the action literally,
/// case-insensitively ("catalog." or "approvals.workflow").
struct AuditFilter {
    std::optional<std::string> target_type{};
    std::optional<std::string> target_id{};
    std::optional<std::string> actor_id{};
    std::optional<std::string> from{};
    std::optional<std::string> to{};
    std::optional<std::string> action_prefix{};
};

/// page_size 1..500 (default 50); `cursor` is a previous page's next_cursor.
struct AuditPageRequest {
    std::optional<std::int64_t> page_size{};
    std::optional<std::string> cursor{};
};

/// One audit row as readers see it. The *_json members are JSON text as
/// stored (objects; before/after may be absent).
struct AuditRow {
    std::string id;
    std::string created_at;
    std::optional<std::string> actor_id;  // absent for the system
    std::string actor_kind;               // user | agent | system
    std::string channel;                  // mcp-stdio | mcp-http | rest | rest+x-mcp | system
    std::string action;
    std::string target_type;
    std::string target_id;
    std::string detail_json;
    std::optional<std::string> before_json;
    std::optional<std::string> after_json;
};

struct AuditPage {
    std::vector<AuditRow> items;
    std::optional<std::string> next_cursor;  // absent on the last page
};

struct AuditExport {
    std::string upload_id;
    std::string file_name;
    std::int64_t row_count{0};
};

/// Called after each batch with the rows written so far.
using AuditExportProgress = std::function<void(std::int64_t done)>;
/// Polled between batches; true stops the export (kUnavailable "export
/// cancelled"; nothing is stored).
using AuditExportCancelled = std::function<bool()>;

/// One row as one JSON object on one line (no newline), the shape of
/// audit_list's items: id, created_at, actor_id, actor_kind, channel, action,
/// target_type, target_id, detail, before, after.
std::string json_line(AuditRow const& row);

class AuditService {
public:
    AuditService(storage::Db& db, core::Clock const& clock, core::IdSource& ids);

    /// Org admins and AuditorViewers (kPermissionDenied otherwise). Bad filter,
    /// page size or cursor → kInvalidArgument naming the field.
    core::Result<AuditPage> list(
        core::Actor const& actor, AuditFilter const& filter, AuditPageRequest const& page
    );

    /// Writes every row matching `filter`, newest first, as JSON lines into a
    /// new upload owned by the caller; rows written after the export started
    /// are not in it. Memory is one batch plus one chunk whatever the row
    /// count. The upload completes in one transaction with the export's own
    /// audit row (`audit.exported`); a failed or cancelled export leaves none.
    core::Result<AuditExport> export_jsonl(
        core::Actor const& actor,
        AuditFilter const& filter,
        AuditExportProgress const& progress,
        AuditExportCancelled const& cancelled
    );

private:
    core::Status check_access(core::Actor const& actor);

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
};

}  // namespace signoff::server::audit
