// The registry: every tool, resource, resource template, prompt and file download
// the server offers, by name and by REST route. It does the plumbing around a handler:
// validate the arguments against the compiled input schema, call, check the
// output against the output schema (in debug and test builds), and shape the
// result. Both the MCP session engine and the REST router call invoke().
//
//   transport/mcp  ──► Registry::invoke ──► validate ──► handler ──► domain
//   transport/http ──► Registry::match_route ─┘
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "server/core/error.hpp"
#include "tools/registry/tool_context.hpp"
#include "tools/registry/tool_spec.hpp"

namespace signoff::tools::registry {

struct ResourceSpec {
    std::string uri;
    std::string name;
    std::string title;
    std::string description;
    std::string mime_type;
    /// Returns the `contents` array of a ReadResourceResult.
    std::function<server::core::Result<boost::json::array>(ToolContext&, std::string const& uri)>
        read;
};

struct ResourceTemplateSpec {
    std::string uri_template;  // RFC 6570 level 1, e.g. "signoff://uploads/{id}"
    std::string name;
    std::string title;
    std::string description;
    std::string mime_type;
    /// Called for any URI that matches the template; must answer kNotFound for
    /// an unknown instance.
    std::function<server::core::Result<boost::json::array>(ToolContext&, std::string const& uri)>
        read;
};

struct PromptArgument {
    std::string name;
    std::string description;
    bool required{false};
};

struct PromptSpec {
    std::string name;
    std::string title;
    std::string description;
    std::vector<PromptArgument> arguments;
    /// Returns a GetPromptResult ({description?, messages}).
    std::function<
        server::core::Result<boost::json::object>(ToolContext&, boost::json::object const& args)>
        get;
    /// Optional: completion values for argument `name` given its partial `value`.
    std::function<std::vector<std::string>(std::string const& name, std::string const& value)>
        complete{};
};

/// What a download sends before its body: the HTTP headers Content-Type,
/// Content-Disposition (attachment; the file name) and Content-Length (when
/// the size is known; otherwise the body is sent chunked).
struct DownloadHead {
    std::string content_type;
    std::string file_name;
    std::optional<std::int64_t> size;
};

/// The next piece of a download's body, nullopt at the end. Blocking (reads
/// the database); the transport calls it once per piece on a worker thread and
/// writes the piece before asking for the next, so a download of any size
/// holds one piece in memory and no thread waits on a slow client. An error
/// after the head went out makes the transport cut the connection (the client
/// sees a short body, never a silently truncated file). Must not refer to the
/// ToolContext that opened the download: it outlives it.
using DownloadNext = std::function<server::core::Result<std::optional<std::string>>()>;

struct Download {
    DownloadHead head;
    DownloadNext next;
};

/// A file served over REST with GET and streamed (e.g. an auths_export CSV).
/// Not a tool: the body is a file, not JSON, so it has no schema and no MCP
/// tools/call form (files reach MCP clients as resources).
struct DownloadSpec {
    std::string path;  // "/api/v5/uploads/{upload_id}": `{name}` segments become path_args
    std::string description;
    /// Checks that the caller may read the file and answers its head and body
    /// reader; a missing or invisible file is kNotFound.
    std::function<
        server::core::Result<Download>(ToolContext&, boost::json::object const& path_args)>
        open;
};

struct DownloadMatch {
    DownloadSpec const* download{nullptr};
    /// `{name}` captures, still percent-encoded (as RouteMatch::path_args).
    boost::json::object path_args;
};

/// What an endpoint sees of its HTTP request besides the JSON arguments.
struct EndpointRequest {
    std::string method;
    std::string path;                   // as requested, without the query string
    std::optional<std::string> dpop{};  // the DPoP header (RFC 9449), if sent
    std::string query{};                // the query string, without '?'
    /// The authenticated caller, for endpoints with `needs_caller`.
    std::optional<server::core::Actor> caller{};
};

/// An endpoint's answer: status, JSON body (null: none) and extra headers.
struct EndpointReply {
    unsigned status{200};
    boost::json::value body{};
    std::vector<std::pair<std::string, std::string>> headers{};
};

/// A REST operation reached without credentials: the credential exchanges of
/// seed 001 (/api/v1/auth/…) and the documents clients discover
/// (/.well-known/…). Not an MCP tool (nobody calls tools before they hold a
/// credential), so it has no output schema and is not in tools/list; its
/// input is validated against `input_schema` like a tool's.
struct EndpointSpec {
    std::string method;  // "GET" or "POST"
    std::string path;    // exact, no `{name}` segments
    std::string description;
    std::string input_schema{};  // empty: takes no arguments
    std::function<server::core::Result<EndpointReply>(
        Services const& services, boost::json::object const& args, EndpointRequest const& request
    )>
        handle;
    /// The caller must authenticate like any REST call (the step-up
    /// endpoints): 401 without a credential; EndpointRequest::caller is set.
    bool needs_caller{false};
};

/// Why a REST request found no tool.
enum class RouteMiss { kNoSuchPath, kMethodNotAllowed, kBadDiscriminator };

struct RouteMatch {
    ToolSpec const* tool{nullptr};
    RestRoute const* route{nullptr};
    /// Arguments taken from `{name}` path segments.
    boost::json::object path_args;
};

class Registry {
public:
    Registry();
    ~Registry();
    Registry(Registry const&) = delete;
    Registry& operator=(Registry const&) = delete;

