// The REST façade: every path other than /mcp and /healthz reaches a tool row
// through its RestRoute. Path and method are checked before the body is read
// (404 / 405 with Allow); then the body or query string becomes the tool's
// arguments, Registry::invoke runs the handler, and the result or the error
// table's projection of the error is the answer.
//
//   request ─► check_route ─► (read body) ─► handle: args ─► Registry::invoke ─► JSON
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/core/actor.hpp"
#include "tools/registry/registry.hpp"
#include "transport/http/http_reply.hpp"
#include "transport/jsonrpc/message.hpp"

namespace signoff::transport::http {

struct RestRequest {
    std::string method;  // "GET", "POST", …
    std::string target;  // origin-form, with the query string
    std::string body;
    std::string content_type;
};

class RestRouter {
public:
    RestRouter(
        tools::registry::Registry const& registry,
        tools::registry::Services const& services,
        jsonrpc::Limits limits
    );

    /// 404 when no route has this path, 405 (with Allow) when none has this
    /// method on it; nullopt when the request may go on.
    std::optional<HttpReply> check_route(std::string_view method, std::string_view path) const;

    /// Builds the arguments (JSON object body, or the query string for GET /
    /// DELETE without a body, plus `{name}` path segments), invokes the tool and
    /// answers route.success_status with its result, or the error's status and
    /// {code, message, details}. Blocking (runs the handler); never throws.
    HttpReply handle(RestRequest const& request, server::core::Actor const& actor) const;

private:
    HttpReply invoke(
        tools::registry::RouteMatch match,
        boost::json::object args,
        server::core::Actor const& actor
    ) const;

    tools::registry::Registry const& registry_;
    tools::registry::Services const& services_;
    jsonrpc::Limits limits_;
};

}  // namespace signoff::transport::http
