// The REST façade: authentication, routing (404 / 405 + Allow / discriminator),
// arguments from body, path and query, error bodies, X-MCP channel mapping.
#include <doctest/doctest.h>

#include "tests/transport/http/http_harness.hpp"
#include "transport/http/rest_router.hpp"

using namespace signoff::testing;

namespace {

httplib::Headers alice(std::string x_mcp = {}) {
    httplib::Headers h{{"Authorization", "Bearer key-alice"}};
    if (!x_mcp.empty()) {
        h.emplace("X-MCP", std::move(x_mcp));
    }
    return h;
}

}  // namespace

TEST_SUITE("transport/http/rest") {
    TEST_CASE("missing or invalid credentials get 401 with the REST error body") {
        HttpHarness h;
        auto c = h.client();
        auto none = c->Get("/api/test/echo");
        REQUIRE(none);
        CHECK(none->status == 401);
        auto body = json::parse(none->body);
        CHECK(body.at("code") == json::value("unauthenticated"));
        CHECK(body.at("details") == json::array{});
        CHECK_FALSE(body.at("message").as_string().empty());
        auto bad = c->Get("/api/test/echo", {{"X-Api-Key", "nope"}});
        REQUIRE(bad);
        CHECK(bad->status == 401);
    }

    TEST_CASE("a POST route answers its success status with the tool's result") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Post(
            "/api/test/echo", alice(), R"({"message":"hello","flag":true})", "application/json"
        );
        REQUIRE(res);
        CHECK(res->status == 201);
        CHECK(res->get_header_value("Content-Type") == "application/json");
        auto body = json::parse(res->body);
        CHECK(body.at("principal") == json::value("alice"));
        CHECK(body.at("args") == json::parse(R"({"message":"hello","flag":true})"));
    }

    TEST_CASE("GET takes typed, URL-decoded arguments from the query string") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Get("/api/test/echo?message=a%20b%26c&count=7&flag=false", alice());
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(
            json::parse(res->body).at("args") ==
            json::parse(R"({"message":"a b&c","count":7,"flag":false})")
        );
    }

    TEST_CASE("path segments become decoded arguments and win over the body") {
        HttpHarness h;
        auto c = h.client();
        auto get = c->Get("/api/test/items/a%40b", alice());
        REQUIRE(get);
        CHECK(get->status == 200);
        CHECK(json::parse(get->body).at("id") == json::value("a@b"));
        auto patch = c->Patch(
            "/api/test/items/x1", alice(), R"({"id":"other","note":"n"})", "application/json"
        );
        REQUIRE(patch);
        CHECK(patch->status == 200);
        CHECK(json::parse(patch->body) == json::parse(R"({"id":"x1","note":"n"})"));
    }

    TEST_CASE("a 204 route answers no body") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Delete("/api/test/items/x1", alice());
        REQUIRE(res);
        CHECK(res->status == 204);
        CHECK(res->body.empty());
    }

    TEST_CASE("domain errors use the error table's status and body") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Get("/api/test/items/missing", alice());
        REQUIRE(res);
        CHECK(res->status == 404);
        CHECK(json::parse(res->body).at("code") == json::value("not_found"));
    }

    TEST_CASE("an unknown path is 404; a wrong method is 405 with Allow") {
        HttpHarness h;
        auto c = h.client();
        auto missing = c->Get("/api/test/nothing", alice());
        REQUIRE(missing);
        CHECK(missing->status == 404);
        CHECK(json::parse(missing->body).at("code") == json::value("not_found"));
        auto wrong = c->Put("/api/test/echo", alice(), "{}", "application/json");
        REQUIRE(wrong);
        CHECK(wrong->status == 405);
        CHECK(wrong->get_header_value("Allow") == "GET, POST");
        CHECK(json::parse(wrong->body).at("code") == json::value("method_not_allowed"));
    }

    TEST_CASE("a validation failure is 400 invalid_argument with field details") {
        HttpHarness h;
        auto c = h.client();
        auto res =
            c->Post("/api/test/echo", alice(), R"({"count":"many","extra":1})", "application/json");
        REQUIRE(res);
        CHECK(res->status == 400);
        auto body = json::parse(res->body).as_object();
        CHECK(body.at("code") == json::value("invalid_argument"));
        CHECK(body.at("message").is_string());
        auto const& details = body.at("details").as_array();
        REQUIRE_FALSE(details.empty());
        for (auto const& d : details) {
            CHECK(d.at("field").is_string());
            CHECK(d.at("message").is_string());
        }
        auto q = c->Get("/api/test/echo?count=abc", alice());
        REQUIRE(q);
        CHECK(q->status == 400);
    }

    TEST_CASE("malformed or non-object bodies are 400 with a clear message") {
        HttpHarness h;
        auto c = h.client();
        auto broken = c->Post("/api/test/echo", alice(), R"({"message":)", "application/json");
        REQUIRE(broken);
        CHECK(broken->status == 400);
        auto body = json::parse(broken->body);
        CHECK(body.at("code") == json::value("invalid_argument"));
        CHECK(body.at("message").as_string().find("not valid JSON") != std::string::npos);
        auto array = c->Post("/api/test/echo", alice(), "[1]", "application/json");
        REQUIRE(array);
        CHECK(array->status == 400);
        CHECK(
            json::parse(array->body).at("message").as_string().find("JSON object") !=
            std::string::npos
        );
        auto text =
            c->Post("/api/test/echo", alice(), "count=1", "application/x-www-form-urlencoded");
        REQUIRE(text);
        CHECK(text->status == 415);
        auto query = c->Get("/api/test/echo?count=%zz", alice());
        REQUIRE(query);
        CHECK(query->status == 400);
    }

    TEST_CASE("a shared route picks the tool by its discriminator field") {
        HttpHarness h;
        auto c = h.client();
        auto circle = c->Post(
            "/api/test/shapes", alice(), R"({"kind":"circle","radius":2})", "application/json"
        );
        REQUIRE(circle);
        CHECK(circle->status == 201);
        CHECK(json::parse(circle->body).at("kind") == json::value("circle"));
        auto square = c->Post(
            "/api/test/shapes", alice(), R"({"kind":"square","side":3})", "application/json"
        );
        REQUIRE(square);
        CHECK(square->status == 201);
        CHECK(json::parse(square->body).at("area").to_number<double>() == doctest::Approx(9.0));
        auto other =
            c->Post("/api/test/shapes", alice(), R"({"kind":"hexagon"})", "application/json");
        REQUIRE(other);
        CHECK(other->status == 400);
        CHECK(json::parse(other->body).at("code") == json::value("invalid_argument"));
    }

    TEST_CASE("X-MCP maps truthy values to rest+x-mcp and anything else to rest") {
        HttpHarness h;
        auto c = h.client();
        auto channel_for = [&](std::string const& value) {
            auto res = c->Get("/api/test/echo", alice(value));
            REQUIRE(res);
            REQUIRE(res->status == 200);
            return std::string(json::parse(res->body).at("channel").as_string());
        };
        for (auto const* v : {"1", "true", "TRUE", " yes ", "Yes"}) {
            CHECK_MESSAGE(channel_for(v) == "rest+x-mcp", v);
        }
        for (auto const* v : {"0", "false", "no", "on", "enabled"}) {
            CHECK_MESSAGE(channel_for(v) == "rest", v);
        }
        CHECK(channel_for("") == "rest");  // no header at all
    }
}
