// Webhook delivery when receivers misbehave, through the real binary: a
// receiver failing its first attempts, one that hangs past the attempt
// timeout, 410 Gone and ten failures in a row disabling the endpoint (and
// webhook.disabled reaching a watcher), a URL refused at send time by the SSRF
// policy, the fluxdesk compatibility signature, and the delivery-log tools
// over MCP (Streamable HTTP and stdio).
#include <functional>
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "server/delivery/signing.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"
#include "tests/server/delivery/local_receiver.hpp"

using namespace signoff::e2e;
using signoff::testing::Answer;
using signoff::testing::LocalReceiver;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;
namespace delivery = signoff::server::delivery;

namespace {

constexpr char const* kIntegrations = "/api/v1/admin/integrations";

/// Retries every few milliseconds and polls as often, so failing receivers
/// are tried again within the test's patience.
std::vector<std::string> quick_retries() {
    return {"--delivery-retry-base-ms", "5", "--delivery-poll-ms", "10"};
}

struct Hook {
    std::string id;
    std::string secret;
};

class Org {
public:
    Org(Deployment const& d, ServerProcess const& srv) : d_(d), http(srv.port()) {}

    void row() {
        auto r = http.rest(
            "POST",
            "/api/v1/catalog/rows",
            {{"slug", "vpn"}, {"display_name", "VPN"}, {"owner_user_id", d_.user_id}},
            bearer(d_.api_key)
        );
        REQUIRE_MESSAGE(r.status == 201, r.body);
    }

    Hook integration(
        std::string const& name,
        std::string const& url,
        json::array events = {"team_support.approved"},
        std::string const& scheme = "signoff"
    ) {
        auto made = http.rest(
            "POST",
            kIntegrations,
            {{"name", name}, {"url", url}, {"events", std::move(events)}, {"scheme", scheme}},
            bearer(d_.api_key)
        );
        REQUIRE_MESSAGE(made.status == 201, made.body);
        return {text(made.json().at("id")), text(made.json().at("secret"))};
    }

    void assign(std::string const& email) {
        auto r = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"}, {"email", email}, {"action", "assign"}},
            bearer(d_.api_key)
        );
        REQUIRE_MESSAGE(r.status == 200, r.body);
    }

    json::object endpoint(std::string const& id) {
        auto r = http.send("GET", std::string(kIntegrations) + "/" + id, "", bearer(d_.api_key));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        return r.json().as_object();
    }

    json::array deliveries(std::string const& id) {
        auto r = http.send(
            "GET", std::string(kIntegrations) + "/" + id + "/deliveries", "", bearer(d_.api_key)
        );
        REQUIRE_MESSAGE(r.status == 200, r.body);
        return r.json().at("items").as_array();
    }

    /// Waits for the integration's single delivery to satisfy `done`; answers it.
    json::object only_delivery(
        std::string const& id, std::function<bool(json::object const&)> done
    ) {
        json::object last;
        bool const ok = eventually([&] {
            auto items = deliveries(id);
            if (items.size() != 1) {
                return false;
            }
            last = items[0].as_object();
            return done(last);
        });
        REQUIRE_MESSAGE(ok, json::serialize(last));
        return last;
    }

    std::string url(LocalReceiver const& rx, std::string const& path = "/in") const {
        return "http://127.0.0.1:" + std::to_string(rx.port()) + path;
    }

private:
    Deployment const& d_;

public:
    HttpClient http;
};

}  // namespace

