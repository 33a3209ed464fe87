// See services.hpp.
#include "server/app/services.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "server/app/oidc_fetch.hpp"
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
            "cannot open database " + storage::redact_db_url(config.db_url) + ": " +
            storage::redact_db_url(db.error().message)
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
    app->tokens = std::make_unique<server::identity::TokenService>(
        *app->db, app->clock, app->ids, server::identity::TokenConfig{}
    );
    app->services.tokens = app->tokens.get();
    server::delivery::HttpSenderOptions idp_http;
    idp_http.timeout = std::chrono::seconds{10};
    idp_http.max_answer = std::size_t{1} << 20;
    idp_http.user_agent = "Signoff-OIDC/1";
    app->oidc_http = server::delivery::make_http_sender(idp_http, app->steady);
    app->oidc = std::make_unique<server::identity::OidcLogin>(
        *app->db,
        app->clock,
        app->ids,
        *app->tokens,
        config.oidc,
        make_oidc_fetch(*app->oidc_http, app->resolver)
    );
    app->services.oidc = app->oidc.get();
    app->services.catalog = app->catalog.get();
    app->services.auths = app->auths.get();
    app->approvals =
        std::make_unique<server::approvals::ApprovalsService>(*app->db, app->clock, app->ids);
    app->services.approvals = app->approvals.get();
    // The catalog tie (approvals/workflow_hooks.hpp): catalog requests start
    // workflows, and workflow outcomes settle catalog requests.
    app->approvals->set_outcome_hook(app->catalog.get());
    app->identity->set_deactivation_hook(app->approvals.get());
    app->catalog->set_workflow_starter(app->approvals.get());
    app->services.clock = &app->clock;
    app->webhooks = std::make_unique<server::webhooks::WebhooksService>(
        *app->db, app->clock, app->ids, app->resolver, config.webhook_policy
    );
    app->services.webhooks = app->webhooks.get();
    app->audit = std::make_unique<server::audit::AuditService>(*app->db, app->clock, app->ids);
    app->services.audit = app->audit.get();
    app->deliveries =
        std::make_unique<server::delivery::DeliveriesService>(*app->db, app->clock, app->ids);
    app->services.deliveries = app->deliveries.get();

    tools::families::register_domain_tools(app->registry);
    tools::families::register_upload_routes(app->registry);
    if (config.conformance_fixtures) {
        tools::families::register_conformance_fixtures(app->registry);
    }
    if (config.test_clock) {
        // Test-only clock control: the real binary sees tokens expire and
        // replay windows close without the test sleeping. main refuses
        // --test-clock in release builds.
        auto* clock = &app->clock;
        app->registry.add_endpoint({
            "POST",
            "/api/v1/test/clock",
            "Test builds only: moves the server's clock forward.",
            "testing/test_clock.input",
            [clock](tools::registry::Services const&, boost::json::object const& args, tools::registry::EndpointRequest const&)
                -> server::core::Result<tools::registry::EndpointReply> {
                clock->advance(std::chrono::seconds{
                    args.at("advanceSeconds").to_number<std::int64_t>()});
                return tools::registry::EndpointReply{
                    200, boost::json::object{{"now", server::core::to_rfc3339(clock->now())}}, {}};
            },
        });
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

namespace {

/// "HOST:PORT" of --smtp-relay into an SmtpConfig; nullopt when malformed.
std::optional<server::delivery::SmtpConfig> smtp_config(DeliveryConfig const& c) {
    auto const colon = c.smtp_relay.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == c.smtp_relay.size()) {
        return std::nullopt;
    }
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(c.smtp_relay.substr(colon + 1), &used);
        if (used != c.smtp_relay.size() - colon - 1 || port == 0 || port > 65535) {
            return std::nullopt;
        }
    } catch (std::exception const&) {
        return std::nullopt;
    }
    server::delivery::SmtpConfig smtp;
    smtp.host = c.smtp_relay.substr(0, colon);
    smtp.port = static_cast<std::uint16_t>(port);
    smtp.from = c.smtp_from;
    smtp.timeout = c.attempt_timeout;
    return smtp;
}

}  // namespace

server::core::Result<std::unique_ptr<DeliveryRunner>> DeliveryRunner::start(
    App& app, DeliveryConfig const& config
) {
    std::unique_ptr<DeliveryRunner> r{new DeliveryRunner()};
    if (!config.smtp_relay.empty()) {
        auto smtp = smtp_config(config);
        if (!smtp) {
            return server::core::Error::invalid_field(
                "--smtp-relay", "wants HOST:PORT, got '" + config.smtp_relay + "'"
            );
        }
        r->mail_ = server::delivery::make_smtp_sender(*smtp, app.clock);
    }
    server::delivery::HttpSenderOptions http;
    http.timeout = config.attempt_timeout;
    r->http_ = server::delivery::make_http_sender(http, r->steady_);
    server::delivery::WorkerOptions options;
    options.worker_id = app.ids.new_id();
    options.send_threads = std::max<std::size_t>(1, config.send_threads);
    // One claim per sender: a pass then lasts at most one attempt's timeout,
    // so receivers that hang delay the others by 8 s at most, not 8 s per
    // queued attempt; a full claim starts the next pass at once.
    options.claim_batch = static_cast<std::int64_t>(options.send_threads);
    options.backoff.base = config.retry_base;
    options.poll_interval = config.poll_interval;
    auto* hooks = app.webhooks.get();
    r->worker_ = std::make_unique<server::delivery::DeliveryWorker>(
        *app.db,
        app.clock,
        app.ids,
        *r->http_,
        r->mail_.get(),
        [hooks](std::string const& url) { return hooks->vet(url); },
        r->random_,
        options
    );
    r->worker_->start();
    r->db_ = app.db.get();
    r->db_->set_outbox_listener([w = r->worker_.get()] { w->wake(); });
    return r;
}

DeliveryRunner::~DeliveryRunner() {
    if (db_ != nullptr) {
        db_->set_outbox_listener({});  // before the worker it points at goes
    }
    if (worker_) {
        worker_->stop();
    }
}

}  // namespace signoff::app
