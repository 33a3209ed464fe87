// The composition root: parses the command line, builds the App (database,
// services, registry), and runs one of the front ends (HTTP server, stdio
// loop, admin commands). The only file that includes every layer.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "server/app/services.hpp"
#include "tools/codec/catalog_codec.hpp"
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
      --public-url URL: the base URL clients reach this server at (behind a proxy,
      its https:// address); the issuer of tokens and the URL DPoP proofs name.
      Default http://HOST:PORT of --http. At most 80 bytes, no path.
      --oidc-issuer URL --oidc-client-id ID --oidc-client-secret-file FILE: the OpenID
      Provider people sign in with (seed 001's /auth/cli/* and step-up); the secret
      may come from SIGNOFF_OIDC_CLIENT_SECRET instead, never from argv.
      --oidc-acr ACR: the acr a step-up must come back with. --oidc-provisioning
      none|member: whether an unknown verified e-mail signing in to a named org
      becomes a member (default none). --oidc-scopes (default "openid email profile").
      Without --oidc-issuer, Signoff serves API keys and agent tokens only.
      --test-clock (test builds only; release builds refuse it): POST
      /api/v1/test/clock {"advanceSeconds":N} moves the server's clock forward.
  signoff stdio [--db URL] [--conformance-fixtures] [--webhook-allow-http] [--webhook-allow-private]
      MCP over stdin/stdout; the acting principal is the API key in SIGNOFF_API_KEY.
  signoff admin bootstrap [--db URL] [--org NAME] [--email EMAIL] [--new-key]
      Creates the org and its first super_admin and prints their API key as JSON:
      {"org":…,"user_id":…,"api_key":…}. For an org that exists it refuses, unless
      --new-key: then it mints another key for EMAIL (creating them as super_admin
      if absent), audited in the org.
  signoff admin keys list [--db URL] [--org NAME]
      Prints the org's API keys, one JSON object a line (never a secret).
  signoff admin keys revoke [--db URL] KEY_ID|PREFIX
  signoff admin signing-key rotate [--db URL] [--overlap SECONDS]
      A new key signs access tokens from now on; the old one keeps verifying for
      --overlap seconds (default 900, longer than a token lives; 0 retires it at
      once: every token it signed stops working). Prints the key ids that verify.
      Revokes a key by id or by its listed prefix (sk-signoff-xxxxxxxx), in any org.

  signoff admin backup [--db URL] --to FILE
      A consistent copy of a running SQLite database into the new FILE (what is
      still in the WAL included). For PostgreSQL use pg_dump.

  signoff docs tools
      Prints the Markdown table of tools (as in README.md), generated from the tool rows.

  --db takes sqlite:PATH (default sqlite:./signoff.db) or a postgres://… URL.
  Migrations run at start. `signoff stdio` never creates a database: a missing
  file is an error naming its path.

  Every option has an environment twin, read first so that a flag wins:
  SIGNOFF_DB, SIGNOFF_HTTP, SIGNOFF_ORG, SIGNOFF_EMAIL, SIGNOFF_ALLOW_ORIGIN
  (comma-separated), SIGNOFF_WEBHOOK_ALLOW_HTTP, SIGNOFF_WEBHOOK_ALLOW_PRIVATE,
  SIGNOFF_NO_DELIVERY (1/true/yes), SIGNOFF_DELIVERY_WORKERS, SIGNOFF_SMTP_RELAY,
  SIGNOFF_SMTP_FROM, SIGNOFF_MAX_CONNECTIONS, SIGNOFF_PUBLIC_URL, SIGNOFF_OIDC_ISSUER,
  SIGNOFF_OIDC_CLIENT_ID, SIGNOFF_OIDC_CLIENT_SECRET, SIGNOFF_OIDC_CLIENT_SECRET_FILE,
  SIGNOFF_OIDC_ACR, SIGNOFF_OIDC_PROVISIONING, SIGNOFF_OIDC_SCOPES. Keep a database password in
  SIGNOFF_DB, out of `ps`.
  Webhook URLs must be https, or http to loopback; hosts resolving to private,
  link-local or other internal addresses are refused (docs/webhooks.md).
  --webhook-allow-http allows plain http to any host; --webhook-allow-private
  allows internal addresses (for receivers inside your own network).

  serve and stdio run the webhook/e-mail delivery worker (docs/webhooks.md):
  --no-delivery            do not deliver in this process (another replica does)
  --delivery-workers N     concurrent sends, default 4
  --smtp-relay HOST:PORT   relay for EMAIL workflow actions (none: they fail, logged)
  --smtp-from ADDR         envelope sender and From:, default signoff@localhost

  serve --max-connections N  connections served at once (default: the descriptor
                           limit, raised to its maximum, less 128); 16 more answer
                           /healthz and /readyz only; SIGTERM drains: no new
                           connections, up to 10 s for requests in flight
)";

struct Options {
    std::vector<std::string> command;
    std::string db{"sqlite:./signoff.db"};
    std::string http{"127.0.0.1:8080"};
    std::string public_url;  // empty: from the bound address
    signoff::server::identity::OidcConfig oidc{};
    std::string oidc_secret_file;
    std::string oidc_provisioning{"none"};
    std::string org{"default"};
    std::string email{"admin@signoff.local"};
    std::vector<std::string> origins;
    bool conformance{false};
    bool test_clock{false};
    bool new_key{false};
    long long overlap_seconds{900};
    std::size_t max_connections{0};  // 0: from the descriptor limit
    std::string backup_to;
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

bool truthy(std::string v) {
    for (char& c : v) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return v == "1" || v == "true" || v == "yes";
}

/// The options' environment twins (SIGNOFF_DB, …), read before the flags.
void from_environment(Options& o) {
    auto env = [](char const* name) -> std::optional<std::string> {
        char const* v = std::getenv(name);
        return v != nullptr && *v != '\0' ? std::optional<std::string>(v) : std::nullopt;
    };
    if (auto v = env("SIGNOFF_DB")) {
        o.db = *v;
    }
    if (auto v = env("SIGNOFF_HTTP")) {
        o.http = *v;
    }
    if (auto v = env("SIGNOFF_PUBLIC_URL")) {
        o.public_url = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_ISSUER")) {
        o.oidc.issuer = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_CLIENT_ID")) {
        o.oidc.client_id = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_CLIENT_SECRET")) {
        o.oidc.client_secret = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_CLIENT_SECRET_FILE")) {
        o.oidc_secret_file = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_ACR")) {
        o.oidc.step_up_acr = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_PROVISIONING")) {
        o.oidc_provisioning = *v;
    }
    if (auto v = env("SIGNOFF_OIDC_SCOPES")) {
        o.oidc.scopes = *v;
    }
    if (auto v = env("SIGNOFF_ORG")) {
        o.org = *v;
    }
    if (auto v = env("SIGNOFF_EMAIL")) {
        o.email = *v;
    }
    if (auto v = env("SIGNOFF_ALLOW_ORIGIN")) {
        std::string_view rest = *v;
        while (!rest.empty()) {
            auto const comma = rest.find(',');
            if (auto one = rest.substr(0, comma); !one.empty()) {
                o.origins.emplace_back(one);
            }
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
        }
    }
    if (auto v = env("SIGNOFF_WEBHOOK_ALLOW_HTTP")) {
        o.webhooks.allow_http = truthy(*v);
    }
    if (auto v = env("SIGNOFF_WEBHOOK_ALLOW_PRIVATE")) {
        o.webhooks.allow_private = truthy(*v);
    }
    if (auto v = env("SIGNOFF_NO_DELIVERY")) {
        o.delivery.enabled = !truthy(*v);
    }
    if (auto v = env("SIGNOFF_DELIVERY_WORKERS")) {
        o.delivery.send_threads =
            static_cast<std::size_t>(count_flag("SIGNOFF_DELIVERY_WORKERS", *v, 1, 64));
    }
    if (auto v = env("SIGNOFF_SMTP_RELAY")) {
        o.delivery.smtp_relay = *v;
    }
    if (auto v = env("SIGNOFF_SMTP_FROM")) {
        o.delivery.smtp_from = *v;
    }
    if (auto v = env("SIGNOFF_MAX_CONNECTIONS")) {
        o.max_connections =
            static_cast<std::size_t>(count_flag("SIGNOFF_MAX_CONNECTIONS", *v, 1, 1000000));
    }
}

Options parse(int argc, char** argv) {
    Options o;
    from_environment(o);
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
        } else if (a == "--public-url") {
            o.public_url = value();
        } else if (a == "--oidc-issuer") {
            o.oidc.issuer = value();
        } else if (a == "--oidc-client-id") {
            o.oidc.client_id = value();
        } else if (a == "--oidc-client-secret-file") {
            o.oidc_secret_file = value();
        } else if (a == "--oidc-acr") {
            o.oidc.step_up_acr = value();
        } else if (a == "--oidc-provisioning") {
            o.oidc_provisioning = value();
        } else if (a == "--oidc-scopes") {
            o.oidc.scopes = value();
        } else if (a == "--test-clock") {
#ifdef SIGNOFF_TEST_HOOKS
            o.test_clock = true;
#else
            usage_error("--test-clock is a test-only control; this release build refuses it");
#endif
        } else if (a == "--org") {
            o.org = value();
        } else if (a == "--email") {
            o.email = value();
        } else if (a == "--allow-origin") {
            o.origins.push_back(value());
        } else if (a == "--max-connections") {
            o.max_connections = static_cast<std::size_t>(count_flag(a, value(), 1, 1000000));
        } else if (a == "--to") {
            o.backup_to = value();
        } else if (a == "--new-key") {
            o.new_key = true;
        } else if (a == "--overlap") {
            o.overlap_seconds = count_flag("--overlap", value(), 0, 86400);
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

/// The OpenID Provider's settings, checked: all of issuer, client id and
/// secret or none; the secret from a file or the environment, never argv.
signoff::server::identity::OidcConfig oidc_config(Options const& o) {
    auto c = o.oidc;
    while (c.issuer.ends_with('/')) {
        c.issuer.pop_back();
    }
    if (!o.oidc_secret_file.empty()) {
        std::ifstream in(o.oidc_secret_file);
        if (!in) {
            usage_error("--oidc-client-secret-file: cannot read " + o.oidc_secret_file);
        }
        std::getline(in, c.client_secret);
    }
    if (o.oidc_provisioning == "member") {
        c.provisioning = signoff::server::identity::Provisioning::kMember;
    } else if (o.oidc_provisioning != "none") {
        usage_error("--oidc-provisioning wants none or member, got '" + o.oidc_provisioning + "'");
    }
    bool const any = !c.issuer.empty() || !c.client_id.empty() || !c.client_secret.empty();
    if (any && (c.issuer.empty() || c.client_id.empty() || c.client_secret.empty())) {
        usage_error(
            "an OpenID Provider needs --oidc-issuer, --oidc-client-id and a client secret "
            "(--oidc-client-secret-file or SIGNOFF_OIDC_CLIENT_SECRET)"
        );
    }
    if (!c.issuer.empty() && !c.issuer.starts_with("https://") &&
        !c.issuer.starts_with("http://127.0.0.1") && !c.issuer.starts_with("http://localhost")) {
        usage_error("--oidc-issuer must be an https URL (plain http only on loopback)");
    }
    return c;
}

std::unique_ptr<App> build_or_exit(Options const& o) {
    auto app = signoff::app::build_app(AppConfig{
        .db_url = o.db,
        .conformance_fixtures = o.conformance,
        .test_clock = o.test_clock,
        .oidc = oidc_config(o),
        .webhook_policy = o.webhooks,
    });
    if (app && o.test_clock) {
        std::cerr << "signoff: TEST CLOCK ON: POST /api/v1/test/clock moves this server's time\n";
    }
    if (!app) {
        std::cerr << "signoff: " << app.error().message << "\n";
        std::exit(1);
    }
    return std::move(*app);
}

/// Bytes outside printable ASCII as \xNN, so a log line shows what is there.
std::string printable(std::string const& s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

/// The first start after an upgrade reports stored e-mail addresses that are
/// not plain (IdentityService::check_stored_emails; they are audited too).
void report_stored_emails(App& app) {
    auto found = app.identity->check_stored_emails();
    if (!found) {
        std::cerr << "signoff: warning: the stored e-mail check failed: " << found.error().message
                  << "\n";
        return;
    }
    for (auto const& f : *found) {
        std::cerr << "signoff: warning: " << f.table << " row " << f.id << " (org " << f.org_id
                  << ") holds an e-mail address that is not plain: \"" << printable(f.email)
                  << "\"; audited as identity.email.not_plain (docs/catalog-and-identity.md)\n";
    }
}

/// The first start after agent names became unique across the system renames
/// the later namesakes (IdentityService::resolve_agent_name_collisions).
void resolve_agent_names(App& app) {
    auto renamed = app.identity->resolve_agent_name_collisions();
    if (!renamed) {
        std::cerr << "signoff: error: agent names could not be made unique across orgs: "
                  << renamed.error().message << "\n";
        std::exit(1);
    }
    for (auto const& [org_id, old_name, new_name] : *renamed) {
        std::cerr << "signoff: warning: agent \"" << printable(old_name) << "\" of org " << org_id
                  << " is now \"" << printable(new_name)
                  << "\": agent names are unique across the system; audited as "
                     "identity.agent.renamed (docs/identity.md)\n";
    }
}

/// The database URL as logs show it: password redacted, a SQLite path absolute.
std::string shown_db(std::string const& url) {
    if (auto path = signoff::storage::sqlite_path(url)) {
        return "sqlite:" + std::filesystem::absolute(*path).string();
    }
    return signoff::storage::redact_db_url(url);
}

int cmd_backup(Options const& o) {
    if (o.backup_to.empty()) {
        usage_error("admin backup needs --to FILE");
    }
    auto st = signoff::storage::backup_db(o.db, o.backup_to);
    if (!st) {
        std::cerr << "signoff: backup failed: "
                  << signoff::storage::redact_db_url(st.error().message) << "\n";
        return 1;
    }
    std::cout << boost::json::serialize(boost::json::object{
                     {"backup", std::filesystem::absolute(o.backup_to).string()},
                     {"from", shown_db(o.db)}})
              << std::endl;
    return 0;
}

int cmd_bootstrap(Options const& o) {
    auto app = build_or_exit(o);
    auto r = app->identity->bootstrap(o.org, o.email, o.new_key);
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

int cmd_keys_list(Options const& o) {
    auto app = build_or_exit(o);
    auto keys = app->identity->operator_list_keys(o.org);
    if (!keys) {
        std::cerr << "signoff: " << keys.error().message << "\n";
        return 1;
    }
    // Each key as identity_api_keys_list shows it, with its user's e-mail.
    for (auto const& [k, email] : *keys) {
        auto line = boost::json::value_from(k);
        line.as_object()["email"] = email;
        std::cout << boost::json::serialize(line) << "\n";
    }
    std::cout.flush();
    return 0;
}

int cmd_keys_revoke(Options const& o, std::string const& key) {
    auto app = build_or_exit(o);
    auto r = app->identity->operator_revoke_key(key);
    if (!r) {
        std::cerr << "signoff: " << r.error().message << "\n";
        return 1;
    }
    std::cout << boost::json::serialize(boost::json::value_from(*r)) << std::endl;
    return 0;
}

/// `admin signing-key rotate`: what replicas pick up within a minute (they
/// re-read keys on an unknown kid and at least once a minute).
int cmd_signing_key_rotate(Options const& o) {
    auto app = build_or_exit(o);
    if (auto st = app->tokens->ensure_signing_key(); !st) {
        std::cerr << "signoff: " << st.error().message << "\n";
        return 1;
    }
    if (auto st = app->tokens->rotate_signing_key(std::chrono::seconds{o.overlap_seconds}); !st) {
        std::cerr << "signoff: " << st.error().message << "\n";
        return 1;
    }
    boost::json::array kids;
    auto const published = app->tokens->jwks();
    for (auto const& k : published.at("keys").as_array()) {
        kids.push_back(k.at("kid"));
    }
    std::cout << boost::json::serialize(boost::json::object{
                     {"current", kids.empty() ? boost::json::value{} : kids.front()},
                     {"verifying", kids}})
              << std::endl;
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
    // An IDE may start us in any directory: never create a database there.
    if (auto path = signoff::storage::sqlite_path(o.db); path && !std::filesystem::exists(*path)) {
        std::cerr << "signoff: no database at " << std::filesystem::absolute(*path).string()
                  << "; stdio never creates one. Point SIGNOFF_DB (or --db) at the server's "
                     "database, e.g. SIGNOFF_DB=sqlite:/var/lib/signoff/signoff.db\n";
        return 2;
    }
    auto app = build_or_exit(o);
    report_stored_emails(*app);
    resolve_agent_names(*app);
    auto actor = app->identity->authenticate(key, core::Channel::kMcpStdio);
    if (!actor) {
        std::cerr << "signoff: SIGNOFF_API_KEY: " << actor.error().message
                  << " (checked against the database " << shown_db(o.db) << ")\n";
        return 2;
    }
    signoff::transport::mcp::Engine engine(app->registry, app->services, engine_options());
    signoff::app::ExpiryTimer expiry(*app, std::chrono::seconds{30});
    auto delivery = start_delivery(*app, o);
    // The key and the principal's roles are read again for every message, so
    // a revoked key, a deactivated user or a demotion takes effect at once.
    signoff::transport::stdio::StdioOptions stdio;
    std::string const held{key};
    auto* identity = app->identity.get();
    stdio.principal = [identity, held] {
        return identity->authenticate(held, core::Channel::kMcpStdio);
    };
    return signoff::transport::stdio::run_stdio(engine, *actor, std::move(stdio));
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

/// The issuer and base of every URL Signoff names (--public-url): http or
/// https, a host, an optional port, no path, query or fragment, at most
/// kMaxIssuerBytes; trailing slashes dropped. Default: http://HOST:PORT.
core::Result<std::string> public_url(std::string given, std::string const& host, unsigned port) {
    if (given.empty()) {
        given = "http://" + host + ":" + std::to_string(port);
    }
    while (given.ends_with('/')) {
        given.pop_back();
    }
    auto const scheme_end = given.find("://");
    auto const scheme = given.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
    auto const rest = scheme_end == std::string::npos ? "" : given.substr(scheme_end + 3);
    if ((scheme != "http" && scheme != "https") || rest.empty() ||
        rest.find_first_of("/?#@ ") != std::string::npos) {
        return core::Error::invalid(
            "--public-url wants http(s)://HOST[:PORT] with no path, got '" + given + "'"
        );
    }
    if (given.size() > signoff::server::identity::kMaxIssuerBytes) {
        return core::Error::invalid(
            "--public-url may be at most " +
            std::to_string(signoff::server::identity::kMaxIssuerBytes) + " bytes"
        );
    }
    return given;
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
    auto boot = app.identity->bootstrap("conformance", "suite@conformance.invalid", true);
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

/// Raises the soft descriptor limit to the hard one and answers how many
/// connections to serve at once: the limit less room for the database, the
/// delivery worker, uploads and the health headroom, so that accepting never
/// runs out of descriptors.
std::size_t connection_cap(std::size_t asked) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &lim);
        (void)::getrlimit(RLIMIT_NOFILE, &lim);
    }
    constexpr std::size_t kReserved = 128;  // database pool, delivery, files, headroom
    std::size_t const by_descriptors =
        lim.rlim_cur > kReserved * 2 ? static_cast<std::size_t>(lim.rlim_cur) - kReserved : 64;
    return asked > 0 ? std::min(asked, by_descriptors) : by_descriptors;
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
    report_stored_emails(*app);
    resolve_agent_names(*app);
    signoff::transport::mcp::Engine engine(app->registry, app->services, engine_options());
    signoff::transport::http::HttpOptions http;
    http.host = host;
    http.port = port;
    http.allowed_origins = o.origins;
    http.max_connections = connection_cap(o.max_connections);
    http.ready = [db = app->db.get()]() -> core::Status {
        auto tx = db->begin(signoff::storage::TxMode::kRead);
        if (!tx) {
            return core::Error::unavailable("database: " + tx.error().message);
        }
        if (auto r = (*tx)->query("SELECT 1", {}); !r) {
            return core::Error::unavailable("database: " + r.error().message);
        }
        return {};
    };
    auto* identity = app->identity.get();
    auto* tokens = app->tokens.get();
    std::optional<core::Actor> anonymous;
    if (o.conformance) {
        anonymous = conformance_principal(*app, host);
        http.pass_missing_credentials = true;
    }
    signoff::transport::http::HttpServer server(
        engine,
        app->registry,
        app->services,
        [identity, tokens, anonymous](
            signoff::transport::http::Presented const& p, core::Channel ch
        ) -> core::Result<core::Actor> {
            if (p.token.empty() && anonymous) {
                core::Actor a = *anonymous;
                a.channel = ch;
                return a;
            }
            core::Result<core::Actor> who = core::Error::internal("not authenticated");
            if (signoff::server::identity::TokenService::looks_like_jwt(p.token)) {
                who = tokens->authenticate(
                    {p.scheme, p.token, p.dpop, p.method, tokens->config().issuer + p.path}, ch
                );
            } else if (p.scheme != "Bearer") {
                return core::Error::unauthenticated("the DPoP scheme takes access tokens only");
            } else {
                who = identity->authenticate(p.token, ch);
            }
            // A browser's step-up cookie counts for its own user only; a
            // cookie that does not check out is ignored (the vote says why).
            if (who && p.privilege_cookie && !who->step_up) {
                if (auto step = tokens->check_step_up(*p.privilege_cookie, *who)) {
                    who->step_up = *step;
                }
            }
            return who;
        },
        http
    );
    if (auto st = server.start(); !st) {
        std::cerr << "signoff: " << st.error().message << "\n";
        return 1;
    }
    std::string const shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    auto issuer = public_url(o.public_url, shown_host, server.port());
    if (!issuer) {
        usage_error(issuer.error().message);
    }
    tokens->set_issuer(*issuer);
    if (auto st = tokens->ensure_signing_key(); !st) {
        std::cerr << "signoff: cannot prepare the token signing key: " << st.error().message
                  << "\n";
        return 1;
    }
    // A revoked agent's MCP sessions on this replica end with the commit.
    app->identity->set_agent_revocation_listener(
        [&server](std::string const& org_id, std::string const& agent_id) {
            auto const n = server.end_sessions_of(org_id, "agent", agent_id);
            std::cerr << "signoff: agent " << agent_id << " revoked; " << n
                      << " MCP session(s) ended\n";
        }
    );
    // A deactivated user's MCP sessions on this replica end with the commit.
    app->identity->set_deactivation_listener(
        [&server](std::string const& org_id, std::string const& user_id) {
            auto const n = server.end_sessions_of(org_id, "user", user_id);
            std::cerr << "signoff: user " << user_id << " deactivated; " << n
                      << " MCP session(s) ended\n";
        }
    );
    signoff::app::ExpiryTimer expiry(*app, std::chrono::seconds{30});
    auto delivery = start_delivery(*app, o);
    std::cerr << "signoff: listening on http://" << shown_host << ":" << server.port()
              << " (MCP at /mcp, REST at /api/v1/…, health at /healthz and /readyz), database "
              << shown_db(o.db)
              << "\nsignoff: get an admin API key with: signoff admin bootstrap (same --db or "
                 "SIGNOFF_DB)"
              << std::endl;
    std::thread waiter([&server, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        std::cerr << "signoff: signal " << sig
                  << ", draining: no new requests, up to 10 s for those in flight\n";
        server.drain(std::chrono::seconds{10});
    });
    server.run();
    app->identity->set_deactivation_listener({});
    // run() returned on its own (not through a signal): wake the waiter.
    if (waiter.joinable()) {
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Database, WAL, backups and uploads hold secrets (webhook signing keys):
    // every file Signoff creates is readable by its owner only.
    ::umask(077);
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
        if (o.command == std::vector<std::string>{"admin", "backup"}) {
            return cmd_backup(o);
        }
        if (o.command == std::vector<std::string>{"admin", "keys", "list"}) {
            return cmd_keys_list(o);
        }
        if (o.command.size() == 4 && o.command[0] == "admin" && o.command[1] == "keys" &&
            o.command[2] == "revoke") {
            return cmd_keys_revoke(o, o.command[3]);
        }
        if (o.command == std::vector<std::string>{"admin", "signing-key", "rotate"}) {
            return cmd_signing_key_rotate(o);
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
