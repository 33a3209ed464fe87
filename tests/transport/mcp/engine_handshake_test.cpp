// The session engine in the handshake era (2024-11-05 … 2025-11-25):
// negotiation, lifecycle rules, tools, resources, prompts, completion,
// logging, progress, cancellation and server→client requests.
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "tests/transport/mcp/engine_harness.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine.hpp"

namespace json = boost::json;
using namespace signoff::testing;
using namespace signoff::transport;

TEST_SUITE("transport/mcp/engine_handshake") {
    TEST_CASE("initialize echoes every supported version") {
        for (auto const& v : mcp::kHandshakeVersions) {
            EngineHarness h;
            auto reply = h.send(
                request(1, "initialize", {{"protocolVersion", v}, {"capabilities", json::object{}}})
            );
            REQUIRE(reply.response);
            CHECK(reply.initialized_session);
            auto const& r = reply.response->at("result").as_object();
            CHECK(r.at("protocolVersion") == json::value(v));
            CHECK(r.at("serverInfo").at("name") == json::value("signoff"));
            CHECK(mcp::Engine::negotiated_version(*h.session) == v);
        }
    }

    TEST_CASE("initialize with an unknown version answers the newest one, never an error") {
        EngineHarness h;
        auto r = h.result(request(1, "initialize", {{"protocolVersion", "2099-01-01"}}));
        CHECK(r.at("protocolVersion") == json::value("2025-11-25"));
        auto const& caps = r.at("capabilities").as_object();
        CHECK(caps.at("tools").at("listChanged") == json::value(true));
        CHECK(caps.at("resources").at("subscribe") == json::value(true));
        CHECK(caps.at("prompts").at("listChanged") == json::value(true));
        CHECK(caps.contains("logging"));
        CHECK(caps.contains("completions"));
    }

    TEST_CASE("instructions are sent when configured") {
        mcp::EngineOptions options;
        options.instructions = "be careful";
        EngineHarness h(options);
        auto r = h.result(request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
        CHECK(r.at("instructions") == json::value("be careful"));
    }

    TEST_CASE("before initialize only ping is served on a session") {
        EngineHarness h;
        CHECK(h.result(request(1, "ping")).empty());
        auto e = h.error(request(2, "tools/list"));
        CHECK(e.at("code") == json::value(jsonrpc::kInvalidRequest));
        CHECK(e.at("message").as_string().find("initialize") != json::string::npos);
    }

    TEST_CASE("a second initialize on an initialized session is an invalid request") {
        EngineHarness h;
        h.initialize();
        auto reply = h.send(request(9, "initialize", {{"protocolVersion", "2025-11-25"}}));
        CHECK(reply.response->at("error").at("code") == json::value(jsonrpc::kInvalidRequest));
        CHECK_FALSE(reply.initialized_session);
    }

    TEST_CASE("initialize without protocolVersion is invalid params") {
        EngineHarness h;
        CHECK(
            h.error(request(1, "initialize", {})).at("code") == json::value(jsonrpc::kInvalidParams)
        );
    }

    TEST_CASE("unknown methods are method-not-found with status 200 outside the stateless era") {
        EngineHarness h;
        h.initialize();
        auto reply = h.send(request(3, "nope/nothing"));
        CHECK(reply.response->at("error").at("code") == json::value(jsonrpc::kMethodNotFound));
        CHECK(reply.response->at("id") == json::value(3));
        CHECK(reply.http_status == 200);
        CHECK(
            h.error(request(4, "server/subscribe")).at("code") ==
            json::value(jsonrpc::kMethodNotFound)
        );
    }

    TEST_CASE("notifications are never answered, even when unknown or malformed") {
        EngineHarness h;
        h.initialize();
        for (auto const& msg :
             {notification("notifications/unknown"),
              notification("notifications/cancelled", {{"requestId", 99}}),
              json::value(json::object{{"jsonrpc", "2.0"}, {"method", "x"}, {"params", 3}}),
              json::value(json::object{{"jsonrpc", "1.0"}, {"method", "x"}})}) {
            auto reply = h.send(msg);
            CHECK_FALSE(reply.response.has_value());
            CHECK(reply.http_status == 202);
        }
    }

    TEST_CASE("envelope errors keep a readable id and use id null otherwise") {
        EngineHarness h;
        auto reply = h.send(json::parse(R"({"jsonrpc":"2.0","id":null,"method":"ping"})"));
        CHECK(reply.response->at("id").is_null());
        CHECK(reply.response->at("error").at("code") == json::value(jsonrpc::kInvalidRequest));
        auto batch = h.send(json::parse(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"));
        CHECK(
            batch.response->at("error").at("message") ==
            json::value("batch requests are not supported")
        );
    }

    TEST_CASE("tools/list pages through every tool with opaque cursors") {
        mcp::EngineOptions options;
        options.tools_page_size = 4;
        EngineHarness h(options);
        h.initialize();
        std::vector<std::string> names;
        json::object params;
        for (int page = 0; page < 100; ++page) {
            auto r = h.result(request(page + 10, "tools/list", params));
            CHECK(r.at("tools").as_array().size() <= 4);
            for (auto const& t : r.at("tools").as_array()) {
                names.emplace_back(t.at("name").as_string());
                CHECK(t.at("inputSchema").at("type") == json::value("object"));
            }
            if (!r.contains("nextCursor")) {
                break;
            }
            params["cursor"] = r.at("nextCursor");
        }
        REQUIRE(names.size() == h.registry.tools().size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            CHECK(names[i] == h.registry.tools()[i].name);
        }
    }

    TEST_CASE("tools/list with an invalid cursor is invalid params") {
        EngineHarness h;
        h.initialize();
        for (json::value cursor :
             {json::value("garbage!"), json::value("bzk5OTk"), json::value(5)}) {
            auto e = h.error(request(1, "tools/list", {{"cursor", cursor}}));
            CHECK(e.at("code") == json::value(jsonrpc::kInvalidParams));
        }
    }

    TEST_CASE("raw-result tools are listed without outputSchema, others with it") {
        EngineHarness h;
        h.initialize();
        auto tools = h.result(request(1, "tools/list")).at("tools").as_array();
        for (auto const& t : tools) {
            bool const raw = h.registry.find_tool(t.at("name").as_string())->raw_call_result;
            CHECK(t.as_object().contains("outputSchema") == !raw);
        }
    }

    TEST_CASE("tools/call returns structured content and tool failures as isError results") {
        EngineHarness h;
        h.initialize();
        auto ok = h.result(
            request(1, "tools/call", {{"name", "probe_echo"}, {"arguments", {{"slug", "a-b"}}}})
        );
        CHECK(ok.at("isError") == json::value(false));
        CHECK(ok.at("structuredContent").at("channel") == json::value("mcp-stdio"));
        auto bad = h.result(
            request(2, "tools/call", {{"name", "probe_echo"}, {"arguments", {{"slug", 5}}}})
        );
        CHECK(bad.at("isError") == json::value(true));
    }

    TEST_CASE("unknown tools and malformed tools/call params are invalid params") {
        EngineHarness h;
        h.initialize();
        CHECK(
            h.error(request(1, "tools/call", {{"name", "no_such_tool"}})).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        CHECK(
            h.error(request(2, "tools/call", {{"name", 5}})).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        CHECK(
            h.error(request(3, "tools/call", {{"name", "probe_echo"}, {"arguments", json::array{}}})
            ).at("code") == json::value(jsonrpc::kInvalidParams)
        );
        auto no_params = json::parse(R"({"jsonrpc":"2.0","id":4,"method":"tools/call"})");
        CHECK(h.error(no_params).at("code") == json::value(jsonrpc::kInvalidParams));
    }

    TEST_CASE("progress notifications carry the caller's token and increase") {
        EngineHarness h;
        h.initialize();
        json::object params{
            {"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", "tok-1"}}}};
        h.result(request(1, "tools/call", params));
        auto progress = h.out.with_method("notifications/progress");
        REQUIRE(progress.size() == 3);
        double last = -1;
        for (auto const& p : progress) {
            CHECK(p.at("params").at("progressToken") == json::value("tok-1"));
            CHECK(p.at("params").at("total").to_number<double>() == 100.0);
            double v = p.at("params").at("progress").to_number<double>();
            CHECK(v > last);
            last = v;
        }
    }

    TEST_CASE("no progress is sent without a token") {
        EngineHarness h;
        h.initialize();
        h.result(request(1, "tools/call", {{"name", "test_tool_with_progress"}}));
        CHECK(h.out.with_method("notifications/progress").empty());
    }

    TEST_CASE("log messages respect the level set with logging/setLevel") {
        EngineHarness h;
        h.initialize();
        CHECK(h.result(request(1, "logging/setLevel", {{"level", "warning"}})).empty());
        h.result(request(2, "tools/call", {{"name", "test_logging_tool"}}));
        CHECK(h.out.with_method("notifications/message").empty());
        h.result(request(3, "logging/setLevel", {{"level", "debug"}}));
        h.result(request(4, "tools/call", {{"name", "test_tool_with_logging"}}));
        auto logs = h.out.with_method("notifications/message");
        REQUIRE(logs.size() == 3);
        CHECK(logs[0].at("params").at("level") == json::value("info"));
        CHECK(logs[0].at("params").at("data") == json::value("Tool execution started"));
    }

    TEST_CASE("an invalid log level is invalid params") {
        EngineHarness h;
        h.initialize();
        CHECK(
            h.error(request(1, "logging/setLevel", {{"level", "loud"}})).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
    }

    TEST_CASE("notifications/cancelled trips the token and suppresses the response") {
        EngineHarness h;
        h.initialize();
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(request("slow-1", "tools/call", {{"name", "test_slow"}}));
        });
        h.gate->wait_entered();
        // ping is answered while the slow call runs
        CHECK(h.result(request(2, "ping")).empty());
        CHECK_FALSE(h.send(notification("notifications/cancelled", {{"requestId", "slow-1"}})
        ).response);
        h.gate->release();
        call.join();
        CHECK_FALSE(reply.response.has_value());
    }

    TEST_CASE("an uncancelled slow call answers once released") {
        EngineHarness h;
        h.initialize();
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(request(5, "tools/call", {{"name", "test_slow"}}));
        });
        h.gate->wait_entered();
        auto dup = h.send(request(5, "ping"));
        CHECK(dup.response->at("error").at("code") == json::value(jsonrpc::kInvalidRequest));
        h.gate->release();
        call.join();
        REQUIRE(reply.response.has_value());
        CHECK(reply.response->at("result").at("content").at(0).at("text") == json::value("done"));
    }

    TEST_CASE("server-to-client requests are correlated with the client's response") {
        EngineHarness h;
        h.initialize("2025-11-25", {{"sampling", json::object{}}});
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(request(
                1, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "hi"}}}}
            ));
        });
        auto sent = h.out.wait_for("sampling/createMessage");
        CHECK(sent.at("params").at("maxTokens") == json::value(100));
        json::object answer{
            {"jsonrpc", "2.0"},
            {"id", sent.at("id")},
            {"result",
             {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "hello"}}}}}};
        auto ack = h.send(answer);
        CHECK_FALSE(ack.response);
        CHECK(ack.http_status == 202);
        call.join();
        REQUIRE(reply.response);
        CHECK(
            reply.response->at("result").at("content").at(0).at("text") ==
            json::value("LLM response: hello")
        );
    }

    TEST_CASE("a server-to-client request needs the client capability") {
        EngineHarness h;
        h.initialize();
        auto r = h.result(request(
            1, "tools/call", {{"name", "test_elicitation"}, {"arguments", {{"message", "m"}}}}
        ));
        CHECK(r.at("isError") == json::value(true));
        CHECK(h.out.with_method("elicitation/create").empty());
    }

    TEST_CASE("end of input fails a pending server-to-client request at once") {
        EngineHarness h;
        h.initialize("2025-11-25", {{"elicitation", json::object{}}});
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(request(
                1, "tools/call", {{"name", "test_elicitation"}, {"arguments", {{"message", "m"}}}}
            ));
        });
        h.out.wait_for("elicitation/create");
        h.engine->end_input(*h.session);
        call.join();
        CHECK(reply.response->at("result").at("isError") == json::value(true));
    }

    TEST_CASE("resources are listed and read, static first then templates") {
        EngineHarness h;
        h.initialize();
        auto list = h.result(request(1, "resources/list")).at("resources").as_array();
        std::set<std::string> uris;
        for (auto const& r : list) {
            uris.emplace(r.at("uri").as_string());
        }
        CHECK(uris.count("test://static-text") == 1);
        auto templates =
            h.result(request(2, "resources/templates/list")).at("resourceTemplates").as_array();
        CHECK(templates.at(0).at("uriTemplate") == json::value("test://template/{id}/data"));
        auto text = h.result(request(3, "resources/read", {{"uri", "test://static-text"}}));
        CHECK(text.at("contents").at(0).at("mimeType") == json::value("text/plain"));
        auto tpl = h.result(request(4, "resources/read", {{"uri", "test://template/123/data"}}));
        CHECK(
            json::parse(tpl.at("contents").at(0).at("text").as_string()).at("id") ==
            json::value("123")
        );
        CHECK_FALSE(text.contains("resultType"));
    }

    TEST_CASE("an unknown resource is -32002 with the uri in data") {
        EngineHarness h;
        h.initialize();
        auto e = h.error(request(1, "resources/read", {{"uri", "test://nope"}}));
        CHECK(e.at("code") == json::value(jsonrpc::kResourceNotFound));
        CHECK(e.at("data").at("uri") == json::value("test://nope"));
        CHECK(
            h.error(request(2, "resources/read", {{"uri", "test://template/a/b/data"}})
            ).at("code") == json::value(jsonrpc::kResourceNotFound)
        );
    }

    TEST_CASE("resources/subscribe and unsubscribe answer an empty object") {
        EngineHarness h;
        h.initialize();
        CHECK(h.result(request(1, "resources/subscribe", {{"uri", "test://watched-resource"}})
        ).empty());
        CHECK(h.result(request(2, "resources/unsubscribe", {{"uri", "test://watched-resource"}})
        ).empty());
        CHECK(
            h.error(request(3, "resources/subscribe", {})).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
    }

    TEST_CASE(
        "prompts are listed and rendered; unknown prompts and missing arguments are invalid params"
    ) {
        EngineHarness h;
        h.initialize();
        auto prompts = h.result(request(1, "prompts/list")).at("prompts").as_array();
        CHECK(prompts.size() == 5);  // four suite prompts plus the MRTR one
        auto got = h.result(request(
            2,
            "prompts/get",
            {{"name", "test_prompt_with_arguments"},
             {"arguments", {{"arg1", "hello"}, {"arg2", "world"}}}}
        ));
        CHECK(
            got.at("messages").at(0).at("content").at("text") ==
            json::value("Prompt with arguments: arg1='hello', arg2='world'")
        );
        CHECK(
            h.error(request(3, "prompts/get", {{"name", "nope"}})).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        auto missing = h.error(request(
            4,
            "prompts/get",
            {{"name", "test_prompt_with_arguments"}, {"arguments", {{"arg1", "x"}}}}
        ));
        CHECK(missing.at("code") == json::value(jsonrpc::kInvalidParams));
        CHECK(missing.at("message").as_string().find("arg2") != json::string::npos);
    }

    TEST_CASE("completion/complete answers prompt argument values and empty resource values") {
        EngineHarness h;
        h.initialize();
        json::object params{
            {"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
            {"argument", {{"name", "arg1"}, {"value", "par"}}}};
        auto c = h.result(request(1, "completion/complete", params)).at("completion").as_object();
        CHECK(c.at("values").as_array().size() == 3);
        CHECK(c.at("hasMore") == json::value(false));
        params["ref"] =
            json::object{{"type", "ref/resource"}, {"uri", "test://template/{id}/data"}};
        CHECK(h.result(request(2, "completion/complete", params))
                  .at("completion")
                  .at("values")
                  .as_array()
                  .empty());
        params["ref"] = json::object{{"type", "ref/other"}};
        CHECK(
            h.error(request(3, "completion/complete", params)).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
    }

    TEST_CASE("a session-less handshake request is served without session state") {
        EngineHarness h;
        auto reply =
            h.engine->handle({request(1, "tools/list"), h.actor, nullptr, nullptr, std::nullopt});
        CHECK(reply.response->at("result").at("tools").is_array());
        auto init = h.engine->handle(
            {request(2, "initialize", {{"protocolVersion", "2025-06-18"}}),
             h.actor,
             nullptr,
             nullptr,
             std::nullopt}
        );
        CHECK_FALSE(init.initialized_session);
    }

    TEST_CASE("cancel_all trips every in-flight request of the session") {
        EngineHarness h;
        h.initialize();
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(request(1, "tools/call", {{"name", "test_slow"}}));
        });
        h.gate->wait_entered();
        h.engine->cancel_all(*h.session);
        h.gate->release();
        call.join();
        CHECK_FALSE(reply.response.has_value());
    }
}
