// The agent tool rows of seed 001: register (the private key answered once)
// and get by id or name (identity_agents_*), and an agent's role bindings
// (approvals_agent_roles_*, the agent twins of approvals_user_roles_*).
// Keys travel as the seed shows them: base64 of the PEM text.
//
//   MCP tools/call ─┐
//   REST /api/v1/agents/register, /api/v1/agents/{agentIdOrName},
//        /api/v1/agents/{agentId}/roles ─┴─► handler ─► IdentityService /
//                                                      ApprovalsService
#include "server/approvals/approvals_service.hpp"
#include "server/identity/identity_service.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/codec/roles_codec.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace approvals = server::approvals;
namespace identity = server::identity;
using codec::string_or;
using registry::Annotations;
using registry::RestRoute;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kAgentRolesPath = "/api/v1/agents/{agentId}/roles";
constexpr Annotations kReadOnly{.read_only = true, .idempotent = true};

constexpr FamilyRows identity_tool{"identity"};
constexpr FamilyRows approvals_tool{"approvals"};
constexpr auto identity_service = &service_of<&registry::Services::identity>;
constexpr auto approvals_service = &service_of<&registry::Services::approvals>;

json::object agent_json(identity::Agent const& a) {
    json::object out{
        {"id", a.id},
        {"agentName", a.name},
        {"publicKey", identity::base64(a.public_key_pem)},
        {"createdAt", a.created_at},
    };
    if (a.revoked_at) {
        out["revokedAt"] = *a.revoked_at;
    }
    return out;
}

Result<json::value> agent_roles_json(Result<approvals::AgentRoles> const& r) {
    if (!r) {
        return r.error();
    }
    return json::object{
        {"agentId", r->agent_id},
        {"roles", codec::encode_bindings(r->roles)},
        {"concurrencyControl", {{"version", std::to_string(r->version)}}},
    };
}

Result<json::value> agents_register(ToolContext& ctx, json::object const& a) {
    auto svc = identity_service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->register_agent(ctx.actor, string_or(a, "agentName"));
    if (!r) {
        return r.error();
    }
    return json::object{
        {"agentId", r->agent.id},
        {"agentName", r->agent.name},
        {"publicKey", identity::base64(r->agent.public_key_pem)},
        {"privateKey", identity::base64(r->private_key_pem)},
        {"createdAt", r->agent.created_at},
    };
}

Result<json::value> agents_get(ToolContext& ctx, json::object const& a) {
    auto svc = identity_service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->get_agent(ctx.actor, string_or(a, "agentIdOrName"));
    if (!r) {
        return r.error();
    }
    return agent_json(*r);
}

Result<json::value> agents_list(ToolContext& ctx, json::object const& a) {
    auto svc = identity_service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->list_agents(
        ctx.actor, codec::opt_int(a, "page").value_or(1), codec::opt_int(a, "limit").value_or(20)
    );
    if (!r) {
        return r.error();
    }
    json::array agents;
    for (auto const& g : r->agents) {
        json::object item{
            {"id", g.id},
            {"name", g.name},
            {"createdAt", g.created_at},
            {"revoked", g.revoked_at.has_value()}};
        if (g.revoked_at) {
            item["revokedAt"] = *g.revoked_at;
        }
        agents.emplace_back(std::move(item));
    }
    return json::object{
        {"agents", std::move(agents)},
        {"pagination", {{"total", r->total}, {"page", r->page}, {"limit", r->limit}}},
    };
}

Result<json::value> agents_revoke(ToolContext& ctx, json::object const& a) {
    auto svc = identity_service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->revoke_agent(ctx.actor, string_or(a, "agentIdOrName"));
    if (!r) {
        return r.error();
    }
    return agent_json(*r);
}

Result<json::value> agent_roles_get(ToolContext& ctx, json::object const& a) {
    auto svc = approvals_service(ctx);
    if (!svc) {
        return svc.error();
    }
    return agent_roles_json((*svc)->agent_roles(ctx.actor, string_or(a, "agentId")));
}

