// The approvals_* tool rows of seed 001: the role catalogue, users' role
// bindings, org admins, groups and their members, spaces, and versioned
// workflow templates (decode → one ApprovalsService call → encode). Lists
// answer {data|groups|entities, pagination:{total, page, limit}}; errors
// {code, message, details}.
//
//   MCP tools/call ─┐
//   REST /api/v1/{roles,users/…/roles,organization/…/admins,groups…,spaces…,
//                 workflow-templates…} ─┴─► handler ─► ApprovalsService
#include <charconv>

#include "server/approvals/approvals_service.hpp"
#include "tools/codec/approvals_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace approvals = server::approvals;
namespace identity = server::identity;
using codec::opt_int;
using codec::opt_string;
using codec::string_or;
using registry::Annotations;
using registry::RestRoute;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kUserRolesPath = "/api/v1/users/{userId}/roles";
constexpr const char* kAdminsPath = "/api/v1/organization/{organizationName}/admins";
constexpr const char* kGroupsPath = "/api/v1/groups";
constexpr const char* kEntitiesPath = "/api/v1/groups/{groupId}/entities";
constexpr const char* kSpacesPath = "/api/v1/spaces";
constexpr const char* kTemplatesPath = "/api/v1/workflow-templates";
constexpr const char* kTemplatePath = "/api/v1/workflow-templates/{templateIdentifier}";

constexpr Annotations kReadOnly{.read_only = true, .idempotent = true};

constexpr FamilyRows tool{"approvals"};
constexpr auto service = &service_of<&registry::Services::approvals>;

// ---- decode ------------------------------------------------------------------

approvals::PageArgs page_args(json::object const& a) {
    return {opt_int(a, "page"), opt_int(a, "limit")};
}

/// concurrencyControl.version: an integer, or its decimal text (the schema
/// has checked the digits).
std::optional<std::int64_t> version_arg(json::object const& a) {
    auto const* cc = a.if_contains("concurrencyControl");
    if (cc == nullptr || !cc->is_object()) {
        return std::nullopt;
    }
    auto const& o = cc->get_object();
    if (auto n = opt_int(o, "version")) {
        return n;
    }
    auto text = opt_string(o, "version");
    std::int64_t v = 0;
    if (!text || std::from_chars(text->data(), text->data() + text->size(), v).ec != std::errc{}) {
        return std::nullopt;
    }
    return v;
}

std::vector<approvals::RoleInput> role_inputs(json::object const& a) {
    std::vector<approvals::RoleInput> out;
    auto const* roles = a.if_contains("roles");
    if (roles == nullptr || !roles->is_array()) {
        return out;
    }
    for (auto const& r : roles->get_array()) {
        auto const& item = r.get_object();
        auto const& scope = item.at("scope").get_object();
        out.push_back(
            {string_or(item, "roleName"),
             string_or(scope, "type"),
             opt_string(scope, "groupId"),
             opt_string(scope, "spaceId"),
             opt_string(scope, "templateName"),
             opt_string(scope, "workflowTemplateId")}
        );
    }
    return out;
}

std::vector<approvals::EntityRef> entity_refs(json::object const& a) {
    std::vector<approvals::EntityRef> out;
    for (auto const& e : a.at("entities").get_array()) {
        auto const& entity = e.get_object().at("entity").get_object();
        out.push_back({string_or(entity, "entityType"), string_or(entity, "entityId")});
    }
    return out;
}

std::string org_arg(ToolContext const& ctx, json::object const& a) {
    return string_or(a, "organizationName", ctx.actor.org_name);
}

// ---- encode ------------------------------------------------------------------

json::object pagination(std::int64_t total, std::int64_t page, std::int64_t limit) {
    return {{"total", total}, {"page", page}, {"limit", limit}};
}

json::object scope_json(identity::Scope const& s) {
    json::object o{{"type", identity::scope_type_name(s.type)}};
    switch (s.type) {
        case identity::ScopeType::kGroup:
            o["groupId"] = s.id;
            break;
        case identity::ScopeType::kSpace:
            o["spaceId"] = s.id;
            break;
        case identity::ScopeType::kWorkflowTemplate:
            o["templateName"] = s.id;
            break;
        case identity::ScopeType::kOrg:
            break;
    }
    return o;
}

