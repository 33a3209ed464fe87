// The scoped role catalogue of APPROVALS.md ("Roles"): role names, the
// permissions each grants on one resource type, the scope types each may be
// bound at, and the pure rule "a binding at a wider scope covers everything
// inside it" (org ⊃ space ⊃ workflow template; org ⊃ group). Used by
// authorize() and by the approvals services; no storage, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signoff::server::identity {

enum class ScopeType : std::uint8_t { kOrg, kSpace, kGroup, kWorkflowTemplate };
enum class ResourceType : std::uint8_t { kGroup, kSpace, kWorkflowTemplate, kAudit };

/// One permission bit; a role grants a set of them on its resource type.
enum class Permission : std::uint16_t {
    kRead = 1U << 0U,
    kWrite = 1U << 1U,
    kManage = 1U << 2U,
    kInstantiate = 1U << 3U,
    kVote = 1U << 4U,
    kWorkflowRead = 1U << 5U,
    kWorkflowList = 1U << 6U,
    kWorkflowCancel = 1U << 7U,
};

/// Where a binding applies. `id` is the group id, the space id or the
/// template name (template roles bind to the name, so they survive new
/// versions); empty for the org scope.
struct Scope {
    ScopeType type{ScopeType::kOrg};
    std::string id;
    bool operator==(Scope const&) const = default;
};

struct RoleBinding {
    std::string role_name;
    Scope scope;
    bool operator==(RoleBinding const&) const = default;
};

struct RoleDef {
    std::string_view name;
    ResourceType resource;
    std::uint16_t permissions;  // Permission bits
    std::vector<ScopeType> scopes;
};

/// What a permission is asked about. A template also names its space, so a
/// space-wide binding covers it.
struct Target {
    ResourceType resource{ResourceType::kGroup};
    std::string group_id{};
    std::string space_id{};
    std::string template_name{};
};

/// At most this many bindings per principal (and per request).
inline constexpr std::size_t kMaxBindings = 128;

/// Every role, in the order GET /roles lists them.
std::span<RoleDef const> role_catalog();
RoleDef const* find_role(std::string_view name);

std::string_view scope_type_name(ScopeType t);
std::optional<ScopeType> parse_scope_type(std::string_view name);
std::string_view resource_type_name(ResourceType r);
/// The permission names of a role's bits, in a fixed order ("read", "write", …).
std::vector<std::string_view> permission_names(std::uint16_t bits);

/// True when a binding at `scope` reaches `target` (same org assumed).
bool covers(Scope const& scope, Target const& target);
/// True when some binding grants `p` on `target`.
bool holds(std::vector<RoleBinding> const& bindings, Permission p, Target const& target);

/// The scope ids of the bindings at `scope` type whose role grants `p` on
/// `resource` (for listings that show what a principal may read), deduplicated.
std::vector<std::string> scope_ids_granting(
    std::vector<RoleBinding> const& bindings, Permission p, ResourceType resource, ScopeType scope
);

/// Agents may hold only workflow-template roles; humans any role.
/// `principal_type` is "human" or "agent".
bool may_hold(std::string_view principal_type, RoleDef const& role);

}  // namespace signoff::server::identity
