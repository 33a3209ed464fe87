// The HTTP server: one Boost.Beast listener serving /healthz, the MCP
// Streamable HTTP endpoint /mcp and the REST façade on one port. All socket I/O
// runs on ONE io thread (measured fastest on 2 cores); blocking work (the
// Authenticator, Engine::handle, Registry::invoke) runs on worker pools and
// its answer is posted back to the connection.
//
//   socket ─► read header ─► Origin/Host ─► authenticate (pool) ─► read body
//      ├─ /mcp  ─► McpEndpoint::prepare ─► Engine::handle (pool) ─► JSON or SSE
//      ├─ REST  ─► RestRouter::check_route ─► RestRouter::handle (pool) ─► JSON
//      └─ GET download ─► open (pool) ─► headers ─► { next piece (pool) ─► write }*
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "tools/registry/registry.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::transport::http {

/// The credential a request presents: the token of `Authorization: Bearer`
/// or `Authorization: DPoP` (scheme as sent), or the X-Api-Key value (scheme
/// "Bearer"), with what a DPoP proof must match.
struct Presented {
    std::string scheme;
    std::string token;
    std::optional<std::string> dpop{};  // the DPoP header
    std::string method;
    std::string path;  // without the query string
    /// The privileged-token cookie (signoff_privilege) a browser's request
    /// carries after a step-up (docs/identity.md "Step-up").
    std::optional<std::string> privilege_cookie{};
};

/// Turns a presented credential (an API key or an access token) into the
/// acting principal for `channel`; fails with kUnauthenticated when it is
/// unknown or invalid. May block (database lookup): the server calls it on a
/// worker thread. Must be thread-safe.
using Authenticator = std::function<server::core::Result<server::core::Actor>(
    Presented const& presented, server::core::Channel channel
)>;

struct HttpOptions {
    std::string host{"127.0.0.1"};
    unsigned short port{8080};  // 0 = ephemeral
    /// Extra allowed Origins besides the loopback ones.
    std::vector<std::string> allowed_origins;
    std::size_t max_body_bytes{std::size_t{4} * 1024U * 1024U};
    std::size_t max_json_depth{64};
    unsigned worker_threads{4};
    std::chrono::seconds read_timeout{30};
    /// When true, a request without credentials is passed to the Authenticator
    /// with an empty key instead of being refused with 401, and the
    /// Authenticator decides. Only `serve --conformance-fixtures` sets it (the
    /// official conformance suite sends no credentials).
    bool pass_missing_credentials{false};
    /// Asked by GET /readyz on a worker thread: ok when this replica can serve
    /// (its database answers). Unset: /readyz answers like /healthz.
    std::function<server::core::Status()> ready{};
    /// Connections served at once (0: no cap). Beyond it, `health_headroom`
    /// more are accepted for /healthz and /readyz only (anything else is 503);
    /// beyond those, a connection is closed as soon as it is accepted.
    std::size_t max_connections{0};
    std::size_t health_headroom{16};
};

class HttpServer {
public:
    HttpServer(
        mcp::Engine& engine,
        tools::registry::Registry const& registry,
        tools::registry::Services const& services,
        Authenticator auth,
        HttpOptions opts
    );
    /// Stops (see stop()) if still running.
    ~HttpServer();
    HttpServer(HttpServer const&) = delete;
    HttpServer& operator=(HttpServer const&) = delete;

    /// Binds and listens. Fails with kUnavailable naming the address when the
    /// port is taken or the host does not resolve. Call once, before run().
    server::core::Status start();
    /// The bound port (the ephemeral one when opts.port was 0); 0 before start().
    unsigned short port() const;
    /// Serves on the calling thread until stop(). Call from one thread only.
    void run();
    /// Thread-safe, idempotent. Closes the listener and every connection
    /// (ending SSE streams), cancels the in-flight requests of every session,
    /// waits for the worker threads, and makes run() return.
    void stop();
    /// Graceful stop (SIGTERM): stops accepting at once, closes idle
    /// connections, lets requests in flight finish and answer for up to
    /// `limit`, then stop(). Thread-safe.
    void drain(std::chrono::milliseconds limit);
    /// Ends every session of one principal (a deactivated user): later
    /// requests with its id are 404, its in-flight requests are cancelled.
    /// Thread-safe. Answers how many sessions ended.
    std::size_t end_sessions_of(
        std::string const& org_id, std::string const& principal_kind, std::string const& id
    );

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace signoff::transport::http
