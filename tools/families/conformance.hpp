// The fixtures of the official MCP conformance suite
// (npm @modelcontextprotocol/conformance): test_* tools, test:// resources and
// the test prompts, as ordinary registry rows served by the real engine.
// Registered only in conformance mode (never in a production registry).
#pragma once

#include "tools/registry/registry.hpp"

namespace signoff::tools::families {

/// Adds every conformance tool, resource, resource template and prompt.
void register_conformance_fixtures(registry::Registry& registry);

namespace detail {
/// One fixture tool row: input schema conformance/<name>.input, a raw
/// CallToolResult, read-only and idempotent annotations.
registry::ToolSpec conformance_row(
    std::string name, std::string description, registry::Handler handler
);
/// The client-input fixtures: MRTR (SEP-2322) tools and prompt, the streamed
/// elicitation and the x-mcp-header tool (conformance_input.cpp).
void add_input_fixtures(registry::Registry& registry);
}  // namespace detail

}  // namespace signoff::tools::families