json::value user_roles_json(approvals::UserRoles const& u) {
    json::array roles;
    for (auto const& b : u.roles) {
        roles.push_back(json::object{{"roleName", b.role_name}, {"scope", scope_json(b.scope)}});
    }
    return json::object{
        {"userId", u.user_id},
        {"roles", std::move(roles)},
        {"concurrencyControl", {{"version", std::to_string(u.version)}}},
    };
}

json::value role_def_json(identity::RoleDef const& r) {
    json::array perms;
    for (auto p : identity::permission_names(r.permissions)) {
        perms.emplace_back(p);
    }
    json::array scopes;
    for (auto s : r.scopes) {
        scopes.emplace_back(identity::scope_type_name(s));
    }
    return json::object{
        {"name", r.name},
        {"resourceType", identity::resource_type_name(r.resource)},
        {"permissions", std::move(perms)},
        {"scope", identity::scope_type_name(r.scopes.front())},
        {"scopeTypes", std::move(scopes)},
    };
}

json::value admin_json(approvals::OrgAdmin const& a) {
    return json::object{{"userId", a.user_id}, {"email", a.email}, {"createdAt", a.created_at}};
}

json::value group_json(approvals::Group const& g) {
    return json::object{
        {"id", g.id},
        {"name", g.name},
        {"description", g.description},
        {"entitiesCount", g.entities_count},
        {"createdAt", g.created_at},
        {"updatedAt", g.updated_at},
    };
}

json::value member_json(approvals::Member const& m) {
    return json::object{
        {"entity", {{"entityType", m.entity.entity_type}, {"entityId", m.entity.entity_id}}},
        {"addedAt", m.added_at},
    };
}

template <class T, class F>
Result<json::value> encode(Result<T> const& r, F to_json) {
    if (!r) {
        return r.error();
    }
    return to_json(*r);
}

/// {<key>: [items…], pagination}
template <class T, class F>
Result<json::value> encode_page(
    Result<approvals::Page<T>> const& r, std::string_view key, F to_json
) {
    if (!r) {
        return r.error();
    }
    json::array items;
    for (auto const& item : r->items) {
        items.push_back(to_json(item));
    }
    return json::object{
        {key, std::move(items)},
        {"pagination", pagination(r->total, r->page, r->limit)},
    };
}

// ---- handlers ----------------------------------------------------------------

Result<json::value> roles_list(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->roles(ctx.actor);
    if (!r) {
        return r.error();
    }
    json::array roles;
    for (auto const& def : *r) {
        roles.push_back(role_def_json(def));
    }
    return json::object{{"roles", std::move(roles)}};
}

Result<json::value> user_roles_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->user_roles(ctx.actor, string_or(a, "userId")), user_roles_json);
}

Result<json::value> user_roles_replace(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->replace_user_roles(
            ctx.actor, string_or(a, "userId"), role_inputs(a), version_arg(a)
        ),
        user_roles_json
    );
}

Result<json::value> user_roles_remove(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->remove_user_roles(
            ctx.actor, string_or(a, "userId"), role_inputs(a), version_arg(a)
        ),
        user_roles_json
    );
}

Result<json::value> org_admins_add(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->add_org_admin(ctx.actor, org_arg(ctx, a), string_or(a, "email")), admin_json
    );
}

Result<json::value> org_admins_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_page(
        (*svc)->list_org_admins(ctx.actor, org_arg(ctx, a), page_args(a)), "data", admin_json
    );
}

Result<json::value> org_admins_remove(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto user_id = string_or(a, "userId");
    auto r = (*svc)->remove_org_admin(ctx.actor, org_arg(ctx, a), user_id);
    if (!r) {
        return r.error();
    }
    return json::object{{"userId", user_id}, {"removed", *r}};
}

Result<json::value> groups_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->create_group(ctx.actor, string_or(a, "name"), string_or(a, "description")),
        group_json
    );
}

Result<json::value> groups_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_page(
        (*svc)->list_groups(ctx.actor, page_args(a), opt_string(a, "search")), "groups", group_json
    );
}

Result<json::value> groups_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_group(ctx.actor, string_or(a, "groupIdentifier")), group_json);
}

Result<json::value> members_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_page(
        (*svc)->list_members(ctx.actor, string_or(a, "groupId"), page_args(a)),
        "entities",
        member_json
    );
}

Result<json::value> members_add(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->add_members(ctx.actor, string_or(a, "groupId"), entity_refs(a)), group_json
    );
}

