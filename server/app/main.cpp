// The composition root: parses the command line, builds the App (database,
// services, registry), and runs one of the front ends (HTTP server, stdio
// loop, admin commands). The only file that includes every layer.
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <signal.h>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "server/app/services.hpp"
#include "tools/families/docs_table.hpp"
#include "transport/http/http_server.hpp"
#include "transport/mcp/engine.hpp"
#include "transport/stdio/stdio_loop.hpp"

namespace {

using signoff::app::App;
using signoff::app::AppConfig;
namespace core = signoff::server::core;

constexpr const char* kUsage = R"(Signoff: approvals and access for AI agents, over MCP and REST.

Usage:
  signoff serve [--http HOST:PORT] [--db URL] [--allow-origin ORIGIN]... [--conformance-fixtures]
                [--webhook-allow-http] [--webhook-allow-private]
      HTTP server: MCP Streamable HTTP at /mcp, the REST façade, /healthz.
      Default --http 127.0.0.1:8080.
  signoff stdio [--db URL] [--conformance-fixtures] [--webhook-allow-http] [--webhook-allow-private]
      MCP over stdin/stdout; the acting principal is the API key in SIGNOFF_API_KEY.
  signoff admin bootstrap [--db URL] [--org NAME] [--email EMAIL]
      Creates the org and its first super_admin if absent and prints a new API key
      as JSON: {"org":…,"user_id":…,"api_key":…}. Safe to run twice.

  signoff docs tools
      Prints the Markdown table of tools (as in README.md), generated from the tool rows.

  --db takes sqlite:PATH (default sqlite:./signoff.db) or a postgres://… URL.
  Migrations run at start.
  Webhook URLs must be https, or http to loopback; hosts resolving to private,
  link-local or other internal addresses are refused (docs/webhooks.md).
  --webhook-allow-http allows plain http to any host; --webhook-allow-private
  allows internal addresses (for receivers inside your own network).

  serve and stdio run the webhook/e-mail delivery worker (docs/webhooks.md):
  --no-delivery            do not deliver in this process (another replica does)
  --delivery-workers N     concurrent sends, default 4
  --smtp-relay HOST:PORT   relay for EMAIL workflow actions (none: they fail, logged)
  --smtp-from ADDR         envelope sender and From:, default signoff@localhost
)";

struct Options {
    std::vector<std::string> command;
    std::string db{"sqlite:./signoff.db"};
    std::string http{"127.0.0.1:8080"};
    std::string org{"default"};
    std::string email{"admin@signoff.local"};
    std::vector<std::string> origins;
    bool conformance{false};
    signoff::server::webhooks::UrlPolicy webhooks{};
    signoff::app::DeliveryConfig delivery{};
};

[[noreturn]] void usage_error(std::string const& msg) {
    std::cerr << "signoff: " << msg << "\n\n" << kUsage;
    std::exit(2);
}

/// The integer value of `flag` within [lo, hi]; exits with a usage error otherwise.
long long count_flag(std::string const& flag, std::string const& v, long long lo, long long hi) {
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi) {
        usage_error(
            flag + " wants a number " + std::to_string(lo) + "-" + std::to_string(hi) + ", got '" +
            v + "'"
        );
    }
    return n;
}

/// The delivery worker, unless --no-delivery; exits on a bad --smtp-relay.
std::unique_ptr<signoff::app::DeliveryRunner> start_delivery(App& app, Options const& o) {
    if (!o.delivery.enabled) {
        return nullptr;
    }
    auto r = signoff::app::DeliveryRunner::start(app, o.delivery);
    if (!r) {
        usage_error(r.error().message);
    }
    return std::move(*r);
}

