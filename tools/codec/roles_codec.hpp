// JSON ⇄ domain mapping of role bindings, shared by the tools that read and
// change a principal's roles (tools/families/agents.cpp): RoleOperationItem
// lists ({roleName, scope}), concurrencyControl.version, and bindings out.
// Arguments were validated against the input schema first.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/json.hpp>

#include "server/approvals/approvals_service.hpp"
#include "server/identity/role_catalog.hpp"

namespace signoff::tools::codec {

/// The `roles` array as the caller wrote it (empty when absent).
std::vector<server::approvals::RoleInput> decode_role_inputs(boost::json::object const& args);

/// concurrencyControl.version: an integer, or its decimal text; nullopt when
/// absent or not a number.
std::optional<std::int64_t> decode_concurrency_version(boost::json::object const& args);

/// {type, groupId | spaceId | templateName} as GET …/roles answers a scope.
boost::json::object encode_scope(server::identity::Scope const& scope);

/// [{roleName, scope}, …]
boost::json::array encode_bindings(std::vector<server::identity::RoleBinding> const& bindings);

}  // namespace signoff::tools::codec
