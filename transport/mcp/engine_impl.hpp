// Private parts of the session engine shared by its .cpp files: the per-call
// record, method outcomes and the method table. The table is the only place
// that says which method exists, in which era, and how it behaves.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "tools/registry/registry.hpp"
#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine.hpp"
#include "transport/mcp/session.hpp"

namespace signoff::transport::mcp::detail {

enum class Era { kHandshake, kStateless };

/// A protocol error plus, when it differs from the derived one, its HTTP status.
struct MethodError {
    jsonrpc::RpcError error;
    int http_status{0};  // 0: derive from code and era
};
using Outcome = std::variant<boost::json::object, MethodError>;

inline MethodError rpc_error(int code, std::string message) {
    return MethodError{jsonrpc::RpcError{code, std::move(message), {}}, 0};
}
MethodError invalid_params(std::string message);

/// Everything a method handler needs about the request at hand.
struct Call {
    Inbound const& in;
    std::shared_ptr<Session> session;  // null for session-less requests
    Era era{Era::kHandshake};
    boost::json::value id;
    std::string method;
    boost::json::object const& params;
    /// Stateless era: the request's `_meta` clientCapabilities.
    boost::json::object client_capabilities{};
    /// Stateless era: the `_meta` logLevel, if the request opted in to logs.
    std::optional<int> log_level{};
    tools::registry::CancelToken cancel{std::make_shared<std::atomic<bool>>(false)};
    /// Set by a stateless-era client_request that needs an undeclared capability.
    std::optional<std::string> missing_capability{};
    bool initialized_session{false};
};

enum MethodFlag : unsigned {
    kNotification = 1u << 0u,    // a notification: never answered
    kParamsOptional = 1u << 1u,  // params may be absent
    kHandshakeEra = 1u << 2u,    // served in the handshake era
    kStatelessEra = 1u << 3u,    // served in the stateless era
    kBeforeInit = 1u << 4u,      // allowed on a session before initialize
    kCacheable = 1u << 5u,       // stateless result carries ttlMs/cacheScope
};
inline constexpr unsigned kBothEras = kHandshakeEra | kStatelessEra;

class EngineCore;
using MethodHandler = Outcome (*)(EngineCore&, Call&);

struct MethodInfo {
    unsigned flags{0};
    MethodHandler handler{nullptr};
};

/// The engine's state: registry, services, options, method table.
class EngineCore {
public:
    EngineCore(
        tools::registry::Registry const& registry,
        tools::registry::Services const& services,
        EngineOptions options
    );

    Reply handle(Inbound const& in);

    tools::registry::Registry const& registry() const { return registry_; }
    EngineOptions const& options() const { return options_; }
    boost::json::object server_info() const;
    boost::json::object capabilities(Era era) const;
    /// The ToolContext of a call: actor, services, cancel token, and the
    /// progress / log / client_request hooks wired to the call's era.
    tools::registry::ToolContext make_context(Call& call, std::string const& logger) const;

private:
    Reply handle_request(Inbound const& in, jsonrpc::Request const& req);
    void handle_notification(Inbound const& in, jsonrpc::Notification const& note);
    std::optional<MethodError> check_stateless(Call& call) const;
    std::optional<MethodError> check_handshake(Call const& call) const;
    Outcome dispatch(MethodInfo const* info, Call& call, bool has_params);
    Reply finish(Call& call, MethodInfo const* info, Outcome outcome) const;

    tools::registry::Registry const& registry_;
    tools::registry::Services const& services_;
    EngineOptions options_;
    std::map<std::string, MethodInfo, std::less<>> methods_;
};

/// The method table (methods.cpp).
std::map<std::string, MethodInfo, std::less<>> method_table();

/// Opaque list cursors (cursor.cpp): base64url of "o<offset>".
std::string encode_cursor(std::size_t offset);
std::optional<std::size_t> decode_cursor(std::string_view cursor);
/// Standard base64 (with padding), used for `=?base64?…?=` header values.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace signoff::transport::mcp::detail
