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
#include "server/identity/identity_service.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "storage/db.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::app {

struct AppConfig {
    std::string db_url{"sqlite:./signoff.db"};
    bool conformance_fixtures{false};
    /// Where webhooks may point (--webhook-allow-http, --webhook-allow-private).
    server::webhooks::UrlPolicy webhook_policy{};
};

/// Everything a running Signoff holds, in construction order.
struct App {
    std::unique_ptr<storage::Db> db;
    server::core::SystemClock clock;
    server::core::UuidV7Ids ids{clock};
    std::unique_ptr<server::identity::IdentityService> identity;
    std::unique_ptr<server::catalog::CatalogService> catalog;
    std::unique_ptr<server::auths::AuthsService> auths;
    std::unique_ptr<server::approvals::ApprovalsService> approvals;
    server::webhooks::SystemResolver resolver;
    std::unique_ptr<server::webhooks::WebhooksService> webhooks;
    std::unique_ptr<server::audit::AuditService> audit;
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

}  // namespace signoff::app