TEST_SUITE("e2e/webhooks_delivery_failures") {
    TEST_CASE_TEMPLATE(
        "a receiver failing its first three attempts is delivered on the fourth",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{Answer{500, "down", false, 3}};
        ServerProcess srv{d, quick_retries()};
        Org org{d, srv};
        org.row();
        auto hook = org.integration("siem", org.url(rx));
        org.assign("ada@acme.example");

        auto item = org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("state") == "delivered";
        });
        CHECK(item.at("attempts") == 4);
        CHECK(item.at("last_status") == 200);
        auto const& log = item.at("attempt_log").as_array();
        REQUIRE(log.size() == 4);
        for (std::size_t i = 0; i < 4; ++i) {
            auto const& a = log[i].as_object();
            CHECK(a.at("attempt_no") == static_cast<std::int64_t>(i + 1));
            CHECK(a.at("status_code") == (i < 3 ? 500 : 200));
            CHECK(text(a.at("answer_head")) == (i < 3 ? "down" : "ok"));
            CHECK(a.at("latency_ms").as_int64() >= 0);
        }
        // Every attempt carried the same event id, for the receiver to dedupe on.
        std::set<std::string> ids;
        for (auto const& got : rx.received()) {
            ids.insert(got.headers.at("x-signoff-delivery"));
        }
        CHECK(rx.received().size() == 4);
        CHECK(ids.size() == 1);
        CHECK(org.endpoint(hook.id).at("consecutive_failures") == 0);  // a success resets it
    }

    TEST_CASE("a receiver that hangs costs one timeout, is logged, and is tried again") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        LocalReceiver rx{Answer{200, "ok", true, 1}};  // hangs once, then answers
        auto args = quick_retries();
        args.insert(args.end(), {"--delivery-timeout-ms", "300"});
        ServerProcess srv{d, args};
        Org org{d, srv};
        org.row();
        auto hook = org.integration("slow", org.url(rx));
        org.assign("ada@acme.example");

        auto item = org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("state") == "delivered";
        });
        auto const& log = item.at("attempt_log").as_array();
        REQUIRE(log.size() == 2);
        CHECK(log[0].at("status_code").is_null());
        CHECK(text(log[0].at("error")).find("timed out") != std::string::npos);
        CHECK(log[0].at("latency_ms").as_int64() >= 300);
        CHECK(log[0].at("latency_ms").as_int64() < 5000);
        CHECK(log[1].at("status_code") == 200);
    }

    TEST_CASE("410 disables the endpoint at once, tells a watcher, and only enable revives it") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        LocalReceiver gone{Answer{410, "gone", false, 1}};  // 410 once, 200 after
        LocalReceiver watcher{Answer{}};
        ServerProcess srv{d, quick_retries()};
        Org org{d, srv};
        org.row();
        auto hook = org.integration("gone", org.url(gone));
        auto watch = org.integration(
            "watch", org.url(watcher), {"webhook.disabled", "team_support.approved"}
        );
        auto events_seen = [&](std::string const& type) {
            std::vector<signoff::testing::Received> out;
            for (auto const& r : watcher.received()) {
                if (r.headers.at("x-signoff-event") == type) {
                    out.push_back(r);
                }
            }
            return out;
        };
        org.assign("ada@acme.example");

        REQUIRE(eventually([&] { return events_seen("webhook.disabled").size() == 1; }));
        auto const note = events_seen("webhook.disabled").front();
        CHECK(
            delivery::verify_signoff(
                note.headers.at("x-signoff-signature"), note.body, watch.secret, unix_now()
            ) == delivery::Verdict::kValid
        );
        auto const body = json::parse(note.body);
        CHECK(text(body.at("data").at("endpoint_id")) == hook.id);
        CHECK(text(body.at("data").at("reason")).find("410") != std::string::npos);
        auto ep = org.endpoint(hook.id);
        CHECK(ep.at("enabled") == false);
        CHECK(text(ep.at("disabled_reason")).find("410") != std::string::npos);
        auto first = org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("state") == "failed";
        });
        CHECK(first.at("attempts") == 1);

        // While disabled it is not subscribed: a new event reaches the watcher only.
        org.assign("bob@acme.example");
        REQUIRE(eventually([&] { return events_seen("team_support.approved").size() == 2; }));
        CHECK(org.deliveries(hook.id).size() == 1);
        CHECK(gone.received().size() == 1);

        auto enabled = org.http.rest(
            "POST",
            std::string(kIntegrations) + "/" + hook.id + "/enable",
            json::object{},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(enabled.status == 200, enabled.body);
        CHECK(org.endpoint(hook.id).at("enabled") == true);
        org.assign("cy@acme.example");
        REQUIRE(eventually([&] { return gone.received().size() == 2; }));
        REQUIRE(eventually([&] { return org.deliveries(hook.id)[0].at("state") == "delivered"; }));
    }

    TEST_CASE("ten failed attempts in a row disable the endpoint") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        LocalReceiver rx{Answer{503, "busy", false}};
        ServerProcess srv{d, quick_retries()};
        Org org{d, srv};
        org.row();
        auto hook = org.integration("flaky", org.url(rx));
        org.assign("ada@acme.example");

        REQUIRE(eventually([&] { return org.endpoint(hook.id).at("enabled") == false; }));
        auto ep = org.endpoint(hook.id);
        CHECK(text(ep.at("disabled_reason")) == "10 consecutive failed attempts");
        auto item = org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("state") == "failed";
        });
        CHECK(item.at("attempts") == 10);
        CHECK(rx.received().size() == 10);
    }

    TEST_CASE("an integration whose address became private is refused at send time") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        Hook hook;
        {
            // Configured while the policy allowed internal addresses…
            ServerProcess permissive{d, {"--webhook-allow-private", "--webhook-allow-http"}};
            Org org{d, permissive};
            org.row();
            hook = org.integration("intranet", "http://10.255.255.1:9/in");
        }
        // …and sent under the default policy, which vets every attempt again.
        ServerProcess srv{d, quick_retries()};
        Org org{d, srv};
        org.assign("ada@acme.example");
        auto item = org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("attempts").as_int64() >= 2;
        });
        CHECK(item.at("state") == "pending");
        auto const& first = item.at("attempt_log").at(0);
        CHECK(first.at("status_code").is_null());
        auto const error = text(first.at("error"));
        CHECK(error.find("refused by the URL policy") != std::string::npos);
        CHECK(error.find("10.255.255.1 is a private address") != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "the fluxdesk scheme signs the body alone, as the seed product does",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{Answer{}};
        ServerProcess srv{d};
        Org org{d, srv};
        org.row();
        auto hook = org.integration("legacy", org.url(rx), {"team_support.approved"}, "fluxdesk");
        org.assign("ada@acme.example");

        REQUIRE(eventually([&] { return rx.received().size() == 1; }));
        auto const got = rx.received().front();
        CHECK(got.body.starts_with(R"({"version":1,"type":"team_support.approved")"));
        CHECK(
            got.headers.at("x-fluxdesk-signature") ==
            "v1=" + delivery::hmac_sha256_hex(hook.secret, got.body)
        );
        CHECK(got.headers.at("x-fluxdesk-event-type") == "team_support.approved");
        CHECK_FALSE(got.headers.at("x-fluxdesk-delivery-id").empty());
        CHECK(got.headers.count("x-signoff-signature") == 0);
        auto const body = json::parse(got.body);
        CHECK(text(body.at("id")) == got.headers.at("x-fluxdesk-delivery-id"));
        CHECK(body.at("data").at("slug") == "vpn");
    }

    TEST_CASE_TEMPLATE(
        "the delivery log and redeliver over MCP match REST; members are refused",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{Answer{}};
        LocalReceiver mine{Answer{}};
        ServerProcess srv{d};
        Org org{d, srv};
        org.row();  // owned by the admin, so the admin's own hook hears of it
        auto hook = org.integration("siem", org.url(rx));
        auto set = org.http.rest(
            "PUT",
            "/api/v1/me/agent",
            {{"url", org.url(mine, "/me")}, {"events", {"team_support.approved"}}},
            bearer(d.api_key)
        );
        bool const set_ok = set.status == 200 || set.status == 201;
        REQUIRE_MESSAGE(set_ok, set.body);
        org.assign("ada@acme.example");
        REQUIRE(eventually([&] { return rx.received().size() == 1 && mine.received().size() == 1; })
        );
        org.only_delivery(hook.id, [](json::object const& o) {
            return o.at("state") == "delivered";
        });

        McpHttp mcp{org.http, d.api_key};
        auto listed = tool_ok(mcp.call("webhooks_deliveries_list", {{"id", hook.id}}));
        auto const& items = listed.at("items").as_array();
        REQUIRE(items.size() == 1);
        auto const rest_items = org.deliveries(hook.id);
        CHECK(items[0].at("id") == rest_items[0].at("id"));
        CHECK(items[0].at("attempt_log") == rest_items[0].at("attempt_log"));
        auto const id = text(items[0].at("id"));
        auto one = tool_ok(mcp.call("webhooks_delivery_get", {{"id", id}}));
        CHECK(one.at("event_id") == items[0].at("event_id"));
        CHECK(one.at("state") == "delivered");
        auto again = tool_ok(mcp.call("webhooks_redeliver", {{"id", id}}));
        CHECK(again.at("id") != one.at("id"));
        CHECK(again.at("event_id") == one.at("event_id"));
        REQUIRE(eventually([&] { return rx.received().size() == 2; }));
        CHECK(
            rx.received()[1].headers.at("x-signoff-delivery") ==
            rx.received()[0].headers.at("x-signoff-delivery")
        );

        {
            StdioClient stdio(d);
            stdio.initialize();
            auto own = tool_ok(stdio.call("webhooks_me_deliveries_list", json::object{}));
            REQUIRE(own.at("items").as_array().size() == 1);
            CHECK(own.at("items").at(0).at("event_id") == one.at("event_id"));
            CHECK(
                tool_refused(stdio.call("webhooks_delivery_get", {{"id", "nope"}})).at("code") ==
                "not_found"
            );
        }

        auto user = org.http.rest(
            "POST",
            "/api/v1/users",
            {{"email", "mo@acme.example"}, {"orgRole", "member"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(user.status == 201, user.body);
        auto key = org.http.rest(
            "POST",
            "/api/v1/users/" + text(user.json().at("id")) + "/api-keys",
            json::object{},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(key.status == 201, key.body);
        McpHttp member{org.http, text(key.json().at("apiKey"))};
        auto denied = tool_refused(member.call("webhooks_deliveries_list", {{"id", hook.id}}));
        CHECK(denied.at("code") == "permission_denied");
        CHECK(
            tool_refused(member.call("webhooks_redeliver", {{"id", id}})).at("code") ==
            "permission_denied"
        );
    }
}
