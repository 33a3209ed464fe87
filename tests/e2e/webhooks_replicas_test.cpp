// Delivery with several replicas: two real servers on one database (both back
// ends), each running its own delivery worker. Events committed through either
// reach the receiver exactly once each: the workers split the outbox and the
// deliveries between them (lease claims; FOR UPDATE SKIP LOCKED on PostgreSQL)
// and never send one attempt twice.
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/server/delivery/local_receiver.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr int kAssigns = 40;

void assign(HttpClient& http, Deployment const& d, int i) {
    auto r = http.rest(
        "POST",
        "/api/v1/catalog/approvals",
        {{"catalog_slug", "vpn"},
         {"email", "user" + std::to_string(i) + "@acme.example"},
         {"action", "assign"}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(r.status == 200, r.body);
}

}  // namespace

TEST_SUITE("e2e/webhooks_replicas") {
    TEST_CASE_TEMPLATE(
        "two replicas' workers deliver every event exactly once", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        signoff::testing::LocalReceiver rx{signoff::testing::Answer{}};
        // Short polls, so both workers keep looking while the other one works.
        ServerProcess a{d, {"--delivery-poll-ms", "5", "--delivery-workers", "2"}};
        ServerProcess b{d, {"--delivery-poll-ms", "5", "--delivery-workers", "2"}};
        HttpClient ha{a.port()};
        HttpClient hb{b.port()};
        auto row = ha.rest(
            "POST",
            "/api/v1/catalog/rows",
            {{"slug", "vpn"}, {"display_name", "VPN"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(row.status == 201, row.body);
        auto hook = ha.rest(
            "POST",
            "/api/v1/admin/integrations",
            {{"name", "siem"},
             {"url", "http://127.0.0.1:" + std::to_string(rx.port()) + "/in"},
             {"events", {"team_support.approved"}}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(hook.status == 201, hook.body);

        for (int i = 0; i < kAssigns; ++i) {
            assign(i % 2 == 0 ? ha : hb, d, i);
        }
        REQUIRE(
            eventually([&] { return rx.received().size() >= kAssigns; }, std::chrono::seconds{30})
        );

        std::map<std::string, int> per_event;
        for (auto const& got : rx.received()) {
            ++per_event[got.headers.at("x-signoff-delivery")];
        }
        CHECK(per_event.size() == kAssigns);
        for (auto const& [event, n] : per_event) {
            CHECK_MESSAGE(n == 1, "event " << event << " was sent " << n << " times");
        }
        // Every delivery is recorded delivered with exactly one attempt, whichever
        // replica sent it.
        std::string const id(hook.json().at("id").as_string());
        auto log = hb.send(
            "GET",
            "/api/v1/admin/integrations/" + id + "/deliveries?limit=100",
            "",
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(log.status == 200, log.body);
        auto const body = log.json();
        auto const& items = body.at("items").as_array();
        CHECK(items.size() == kAssigns);
        for (auto const& item : items) {
            CHECK(item.at("state") == "delivered");
            CHECK(item.at("attempts") == 1);
        }
    }
}
