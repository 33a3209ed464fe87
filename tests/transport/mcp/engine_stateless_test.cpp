// The session engine in the stateless era (2026-07-28): _meta validation,
// server/discover, result decoration and caching hints, removed methods,
// header mirroring over HTTP (-32020), -32021, -32022 and HTTP statuses.
// MRTR rounds are tested in engine_mrtr_test.cpp.
#include <doctest/doctest.h>

#include "tests/transport/mcp/engine_harness.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine.hpp"

namespace json = boost::json;
using namespace signoff::testing;
using namespace signoff::transport;

namespace {

mcp::HttpHeaders headers(std::string method, std::optional<std::string> name = std::nullopt) {
    mcp::HttpHeaders h;
    h.protocol_version = "2026-07-28";
    h.method = std::move(method);
    h.name = std::move(name);
    return h;
}

int code_of(mcp::Reply const& r) {
    REQUIRE(r.response);
    REQUIRE_MESSAGE(r.response->contains("error"), json::serialize(*r.response));
    return static_cast<int>(r.response->at("error").at("code").as_int64());
}

}  // namespace

TEST_SUITE("transport/mcp/engine_stateless") {
    TEST_CASE("server/discover needs no session and describes the server") {
        EngineHarness h;
        auto reply =
            h.send_http(request(1, "server/discover", modern()), headers("server/discover"));
        REQUIRE(reply.response);
        CHECK(reply.http_status == 200);
        auto const& r = reply.response->at("result").as_object();
        CHECK(r.at("supportedVersions") == json::array{"2026-07-28"});
        CHECK(r.at("resultType") == json::value("complete"));
        CHECK(r.at("cacheScope") == json::value("private"));
        CHECK(r.at("ttlMs").is_int64());
        CHECK(
            r.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name") ==
            json::value("signoff")
        );
        CHECK(r.at("capabilities").as_object().contains("tools"));
        CHECK_FALSE(r.at("capabilities").at("tools").as_object().contains("listChanged"));
    }

    TEST_CASE("a stateless request on an uninitialized stdio session is served") {
        EngineHarness h;
        auto r = h.result(request(1, "tools/list", modern()));
        CHECK(r.at("tools").is_array());
        CHECK(r.at("ttlMs").is_int64());
        CHECK(r.at("resultType") == json::value("complete"));
        CHECK(mcp::Engine::negotiated_version(*h.session).empty());
    }

    TEST_CASE(
        "every stateless result carries resultType and serverInfo; lists and reads carry cache "
        "hints"
    ) {
        EngineHarness h;
        for (auto const* method :
             {"tools/list", "prompts/list", "resources/list", "resources/templates/list"}) {
            auto r = h.result(request(1, method, modern()));
            CHECK(r.at("cacheScope") == json::value("private"));
        }
        auto read = h.result(request(2, "resources/read", modern({{"uri", "test://static-text"}})));
        CHECK(read.contains("ttlMs"));
        auto call = h.result(request(3, "tools/call", modern({{"name", "test_simple_text"}})));
        CHECK(call.at("resultType") == json::value("complete"));
        CHECK(call.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
        CHECK_FALSE(call.contains("ttlMs"));
    }

    TEST_CASE("missing required _meta fields are -32602 with HTTP 400") {
        EngineHarness h;
        json::object no_version = modern();
        no_version["_meta"].as_object().erase("io.modelcontextprotocol/protocolVersion");
        json::object no_caps = modern();
        no_caps["_meta"].as_object().erase("io.modelcontextprotocol/clientCapabilities");
        for (auto const& params : {json::object{}, no_version, no_caps}) {
            auto reply =
                h.send_http(request(101, "server/discover", params), headers("server/discover"));
            CHECK(code_of(reply) == jsonrpc::kInvalidParams);
            CHECK(reply.http_status == 400);
            CHECK(reply.response->at("id") == json::value(101));
        }
    }

    TEST_CASE("clientInfo is optional") {
        EngineHarness h;
        json::object params = modern();
        params["_meta"].as_object().erase("io.modelcontextprotocol/clientInfo");
        auto reply = h.send_http(request(1, "server/discover", params), headers("server/discover"));
        CHECK(reply.http_status == 200);
    }

    TEST_CASE("an unsupported version is -32022 naming supported and requested versions") {
        EngineHarness h;
        auto hs = headers("server/discover");
        hs.protocol_version = "v999.0.0";
        auto reply = h.send_http(request(301, "server/discover", modern({}, "v999.0.0")), hs);
        CHECK(code_of(reply) == jsonrpc::kUnsupportedProtocolVersion);
        CHECK(reply.http_status == 400);
        auto const& data = reply.response->at("error").at("data");
        CHECK(data.at("supported") == json::array{"2026-07-28"});
        CHECK(data.at("requested") == json::value("v999.0.0"));
        SUBCASE("on stdio too, without an HTTP status") {
            auto stdio = h.send(request(2, "tools/list", modern({}, "2025-11-25")));
            CHECK(code_of(stdio) == jsonrpc::kUnsupportedProtocolVersion);
        }
    }

    TEST_CASE("mirrored headers that are missing or disagree are -32020 with HTTP 400") {
        EngineHarness h;
        auto call = request(1, "tools/call", modern({{"name", "test_simple_text"}}));
        SUBCASE("version header differs from _meta") {
            auto reply = h.send_http(
                request(302, "server/discover", modern({}, "v999.0.0")), headers("server/discover")
            );
            CHECK(code_of(reply) == jsonrpc::kHeaderMismatch);
            CHECK(reply.http_status == 400);
        }
        SUBCASE("version header missing") {
            auto hs = headers("tools/call", "test_simple_text");
            hs.protocol_version.reset();
            CHECK(code_of(h.send_http(call, hs)) == jsonrpc::kHeaderMismatch);
        }
        SUBCASE("method header differs, including by case") {
            CHECK(
                code_of(h.send_http(call, headers("prompts/list", "test_simple_text"))) ==
                jsonrpc::kHeaderMismatch
            );
            CHECK(
                code_of(h.send_http(call, headers("TOOLS/CALL", "test_simple_text"))) ==
                jsonrpc::kHeaderMismatch
            );
        }
        SUBCASE("method header missing") {
            auto hs = headers("tools/call", "test_simple_text");
            hs.method.reset();
            CHECK(code_of(h.send_http(call, hs)) == jsonrpc::kHeaderMismatch);
        }
        SUBCASE("name header missing or wrong") {
            CHECK(code_of(h.send_http(call, headers("tools/call"))) == jsonrpc::kHeaderMismatch);
            auto reply = h.send_http(call, headers("tools/call", "wrong_tool_name"));
            CHECK(code_of(reply) == jsonrpc::kHeaderMismatch);
            CHECK(reply.http_status == 400);
        }
        SUBCASE("resources/read compares the uri") {
            auto read = request(2, "resources/read", modern({{"uri", "test://static-text"}}));
            CHECK(
                code_of(h.send_http(read, headers("resources/read", "test://other"))) ==
                jsonrpc::kHeaderMismatch
            );
            CHECK(
                h.send_http(read, headers("resources/read", "test://static-text")).http_status ==
                200
            );
        }
    }

    TEST_CASE("mirrored headers are compared after trimming and base64 decoding") {
        EngineHarness h;
        auto call = request(1, "tools/call", modern({{"name", "test_simple_text"}}));
        CHECK(h.send_http(call, headers("tools/call", "  test_simple_text  ")).http_status == 200);
        // "test_simple_text" in base64
        CHECK(
            h.send_http(call, headers("tools/call", "=?base64?dGVzdF9zaW1wbGVfdGV4dA==?="))
                .http_status == 200
        );
        CHECK(
            code_of(h.send_http(call, headers("tools/call", "=?base64?!!?="))) ==
            jsonrpc::kHeaderMismatch
        );
    }

    TEST_CASE("removed and unknown methods are -32601 with HTTP 404") {
        EngineHarness h;
        for (auto const* method :
             {"initialize",
              "ping",
              "logging/setLevel",
              "resources/subscribe",
              "resources/unsubscribe",
              "unknown/method"}) {
            auto reply = h.send_http(request(500, method, modern()), headers(method));
            CHECK_MESSAGE(code_of(reply) == jsonrpc::kMethodNotFound, method);
            CHECK(reply.http_status == 404);
            CHECK(reply.response->at("id") == json::value(500));
        }
    }

    TEST_CASE("initialize with params.protocolVersion still starts the handshake era") {
        EngineHarness h;
        json::object params = modern({{"protocolVersion", "2025-11-25"}});
        auto r = h.result(request(1, "initialize", params));
        CHECK(r.at("protocolVersion") == json::value("2025-11-25"));
    }

    TEST_CASE("a session-less HTTP request with the stateless version header but no _meta is -32602"
    ) {
        EngineHarness h;
        auto reply = h.send_http(request(1, "tools/list"), headers("tools/list"));
        CHECK(code_of(reply) == jsonrpc::kInvalidParams);
        CHECK(reply.http_status == 400);
    }

    TEST_CASE("a tool needing an undeclared client capability is -32021 naming it") {
        EngineHarness h;
        auto reply = h.send_http(
            request(
                401,
                "tools/call",
                modern({{"name", "test_missing_capability"}, {"arguments", json::object{}}})
            ),
            headers("tools/call", "test_missing_capability")
        );
        CHECK(code_of(reply) == jsonrpc::kMissingRequiredClientCapability);
        CHECK(reply.http_status == 400);
        auto const& data = reply.response->at("error").at("data");
        CHECK(data.at("requiredCapabilities").at("sampling").is_object());
    }

    TEST_CASE("logs are sent only when the request opted in with a logLevel") {
        EngineHarness h;
        h.result(request(1, "tools/call", modern({{"name", "test_logging_tool"}})));
        CHECK(h.out.with_method("notifications/message").empty());
        json::object params = modern({{"name", "test_logging_tool"}});
        params["_meta"].as_object()["io.modelcontextprotocol/logLevel"] = "error";
        h.result(request(2, "tools/call", params));
        CHECK(h.out.with_method("notifications/message").empty());
        params["_meta"].as_object()["io.modelcontextprotocol/logLevel"] = "debug";
        h.result(request(3, "tools/call", params));
        CHECK(h.out.with_method("notifications/message").size() == 1);
    }

    TEST_CASE("an unknown resource is -32602 with the uri in data") {
        EngineHarness h;
        auto e = h.error(request(1, "resources/read", modern({{"uri", "test://nonexistent"}})));
        CHECK(e.at("code") == json::value(jsonrpc::kInvalidParams));
        CHECK(e.at("data").at("uri") == json::value("test://nonexistent"));
    }

    TEST_CASE("handshake-era errors over HTTP keep status 200 except envelope errors") {
        EngineHarness h;
        auto session = h.engine->new_session();
        mcp::HttpHeaders legacy;
        legacy.protocol_version = "2025-11-25";
        h.send_http(request(1, "initialize", {{"protocolVersion", "2025-11-25"}}), legacy, session);
        auto unknown = h.send_http(request(2, "nope"), legacy, session);
        CHECK(code_of(unknown) == jsonrpc::kMethodNotFound);
        CHECK(unknown.http_status == 200);
        auto bad = h.send_http(
            json::parse(R"({"jsonrpc":"2.0","id":null,"method":"ping"})"), legacy, session
        );
        CHECK(bad.http_status == 400);
        auto note = h.send_http(notification("notifications/initialized"), legacy, session);
        CHECK(note.http_status == 202);
    }

    TEST_CASE("prompts/get and completion/complete are served statelessly") {
        EngineHarness h;
        auto got = h.result(request(1, "prompts/get", modern({{"name", "test_simple_prompt"}})));
        CHECK(got.at("messages").as_array().size() == 1);
        CHECK(got.at("resultType") == json::value("complete"));
        CHECK_FALSE(got.contains("ttlMs"));
        json::object params = modern(
            {{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
             {"argument", {{"name", "arg1"}, {"value", "test"}}}}
        );
        auto c = h.result(request(2, "completion/complete", params));
        CHECK(c.at("completion").at("values").as_array().size() == 2);
        auto unknown = h.error(request(3, "prompts/get", modern({{"name", "nope"}})));
        CHECK(unknown.at("code") == json::value(jsonrpc::kInvalidParams));
    }

    TEST_CASE("the stateless era never sends server-to-client requests: input comes through MRTR") {
        EngineHarness h;
        json::object params = modern({{"name", "test_sampling"}, {"arguments", {{"prompt", "p"}}}});
        params["_meta"].as_object()["io.modelcontextprotocol/clientCapabilities"] =
            json::object{{"sampling", json::object{}}};
        auto r = h.result(request(1, "tools/call", params));
        CHECK(r.at("resultType") == json::value("input_required"));
        CHECK(
            r.at("inputRequests").at("sampling").at("method") ==
            json::value("sampling/createMessage")
        );
        CHECK(h.out.with_method("sampling/createMessage").empty());
    }
}
