// See services.hpp.
#include "server/app/services.hpp"

#include <iostream>

#include "storage/migrations/migrate.hpp"
#include "tools/families/conformance.hpp"
#include "tools/families/families.hpp"

namespace signoff::app {

using server::core::Error;
using server::core::Result;

Result<std::unique_ptr<App>> build_app(AppConfig const& config) {
    auto app = std::make_unique<App>();
    auto db = storage::open_db(config.db_url);
    if (!db) {
        return Error::unavailable(
            "cannot open database " + config.db_url + ": " + db.error().message
        );
    }
    app->db = std::move(*db);
    if (auto st = storage::migrate(*app->db); !st) {
        return Error::unavailable("migrations failed: " + st.error().message);
    }
    app->identity =
        std::make_unique<server::identity::IdentityService>(*app->db, app->clock, app->ids);
    app->catalog =
        std::make_unique<server::catalog::CatalogService>(*app->db, app->clock, app->ids);
    app->auths = std::make_unique<server::auths::AuthsService>(*app->db, app->clock, app->ids);
    app->services.identity = app->identity.get();
    app->services.catalog = app->catalog.get();
    app->services.auths = app->auths.get();
    app->approvals =
        std::make_unique<server::approvals::ApprovalsService>(*app->db, app->clock, app->ids);
    app->services.approvals = app->approvals.get();
    // The catalog tie (approvals/workflow_hooks.hpp): catalog requests start
    // workflows, and workflow outcomes settle catalog requests.
    app->approvals->set_outcome_hook(app->catalog.get());
    app->catalog->set_workflow_starter(app->approvals.get());
    app->services.clock = &app->clock;
    app->webhooks = std::make_unique<server::webhooks::WebhooksService>(
        *app->db, app->clock, app->ids, app->resolver, config.webhook_policy
    );
    app->services.webhooks = app->webhooks.get();
    app->audit = std::make_unique<server::audit::AuditService>(*app->db, app->clock, app->ids);
    app->services.audit = app->audit.get();

    tools::families::register_domain_tools(app->registry);
    tools::families::register_upload_routes(app->registry);
    if (config.conformance_fixtures) {
        tools::families::register_conformance_fixtures(app->registry);
    }
    if (auto st = app->registry.seal(); !st) {
        return st.error();
    }
    return app;
}

ExpiryTimer::ExpiryTimer(App& app, std::chrono::seconds period)
    : thread_([this, &app, period] { loop(app, period); }) {}

ExpiryTimer::~ExpiryTimer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

namespace {

/// Logs one sweep's outcome: its failure, or what it did when it did anything.
void report(char const* what, server::core::Result<std::int64_t> const& n) {
    if (!n) {
        std::cerr << "signoff: " << what << " sweep failed: " << n.error().message << "\n";
    } else if (*n > 0) {
        std::cerr << "signoff: " << what << " sweep: " << *n << " done\n";
    }
}

}  // namespace

void ExpiryTimer::loop(App& app, std::chrono::seconds period) {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        // Reads expire grants and workflows lazily; these sweep the rest.
        report("grant expiry", app.catalog->expire_due(app.clock.now()));
        report("workflow expiry", app.approvals->expire_due_workflows(app.clock.now()));
        report("stale upload", app.auths->sweep_stale_uploads(app.clock.now()));
        lock.lock();
    }
}

}  // namespace signoff::app