Options parse(int argc, char** argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto const& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) {
                usage_error(a + " needs a value");
            }
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a == "--db") {
            o.db = value();
        } else if (a == "--http") {
            o.http = value();
        } else if (a == "--org") {
            o.org = value();
        } else if (a == "--email") {
            o.email = value();
        } else if (a == "--allow-origin") {
            o.origins.push_back(value());
        } else if (a == "--conformance-fixtures") {
            o.conformance = true;
        } else if (a == "--webhook-allow-http") {
            o.webhooks.allow_http = true;
        } else if (a == "--webhook-allow-private") {
            o.webhooks.allow_private = true;
        } else if (a == "--no-delivery") {
            o.delivery.enabled = false;
        } else if (a == "--smtp-relay") {
            o.delivery.smtp_relay = value();
        } else if (a == "--smtp-from") {
            o.delivery.smtp_from = value();
        } else if (a == "--delivery-workers") {
            o.delivery.send_threads = static_cast<std::size_t>(count_flag(a, value(), 1, 64));
        } else if (a == "--delivery-retry-base-ms") {  // test-only
            o.delivery.retry_base = std::chrono::milliseconds{count_flag(a, value(), 1, 3600000)};
        } else if (a == "--delivery-timeout-ms") {  // test-only
            o.delivery.attempt_timeout =
                std::chrono::milliseconds{count_flag(a, value(), 1, 600000)};
        } else if (a == "--delivery-poll-ms") {  // test-only
            o.delivery.poll_interval =
                std::chrono::milliseconds{count_flag(a, value(), 1, 3600000)};
        } else if (a.starts_with("--")) {
            usage_error("unknown option " + a);
        } else {
            o.command.push_back(a);
        }
    }
    return o;
}

std::unique_ptr<App> build_or_exit(Options const& o) {
    auto app = signoff::app::build_app(AppConfig{o.db, o.conformance, o.webhooks});
    if (!app) {
        std::cerr << "signoff: " << app.error().message << "\n";
        std::exit(1);
    }
    return std::move(*app);
}

int cmd_bootstrap(Options const& o) {
    auto app = build_or_exit(o);
    auto r = app->identity->bootstrap(o.org, o.email);
    if (!r) {
        std::cerr << "signoff: bootstrap failed: " << r.error().message << "\n";
        return 1;
    }
    boost::json::object out{
        {"org", r->org.name},
        {"user_id", r->user_id},
        {"api_key", r->api_key},
    };
    std::cout << boost::json::serialize(out) << std::endl;
    return 0;
}

signoff::transport::mcp::EngineOptions engine_options() {
    signoff::transport::mcp::EngineOptions e;
    e.instructions =
        "Signoff grants and revokes access. Use catalog_* tools to list grantable resources, "
        "assign, request, approve and revoke grants; identity_* tools manage users.";
    return e;
}

int cmd_stdio(Options const& o) {
    char const* key = std::getenv("SIGNOFF_API_KEY");
    if (key == nullptr || *key == '\0') {
        std::cerr << "signoff: SIGNOFF_API_KEY is not set; create a key with "
                     "`signoff admin bootstrap` and export it\n";
        return 2;
    }
    auto app = build_or_exit(o);
    auto actor = app->identity->authenticate(key, core::Channel::kMcpStdio);
    if (!actor) {
        std::cerr << "signoff: SIGNOFF_API_KEY: " << actor.error().message << "\n";
        return 2;
    }
    signoff::transport::mcp::Engine engine(app->registry, app->services, engine_options());
    signoff::app::ExpiryTimer expiry(*app, std::chrono::seconds{30});
    auto delivery = start_delivery(*app, o);
    return signoff::transport::stdio::run_stdio(engine, *actor, {});
}

/// Splits "HOST:PORT" ("[::1]:8080" allowed).
std::pair<std::string, unsigned short> split_host_port(std::string const& s) {
    auto const colon = s.rfind(':');
    if (colon == std::string::npos || colon + 1 == s.size()) {
        usage_error("--http wants HOST:PORT, got '" + s + "'");
    }
    std::string host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    int port = 0;
    try {
        port = std::stoi(s.substr(colon + 1));
    } catch (std::exception const&) {
        port = -1;
    }
    if (port < 0 || port > 65535) {
        usage_error("--http port must be 0-65535, got '" + s.substr(colon + 1) + "'");
    }
    return {host, static_cast<unsigned short>(port)};
}

