// The identity_* tool rows: users and API keys (decode → one IdentityService
// call → encode), and the agent rows of tools/families/agents.cpp. Paths and
// field names follow seed 001 (userId, displayName, orgRole, …); pagination
// answers {users, pagination: {total, page, limit}}.
//
//   MCP tools/call / REST /api/v1/users ─► Registry::invoke ─► handler ─► IdentityService
#include "server/approvals/approvals_service.hpp"
#include "server/identity/identity_service.hpp"
#include "tools/codec/catalog_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/codec/roles_codec.hpp"
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
    auto user = (*svc)->get_user(ctx.actor, string_or(a, "userId"));
    if (!user) {
        return user.error();
    }
    auto out = encode(user);
    if (!out || ctx.services->approvals == nullptr) {
        return out;
    }
    // seed 001's User: groups, roles and the concurrencyControl.version that
    // changing the roles checks.
    auto roles = ctx.services->approvals->user_roles(ctx.actor, user->id);
    auto groups = ctx.services->approvals->user_groups(ctx.actor, user->id);
    if (!roles) {
        return roles.error();
    }
    if (!groups) {
        return groups.error();
    }
    json::array group_items;
    for (auto const& [id, name] : *groups) {
        group_items.push_back(json::object{{"groupId", id}, {"groupName", name}});
    }
    auto& o = out->as_object();
    o["groups"] = std::move(group_items);
    o["roles"] = codec::encode_bindings(roles->roles);
    o["concurrencyControl"] = json::object{{"version", std::to_string(roles->version)}};
    return out;
}

Result<json::value> users_deactivate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->deactivate_user(ctx.actor, string_or(a, "userId")));
}

Result<json::value> users_reactivate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->reactivate_user(ctx.actor, string_or(a, "userId")));
}

Result<json::value> api_keys_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    identity::ApiKeyInput in{
        string_or(a, "user_id"), codec::opt_string(a, "name"), codec::opt_string(a, "expiresAt")};
    return encode((*svc)->create_api_key(ctx.actor, in));
}

Result<json::value> api_keys_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto keys = (*svc)->list_api_keys(ctx.actor, string_or(a, "user_id"));
    if (!keys) {
        return keys.error();
    }
    return json::object{{"apiKeys", json::value_from(*keys)}};
}

Result<json::value> api_keys_revoke(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->revoke_api_key(ctx.actor, string_or(a, "user_id"), string_or(a, "key_id"))
    );
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
        {"POST", "/api/v1/users", "", "", 201, "/api/v1/users/{id}"},
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
        "identity_users_deactivate",
        "Deactivate a user (off-boarding)",
        "Off-boards a user: every API key of theirs is revoked and stops working on the next "
        "request, their open MCP sessions on this server end, and their standing votes on open "
        "workflows are withdrawn (those workflows are evaluated again). Their grants stay until "
        "revoked with catalog_revoke. Never oneself, the last admin or the last super_admin. "
        "Deactivating a deactivated user changes nothing.",
        {.destructive = true, .idempotent = true},
        {"POST", "/api/v1/users/{userId}/deactivate"},
        users_deactivate,
        "super_admin for anyone; admin for members and hr_admins"
    ));
    r.add_tool(tool(
        "identity_users_reactivate",
        "Reactivate a user",
        "Lets a deactivated user be active again. Restores no API key (mint a new one with "
        "identity_api_keys_create) and no vote.",
        {.idempotent = true},
        {"POST", "/api/v1/users/{userId}/reactivate"},
        users_reactivate,
        "super_admin for anyone; admin for members and hr_admins"
    ));
    r.add_tool(tool(
        "identity_api_keys_create",
        "Create an API key",
        "Mints a new API key (sk-signoff-…) for a user, with an optional name and expiresAt "
        "(RFC 3339, in the future). The key is answered once; only its hash is stored. The "
        "issuer is recorded.",
        {},
        {"POST",
         "/api/v1/users/{user_id}/api-keys",
         "",
         "",
         201,
         "/api/v1/users/{user_id}/api-keys/{id}"},
        api_keys_create,
        "anyone for themselves; super_admin for anyone; admin for members and hr_admins"
    ));
    r.add_tool(tool(
        "identity_api_keys_list",
        "List a user's API keys",
        "Lists a user's API keys, revoked and expired ones included: id, prefix, name, "
        "createdAt, lastUsedAt, expiresAt, revokedAt, issuedBy. Never the key itself.",
        {.read_only = true, .idempotent = true},
        {"GET", "/api/v1/users/{user_id}/api-keys"},
        api_keys_list,
        "anyone for themselves; super_admin for anyone; admin for members and hr_admins"
    ));
    r.add_tool(tool(
        "identity_api_keys_revoke",
        "Revoke an API key",
        "Revokes one of a user's API keys (user_id, key_id from identity_api_keys_list). It stops "
        "working on the next request, on every replica. Revoking a revoked key changes nothing.",
        {.destructive = true, .idempotent = true},
        {"DELETE", "/api/v1/users/{user_id}/api-keys/{key_id}"},
        api_keys_revoke,
        "anyone for themselves; super_admin for anyone; admin for members and hr_admins"
    ));
    register_agent_tools(r);
}

}  // namespace signoff::tools::families
