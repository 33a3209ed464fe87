// One tool = one row. A ToolSpec is a data literal naming the tool, its schemas,
// its REST route(s) and its handler; MCP (tools/list, tools/call), the REST
// façade and the generated docs all read the same row, so they cannot drift.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/core/error.hpp"
#include "tools/registry/tool_context.hpp"

namespace signoff::tools::registry {

struct Annotations {
    bool read_only{false};
    bool destructive{false};
    bool idempotent{false};
    bool open_world{false};
};

/// A REST route reaching the tool. `path` may hold `{name}` segments, which
/// become string arguments. When `discriminator_field` is set, the route is
/// shared by several tools and picks this one when the body's field equals
/// `discriminator_value`; the field is removed before schema validation.
struct RestRoute {
    std::string method;  // "GET", "POST", "PATCH", "DELETE"
    std::string path;    // "/api/v1/catalog/rows/{slug}"
    std::string discriminator_field{};
    std::string discriminator_value{};
    int success_status{200};
    /// For a 201: the new resource's path, `{name}` filled from the result's
    /// field of that name, else from the request's path segment; answered as
    /// a relative `Location` (it resolves against whatever URL the client
    /// used, so it holds behind a proxy).
    std::string location{};
};

/// decode → one domain call → encode. No SQL, no HTTP, no authorization.
using Handler = std::function<
    server::core::Result<boost::json::value>(ToolContext& ctx, boost::json::object const& args)>;

struct ToolSpec {
    std::string name;  // family_verb, [A-Za-z0-9_.-]{1,128}
    std::string title;
    std::string description;
    Annotations annotations;
    std::string input_schema;   // embedded schema name, e.g. "catalog/catalog_assign.input"
    std::string output_schema;  // embedded schema name
    std::vector<RestRoute> routes;
    Handler handler;
    /// Who may call it, in words, for the generated docs (authorization itself
    /// is decided by server/identity).
    std::string permissions{};
    /// The handler returns a complete MCP CallToolResult ({content:[…], isError?})
    /// with image, audio or resource blocks, not a domain value: the MCP engine
    /// sends it unchanged instead of wrapping it with call_tool_result(), and
    /// tools/list omits outputSchema. Only protocol fixtures (conformance) set it.
    bool raw_call_result{false};
};

}  // namespace signoff::tools::registry
