// The role catalogue and scope coverage (see role_catalog.hpp).
#include "server/identity/role_catalog.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace signoff::server::identity {
namespace {

constexpr std::uint16_t bits(std::initializer_list<Permission> ps) {
    std::uint16_t out = 0;
    for (auto p : ps) {
        out = static_cast<std::uint16_t>(out | static_cast<std::uint16_t>(p));
    }
    return out;
}

using P = Permission;
using S = ScopeType;

/// A workflow-template role comes in three widths: bound to one template, to a
/// space (every template in it) or to the org.
void add_template_family(
    std::vector<RoleDef>& out,
    std::string_view plain,
    std::string_view space_wide,
    std::string_view org_wide,
    std::uint16_t perms
) {
    out.push_back({plain, ResourceType::kWorkflowTemplate, perms, {S::kWorkflowTemplate}});
    out.push_back({space_wide, ResourceType::kWorkflowTemplate, perms, {S::kSpace}});
    out.push_back({org_wide, ResourceType::kWorkflowTemplate, perms, {S::kOrg}});
}

std::vector<RoleDef> build_catalog() {
    std::vector<RoleDef> out;
    // Group roles may be bound to one group or to the whole org.
    out.push_back({"GroupReadOnly", ResourceType::kGroup, bits({P::kRead}), {S::kGroup, S::kOrg}});
    out.push_back(
        {"GroupWrite", ResourceType::kGroup, bits({P::kRead, P::kWrite}), {S::kGroup, S::kOrg}}
    );
    out.push_back(
        {"GroupManager",
         ResourceType::kGroup,
         bits({P::kRead, P::kWrite, P::kManage}),
         {S::kGroup, S::kOrg}}
    );
    out.push_back({"SpaceReadOnly", ResourceType::kSpace, bits({P::kRead}), {S::kSpace}});
    out.push_back({"SpaceManager", ResourceType::kSpace, bits({P::kRead, P::kManage}), {S::kSpace}}
    );
    out.push_back({"OrgWideSpaceReadOnly", ResourceType::kSpace, bits({P::kRead}), {S::kOrg}});
    out.push_back(
        {"OrgWideSpaceManager", ResourceType::kSpace, bits({P::kRead, P::kManage}), {S::kOrg}}
    );
    struct Family {
        std::string_view plain, space_wide, org_wide;
        std::uint16_t perms;
    };
    static constexpr std::array<Family, 9> kFamilies{{
        {"WorkflowTemplateReadOnly",
         "SpaceWideWorkflowTemplateReadOnly",
         "OrgWideWorkflowTemplateReadOnly",
         bits({P::kRead})},
        {"WorkflowTemplateWrite",
         "SpaceWideWorkflowTemplateWrite",
         "OrgWideWorkflowTemplateWrite",
         bits({P::kRead, P::kWrite})},
        {"WorkflowTemplateInstantiator",
         "SpaceWideWorkflowTemplateInstantiator",
         "OrgWideWorkflowTemplateInstantiator",
         bits({P::kRead, P::kInstantiate})},
        {"WorkflowTemplateVoter",
         "SpaceWideWorkflowTemplateVoter",
         "OrgWideWorkflowTemplateVoter",
         bits({P::kRead, P::kVote})},
        {"WorkflowTemplateFullAccess",
         "SpaceWideWorkflowTemplateFullAccess",
         "OrgWideWorkflowTemplateFullAccess",
         bits({P::kRead, P::kWrite, P::kInstantiate, P::kVote})},
        {"WorkflowReadOnly",
         "SpaceWideWorkflowReadOnly",
         "OrgWideWorkflowReadOnly",
         bits({P::kWorkflowRead})},
        {"WorkflowList",
         "SpaceWideWorkflowList",
         "OrgWideWorkflowList",
         bits({P::kWorkflowRead, P::kWorkflowList})},
        {"WorkflowCancel",
         "SpaceWideWorkflowCancel",
         "OrgWideWorkflowCancel",
         bits({P::kWorkflowRead, P::kWorkflowCancel})},
        {"WorkflowFullAccess",
         "SpaceWideWorkflowFullAccess",
         "OrgWideWorkflowFullAccess",
         bits({P::kWorkflowRead, P::kWorkflowList, P::kWorkflowCancel})},
    }};
    for (auto const& f : kFamilies) {
        add_template_family(out, f.plain, f.space_wide, f.org_wide, f.perms);
    }
    out.push_back({"AuditorViewer", ResourceType::kAudit, bits({P::kRead}), {S::kOrg}});
    return out;
}

constexpr std::array<std::pair<Permission, std::string_view>, 8> kPermissionNames{{
    {P::kRead, "read"},
    {P::kWrite, "write"},
    {P::kManage, "manage"},
    {P::kInstantiate, "instantiate"},
    {P::kVote, "vote"},
    {P::kWorkflowRead, "workflow_read"},
    {P::kWorkflowList, "workflow_list"},
    {P::kWorkflowCancel, "workflow_cancel"},
}};

}  // namespace

