// Wiring: builds the domain services and the tool registry from a database URL.
// Part of the composition root (server/app), linked only into the executable.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/approvals/approvals_service.hpp"
#include "server/audit/audit_service.hpp"
#include "server/auths/auths_service.hpp"
#include "server/catalog/catalog_service.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/delivery/deliveries_service.hpp"
#include "server/delivery/http_sender.hpp"
#include "server/delivery/worker.hpp"
#include "server/identity/identity_service.hpp"
#include "server/identity/oidc.hpp"
#include "server/identity/token_service.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "storage/db.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::app {

struct AppConfig {
    std::string db_url{"sqlite:./signoff.db"};
    bool conformance_fixtures{false};
    /// Test builds only: registers POST /api/v1/test/clock (docs/identity.md).
    bool test_clock{false};
    /// The OpenID Provider (--oidc-*); an empty issuer: none configured.
    server::identity::OidcConfig oidc{};
    /// Where webhooks may point (--webhook-allow-http, --webhook-allow-private).
    server::webhooks::UrlPolicy webhook_policy{};
};

/// Everything a running Signoff holds, in construction order.
struct App {
    std::unique_ptr<storage::Db> db;
    /// The system clock; only `serve --test-clock` in a test build moves it.
    server::core::AdjustableClock clock;
    server::core::UuidV7Ids ids{clock};
    std::unique_ptr<server::identity::IdentityService> identity;
    /// Signoff's own tokens; its issuer is set by `serve` once the port is known.
    std::unique_ptr<server::identity::TokenService> tokens;
    server::delivery::RealSteadyClock steady;
    std::unique_ptr<server::delivery::HttpSender> oidc_http;
    std::unique_ptr<server::identity::OidcLogin> oidc;
    std::unique_ptr<server::catalog::CatalogService> catalog;
    std::unique_ptr<server::auths::AuthsService> auths;
    std::unique_ptr<server::approvals::ApprovalsService> approvals;
    server::webhooks::SystemResolver resolver;
    std::unique_ptr<server::webhooks::WebhooksService> webhooks;
    std::unique_ptr<server::audit::AuditService> audit;
    std::unique_ptr<server::delivery::DeliveriesService> deliveries;
    tools::registry::Registry registry;
    tools::registry::Services services;
};

/// Opens the database, runs migrations, builds the services and seals the
/// registry (every tool family, plus the conformance fixtures when asked).
server::core::Result<std::unique_ptr<App>> build_app(AppConfig const& config);

/// Revokes grants and expires workflows whose time is up, every `period`, on
/// its own thread, until destroyed. Reads also expire both lazily; this
/// catches the ones nobody reads.
class ExpiryTimer {
public:
    ExpiryTimer(App& app, std::chrono::seconds period);
    ~ExpiryTimer();
    ExpiryTimer(ExpiryTimer const&) = delete;
    ExpiryTimer& operator=(ExpiryTimer const&) = delete;

private:
    void loop(App& app, std::chrono::seconds period);

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_{false};
    std::thread thread_;
};

/// The delivery worker's settings (signoff serve/stdio flags).
struct DeliveryConfig {
    bool enabled{true};           // --no-delivery turns it off
    std::size_t send_threads{4};  // --delivery-workers N
    std::string smtp_relay;       // --smtp-relay HOST:PORT; empty: EMAIL actions fail
    std::string smtp_from{"signoff@localhost"};  // --smtp-from ADDR
    /// Test-only (--delivery-retry-base-ms, --delivery-timeout-ms): shrink
    /// the back-off and the per-attempt timeout so e2e tests need not wait.
    std::chrono::milliseconds retry_base{std::chrono::seconds{10}};
    std::chrono::milliseconds attempt_timeout{std::chrono::seconds{8}};
    /// Test-only (--delivery-poll-ms): how often the worker looks for due
    /// deliveries when no commit wakes it (retries, other replicas' events).
    std::chrono::milliseconds poll_interval{std::chrono::seconds{1}};
};

/// The running delivery worker of one process: its real HTTP and SMTP senders
/// and the background loop (docs/webhooks.md, "Delivery"). Starts on
/// construction, stops (finishing in-flight sends) on destruction.
class DeliveryRunner {
public:
    /// kInvalidArgument for a malformed --smtp-relay.
    static server::core::Result<std::unique_ptr<DeliveryRunner>> start(
        App& app, DeliveryConfig const& config
    );
    ~DeliveryRunner();
    DeliveryRunner(DeliveryRunner const&) = delete;
    DeliveryRunner& operator=(DeliveryRunner const&) = delete;

private:
    DeliveryRunner() = default;

    server::delivery::RealSteadyClock steady_;
    server::delivery::SystemRandom random_;
    std::unique_ptr<server::delivery::HttpSender> http_;
    std::unique_ptr<server::delivery::MailSender> mail_;
    std::unique_ptr<server::delivery::DeliveryWorker> worker_;
    /// Its outbox listener wakes worker_; cleared first on destruction.
    storage::Db* db_{nullptr};
};

}  // namespace signoff::app
