// The identity_* tool rows: users and API keys (decode → one IdentityService
// call → encode), and the agent rows of tools/families/agents.cpp. Paths and
// field names follow seed 001 (userId, displayName, orgRole, …); pagination
// answers {users, pagination: {total, page, limit}}.
//
//   MCP tools/call / REST /api/v1/users ─► Registry::invoke ─► handler ─► IdentityService
#include "server/identity/identity_service.hpp"
#include "tools/codec/catalog_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace identity = server::identity;
using codec::opt_int;
using codec::string_or;
using registry::ToolContext;
using server::core::Result;

constexpr FamilyRows tool{"identity"};
constexpr auto service = &service_of<&registry::Services::identity>;

Result<json::value> users_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    identity::CreateUserInput in{
        string_or(a, "email"), string_or(a, "displayName"), string_or(a, "orgRole", "member")};
    return encode((*svc)->create_user(ctx.actor, in));
}

Result<json::value> users_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->list_users(
        ctx.actor,
        opt_int(a, "page").value_or(1),
        opt_int(a, "limit").value_or(20),
        codec::opt_string(a, "search")
    );
    if (!r) {
        return r.error();
    }
    return json::object{
        {"users", json::value_from(r->users)},
        {"pagination", {{"total", r->total}, {"page", r->page}, {"limit", r->limit}}},
    };
}

Result<json::value> users_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_user(ctx.actor, string_or(a, "userId")));
}

Result<json::value> api_keys_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->create_api_key(ctx.actor, string_or(a, "user_id")));
}

}  // namespace

void register_identity_tools(registry::Registry& r) {
    r.add_tool(tool(
        "identity_users_create",
        "Create a user",
        "Adds a user to the organisation: email (unique, case-insensitive), displayName "
        "(defaults to the email's local part) and orgRole (member, hr_admin, admin, "
        "super_admin; default member).",
        {},
        {"POST", "/api/v1/users", "", "", 201},
        users_create,
        "admin, super_admin (only super_admin creates super_admin)"
    ));
    r.add_tool(tool(
        "identity_users_list",
        "List users",
        "Lists the organisation's users by email, with page (default 1) and limit (default 20, "
        "max 100); search keeps users whose email or display name contains it.",
        {.read_only = true, .idempotent = true},
        {"GET", "/api/v1/users"},
        users_list,
        "any member"
    ));
    r.add_tool(tool(
        "identity_users_get",
        "Get a user",
        "Answers one user by userId: their id (a UUID) or their email.",
        {.read_only = true, .idempotent = true},
        {"GET", "/api/v1/users/{userId}"},
        users_get,
        "any member"
    ));
    r.add_tool(tool(
        "identity_api_keys_create",
        "Create an API key",
        "Mints a new API key (sk-signoff-…) for a user. The key is answered once; only its hash "
        "is stored.",
        {},
        {"POST", "/api/v1/users/{user_id}/api-keys", "", "", 201},
        api_keys_create,
        "admin, super_admin for any user; anyone for themselves"
    ));
    register_agent_tools(r);
}

}  // namespace signoff::tools::families