Result<json::value> members_remove(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->remove_members(ctx.actor, string_or(a, "groupId"), entity_refs(a)), group_json
    );
}

json::value space_json(approvals::Space const& sp) {
    return json::object{
        {"id", sp.id},
        {"name", sp.name},
        {"description", sp.description},
        {"createdAt", sp.created_at},
        {"updatedAt", sp.updated_at},
    };
}

Result<json::value> spaces_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode(
        (*svc)->create_space(ctx.actor, string_or(a, "name"), string_or(a, "description")),
        space_json
    );
}

Result<json::value> spaces_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_page(
        (*svc)->list_spaces(ctx.actor, page_args(a), opt_string(a, "search")), "data", space_json
    );
}

Result<json::value> spaces_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_space(ctx.actor, string_or(a, "spaceId")), space_json);
}

/// metadata as canonical JSON text (the domain stores it opaquely); nullopt
/// when absent, an error when it nests too deep to be stored.
Result<std::optional<std::string>> metadata_arg(json::object const& a) {
    auto const* m = a.if_contains("metadata");
    if (m == nullptr || !m->is_object()) {
        return std::optional<std::string>{};
    }
    auto text = codec::storable(*m, "metadata");
    if (!text) {
        return text.error();
    }
    return std::optional{std::move(*text)};
}

std::optional<std::vector<approvals::WorkflowAction>> actions_arg(json::object const& a) {
    auto const* v = a.if_contains("actions");
    if (v == nullptr || !v->is_array()) {
        return std::nullopt;
    }
    return codec::decode_actions(v->get_array());
}

/// The approvalRule argument when given (absent → nullopt inside).
Result<std::optional<approvals::ApprovalRule>> rule_arg(json::object const& a) {
    auto const* v = a.if_contains("approvalRule");
    if (v == nullptr) {
        return std::optional<approvals::ApprovalRule>{};
    }
    auto r = codec::decode_rule(*v);
    if (!r) {
        return r.error();
    }
    return std::optional<approvals::ApprovalRule>{std::move(*r)};
}

Result<json::value> encode_template(Result<approvals::WorkflowTemplate> const& r) {
    if (!r) {
        return r.error();
    }
    return codec::encode_template(*r);
}

Result<json::value> templates_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto rule = rule_arg(a);
    if (!rule) {
        return rule.error();
    }
    approvals::TemplateCreate in;
    in.name = string_or(a, "name");
    in.description = string_or(a, "description");
    auto metadata = metadata_arg(a);
    if (!metadata) {
        return metadata.error();
    }
    in.metadata_json = metadata->value_or("{}");
    in.approval_rule = rule->value_or(approvals::ApprovalRule{});
    in.actions = actions_arg(a).value_or(std::vector<approvals::WorkflowAction>{});
    in.default_expires_in_hours = opt_int(a, "defaultExpiresInHours");
    in.space_id = string_or(a, "spaceId");
    return encode_template((*svc)->create_template(ctx.actor, in));
}

Result<json::value> templates_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    // spaceIdentifier is seed 001's filter (an id or a name); spaceId its alias.
    auto space = opt_string(a, "spaceIdentifier");
    if (!space) {
        space = opt_string(a, "spaceId");
    }
    approvals::TemplateListArgs args{page_args(a), space, opt_string(a, "status")};
    return encode_page((*svc)->list_templates(ctx.actor, args), "data", [](auto const& t) {
        return codec::encode_template_summary(t);
    });
}

Result<json::value> templates_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_template((*svc)->get_template(ctx.actor, string_or(a, "templateIdentifier")));
}

Result<json::value> templates_update(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto rule = rule_arg(a);
    if (!rule) {
        return rule.error();
    }
    approvals::TemplateUpdate in;
    in.description = opt_string(a, "description");
    auto metadata = metadata_arg(a);
    if (!metadata) {
        return metadata.error();
    }
    in.metadata_json = std::move(*metadata);
    in.approval_rule = std::move(*rule);
    in.actions = actions_arg(a);
    in.default_expires_in_hours = opt_int(a, "defaultExpiresInHours");
    in.cancel_workflows = a.contains("cancelWorkflows") && a.at("cancelWorkflows").is_bool() &&
                          a.at("cancelWorkflows").get_bool();
    in.expected_version = version_arg(a);
    return encode_template(
        (*svc)->update_template(ctx.actor, string_or(a, "templateIdentifier"), in)
    );
}

