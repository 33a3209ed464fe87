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

}  // namespace signoff::tools::families
