// /mcp decisions (see mcp_endpoint.hpp). Header checks run on the io thread;
// prepare/finish too (parsing is bounded by the limits), except on the one-hop
// path, where prepare_parsed runs on the pool thread that authenticated.
#include "transport/http/mcp_endpoint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>

#include "transport/http/header_values.hpp"
#include "transport/jsonrpc/codes.hpp"

namespace signoff::transport::http {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kSessionHeader = "Mcp-Session-Id";
constexpr std::string_view kVersionHeader = "MCP-Protocol-Version";
constexpr std::string_view kParamPrefix = "mcp-param-";
constexpr std::array<std::string_view, 3> kMetaKeys{
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/clientInfo",
};

std::optional<std::string> header(Fields const& fields, std::string_view name) {
    auto it = fields.find(name);
    if (it == fields.end()) {
        return std::nullopt;
    }
    return std::string(it->value());
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_handshake_version(std::string_view v) {
    return std::find(mcp::kHandshakeVersions.begin(), mcp::kHandshakeVersions.end(), v) !=
           mcp::kHandshakeVersions.end();
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

/// Method and params of a classified envelope (empty for client responses).
void method_and_params(jsonrpc::Envelope const& env, std::string& method, json::object& params) {
    if (auto const* r = std::get_if<jsonrpc::Request>(&env)) {
        method = r->method;
        params = r->params;
    } else if (auto const* n = std::get_if<jsonrpc::Notification>(&env)) {
        method = n->method;
        params = n->params;
    }
}

}  // namespace

bool is_stateless_message(
    std::string_view method,
    json::object const& params,
    std::optional<std::string> const& protocol_header
) {
    if (method == "initialize") {
        return false;
    }
    if (auto const* meta = params.if_contains("_meta"); meta != nullptr && meta->is_object()) {
        for (auto const key : kMetaKeys) {
            if (meta->get_object().contains(key)) {
                return true;
            }
        }
    }
    if (protocol_header) {
        auto const v = trim(*protocol_header);
        if (!v.empty() && !is_handshake_version(v)) {
            return true;
        }
    }
    return method == "server/discover";
}

mcp::HttpHeaders mirrored_headers(Fields const& fields) {
    mcp::HttpHeaders h;
    h.protocol_version = header(fields, kVersionHeader);
    h.method = header(fields, "Mcp-Method");
    h.name = header(fields, "Mcp-Name");
    for (auto const& f : fields) {
        auto const name = std::string_view(f.name_string());
        if (name.size() > kParamPrefix.size() && istarts_with(name, kParamPrefix)) {
            h.params.emplace_back(
                std::string(name.substr(kParamPrefix.size())), std::string(f.value())
            );
        }
    }
    return h;
}

McpEndpoint::McpEndpoint(mcp::Engine& engine, SessionStore& sessions, jsonrpc::Limits limits)
    : engine_(engine), sessions_(sessions), limits_(limits) {}

std::optional<HttpReply> McpEndpoint::check_post_headers(Fields const& fields) {
    auto const accept = fields[bhttp::field::accept];
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
        return rpc_error_reply(
            406,
            jsonrpc::kInvalidRequest,
            "Not Acceptable: Accept must list application/json and text/event-stream"
        );
    }
    if (!is_json_content_type(fields[bhttp::field::content_type])) {
        return rpc_error_reply(
            415,
            jsonrpc::kInvalidRequest,
            "Unsupported Media Type: Content-Type must be application/json"
        );
    }
    return std::nullopt;
}

std::variant<HttpReply, PreparedMessage> McpEndpoint::prepare(
    Fields const& fields, std::string_view body, server::core::Actor const& actor
) {
    auto parsed = parse_body(body);
    if (auto* refused = std::get_if<HttpReply>(&parsed)) {
        return std::move(*refused);
    }
    return prepare_parsed(fields, std::move(std::get<json::value>(parsed)), actor);
}

std::variant<HttpReply, json::value> McpEndpoint::parse_body(std::string_view body) const {
    auto parsed = jsonrpc::parse(body, limits_);
    if (auto const* err = std::get_if<jsonrpc::RpcError>(&parsed)) {
        return rpc_error_reply(400, err->code, err->message);
    }
    return std::move(std::get<json::value>(parsed));
}

bool McpEndpoint::is_request(std::variant<HttpReply, json::value> const& parsed) {
    auto const* message = std::get_if<json::value>(&parsed);
    return message != nullptr &&
           std::holds_alternative<jsonrpc::Request>(jsonrpc::classify(*message));
}

std::variant<HttpReply, PreparedMessage> McpEndpoint::prepare_parsed(
    Fields const& fields, json::value message, server::core::Actor const& actor
) {
    auto const env = jsonrpc::classify(message);
    if (auto const* inv = std::get_if<jsonrpc::Invalid>(&env)) {
        return json_reply(400, jsonrpc::make_error(inv->id, inv->error));
    }
    std::string method;
    json::object params;
    method_and_params(env, method, params);

    PreparedMessage p;
    p.is_request = std::holds_alternative<jsonrpc::Request>(env);
    p.inbound.actor = actor;
    p.inbound.http = mirrored_headers(fields);
    p.owner = owner_key(actor);
    if (p.is_request && method == "initialize") {
        p.new_session_id = new_session_id();
        if (p.new_session_id.empty()) {
            std::cerr << "signoff: http: the CSPRNG failed to mint a session id\n";
            return rpc_error_reply(500, jsonrpc::kInternalError, "internal error");
        }
        p.inbound.session = engine_.new_session();
    } else if (!is_stateless_message(method, params, p.inbound.http->protocol_version)) {
        auto const sid = header(fields, kSessionHeader);
        if (!sid || trim(*sid).empty()) {
            return rpc_error_reply(
                400,
                jsonrpc::kInvalidRequest,
                "Bad Request: Mcp-Session-Id header is required (send initialize first)"
            );
        }
        p.inbound.session = sessions_.find(trim(*sid), p.owner);
        if (!p.inbound.session) {
            return rpc_error_reply(
                404,
                jsonrpc::kInvalidRequest,
                "Session not found: unknown or expired Mcp-Session-Id; initialize again"
            );
        }
    }
    p.inbound.message = std::move(message);
    return p;
}

void McpEndpoint::commit_session(PreparedMessage const& prepared, mcp::Reply const& reply) {
    if (!reply.initialized_session || prepared.new_session_id.empty() ||
        !prepared.inbound.session) {
        return;
    }
    auto evicted = sessions_.add(prepared.new_session_id, prepared.inbound.session, prepared.owner);
    if (evicted) {
        engine_.cancel_all(*evicted);
    }
}

HttpReply McpEndpoint::finish(PreparedMessage const& prepared, mcp::Reply reply) {
    commit_session(prepared, reply);
    auto const status = static_cast<unsigned>(reply.http_status);
    HttpReply out =
        reply.response ? HttpReply{status, json::serialize(*reply.response)} : empty_reply(status);
    if (reply.initialized_session && !prepared.new_session_id.empty()) {
        out.headers.emplace_back(std::string(kSessionHeader), prepared.new_session_id);
    }
    return out;
}

HttpReply McpEndpoint::handle_delete(Fields const& fields, server::core::Actor const& actor) {
    auto const version = header(fields, kVersionHeader);
    if (version && trim(*version) == mcp::kStatelessVersion) {
        return method_not_allowed({"POST"}, false);
    }
    auto const sid = header(fields, kSessionHeader);
    if (!sid || trim(*sid).empty()) {
        return rpc_error_reply(
            400, jsonrpc::kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"
        );
    }
    auto session = sessions_.remove(trim(*sid), owner_key(actor));
    if (!session) {
        return rpc_error_reply(404, jsonrpc::kInvalidRequest, "Session not found");
    }
    engine_.cancel_all(*session);
    return empty_reply(204);
}

HttpReply McpEndpoint::handle_other() {
    return method_not_allowed({"POST", "DELETE"}, false);
}

}  // namespace signoff::transport::http
