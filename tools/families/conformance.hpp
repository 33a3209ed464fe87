// The fixtures of the official MCP conformance suite
// (npm @modelcontextprotocol/conformance): test_* tools, test:// resources and
// the test prompts, as ordinary registry rows served by the real engine.
// Registered only in conformance mode (never in a production registry).
#pragma once

#include "tools/registry/registry.hpp"

namespace signoff::tools::families {

/// Adds every conformance tool, resource, resource template and prompt.
void register_conformance_fixtures(registry::Registry& registry);

}  // namespace signoff::tools::families
