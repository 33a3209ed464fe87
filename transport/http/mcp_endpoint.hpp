// The /mcp Streamable HTTP rules that do not touch the socket: header checks
// before the body is read (Accept, Content-Type), body parsing, era and
// session resolution (Mcp-Session-Id bound to the principal), DELETE, and the
// JSON answer of an engine Reply. The connection (http_server.cpp) runs the
// engine on a worker and streams SSE; this file decides everything else.
//
//   POST ─► check_post_headers ─► (read body) ─► prepare ─► Engine::handle ─► finish
//   DELETE ─► handle_delete        GET ─► 405 (no standalone SSE stream)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/http/fields.hpp>

#include "server/core/actor.hpp"
#include "transport/http/http_reply.hpp"
#include "transport/http/session_store.hpp"
#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::transport::http {

using Fields = boost::beast::http::fields;

/// One POSTed message ready for Engine::handle, plus what finish() needs.
struct PreparedMessage {
    mcp::Inbound inbound;
    /// True for a JSON-RPC request (may block: tools/call); false for
    /// notifications and client responses, which must never wait behind requests.
    bool is_request{false};
    /// For `initialize`: the id minted for the session (sent as Mcp-Session-Id,
    /// stored only when the engine reports initialized_session).
    std::string new_session_id{};
    std::string owner{};
};

class McpEndpoint {
public:
    McpEndpoint(mcp::Engine& engine, SessionStore& sessions, jsonrpc::Limits limits);

    /// POST checks on the headers alone: 406 unless Accept lists both
    /// application/json and text/event-stream; 415 unless the body is JSON.
    static std::optional<HttpReply> check_post_headers(Fields const& fields);

    /// Parses the body and resolves the session: 400 for bad JSON / envelope or
    /// a handshake-era message without Mcp-Session-Id, 404 for an unknown id or
    /// one bound to another principal. Thread-safe.
    std::variant<HttpReply, PreparedMessage> prepare(
        Fields const& fields, std::string_view body, server::core::Actor const& actor
    );

    /// prepare() in two steps, for the connection's one-hop path: the body as
    /// JSON (or the 400 answer), then the envelope, era and session.
    std::variant<HttpReply, boost::json::value> parse_body(std::string_view body) const;
    std::variant<HttpReply, PreparedMessage> prepare_parsed(
        Fields const& fields, boost::json::value message, server::core::Actor const& actor
    );
    /// True when parse_body's result is a JSON-RPC request (runs on the workers).
    static bool is_request(std::variant<HttpReply, boost::json::value> const& parsed);

    /// The HTTP answer for the engine's reply; stores a new session after a
    /// successful initialize. Thread-safe.
    HttpReply finish(PreparedMessage const& prepared, mcp::Reply reply);

    /// Stores the session of a successful initialize whose reply went out as SSE.
    void commit_session(PreparedMessage const& prepared, mcp::Reply const& reply);

    /// DELETE: ends the caller's session and cancels its in-flight requests
    /// (204); 400 without the header, 404 for an unknown id, 405 for 2026-07-28.
    HttpReply handle_delete(Fields const& fields, server::core::Actor const& actor);

    /// GET and other methods: 405 with Allow. The standalone SSE stream is not
    /// offered: the engine has no session-level outbound channel.
    static HttpReply handle_other();

private:
    mcp::Engine& engine_;
    SessionStore& sessions_;
    jsonrpc::Limits limits_;
};

/// True when a message is served statelessly (2026-07-28): params._meta names
/// an io.modelcontextprotocol/ protocol field, the method is server/discover,
/// or MCP-Protocol-Version names a version that is not a handshake one. Mirrors
/// the engine's era rule so that no session is demanded for such a request.
bool is_stateless_message(
    std::string_view method,
    boost::json::object const& params,
    std::optional<std::string> const& protocol_header
);

/// The headers the 2026-07-28 era mirrors (MCP-Protocol-Version, Mcp-Method,
/// Mcp-Name, Mcp-Param-*), as sent.
mcp::HttpHeaders mirrored_headers(Fields const& fields);

}  // namespace signoff::transport::http
