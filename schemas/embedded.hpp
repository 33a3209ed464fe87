// The schema files of this folder, embedded at build time. Names are paths
// without the extension: "catalog/catalog_assign.input".
#pragma once

#include <string_view>
#include <vector>

namespace signoff::schemas {

/// The schema's text, or an empty view when there is no such schema.
std::string_view text(std::string_view name);
/// Every embedded schema name, sorted.
std::vector<std::string_view> names();

}  // namespace signoff::schemas
