// Optimistic versioning under real concurrency: 32 REST clients of the real
// binary patch the same draft with the same expected_version at once, on both
// back ends. Exactly one wins; the 31 others get 409 naming the current
// version; the stored draft holds exactly the winner's change.
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

TEST_SUITE("e2e/auths") {
    TEST_CASE_TEMPLATE(
        "32 clients patch one draft at the same expected_version: exactly one wins",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        constexpr int kClients = 32;
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient setup(server.port());
        auto started = setup.rest(
            "PATCH", "/api/v5/artifacts/auths/draft", {{"name", "Shared draft"}}, bearer(d.api_key)
        );
        REQUIRE_MESSAGE(started.status == 200, started.body);
        auto draft_id = std::string(started.json().at("draft_id").as_string());

        std::vector<HttpReply> replies(kClients);
        std::latch ready(kClients);
        std::vector<std::thread> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.emplace_back([&, i] {
                HttpClient http(server.port());
                json::object body{
                    {"input_draft_id", draft_id},
                    {"expected_version", 1},
                    {"description", "change of client " + std::to_string(i)}};
                ready.arrive_and_wait();
                replies[static_cast<std::size_t>(i)] =
                    http.rest("PATCH", "/api/v5/artifacts/auths/draft", body, bearer(d.api_key));
            });
        }
        for (auto& t : clients) {
            t.join();
        }

        int winners = 0;
        int winner = -1;
        for (int i = 0; i < kClients; ++i) {
            auto const& r = replies[static_cast<std::size_t>(i)];
            CAPTURE(r.body);
            if (r.status == 200) {
                ++winners;
                winner = i;
                CHECK(r.json().at("new_version") == 2);
            } else {
                CHECK(r.status == 409);
                CHECK(r.json().at("code") == "conflict");
                CHECK(r.body.find("current version is 2") != std::string::npos);
            }
        }
        REQUIRE(winners == 1);

        auto stored = setup.rest(
            "POST", "/api/v5/artifacts/auths/get", {{"draft_id", draft_id}}, bearer(d.api_key)
        );
        REQUIRE_MESSAGE(stored.status == 200, stored.body);
        auto view = stored.json();
        CHECK(view.at("draft_version") == 2);
        auto const& selected = view.at("descriptions").at("selected").as_array();
        REQUIRE(selected.size() == 1);
        CHECK(selected[0].at("value").as_string() == "change of client " + std::to_string(winner));
        auto rows = db_query(d, "SELECT version FROM auth_drafts");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].integer(0) == 2);
    }
}
