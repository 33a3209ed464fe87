// The MCP session engine: one object serving both protocol eras for every
// connection. Transports (stdio loop, HTTP /mcp endpoint) parse bytes into a
// JSON value with transport/jsonrpc limits, authenticate, and hand each message
// here; the engine validates the JSON-RPC envelope, decides the era, runs the
// method from its dispatch table, and returns the reply.
//
//   stdio line ─┐                         ┌─► initialize / ping / logging (handshake era)
//               ├─► Engine::handle ──► method table ─► tools/* ─► Registry::invoke
//   HTTP POST ──┘        │                └─► server/discover, resources/*, prompts/*, completion/*
//                        └─► Outbound::send  (progress, log messages, server→client requests)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/core/actor.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::transport::mcp {

/// The protocol versions served, newest first. 2026-07-28 is the stateless era.
inline constexpr const char* kStatelessVersion = "2026-07-28";
inline const std::vector<std::string> kHandshakeVersions{
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

/// Where the engine writes messages that are not the reply to the request at
/// hand: notifications (progress, message, resources/updated) and, in the
/// handshake era, server→client requests. Implementations must be thread-safe.
class Outbound {
public:
    virtual ~Outbound() = default;
    virtual void send(boost::json::object const& message) = 0;
};

/// Handshake-era state of one stdio process or one HTTP Mcp-Session-Id:
/// negotiated version, initialized flag, log level, resource subscriptions,
/// in-flight requests (for cancellation), pending server→client requests.
/// Thread-safe. Created by Engine::new_session().
class Session;

/// HTTP request headers the 2026-07-28 era mirrors from the body. Absent on stdio.
struct HttpHeaders {
    std::optional<std::string> protocol_version;  // MCP-Protocol-Version
    std::optional<std::string> method;            // Mcp-Method
    std::optional<std::string> name;              // Mcp-Name
    /// Mcp-Param-{Name} headers, name as sent after the prefix.
    std::vector<std::pair<std::string, std::string>> params;
};

struct Inbound {
    boost::json::value message;  // one parsed JSON-RPC message (never a batch)
    server::core::Actor actor;   // the authenticated principal
    /// The handshake-era session; null for a stateless HTTP request.
    std::shared_ptr<Session> session;
    /// Where notifications for this request go; may be null (they are dropped).
    Outbound* out{nullptr};
    std::optional<HttpHeaders> http;
};

struct Reply {
    /// The JSON-RPC response; absent for notifications and for client responses.
    std::optional<boost::json::object> response;
    /// HTTP status the transport should use: 200, 202 for notifications and
    /// client responses, 400 / 404 for stateless-era protocol errors.
    int http_status{200};
    /// True when the reply is to `initialize` and a session was started.
    bool initialized_session{false};
};

struct EngineOptions {
    std::string server_name{"signoff"};
    std::string server_version{"0.1.0"};
    std::string instructions{};
    /// Page size of tools/list, resources/list, resources/templates/list and
    /// prompts/list.
    std::size_t tools_page_size{50};
    /// How long a server→client request (sampling, elicitation, roots) waits
    /// for the client's response before failing with kUnavailable.
    std::chrono::milliseconds client_request_timeout{60000};
    /// ttlMs on stateless-era cacheable results (cacheScope is always
    /// "private": lists may depend on the caller's credentials).
    std::int64_t cache_ttl_ms{60000};
    /// How long a stateless-era requestState (MRTR, input_required) stays
    /// valid after it was issued.
    std::chrono::milliseconds input_state_ttl{std::chrono::minutes(10)};
};

class Engine {
public:
    Engine(
        tools::registry::Registry const& registry,
        tools::registry::Services const& services,
        EngineOptions options
    );
    ~Engine();
    Engine(Engine const&) = delete;
    Engine& operator=(Engine const&) = delete;

    std::shared_ptr<Session> new_session();

    /// Handles one message. Blocking: a tools/call runs its handler on the
    /// calling thread, so transports call this from worker threads to serve
    /// requests concurrently. Never throws.
    ///
    /// Session contract: pass a fresh session (new_session()) with an
    /// `initialize` request and keep it when `Reply::initialized_session` is
    /// set; pass that session with every later message of the connection.
    /// A handshake-era request without a session is served session-less
    /// (logging level and subscriptions then do not persist). Messages that
    /// must be ordered (notifications, client responses, initialize) should be
    /// handled in arrival order; requests may run concurrently.
    Reply handle(Inbound in);

    /// Trips the cancel tokens of every in-flight request of `session`
    /// (session end, shutdown).
    void cancel_all(Session& session);

    /// The peer can send nothing more (stdin EOF, stream gone): pending
    /// server→client requests of `session` fail now instead of timing out.
    /// Running handlers are not cancelled; their responses are still produced.
    void end_input(Session& session);

    /// The negotiated protocol version of a session ("" before initialize).
    static std::string negotiated_version(Session const& session);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace signoff::transport::mcp
