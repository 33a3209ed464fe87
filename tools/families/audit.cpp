// The audit_* tool rows: audit_list (GET /api/v1/admin/audit, filters as query
// parameters) and audit_export (POST /api/v1/admin/audit/export, JSON lines
// into an upload read through GET /api/v5/uploads/{upload_id} or the resource
// signoff://uploads/{upload_id}). Decode → one AuditService call → encode.
//
//   MCP tools/call ─┐
//   REST /api/v1/admin/audit… ─┴─► Registry::invoke ─► handler below ─► AuditService
#include "server/audit/audit_service.hpp"
#include "tools/codec/audit_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace audit = server::audit;
using codec::opt_int;
using codec::opt_string;
using registry::Annotations;
using registry::ToolContext;
using server::core::Result;

constexpr const char* kAuditPath = "/api/v1/admin/audit";
constexpr const char* kAuditExportPath = "/api/v1/admin/audit/export";
constexpr const char* kWho = "org admins (admin, super_admin) and holders of AuditorViewer";

constexpr FamilyRows tool{"audit"};
constexpr auto service = &service_of<&registry::Services::audit>;

Result<json::value> list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    audit::AuditPageRequest page{opt_int(a, "page_size"), opt_string(a, "cursor")};
    auto r = (*svc)->list(ctx.actor, codec::audit_filter(a), page);
    if (!r) {
        return r.error();
    }
    return json::value_from(*r);
}

Result<json::value> export_jsonl(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto progress = [&ctx](std::int64_t done) {
        if (ctx.progress) {
            ctx.progress(
                static_cast<double>(done),
                std::nullopt,
                "exported " + std::to_string(done) + " rows"
            );
        }
    };
    auto cancelled = [&ctx] { return ctx.is_cancelled(); };
    auto r = (*svc)->export_jsonl(ctx.actor, codec::audit_filter(a), progress, cancelled);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"upload_id", r->upload_id}, {"file_name", r->file_name}, {"row_count", r->row_count}};
}

}  // namespace

void register_audit_tools(registry::Registry& r) {
    r.add_tool(tool(
        "audit_list",
        "List audit log entries",
        "One page of the organisation's audit log, newest first: who (actor_id, actor_kind), "
        "what (action, target_type, target_id, detail), when (created_at), through which "
        "channel, and the before/after summary of updates. Filters: target_type and target_id, "
        "actor_id, from/to (RFC 3339; from inclusive, to exclusive), action_prefix. page_size "
        "1-500 (default 50); pass next_cursor back as cursor for the next page.",
        Annotations{.read_only = true, .idempotent = true},
        {"GET", kAuditPath},
        list,
        kWho
    ));
    r.add_tool(tool(
        "audit_export",
        "Export the audit log as JSON lines",
        "Writes every audit entry matching the filters (those of audit_list), newest first, one "
        "JSON object per line in audit_list's item shape, to an upload, streaming; answers "
        "upload_id, file_name and row_count. The file is at GET /api/v5/uploads/{upload_id} and "
        "at the resource signoff://uploads/{upload_id}. Sends progress notifications when the "
        "call carries a progress token.",
        Annotations{},
        {"POST", kAuditExportPath},
        export_jsonl,
        kWho
    ));
}

}  // namespace signoff::tools::families