    void add_tool(ToolSpec spec);
    void add_resource(ResourceSpec spec);
    void add_template(ResourceTemplateSpec spec);
    void add_prompt(PromptSpec spec);
    void add_download(DownloadSpec spec);
    void add_endpoint(EndpointSpec spec);

    /// Compiles every tool's schemas once. Fails with kInternal naming the first
    /// missing or invalid schema, duplicate name or duplicate route: the caller
    /// stops the process (fail fast at start-up). Nothing may be added after.
    server::core::Status seal();

    std::vector<ToolSpec> const& tools() const { return tools_; }
    ToolSpec const* find_tool(std::string_view name) const;

    /// The MCP Tool object: name, title, description, inputSchema, outputSchema,
    /// annotations (with title).
    boost::json::object tool_descriptor(ToolSpec const& tool) const;
    /// Parsed schema JSON by embedded name (for docs and descriptors).
    boost::json::value const& schema(std::string_view name) const;

    /// Validates `args` (an object; null counts as {}) against the input schema,
    /// runs the handler, and in checked builds validates the output. A schema
    /// violation is kInvalidArgument with one detail per failing field. A thrown
    /// exception is logged and becomes kInternal (the message is not leaked).
    server::core::Result<boost::json::value> invoke(
        ToolSpec const& tool, boost::json::value const& args, ToolContext& ctx
    ) const;

    /// Finds the tool for a REST request. `body` is consulted only for a shared
    /// route's discriminator field.
    std::variant<RouteMatch, RouteMiss> match_route(
        std::string_view method, std::string_view path, boost::json::object const* body
    ) const;
    /// The allowed methods for a path (for 405 Allow headers); empty if none.
    std::vector<std::string> methods_for(std::string_view path) const;

    /// Turns query-string pairs into arguments, converting to the types the
    /// input schema declares (integer, number, boolean); an unconvertible value
    /// is left as a string so that validation reports it. Names the schema's
    /// properties do not list are dropped (HTTP clients send page, limit,
    /// orderBy, … to every list; the tool schemas stay strict for MCP).
    boost::json::object args_from_query(
        ToolSpec const& tool, std::vector<std::pair<std::string, std::string>> const& query
    ) const;

    std::vector<ResourceSpec> const& resources() const { return resources_; }
    std::vector<ResourceTemplateSpec> const& templates() const { return templates_; }
    std::vector<PromptSpec> const& prompts() const { return prompts_; }
    ResourceSpec const* find_resource(std::string_view uri) const;
    /// The template whose pattern matches `uri`, if any.
    ResourceTemplateSpec const* match_template(std::string_view uri) const;
    PromptSpec const* find_prompt(std::string_view name) const;
    std::vector<DownloadSpec> const& downloads() const { return downloads_; }
    /// The download whose path pattern matches `path`, with its captures.
    std::optional<DownloadMatch> match_download(std::string_view path) const;

    std::vector<EndpointSpec> const& endpoints() const { return endpoints_; }
    /// The endpoints on exactly this path (any method); empty when none.
    std::vector<EndpointSpec const*> endpoints_at(std::string_view path) const;
    /// Validates `args` (an object; null counts as {}) against the endpoint's
    /// input schema and runs it; a thrown exception becomes kInternal.
    server::core::Result<EndpointReply> call_endpoint(
        EndpointSpec const& endpoint,
        boost::json::value const& args,
        Services const& services,
        EndpointRequest const& request
    ) const;

    /// A parsed and compiled schema (opaque outside registry.cpp).
    struct Compiled;

private:
    std::vector<ToolSpec> tools_;
    std::vector<ResourceSpec> resources_;
    std::vector<ResourceTemplateSpec> templates_;
    std::vector<PromptSpec> prompts_;
    std::vector<DownloadSpec> downloads_;
    std::vector<EndpointSpec> endpoints_;
    std::map<std::string, std::unique_ptr<Compiled>, std::less<>> compiled_;
    bool sealed_{false};
};

/// {code, message, details:[{field, message}]} as REST bodies and isError
/// structuredContent carry it.
boost::json::object error_body(server::core::Error const& e);

/// The MCP CallToolResult for an invoke() outcome: structuredContent plus one
/// text block with the same JSON; on error `isError: true` and the error body.
boost::json::object call_tool_result(server::core::Result<boost::json::value> const& r);
/// The same, moving the value into structuredContent instead of copying it.
boost::json::object call_tool_result(server::core::Result<boost::json::value>&& r);

}  // namespace signoff::tools::registry
