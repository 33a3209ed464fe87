// The webhooks_* tool rows: each member's own endpoint (webhooks_me_*, the
// seed's /me/agent) and the org-wide integrations admins manage
// (webhooks_admin_*, /admin/integrations). One row and one short handler per
// tool (decode → one WebhooksService call → encode); secrets appear only in
// the answers of the calls that make them.
//
//   MCP tools/call ─┐
//   REST /api/v1/me/agent…, /api/v1/admin/integrations… ─┴─► handler ─► WebhooksService
#include "server/webhooks/webhooks_service.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/codec/webhooks_codec.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace webhooks = server::webhooks;
using codec::nullable_string;
using codec::opt_int;
using codec::opt_string;
using codec::string_or;
using registry::Annotations;
using registry::ToolContext;
using server::core::Result;

constexpr const char* kMePath = "/api/v1/me/agent";
constexpr const char* kIntegrationsPath = "/api/v1/admin/integrations";
constexpr const char* kIntegrationPath = "/api/v1/admin/integrations/{id}";

constexpr FamilyRows tool{"webhooks"};
constexpr auto service = &service_of<&registry::Services::webhooks>;

Result<json::value> encode_deleted(Result<webhooks::Webhook> const& r) {
    if (!r) {
        return r.error();
    }
    return json::object{{"deleted", true}, {"webhook", json::value_from(*r)}};
}

std::optional<std::vector<std::string>> opt_strings(json::object const& a, std::string_view key) {
    if (!a.contains(key)) {
        return std::nullopt;
    }
    return codec::strings(a, key);
}

webhooks::Rotation rotation(json::object const& a) {
    return {opt_int(a, "overlap_seconds"), opt_int(a, "expected_version")};
}

// ---- the caller's own endpoint --------------------------------------------------

Result<json::value> me_get(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_mine(ctx.actor));
}

Result<json::value> me_set(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    webhooks::MyWebhookInput in{
        string_or(a, "url"),
        codec::strings(a, "events"),
        opt_string(a, "scheme"),
        opt_int(a, "expected_version")};
    return encode((*svc)->set_mine(ctx.actor, in));
}

Result<json::value> me_delete(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_deleted((*svc)->delete_mine(ctx.actor));
}

Result<json::value> me_rotate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->rotate_mine(ctx.actor, rotation(a)));
}

Result<json::value> me_enable(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->enable_mine(ctx.actor));
}

// ---- org integrations ---------------------------------------------------------

Result<json::value> admin_list(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto list = (*svc)->list_integrations(ctx.actor);
    if (!list) {
        return list.error();
    }
    auto const count = static_cast<std::int64_t>(list->size());
    return json::object{{"items", json::value_from(*list)}, {"total_count", count}};
}

Result<json::value> admin_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_integration(ctx.actor, string_or(a, "id")));
}

Result<json::value> admin_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    webhooks::IntegrationInput in{
        string_or(a, "name"),
        opt_string(a, "description"),
        string_or(a, "url"),
        codec::strings(a, "events"),
        opt_string(a, "scheme")};
    return encode((*svc)->create_integration(ctx.actor, in));
}

Result<json::value> admin_update(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    webhooks::IntegrationPatch p;
    p.name = opt_string(a, "name");
    p.description = nullable_string(a, "description");
    p.url = opt_string(a, "url");
    p.events = opt_strings(a, "events");
    p.scheme = opt_string(a, "scheme");
    p.expected_version = opt_int(a, "expected_version");
    return encode((*svc)->update_integration(ctx.actor, string_or(a, "id"), p));
}

Result<json::value> admin_delete(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_deleted((*svc)->delete_integration(ctx.actor, string_or(a, "id")));
}

Result<json::value> admin_rotate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->rotate_integration(ctx.actor, string_or(a, "id"), rotation(a)));
}

Result<json::value> admin_enable(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->enable_integration(ctx.actor, string_or(a, "id")));
}

// ---- the table -------------------------------------------------------------------

constexpr Annotations kRead{.read_only = true, .idempotent = true};
constexpr Annotations kWrite{};
constexpr Annotations kIdempotent{.idempotent = true};
constexpr Annotations kDestructive{.destructive = true, .idempotent = true};

constexpr const char* kMember = "any human member, for their own endpoint (agents have none)";
constexpr const char* kAdmins = "admin, super_admin";

