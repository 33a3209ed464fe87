// Builds the ToolContext a handler sees: progress notifications when the
// caller sent a progressToken, log messages filtered by the session's (or the
// stateless request's) level, and server→client requests in the handshake era.
#include <cstdint>
#include <mutex>

#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;
using server::core::Error;
using tools::registry::ToolContext;

namespace {

/// The client capability a server→client method needs, or "" when none.
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

std::function<void(double, std::optional<double>, std::string const&)>
progress_hook(Outbound* out, json::value token) {
    auto state = std::make_shared<ProgressState>();
    return [out, token = std::move(token), state](
               double progress, std::optional<double> total, std::string const& message
           ) {
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
    ToolContext ctx;
    ctx.actor = call.in.actor;
    ctx.services = &services_;
    ctx.cancelled = call.cancel;
    Outbound* out = call.in.out;
    if (out == nullptr) {
        return ctx;  // nowhere to send notifications or requests
    }
    if (auto token = progress_token(call.params)) {
        ctx.progress = progress_hook(out, std::move(*token));
    }
    std::shared_ptr<Session> session = call.session;
    bool const stateless = call.era == Era::kStateless;
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
        // Stateless servers never send requests (MRTR replaces them, which we do
        // not serve). An undeclared capability becomes -32021 for the call.
        Call* c = &call;
        ctx.client_request = [c](std::string const& method, json::object const&)
            -> server::core::Result<json::value> {
            std::string_view cap = capability_for(method);
            auto const* declared = cap.empty() ? nullptr : c->client_capabilities.if_contains(cap);
            if (!cap.empty() && declared == nullptr) {
                c->missing_capability = std::string(cap);
                return Error::failed_precondition("the client did not declare " + std::string(cap));
            }
            return Error::unavailable(
                method + " needs a server→client request, which 2026-07-28 does not allow"
            );
        };
        return ctx;
    }
    if (!session) {
        return ctx;  // a session-less request cannot receive the client's answer
    }
    auto timeout = options_.client_request_timeout;
    tools::registry::CancelToken cancel = call.cancel;
    ctx.client_request = [out, session, timeout, cancel](
                             std::string const& method, json::object const& params
                         ) -> server::core::Result<json::value> {
        std::string_view cap = capability_for(method);
        if (!cap.empty() && !session->client_has(cap)) {
            return Error::failed_precondition(
                "the client did not declare the " + std::string(cap) + " capability"
            );
        }
        std::int64_t id = session->open_client_request();
        out->send(jsonrpc::make_request(id, method, params));
        return session->await_client_response(id, cancel, timeout);
    };
    return ctx;
}

}  // namespace signoff::transport::mcp::detail
