// Bad input of every kind against the real HTTP server: each gets its exact,
// specific error, the process stays up, and nothing is written.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;

namespace {

struct Fixture {
    Deployment d = bootstrap(signoff::testing::Backend::kSqlite);
    ServerProcess server{d};
    HttpClient http{server.port()};

    Fixture() {
        auto r = http.rest(
            "POST",
            "/api/v1/catalog/rows",
            {{"slug", "vpn"}, {"display_name", "VPN"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(r.status == 201, r.body);
    }
    std::int64_t writes() {
        return db_count(d, "catalog_rows") + db_count(d, "catalog_approvals") +
               db_count(d, "audit_log") + db_count(d, "outbox");
    }
    HttpReply assign_raw(std::string const& body, httplib::Headers h = {}) {
        return http.send(
            "POST", "/api/v1/catalog/approvals", body, bearer(d.api_key, std::move(h))
        );
    }
};

std::string rest_code(HttpReply const& r) {
    auto v = r.json();
    return v.is_object() && v.as_object().contains("code") ? std::string(v.at("code").as_string())
                                                           : "";
}

std::int64_t rpc_code(HttpReply const& r) {
    auto v = r.json();
    return v.is_object() && v.as_object().contains("error") ? v.at("error").at("code").as_int64()
                                                            : 0;
}

httplib::Headers mcp(std::string const& key) {
    return bearer(key, {{"Accept", "application/json, text/event-stream"}});
}

}  // namespace

TEST_SUITE("e2e/bad_input") {
    TEST_CASE("REST refuses bad bodies with a specific error and writes nothing") {
        Fixture f;
        auto const before = f.writes();

        SUBCASE("malformed JSON") {
            auto r = f.assign_raw(R"({"catalog_slug": "vpn", )");
            CHECK(r.status == 400);
            CHECK(rest_code(r) == "invalid_argument");
        }
        SUBCASE("wrong type") {
            auto r =
                f.assign_raw(R"({"catalog_slug": 7, "email": "a@b.example", "action": "assign"})");
            CHECK(r.status == 400);
            CHECK(r.json().at("details").at(0).at("field") == "catalog_slug");
        }
        SUBCASE("unknown field") {
            auto r = f.assign_raw(
                R"({"catalog_slug": "vpn", "email": "a@b.example", "action": "assign", "admin": true})"
            );
            CHECK(r.status == 400);
            CHECK(r.json().at("details").at(0).at("field") == "admin");
            CHECK(r.json().at("details").at(0).at("message") == "unknown field");
        }
        SUBCASE("unknown action") {
            auto r =
                f.assign_raw(R"({"catalog_slug": "vpn", "email": "a@b.example", "action": "grant"})"
                );
            CHECK(r.status == 400);
            CHECK(rest_code(r) == "invalid_argument");
        }
        SUBCASE("body that is not an object") {
            auto r = f.assign_raw(R"(["vpn"])");
            CHECK(r.status == 400);
        }
        SUBCASE("deep nesting") {
            std::string deep = R"({"catalog_slug":"vpn","action":"assign","email":)" +
                               std::string(200, '[') + std::string(200, ']') + "}";
            auto r = f.assign_raw(deep);
            CHECK(r.status == 400);
            CHECK(rest_code(r) == "invalid_argument");
        }
        SUBCASE("invalid UTF-8") {
            auto r = f.assign_raw(
                "{\"catalog_slug\":\"vpn\",\"action\":\"assign\",\"email\":\"a\xff\xfe@b.example\"}"
            );
            CHECK(r.status == 400);
            CHECK(rest_code(r) == "invalid_argument");
        }
        SUBCASE("huge body") {
            std::string huge = R"({"catalog_slug":"vpn","action":"assign","email":")" +
                               std::string(5 << 20, 'a') + "\"}";
            auto r = f.assign_raw(huge);
            CHECK(r.status == 413);
        }
        SUBCASE("unknown route and wrong method") {
            CHECK(f.http.send("GET", "/api/v1/nothing", "", bearer(f.d.api_key)).status == 404);
            auto r = f.http.send("PUT", "/api/v1/catalog/rows/vpn", "{}", bearer(f.d.api_key));
            CHECK(r.status == 405);
            CHECK_FALSE(r.header("Allow").empty());
        }
        CHECK(f.writes() == before);
        CHECK(f.http.send("GET", "/healthz", "", {}).status == 200);
    }

    TEST_CASE("credentials, origins and sessions are checked before anything runs") {
        Fixture f;
        auto const before = f.writes();
        std::string const call =
            R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"catalog_rows_delete","arguments":{"slug":"vpn"}}})";

        SUBCASE("missing credentials") {
            auto r = f.http.send(
                "POST", "/api/v1/catalog/rows", R"({"slug":"x","display_name":"X"})", {}
            );
            CHECK(r.status == 401);
            CHECK(rest_code(r) == "unauthenticated");
            auto m = f.http.send(
                "POST", "/mcp", call, {{"Accept", "application/json, text/event-stream"}}
            );
            CHECK(m.status == 401);
        }
        SUBCASE("invalid credentials") {
            auto r =
                f.http.send("DELETE", "/api/v1/catalog/rows/vpn", "", bearer("sk-signoff-forged"));
            CHECK(r.status == 401);
            auto x = f.http.send("DELETE", "/api/v1/catalog/rows/vpn", "", {{"X-Api-Key", "nope"}});
            CHECK(x.status == 401);
        }
        SUBCASE("foreign origin") {
            auto r = f.http.send(
                "DELETE",
                "/api/v1/catalog/rows/vpn",
                "",
                bearer(f.d.api_key, {{"Origin", "http://evil.example.com"}})
            );
            CHECK(r.status == 403);
            auto m = f.http.send(
                "POST",
                "/mcp",
                call,
                bearer(
                    f.d.api_key,
                    {{"Origin", "http://evil.example.com"},
                     {"Accept", "application/json, text/event-stream"}}
                )
            );
            CHECK(m.status == 403);
        }
        SUBCASE("unknown session") {
            auto h = mcp(f.d.api_key);
            h.emplace("Mcp-Session-Id", "no-such-session");
            auto r = f.http.send("POST", "/mcp", call, h);
            CHECK(r.status == 404);
        }
        SUBCASE("missing session") {
            auto r = f.http.send("POST", "/mcp", call, mcp(f.d.api_key));
            CHECK(r.status == 400);
        }
        SUBCASE("malformed JSON-RPC") {
            auto r = f.http.send("POST", "/mcp", "{oops", mcp(f.d.api_key));
            CHECK(r.status == 400);
            CHECK(rpc_code(r) == -32700);
        }
        CHECK(f.writes() == before);
    }
}