void register_me_tools(registry::Registry& r) {
    r.add_tool(tool(
        "webhooks_me_get",
        "Get my webhook",
        "Your own webhook endpoint: url, subscribed events, signing scheme, a masked hint of "
        "the secret (never the secret), and delivery health (enabled, consecutive_failures). "
        "Not found until you set one.",
        kRead,
        {"GET", kMePath},
        me_get,
        kMember
    ));
    r.add_tool(tool(
        "webhooks_me_set",
        "Set my webhook",
        "Creates or replaces your webhook endpoint, which receives the events of the catalog "
        "rows you own and of your own approvals. url: https (or http to a loopback receiver); "
        "events: the types to receive, or [\"*\"]; scheme: signoff (default, timestamped "
        "signature) or fluxdesk (the seed product's). The first set answers the signing secret "
        "(whsec_…) once; keep it, it is never shown again.",
        kIdempotent,
        {"PUT", kMePath},
        me_set,
        kMember
    ));
    r.add_tool(tool(
        "webhooks_me_delete",
        "Delete my webhook",
        "Deletes your webhook endpoint and its secret; deliveries to it stop.",
        kDestructive,
        {"DELETE", kMePath},
        me_delete,
        kMember
    ));
    r.add_tool(tool(
        "webhooks_me_rotate",
        "Rotate my webhook secret",
        "Answers a new signing secret (shown this once). The old one keeps signing beside it "
        "for overlap_seconds (default 86400, at most 604800; 0 retires it at once) so your "
        "receiver can switch without dropping deliveries.",
        kWrite,
        {"POST", "/api/v1/me/agent/rotate"},
        me_rotate,
        kMember
    ));
    r.add_tool(tool(
        "webhooks_me_enable",
        "Re-enable my webhook",
        "Switches your endpoint back on after Signoff disabled it (10 failed deliveries in a "
        "row, or a 410 answer) and resets its failure count. Enabling an enabled endpoint "
        "changes nothing.",
        kIdempotent,
        {"POST", "/api/v1/me/agent/enable"},
        me_enable,
        kMember
    ));
}

void register_admin_tools(registry::Registry& r) {
    r.add_tool(tool(
        "webhooks_admin_list",
        "List integrations",
        "The organization's integrations: org-wide webhook endpoints that receive every "
        "subscribed event of the org. Secrets show as masked hints.",
        kRead,
        {"GET", kIntegrationsPath},
        admin_list,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_get",
        "Get an integration",
        "One integration by id.",
        kRead,
        {"GET", kIntegrationPath},
        admin_get,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_create",
        "Create an integration",
        "Adds an org-wide webhook endpoint: name, optional description, url, events (or "
        "[\"*\"]) and scheme. Answers the signing secret (whsec_…) once. At most 50 per "
        "organization.",
        kWrite,
        {"POST", kIntegrationsPath, "", "", 201, kIntegrationPath},
        admin_create,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_update",
        "Update an integration",
        "Changes the given fields (description null clears it). With expected_version, an "
        "integration changed meanwhile fails with a conflict naming the current version.",
        kWrite,
        {"PATCH", kIntegrationPath},
        admin_update,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_delete",
        "Delete an integration",
        "Deletes an integration and its secret; deliveries to it stop.",
        kDestructive,
        {"DELETE", kIntegrationPath},
        admin_delete,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_rotate",
        "Rotate an integration's secret",
        "Answers a new signing secret (shown this once); the old one keeps signing for "
        "overlap_seconds (default 86400, at most 604800; 0 retires it at once).",
        kWrite,
        {"POST", "/api/v1/admin/integrations/{id}/rotate"},
        admin_rotate,
        kAdmins
    ));
    r.add_tool(tool(
        "webhooks_admin_enable",
        "Re-enable an integration",
        "Switches an integration back on after Signoff disabled it and resets its failure "
        "count. Enabling an enabled integration changes nothing.",
        kIdempotent,
        {"POST", "/api/v1/admin/integrations/{id}/enable"},
        admin_enable,
        kAdmins
    ));
}

}  // namespace

void register_webhooks_tools(registry::Registry& r) {
    register_me_tools(r);
    register_admin_tools(r);
    register_deliveries_tools(r);
}

}  // namespace signoff::tools::families
