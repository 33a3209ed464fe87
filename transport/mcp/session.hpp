// Handshake-era state of one connection (stdio process or HTTP Mcp-Session-Id):
// lifecycle phase, negotiated version, client capabilities, log level,
// subscriptions, in-flight requests (cancellation) and pending server→client
// requests. Private to transport/mcp and transport/stdio; thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "server/core/error.hpp"
#include "tools/registry/tool_context.hpp"
#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::transport::mcp {

/// Syslog levels in MCP order; index = severity (debug 0 … emergency 7).
std::optional<int> log_level_index(std::string_view level);
/// The level shown before logging/setLevel: info.
inline constexpr int kDefaultLogLevel = 1;

class Session {
public:
    /// Moves kNew → initialized; false when the session was already initialized.
    bool initialize(std::string version, boost::json::object client_capabilities);
    bool initialized() const;
    std::string version() const;
    /// True when the client declared capability `name` at initialize.
    bool client_has(std::string_view name) const;

    void set_log_level(int level);
    int log_level() const;

    void subscribe(std::string uri);
    void unsubscribe(std::string const& uri);
    bool subscribed(std::string const& uri) const;

    /// Registers an in-flight request under its serialised id; false when the
    /// id is already in flight (ids must be unique among active requests).
    bool begin_request(std::string const& key, tools::registry::CancelToken const& token);
    void end_request(std::string const& key);
    /// Trips the token of in-flight request `key`; unknown keys are ignored.
    void cancel(std::string const& key);
    void cancel_all();

    /// Allocates the id of a server→client request and registers its waiter.
    std::int64_t open_client_request();
    /// Delivers a client response; false when nobody waits for that id.
    bool deliver(jsonrpc::Response response);
    /// Waits for the response to `id`. Fails with kUnavailable on timeout or
    /// closed input, kFailedPrecondition when cancelled or the client answered
    /// with an error.
    server::core::Result<boost::json::value> await_client_response(
        std::int64_t id,
        tools::registry::CancelToken const& token,
        std::chrono::milliseconds timeout
    );
    void close_input();

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool initialized_{false};
    std::string version_;
    boost::json::object client_capabilities_;
    int log_level_{kDefaultLogLevel};
    std::set<std::string, std::less<>> subscriptions_;
    std::map<std::string, tools::registry::CancelToken, std::less<>> in_flight_;
    std::map<std::int64_t, std::optional<jsonrpc::Response>> pending_;
    std::int64_t next_client_request_id_{1};
    bool input_closed_{false};
};

}  // namespace signoff::transport::mcp
