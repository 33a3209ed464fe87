// One tenant must not hurt another, through the real binary: a principal
// opening MCP sessions in a loop only evicts its own; past the connection cap
// health checks are still answered and everything else is told to come back;
// SIGTERM drains, so every write that committed got its answer.
#include <atomic>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"

using namespace signoff::e2e;
using signoff::testing::Backend;

namespace {

/// A TCP connection to the server that never sends anything.
struct IdleSocket {
    explicit IdleSocket(int port) : fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~IdleSocket() { ::close(fd); }
    IdleSocket(IdleSocket const&) = delete;
    IdleSocket& operator=(IdleSocket const&) = delete;
    int fd;
};

}  // namespace

TEST_SUITE("e2e/fairness") {
    TEST_CASE("a principal opening sessions in a loop evicts only its own") {
        auto d = bootstrap(Backend::kSqlite);
        auto other = bootstrap_org(d.db_url, "globex");
        ServerProcess server(d);
        HttpClient http(server.port());
        McpHttp theirs(http, other.api_key);
        McpHttp first_of_mine(http, d.api_key);
        std::vector<std::unique_ptr<McpHttp>> mine;
        for (int i = 0; i < 110; ++i) {
            mine.push_back(std::make_unique<McpHttp>(http, d.api_key));
        }
        // The other org's session is untouched; the loop's oldest is gone.
        tool_ok(theirs.call("identity_users_list", {}));
        tool_ok(mine.back()->call("identity_users_list", {}));
        auto gone = first_of_mine.send(
            R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"identity_users_list","arguments":{}}})"
        );
        CHECK_MESSAGE(gone.status == 404, gone.body);
    }

    TEST_CASE("past the connection cap, health checks answer and the rest is told to retry") {
        auto d = bootstrap(Backend::kSqlite);
        ServerProcess server(d, {"--max-connections", "4"});
        std::vector<std::unique_ptr<IdleSocket>> idle;
        for (int i = 0; i < 4; ++i) {
            idle.push_back(std::make_unique<IdleSocket>(server.port()));
        }
        // The server counts a connection once it has accepted it.
        HttpClient probe(server.port());
        CHECK(eventually([&] {
            auto busy = probe.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key));
            return busy.status == 503;
        }));
        HttpClient health(server.port());
        auto h = health.rest("GET", "/healthz", nullptr, {});
        CHECK_MESSAGE(h.status == 200, h.body);
        HttpClient ready(server.port());
        CHECK(ready.rest("GET", "/readyz", nullptr, {}).status == 200);
        HttpClient refused(server.port());
        auto r = refused.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key));
        CHECK_MESSAGE(r.status == 503, r.body);
        CHECK(r.header("Retry-After") == "1");
        idle.clear();
        HttpClient later(server.port());
        CHECK(eventually([&] {
            return later.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key)).status == 200;
        }));
    }

    TEST_CASE("SIGTERM drains: every committed write got its answer, and the exit is clean") {
        auto d = bootstrap(Backend::kSqlite);
        ServerProcess server(d);
        int const port = server.port();
        std::atomic<int> answered{0};
        std::atomic<bool> stop{false};
        std::vector<std::thread> writers;
        for (int w = 0; w < 4; ++w) {
            writers.emplace_back([&, w] {
                HttpClient http(port);
                for (int i = 0; !stop; ++i) {
                    auto r = http.rest(
                        "POST",
                        "/api/v1/catalog/rows",
                        {{"slug", "w" + std::to_string(w) + "-" + std::to_string(i)},
                         {"display_name", "Row"}},
                        bearer(d.api_key)
                    );
                    if (r.status == 201) {
                        ++answered;
                    } else if (r.status == 0) {
                        return;  // the server is gone: connection refused or closed
                    }
                }
            });
        }
        REQUIRE(eventually([&] { return answered >= 40; }));
        REQUIRE(::kill(server.child().pid(), SIGTERM) == 0);
        CHECK(server.child().wait(std::chrono::seconds{15}) == 0);
        stop = true;
        for (auto& t : writers) {
            t.join();
        }
        CHECK(server.child().stderr_text().find("draining") != std::string::npos);
        // Nothing committed without its answer reaching the client.
        CHECK(db_count(d, "catalog_rows") == answered);
    }
}
