// Documentation generated from the tool rows, so that the README's tool table
// (and later the auths docs) cannot drift from what the server really serves.
#pragma once

#include <string>

#include "tools/registry/registry.hpp"

namespace signoff::tools::families {

/// A Markdown table: tool, title, REST route(s), annotations, who may call it.
/// Conformance fixture tools (names starting with "test_") are left out.
std::string markdown_tool_table(registry::Registry const& registry);

}  // namespace signoff::tools::families