Result<json::value> templates_deprecate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    bool const cancel = a.contains("cancelWorkflows") && a.at("cancelWorkflows").is_bool() &&
                        a.at("cancelWorkflows").get_bool();
    return encode_template(
        (*svc)->deprecate_template(ctx.actor, string_or(a, "templateName"), cancel, version_arg(a))
    );
}

void register_roles(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_roles_list",
        "List the role catalogue",
        "Every role that can be bound: its permissions, the resource type they apply to and the "
        "scope types it may be bound at (a binding at a wider scope covers narrower ones).",
        kReadOnly,
        {"GET", "/api/v1/roles"},
        roles_list,
        "any member"
    ));
    r.add_tool(tool(
        "approvals_user_roles_get",
        "Get a user's roles",
        "A user's role bindings and their concurrencyControl.version, which replacing them needs.",
        kReadOnly,
        {"GET", kUserRolesPath},
        user_roles_get,
        "any member"
    ));
    r.add_tool(tool(
        "approvals_user_roles_replace",
        "Replace a user's roles",
        "Replaces all of a user's role bindings ({roleName, scope}); needs the current "
        "concurrencyControl.version. Scopes: org; group (groupId); space (spaceId); "
        "workflow_template (templateName or workflowTemplateId, bound to the name). At most 128 "
        "bindings.",
        {.idempotent = true},
        {"PUT", kUserRolesPath, "", "", 204},
        user_roles_replace,
        "humans only; org-scoped bindings: admin, super_admin; group-scoped: GroupManager on "
        "that group; space- and template-scoped: SpaceManager on the space"
    ));
    r.add_tool(tool(
        "approvals_user_roles_remove",
        "Remove roles from a user",
        "Removes the listed bindings that match role name and scope exactly; others are ignored.",
        {.destructive = true, .idempotent = true},
        {"DELETE", kUserRolesPath, "", "", 204},
        user_roles_remove,
        "as approvals_user_roles_replace"
    ));
}

void register_org_admins(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_org_admins_add",
        "Add an org admin",
        "Makes an existing user of the organization (by email) an admin.",
        {},
        {"POST", kAdminsPath, "", "", 201, std::string(kAdminsPath) + "/{userId}"},
        org_admins_add,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "approvals_org_admins_list",
        "List org admins",
        "The organization's admins and super_admins, in the order they became admins, with page "
        "(default 1) and limit (default 20, max 100).",
        kReadOnly,
        {"GET", kAdminsPath},
        org_admins_list,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "approvals_org_admins_remove",
        "Remove an org admin",
        "Turns an admin back into a member (by userId); never the organization's last admin.",
        {.destructive = true, .idempotent = true},
        {"DELETE", kAdminsPath, "", "", 204},
        org_admins_remove,
        "admin, super_admin (a super_admin only by a super_admin)"
    ));
}

void register_groups(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_groups_create",
        "Create a group",
        "Creates a group of approvers: name (unique in the org, case-insensitive) and "
        "description. A creator who is not an org admin becomes its GroupManager.",
        {},
        {"POST", kGroupsPath, "", "", 201, std::string(kGroupsPath) + "/{id}"},
        groups_create,
        "any human user"
    ));
    r.add_tool(tool(
        "approvals_groups_list",
        "List groups",
        "Groups with their entitiesCount, by name, with page (default 1) and limit (default 20, "
        "max 100). Admins and org-wide group readers see all; others the groups they belong to "
        "or hold a role on.",
        kReadOnly,
        {"GET", kGroupsPath},
        groups_list,
        "any human user"
    ));
    r.add_tool(tool(
        "approvals_groups_get",
        "Get a group",
        "One group by id or by name.",
        kReadOnly,
        {"GET", "/api/v1/groups/{groupIdentifier}"},
        groups_get,
        "GroupReadOnly, GroupWrite or GroupManager (group or org scope); admins"
    ));
    r.add_tool(tool(
        "approvals_group_members_list",
        "List a group's members",
        "The group's entities with addedAt, oldest first, with page (default 1) and limit "
        "(default 20, max 100).",
        kReadOnly,
        {"GET", kEntitiesPath},
        members_list,
        "members of the group; group roles (group or org scope); admins"
    ));
    r.add_tool(tool(
        "approvals_group_members_add",
        "Add members to a group",
        "Adds users (entityType human) and agents (entityType agent) of the organization to the "
        "group, all or nothing; answers the group.",
        {},
        {"POST", kEntitiesPath},
        members_add,
        "GroupWrite or GroupManager (group or org scope); admins"
    ));
    r.add_tool(tool(
        "approvals_group_members_remove",
        "Remove members from a group",
        "Removes entities from the group, all or nothing (each must be a member); answers the "
        "group.",
        {.destructive = true},
        {"DELETE", kEntitiesPath},
        members_remove,
        "GroupWrite or GroupManager (group or org scope); admins"
    ));
}

