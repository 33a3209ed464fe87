// What a tool handler (and a resource or prompt handler) receives besides its
// arguments: the acting principal, the domain services, and the hooks the
// session engine provides for progress, logging, cancellation and input from
// the client (server→client requests, or MRTR rounds in the stateless era).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"

namespace signoff::server::identity {
class IdentityService;
}
namespace signoff::server::catalog {
class CatalogService;
}
namespace signoff::server::auths {
class AuthsService;
}
namespace signoff::server::approvals {
class ApprovalsService;
}
namespace signoff::server::audit {
class AuditService;
}
namespace signoff::server::webhooks {
class WebhooksService;
}
namespace signoff::server::delivery {
class DeliveriesService;
}
namespace signoff::server::core {
class Clock;
}
namespace signoff::server::identity {
class TokenService;
class OidcLogin;
}  // namespace signoff::server::identity

namespace signoff::tools::registry {

/// The domain services the tool rows call. Built by the composition root.
struct Services {
    server::identity::IdentityService* identity{nullptr};
    server::catalog::CatalogService* catalog{nullptr};
    server::auths::AuthsService* auths{nullptr};
    server::approvals::ApprovalsService* approvals{nullptr};
    server::core::Clock const* clock{nullptr};
    server::webhooks::WebhooksService* webhooks{nullptr};
    server::audit::AuditService* audit{nullptr};
    server::delivery::DeliveriesService* deliveries{nullptr};
    server::identity::TokenService* tokens{nullptr};
    server::identity::OidcLogin* oidc{nullptr};
};

/// Tripped by notifications/cancelled, session end or shutdown.
using CancelToken = std::shared_ptr<std::atomic<bool>>;

struct ToolContext {
    server::core::Actor actor;
    Services const* services{nullptr};
    CancelToken cancelled{std::make_shared<std::atomic<bool>>(false)};

    /// Sends notifications/progress when the caller gave a progressToken;
    /// otherwise a no-op. progress must increase between calls.
    std::function<void(double progress, std::optional<double> total, std::string const& message)>
        progress{};
    /// Sends notifications/message at `level` if the session's log level lets it through.
    std::function<void(std::string const& level, boost::json::value const& data)> log{};
    /// Handshake era only: sends a request to the client (sampling/createMessage,
    /// elicitation/create, roots/list) and waits for its result. Empty when the
    /// transport cannot (stateless era); the handler must then refuse.
    std::function<server::core::Result<boost::json::value>(
        std::string const& method, boost::json::object const& params
    )>
        client_request{};
    /// Asks the client for input (elicitation/create, sampling/createMessage,
    /// roots/list) in either era; `key` names the request, stable across
    /// retries and unique within the call. Handshake era: a server→client
    /// request through client_request (the key is unused). Stateless era
    /// (MRTR, SEP-2322): the client's answer under `key` in the retry's
    /// inputResponses; without one the request is recorded and kUnavailable
    /// returned, and the engine answers `input_required` with every recorded
    /// request, whatever the handler returns. The retry runs the handler
    /// again from the start, so code before an ask must have no side effects.
    /// kFailedPrecondition when the client lacks the capability (a handler
    /// that fails after that makes the engine answer -32021 in the stateless
    /// era). Empty when neither era can deliver input on this connection.
    std::function<server::core::Result<boost::json::value>(
        std::string const& key, std::string const& method, boost::json::object const& params
    )>
        ask{};
    /// Stateless era: the input rounds a verified requestState says came
    /// before this run (0 on a first call and in the handshake era).
    int input_round{0};

    bool is_cancelled() const { return cancelled && cancelled->load(); }
};

}  // namespace signoff::tools::registry
