// Webhook delivery through the real binary: an integration pointing at a
// local HTTP receiver gets a signed team_support.approved for an assign made
// over REST; the delivery log and redeliver work over REST; the receiver
// failing its first attempts is retried with the short test back-off; a
// commit wakes the worker without waiting for its poll.
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "server/delivery/signing.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/server/delivery/local_receiver.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;
namespace delivery = signoff::server::delivery;

namespace {

struct Setup {
    std::string integration_id;
    std::string secret;
};

Setup integration_and_row(HttpClient& http, Deployment const& d, std::uint16_t port) {
    auto row = http.rest(
        "POST",
        "/api/v1/catalog/rows",
        {{"slug", "vpn"}, {"display_name", "VPN"}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(row.status == 201, row.body);
    auto made = http.rest(
        "POST",
        "/api/v1/admin/integrations",
        {{"name", "siem"},
         {"url", "http://127.0.0.1:" + std::to_string(port) + "/in"},
         {"events", {"team_support.approved"}}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(made.status == 201, made.body);
    return {text(made.json().at("id")), text(made.json().at("secret"))};
}

void assign(HttpClient& http, Deployment const& d, std::string const& email) {
    auto r = http.rest(
        "POST",
        "/api/v1/catalog/approvals",
        {{"catalog_slug", "vpn"}, {"email", email}, {"action", "assign"}, {"note", "day 0"}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(r.status == 200, r.body);
}

json::object deliveries(HttpClient& http, Deployment const& d, std::string const& id) {
    auto r =
        http.send("GET", "/api/v1/admin/integrations/" + id + "/deliveries", "", bearer(d.api_key));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().as_object();
}

}  // namespace

TEST_SUITE("e2e/webhooks_delivery") {
    TEST_CASE_TEMPLATE(
        "an assign over REST reaches a signed integration; the log and redeliver work",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        signoff::testing::LocalReceiver rx{signoff::testing::Answer{}};
        ServerProcess srv{d, {"--delivery-retry-base-ms", "50"}};
        HttpClient http{srv.port()};
        auto s = integration_and_row(http, d, rx.port());
        assign(http, d, "ada@acme.example");

        REQUIRE(eventually([&] { return rx.received().size() == 1; }));
        auto got = rx.received().front();
        CHECK(got.target == "/in");
        CHECK(got.headers["x-signoff-event"] == "team_support.approved");
        CHECK(
            delivery::verify_signoff(
                got.headers["x-signoff-signature"], got.body, s.secret, unix_now()
            ) == delivery::Verdict::kValid
        );
        auto body = json::parse(got.body).as_object();
        CHECK(body.at("data").at("slug") == "vpn");
        CHECK(body.at("data").at("user").at("email") == "ada@acme.example");
        CHECK(body.at("data").at("note") == "day 0");
        CHECK(text(body.at("data").at("approver").at("id")) == d.user_id);

        json::object log;
        REQUIRE(eventually([&] {
            log = deliveries(http, d, s.integration_id);
            auto const& items = log.at("items").as_array();
            return items.size() == 1 && items[0].at("state") == "delivered";
        }));
        auto const& first = log.at("items").at(0);
        CHECK(first.at("attempt_log").as_array().size() == 1);
        CHECK(first.at("attempt_log").at(0).at("status_code") == 200);
        std::string const id = text(first.at("id"));
        auto one = http.send("GET", "/api/v1/deliveries/" + id, "", bearer(d.api_key));
        REQUIRE_MESSAGE(one.status == 200, one.body);
        CHECK(text(one.json().at("event_id")) == got.headers["x-signoff-delivery"]);

        auto again = http.rest(
            "POST", "/api/v1/deliveries/" + id + "/redeliver", json::object{}, bearer(d.api_key)
        );
        REQUIRE_MESSAGE(again.status == 201, again.body);
        REQUIRE(eventually([&] { return rx.received().size() == 2; }));
        CHECK(rx.received()[1].headers["x-signoff-delivery"] == got.headers["x-signoff-delivery"]);
    }

    TEST_CASE("with an hour between polls, the commit itself wakes the worker") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        signoff::testing::LocalReceiver rx{signoff::testing::Answer{}};
        // The first poll runs at start, before any event; the next is an hour away.
        ServerProcess srv{d, {"--delivery-poll-ms", "3600000"}};
        HttpClient http{srv.port()};
        auto s = integration_and_row(http, d, rx.port());
        assign(http, d, "ada@acme.example");
        REQUIRE(eventually([&] { return rx.received().size() == 1; }));

        json::object log;
        REQUIRE(eventually([&] {
            log = deliveries(http, d, s.integration_id);
            auto const& items = log.at("items").as_array();
            return items.size() == 1 && items[0].at("state") == "delivered";
        }));
        std::string const id = text(log.at("items").at(0).at("id"));
        auto again = http.rest(
            "POST", "/api/v1/deliveries/" + id + "/redeliver", json::object{}, bearer(d.api_key)
        );
        REQUIRE_MESSAGE(again.status == 201, again.body);
        REQUIRE(eventually([&] { return rx.received().size() == 2; }));
    }

    TEST_CASE("a receiver answering 500 is retried until it accepts") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        signoff::testing::LocalReceiver rx{signoff::testing::Answer{500, "down", false}};
        ServerProcess srv{d, {"--delivery-retry-base-ms", "20"}};
        HttpClient http{srv.port()};
        auto s = integration_and_row(http, d, rx.port());
        assign(http, d, "ada@acme.example");
        REQUIRE(eventually([&] { return rx.received().size() >= 2; }));
        json::object log;
        REQUIRE(eventually([&] {
            log = deliveries(http, d, s.integration_id);
            auto const& items = log.at("items").as_array();
            return items.size() == 1 && items[0].at("attempts").as_int64() >= 2;
        }));
        auto const& attempts = log.at("items").at(0).at("attempt_log").as_array();
        CHECK(attempts.at(0).at("status_code") == 500);
        CHECK(attempts.at(0).at("answer_head") == "down");
        CHECK(log.at("items").at(0).at("state") == "pending");
    }

    TEST_CASE("an event committed before a SIGKILL is delivered once after the restart") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        signoff::testing::LocalReceiver rx{signoff::testing::Answer{}};
        Setup s;
        {
            // No worker: the event is committed to the outbox and never sent.
            ServerProcess srv{d, {"--no-delivery"}};
            HttpClient http{srv.port()};
            s = integration_and_row(http, d, rx.port());
            assign(http, d, "ada@acme.example");
        }  // ServerProcess's destructor kills the process with SIGKILL
        CHECK(rx.received().empty());
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        REQUIRE(eventually([&] {
            auto const log = deliveries(http, d, s.integration_id);
            auto const& items = log.at("items").as_array();
            return items.size() == 1 && items[0].at("state") == "delivered";
        }));
        REQUIRE(rx.received().size() == 1);
        CHECK(rx.received()[0].headers["x-signoff-event"] == "team_support.approved");
    }
}
