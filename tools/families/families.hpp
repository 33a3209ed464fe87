// Entry points of the domain tool families: each adds its rows (and resources)
// to the registry before Registry::seal(). Called by the composition root.
#pragma once

#include "tools/registry/registry.hpp"

namespace signoff::tools::families {

/// catalog_* tools (rows, assign/request/approve/revoke, lists, assign_many)
/// and the resource signoff://catalog/categories.
void register_catalog_tools(registry::Registry& registry);

/// identity_* tools (users and API keys).
void register_identity_tools(registry::Registry& registry);

/// Agents: identity_agents_register, identity_agents_get and the
/// approvals_agent_roles_* rows (tools/families/agents.cpp). Called by
/// register_identity_tools.
void register_agent_tools(registry::Registry& registry);

/// auths_* tools (seed 002): parts, departments, auths, drafts, docs, export,
/// refresh.
void register_auths_tools(registry::Registry& registry);

/// approvals_* tools (seed 001): the role catalogue, users' role bindings,
/// org admins, groups and their members.
void register_approvals_tools(registry::Registry& registry);
/// approvals_workflows_* and approvals_votes_* (called by register_approvals_tools).
void register_workflow_tools(registry::Registry& registry);

/// audit_list and audit_export: the organisation's audit log (tools/families/audit.cpp).
void register_audit_tools(registry::Registry& registry);

/// webhooks_me_* (a member's own endpoint, /me/agent) and webhooks_admin_*
/// (org integrations) (tools/families/webhooks.cpp).
void register_webhooks_tools(registry::Registry& registry);
/// The delivery log: webhooks_deliveries_list, webhooks_me_deliveries_list,
/// webhooks_delivery_get, webhooks_redeliver (called by register_webhooks_tools).
void register_deliveries_tools(registry::Registry& registry);

/// The credential exchanges reached without a credential (seed 001's
/// /api/v1/auth/… and /.well-known/jwks.json): registry endpoints, not tools.
void register_auth_endpoints(registry::Registry& registry);

/// Every domain family above, in the order tools/list shows them. The
/// composition root and the tests that check all rows call this one.
void register_domain_tools(registry::Registry& registry);

/// Uploads: the download GET /api/v5/uploads/{upload_id} and the resource
/// template signoff://uploads/{upload_id}.
void register_upload_routes(registry::Registry& registry);

}  // namespace signoff::tools::families