Result<json::value> agent_roles_replace(ToolContext& ctx, json::object const& a) {
    auto svc = approvals_service(ctx);
    if (!svc) {
        return svc.error();
    }
    return agent_roles_json((*svc)->replace_agent_roles(
        ctx.actor,
        string_or(a, "agentId"),
        codec::decode_role_inputs(a),
        codec::decode_concurrency_version(a)
    ));
}

Result<json::value> agent_roles_remove(ToolContext& ctx, json::object const& a) {
    auto svc = approvals_service(ctx);
    if (!svc) {
        return svc.error();
    }
    return agent_roles_json((*svc)->remove_agent_roles(
        ctx.actor,
        string_or(a, "agentId"),
        codec::decode_role_inputs(a),
        codec::decode_concurrency_version(a)
    ));
}

/// A row whose schemas live in schemas/<family>/<name>.{input,output}.json.
}  // namespace

void register_agent_tools(registry::Registry& r) {
    r.add_tool(identity_tool(
        "identity_agents_register",
        "Register an agent",
        "Registers an agent: agentName (at most 100 bytes in UTF-8, unique across the system "
        "ignoring case, not a UUID). Generates an RSA-3072 key pair and answers the private key "
        "exactly "
        "once (privateKey: base64 of its PKCS#8 PEM); only the public key (base64 of its SPKI "
        "PEM) is stored. Keep the private key: it cannot be shown again.",
        {},
        {"POST", "/api/v1/agents/register", "", "", 201, "/api/v1/agents/{agentId}"},
        agents_register,
        "any human user"
    ));
    r.add_tool(identity_tool(
        "identity_agents_get",
        "Get an agent",
        "One agent by id or by name (ignoring case): id, agentName, publicKey (base64 of its "
        "SPKI PEM), createdAt. Never the private key.",
        kReadOnly,
        {"GET", "/api/v1/agents/{agentIdOrName}"},
        agents_get,
        "any member"
    ));
    r.add_tool(identity_tool(
        "identity_agents_list",
        "List agents",
        "The organization's agents by name, a page at a time (page ≥ 1, limit 1-100, default "
        "20): id, name, createdAt, revoked.",
        kReadOnly,
        {"GET", "/api/v1/agents"},
        agents_list,
        "any member"
    ));
    r.add_tool(identity_tool(
        "identity_agents_revoke",
        "Revoke an agent",
        "Revokes an agent by id or name: it can no longer sign in, and every session and access "
        "token it holds stops working at once. The record, its history and its name stay. "
        "Revoking a revoked agent answers it unchanged.",
        {.destructive = true, .idempotent = true},
        {"POST", "/api/v1/agents/{agentIdOrName}/revoke"},
        agents_revoke,
        "humans: the agent's registrant, or an admin or super_admin"
    ));
    r.add_tool(approvals_tool(
        "approvals_agent_roles_get",
        "Get an agent's roles",
        "An agent's role bindings and their concurrencyControl.version, which replacing them "
        "needs.",
        kReadOnly,
        {"GET", kAgentRolesPath},
        agent_roles_get,
        "any member"
    ));
    r.add_tool(approvals_tool(
        "approvals_agent_roles_replace",
        "Replace an agent's roles",
        "Replaces all of an agent's role bindings ({roleName, scope}); needs the current "
        "concurrencyControl.version. Agents hold only workflow template roles "
        "(WorkflowTemplate…, SpaceWideWorkflowTemplate…, OrgWideWorkflowTemplate…). At most 128 "
        "bindings.",
        {.idempotent = true},
        {"PUT", kAgentRolesPath, "", "", 204},
        agent_roles_replace,
        "humans only; template-scoped bindings: SpaceManager on the template's space; "
        "space-scoped: SpaceManager on the space; org-scoped: admin, super_admin"
    ));
    r.add_tool(approvals_tool(
        "approvals_agent_roles_remove",
        "Remove roles from an agent",
        "Removes the listed bindings that match role name and scope exactly; others are ignored.",
        {.destructive = true, .idempotent = true},
        {"DELETE", kAgentRolesPath, "", "", 204},
        agent_roles_remove,
        "as approvals_agent_roles_replace"
    ));
}

}  // namespace signoff::tools::families