std::span<RoleDef const> role_catalog() {
    static std::vector<RoleDef> const kCatalog = build_catalog();
    return kCatalog;
}

RoleDef const* find_role(std::string_view name) {
    auto roles = role_catalog();
    auto it =
        std::find_if(roles.begin(), roles.end(), [&](RoleDef const& r) { return r.name == name; });
    return it == roles.end() ? nullptr : &*it;
}

std::string_view scope_type_name(ScopeType t) {
    switch (t) {
        case ScopeType::kOrg:
            return "org";
        case ScopeType::kSpace:
            return "space";
        case ScopeType::kGroup:
            return "group";
        case ScopeType::kWorkflowTemplate:
            return "workflow_template";
    }
    return "org";
}

std::optional<ScopeType> parse_scope_type(std::string_view name) {
    for (auto t :
         {ScopeType::kOrg, ScopeType::kSpace, ScopeType::kGroup, ScopeType::kWorkflowTemplate}) {
        if (scope_type_name(t) == name) {
            return t;
        }
    }
    return std::nullopt;
}

std::string_view resource_type_name(ResourceType r) {
    switch (r) {
        case ResourceType::kGroup:
            return "group";
        case ResourceType::kSpace:
            return "space";
        case ResourceType::kWorkflowTemplate:
            return "workflow_template";
        case ResourceType::kAudit:
            return "audit";
    }
    return "group";
}

std::vector<std::string_view> permission_names(std::uint16_t perms) {
    std::vector<std::string_view> out;
    for (auto const& [p, name] : kPermissionNames) {
        if ((perms & static_cast<std::uint16_t>(p)) != 0) {
            out.push_back(name);
        }
    }
    return out;
}

bool covers(Scope const& scope, Target const& target) {
    switch (scope.type) {
        case ScopeType::kOrg:
            return true;
        case ScopeType::kGroup:
            return target.resource == ResourceType::kGroup && target.group_id == scope.id;
        case ScopeType::kSpace:
            return (target.resource == ResourceType::kSpace ||
                    target.resource == ResourceType::kWorkflowTemplate) &&
                   !target.space_id.empty() && target.space_id == scope.id;
        case ScopeType::kWorkflowTemplate:
            return target.resource == ResourceType::kWorkflowTemplate &&
                   !target.template_name.empty() && target.template_name == scope.id;
    }
    return false;
}

bool holds(std::vector<RoleBinding> const& bindings, Permission p, Target const& target) {
    return std::any_of(bindings.begin(), bindings.end(), [&](RoleBinding const& b) {
        RoleDef const* def = find_role(b.role_name);
        return def != nullptr && def->resource == target.resource &&
               (def->permissions & static_cast<std::uint16_t>(p)) != 0 && covers(b.scope, target);
    });
}

std::vector<std::string> scope_ids_granting(
    std::vector<RoleBinding> const& bindings, Permission p, ResourceType resource, ScopeType scope
) {
    std::vector<std::string> out;
    for (auto const& b : bindings) {
        RoleDef const* def = find_role(b.role_name);
        bool const grants = def != nullptr && def->resource == resource &&
                            (def->permissions & static_cast<std::uint16_t>(p)) != 0;
        if (grants && b.scope.type == scope &&
            std::find(out.begin(), out.end(), b.scope.id) == out.end()) {
            out.push_back(b.scope.id);
        }
    }
    return out;
}

bool may_hold(std::string_view principal_type, RoleDef const& role) {
    return principal_type != "agent" || role.resource == ResourceType::kWorkflowTemplate;
}

}  // namespace signoff::server::identity