void register_spaces(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_spaces_create",
        "Create a space",
        "Creates a space for workflow templates: name (unique in the org, case-insensitive) and "
        "description. A creator who is not an org admin becomes its SpaceManager.",
        {},
        {"POST", kSpacesPath, "", "", 201, std::string(kSpacesPath) + "/{id}"},
        spaces_create,
        "any human user"
    ));
    r.add_tool(tool(
        "approvals_spaces_list",
        "List spaces",
        "Spaces by name, with page (default 1) and limit (default 20, max 100). Admins and "
        "org-wide space roles see all; others the spaces they hold a role on.",
        kReadOnly,
        {"GET", kSpacesPath},
        spaces_list,
        "any user"
    ));
    r.add_tool(tool(
        "approvals_spaces_get",
        "Get a space",
        "One space by id.",
        kReadOnly,
        {"GET", "/api/v1/spaces/{spaceId}"},
        spaces_get,
        "SpaceReadOnly or SpaceManager (space or org scope); admins"
    ));
}

void register_templates(registry::Registry& r) {
    r.add_tool(tool(
        "approvals_templates_create",
        "Create a workflow template",
        "Creates version 1 of a workflow template in a space: approvalRule (GROUP_REQUIREMENT / "
        "AND / OR, at most two operator levels, groups of the org), actions (EMAIL, WEBHOOK), "
        "defaultExpiresInHours (1-8760), description and metadata.",
        {},
        {"POST", kTemplatesPath, "", "", 201, std::string(kTemplatesPath) + "/{id}"},
        templates_create,
        "humans with WorkflowTemplateWrite or WorkflowTemplateFullAccess covering the space "
        "(space or org scope) or SpaceManager on it; admins"
    ));
    r.add_tool(tool(
        "approvals_templates_list",
        "List workflow templates",
        "Template versions the caller may read, by name then newest version, filtered by spaceId "
        "and status (default ACTIVE), with page (default 1) and limit (default 20, max 100).",
        kReadOnly,
        {"GET", kTemplatesPath},
        templates_list,
        "any user (filtered by template and space read)"
    ));
    r.add_tool(tool(
        "approvals_templates_get",
        "Get a workflow template",
        "One template by id (that version) or by name (its ACTIVE version, else the highest). "
        "Secret-looking webhook header values are shown as ***.",
        kReadOnly,
        {"GET", kTemplatePath},
        templates_get,
        "template read (any WorkflowTemplate role, template, space or org scope) or SpaceReadOnly "
        "on its space; admins"
    ));
    r.add_tool(tool(
        "approvals_templates_update",
        "Update a workflow template",
        "Writes a new ACTIVE version (omitted fields are copied) and leaves the old one "
        "PENDING_DEPRECATION; needs concurrencyControl.version. cancelWorkflows cancels in-flight "
        "workflows of earlier versions and disables voting on them.",
        {},
        {"PUT", kTemplatePath},
        templates_update,
        "humans with template write (template, space or org scope) or SpaceManager on its space; "
        "admins"
    ));
    r.add_tool(tool(
        "approvals_templates_deprecate",
        "Deprecate a workflow template",
        "Marks the template's ACTIVE version DEPRECATED: no new workflow starts from it. "
        "cancelWorkflows also cancels in-flight workflows and disables voting on every version.",
        {.destructive = true},
        {"POST", "/api/v1/workflow-templates/{templateName}/deprecate"},
        templates_deprecate,
        "as approvals_templates_update"
    ));
}

}  // namespace

void register_approvals_tools(registry::Registry& r) {
    register_roles(r);
    register_org_admins(r);
    register_groups(r);
    register_spaces(r);
    register_templates(r);
    register_workflow_tools(r);
}

}  // namespace signoff::tools::families