bool is_loopback(std::string const& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

/// The principal of credential-less requests in conformance-fixture mode (the
/// official suite sends no credentials): a plain member of its own org
/// `conformance`, so it sees no other org's data and may not administer anything.
/// Refused unless the server is bound to loopback.
core::Actor conformance_principal(App& app, std::string const& host) {
    if (!is_loopback(host)) {
        usage_error("--conformance-fixtures serves credential-less requests: bind to loopback only"
        );
    }
    auto boot = app.identity->bootstrap("conformance", "suite@conformance.invalid");
    auto actor = boot ? app.identity->authenticate(boot->api_key, core::Channel::kMcpHttp)
                      : core::Result<core::Actor>(boot.error());
    if (!actor) {
        std::cerr << "signoff: cannot create the conformance principal: " << actor.error().message
                  << "\n";
        std::exit(1);
    }
    actor->role = core::OrgRole::kMember;
    std::cerr << "signoff: conformance fixtures on; requests without credentials act as a member "
                 "of org 'conformance'\n";
    return *actor;
}

int cmd_serve(Options const& o) {
    auto [host, port] = split_host_port(o.http);
    // Block termination signals in every thread; one thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    auto app = build_or_exit(o);
    signoff::transport::mcp::Engine engine(app->registry, app->services, engine_options());
    signoff::transport::http::HttpOptions http;
    http.host = host;
    http.port = port;
    http.allowed_origins = o.origins;
    auto* identity = app->identity.get();
    std::optional<core::Actor> anonymous;
    if (o.conformance) {
        anonymous = conformance_principal(*app, host);
        http.pass_missing_credentials = true;
    }
    signoff::transport::http::HttpServer server(
        engine,
        app->registry,
        app->services,
        [identity, anonymous](std::string_view key, core::Channel ch) -> core::Result<core::Actor> {
            if (key.empty() && anonymous) {
                core::Actor a = *anonymous;
                a.channel = ch;
                return a;
            }
            return identity->authenticate(key, ch);
        },
        http
    );
    if (auto st = server.start(); !st) {
        std::cerr << "signoff: " << st.error().message << "\n";
        return 1;
    }
    signoff::app::ExpiryTimer expiry(*app, std::chrono::seconds{30});
    auto delivery = start_delivery(*app, o);
    std::string const shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::cerr << "signoff: listening on http://" << shown_host << ":" << server.port()
              << " (MCP at /mcp, REST at /api/v1/…, health at /healthz), database " << o.db
              << "\nsignoff: get an admin API key with: signoff admin bootstrap --db " << o.db
              << std::endl;
    std::thread waiter([&server, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        std::cerr << "signoff: signal " << sig << ", shutting down\n";
        server.stop();
    });
    server.run();
    // run() returned on its own (not through a signal): wake the waiter.
    if (waiter.joinable()) {
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        auto o = parse(argc, argv);
        if (o.command == std::vector<std::string>{"serve"}) {
            return cmd_serve(o);
        }
        if (o.command == std::vector<std::string>{"stdio"}) {
            return cmd_stdio(o);
        }
        if (o.command == std::vector<std::string>{"admin", "bootstrap"}) {
            return cmd_bootstrap(o);
        }
        if (o.command == std::vector<std::string>{"docs", "tools"}) {
            auto app = signoff::app::build_app(AppConfig{"sqlite::memory:", false});
            if (!app) {
                std::cerr << "signoff: " << app.error().message << "\n";
                return 1;
            }
            std::cout << signoff::tools::families::markdown_tool_table((*app)->registry);
            return 0;
        }
        if (o.command.empty()) {
            usage_error("no command given");
        }
        usage_error("unknown command '" + o.command.front() + "'");
    } catch (std::exception const& e) {
        std::cerr << "signoff: fatal: " << e.what() << "\n";
        return 1;
    }
}
