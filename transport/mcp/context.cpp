// Builds the ToolContext a handler sees: progress notifications when the
// caller sent a progressToken, log messages filtered by the session's (or the
// stateless request's) level, and client input: server→client requests in the
// handshake era, MRTR rounds (mrtr.cpp) in the stateless era.
#include <cstdint>
#include <mutex>

#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;
using server::core::Error;
using tools::registry::ToolContext;

std::string_view capability_for(std::string_view method) {
    if (method == "sampling/createMessage") {
        return "sampling";
    }
    if (method == "elicitation/create") {
        return "elicitation";
    }
    if (method == "roots/list") {
        return "roots";
    }
    return "";
}

namespace {

/// A handshake-era server→client request, answered through the call's session.
server::core::Result<json::value> ask_session(
    Call const& call,
    std::chrono::milliseconds timeout,
    std::string const& method,
    json::object const& params
) {
    Session& session = *call.session;
    std::string_view cap = capability_for(method);
    if (!cap.empty() && !session.client_has(cap)) {
        return Error::failed_precondition(
            "the client did not declare the " + std::string(cap) + " capability"
        );
    }
    std::int64_t id = session.open_client_request();
    call.in.out->send(jsonrpc::make_request(id, method, params));
    return session.await_client_response(id, call.cancel, timeout);
}

std::optional<json::value> progress_token(json::object const& params) {
    auto const* meta = params.if_contains("_meta");
    if (meta == nullptr || !meta->is_object()) {
        return std::nullopt;
    }
    auto const* token = meta->as_object().if_contains("progressToken");
    if (token == nullptr || !jsonrpc::is_valid_id(*token)) {
        return std::nullopt;
    }
    return *token;
}

/// Integral values go out as JSON integers ("50", not Boost.JSON's "5E1").
json::value number(double d) {
    if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
        return static_cast<std::int64_t>(d);
    }
    return d;
}

/// Progress must strictly increase; a non-increasing value is dropped.
struct ProgressState {
    std::mutex mu;
    std::optional<double> last;
};

std::function<void(double, std::optional<double>, std::string const&)> progress_hook(
    Outbound* out, json::value token
) {
    auto state = std::make_shared<ProgressState>();
    return [out,
            token = std::move(token),
            state](double progress, std::optional<double> total, std::string const& message) {
        {
            std::lock_guard lock(state->mu);
            if (state->last && progress <= *state->last) {
                return;
            }
            state->last = progress;
        }
        json::object params{{"progressToken", token}, {"progress", number(progress)}};
        if (total) {
            params["total"] = number(*total);
        }
        if (!message.empty()) {
            params["message"] = message;
        }
        out->send(jsonrpc::make_notification("notifications/progress", std::move(params)));
    };
}

}  // namespace

ToolContext EngineCore::make_context(Call& call, std::string const& logger) const {
    // Initialised here, not assigned after: the default token would cost an allocation.
    ToolContext ctx{.actor = call.in.actor, .services = &services_, .cancelled = call.cancel};
    bool const stateless = call.era == Era::kStateless;
    if (stateless) {
        install_input_hooks(call, ctx);  // MRTR needs no outbound channel
    }
    Outbound* out = call.in.out;
    if (out == nullptr) {
        return ctx;  // nowhere to send notifications or requests
    }
    if (auto token = progress_token(call.params)) {
        ctx.progress = progress_hook(out, std::move(*token));
    }
    std::shared_ptr<Session> session = call.session;
    std::optional<int> stateless_level = call.log_level;
    ctx.log = [out, session, stateless, stateless_level, logger](
                  std::string const& level, json::value const& data
              ) {
        int const severity = log_level_index(level).value_or(kDefaultLogLevel);
        int const threshold = stateless ? stateless_level.value_or(99)
                                        : (session ? session->log_level() : kDefaultLogLevel);
        if (severity < threshold) {
            return;
        }
        json::object params{{"level", level}, {"logger", logger}, {"data", data}};
        out->send(jsonrpc::make_notification("notifications/message", std::move(params)));
    };
    if (stateless) {
        return ctx;  // the server never sends requests; input comes through MRTR
    }
    if (!session) {
        return ctx;  // a session-less request cannot receive the client's answer
    }
    // Two trivially copyable captures: std::function keeps them inline (no
    // allocation). The hooks are called only while the handler runs.
    Call const* c = &call;
    auto timeout = options_.client_request_timeout;
    ctx.client_request = [c, timeout](std::string const& method, json::object const& params) {
        return ask_session(*c, timeout, method, params);
    };
    ctx.ask = [c, timeout](
                  std::string const&, std::string const& method, json::object const& params
              ) { return ask_session(*c, timeout, method, params); };
    return ctx;
}

}  // namespace signoff::transport::mcp::detail
