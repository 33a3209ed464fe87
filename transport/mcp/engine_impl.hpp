// Private parts of the session engine shared by its .cpp files: the per-call
// record, method outcomes and the method table. The table is the only place
// that says which method exists, in which era, and how it behaves.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

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

/// Stateless-era input rounds of one request (MRTR, mrtr.cpp).
struct InputRounds {
    /// Answers from the verified requestState plus the retry's inputResponses.
    boost::json::object answers;
    /// Answers the handler used in this run; the next requestState carries them.
    boost::json::object used;
    /// Requests the handler is still waiting for, by key: {method, params}.
    boost::json::object requests;
    int round{0};          // rounds before this run (from requestState)
    bool retry{false};     // the request carried inputResponses or requestState
    bool required{false};  // the reply is an input_required result
    int auto_keys{0};      // keys minted for keyless client_request calls
};

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
    InputRounds input{};
    bool initialized_session{false};
};

enum MethodFlag : unsigned {
    kNotification = 1u << 0u,    // a notification: never answered
    kParamsOptional = 1u << 1u,  // params may be absent
    kHandshakeEra = 1u << 2u,    // served in the handshake era
    kStatelessEra = 1u << 3u,    // served in the stateless era
    kBeforeInit = 1u << 4u,      // allowed on a session before initialize
    kCacheable = 1u << 5u,       // stateless result carries ttlMs/cacheScope
    kInputRounds = 1u << 6u,     // stateless era: may answer input_required (MRTR)
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

    /// Takes the request's params out of `in.message` (the id stays, for the
    /// caller's last-resort error reply).
    Reply handle(Inbound& in);

    tools::registry::Registry const& registry() const { return registry_; }
    tools::registry::Services const& services() const { return services_; }
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

/// MRTR (mrtr.cpp). Before the handler: verifies requestState and merges the
/// answers it carries with the retry's inputResponses (-32602 when either is
/// malformed, tampered with, expired or issued for another request).
std::optional<MethodError> load_input_rounds(EngineCore const& engine, Call& call);
/// After the handler: input_required when it still waits for input, -32021
/// when it failed for want of an undeclared client capability, else `outcome`.
Outcome settle_input_rounds(EngineCore const& engine, Call& call, Outcome outcome);
/// The stateless-era `ask` and `client_request` hooks of a call's ToolContext.
void install_input_hooks(Call& call, tools::registry::ToolContext& ctx);
/// The client capability a server→client method needs, or "" when none.
std::string_view capability_for(std::string_view method);

/// A mirrored header value after OWS trimming and `=?base64?…?=` decoding;
/// nullopt when the encoded form does not decode (engine.cpp).
std::optional<std::string> decode_header_value(std::string const& raw);
/// Stateless era over HTTP: every `x-mcp-header` argument of `tool` agrees
/// with its Mcp-Param-{Name} header (param_headers.cpp); -32020 otherwise.
std::optional<MethodError> check_param_headers(
    EngineCore const& engine,
    Call const& call,
    tools::registry::ToolSpec const& tool,
    boost::json::value const& args
);

/// The method table (methods.cpp).
std::map<std::string, MethodInfo, std::less<>> method_table();

/// Opaque list cursors (cursor.cpp): base64url of "o<offset>".
std::string encode_cursor(std::size_t offset);
std::optional<std::size_t> decode_cursor(std::string_view cursor);
/// Standard base64 (with padding), used for `=?base64?…?=` header values.
std::optional<std::string> decode_base64(std::string_view text);
/// Unpadded base64url (RFC 4648 §5), used for requestState.
std::string encode_base64url(std::string_view bytes);
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace signoff::transport::mcp::detail
