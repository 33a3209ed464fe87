// The conformance fixtures through the real engine: the names, texts and
// content blocks the official suite (@modelcontextprotocol/conformance 0.1.16)
// checks in its server scenarios.
#include <thread>

#include <doctest/doctest.h>

#include "tests/transport/mcp/engine_harness.hpp"
#include "tools/families/conformance.hpp"

namespace json = boost::json;
using namespace signoff::testing;
using namespace signoff::transport;

namespace {

json::array call_content(EngineHarness& h, std::string_view name, json::object args = {}) {
    auto r = h.result(request(1, "tools/call", {{"name", name}, {"arguments", std::move(args)}}));
    return r.at("content").as_array();
}

json::object find_block(json::array const& content, std::string_view type) {
    for (auto const& b : content) {
        if (b.at("type") == json::value(type)) {
            return b.as_object();
        }
    }
    FAIL("no block of type " << type);
    return {};
}

}  // namespace

TEST_SUITE("transport/mcp/conformance_fixtures") {
    TEST_CASE("every tool has a description and an object inputSchema") {
        EngineHarness h;
        h.initialize("2025-06-18");
        auto const listed = h.result(request(1, "tools/list"));
        for (auto const& t : listed.at("tools").as_array()) {
            CHECK_FALSE(t.at("description").as_string().empty());
            CHECK(t.at("inputSchema").at("type") == json::value("object"));
        }
    }

    TEST_CASE("content tools return the blocks the suite expects") {
        EngineHarness h;
        h.initialize();
        CHECK(
            call_content(h, "test_simple_text").at(0).at("text") ==
            json::value("This is a simple text response for testing.")
        );
        auto image = find_block(call_content(h, "test_image_content"), "image");
        CHECK(image.at("mimeType") == json::value("image/png"));
        CHECK_FALSE(image.at("data").as_string().empty());
        auto audio = find_block(call_content(h, "test_audio_content"), "audio");
        CHECK(audio.at("mimeType") == json::value("audio/wav"));
        auto embedded = find_block(call_content(h, "test_embedded_resource"), "resource");
        CHECK(embedded.at("resource").at("uri") == json::value("test://embedded-resource"));
        auto mixed = call_content(h, "test_multiple_content_types");
        CHECK(mixed.size() == 3);
        CHECK(
            find_block(mixed, "resource").at("resource").at("mimeType") ==
            json::value("application/json")
        );
    }

    TEST_CASE("test_error_handling is a tool error, not a protocol error") {
        EngineHarness h;
        h.initialize();
        auto r = h.result(request(1, "tools/call", {{"name", "test_error_handling"}}));
        CHECK(r.at("isError") == json::value(true));
        CHECK(
            r.at("content").at(0).at("text") ==
            json::value("This tool intentionally returns an error for testing")
        );
    }

    TEST_CASE("test_sampling without the client capability is a tool error") {
        EngineHarness h;
        h.initialize();
        auto r = h.result(
            request(1, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "p"}}}})
        );
        CHECK(r.at("isError") == json::value(true));
    }

    TEST_CASE("elicitation fixtures send the schemas of SEP-1034 and SEP-1330") {
        EngineHarness h;
        h.initialize("2025-11-25", {{"elicitation", json::object{}}});
        auto answer = [&](json::object const& sent) {
            json::object response{
                {"jsonrpc", "2.0"},
                {"id", sent.at("id")},
                {"result", {{"action", "accept"}, {"content", {{"name", "Jane"}}}}}};
            h.send(response);
        };
        mcp::Reply reply;
        std::thread call([&] {
            reply =
                h.send(request(1, "tools/call", {{"name", "test_elicitation_sep1034_defaults"}}));
        });
        auto sent = h.out.wait_for("elicitation/create");
        auto const& props = sent.at("params").at("requestedSchema").at("properties");
        CHECK(props.at("name").at("default") == json::value("John Doe"));
        CHECK(props.at("age").at("default") == json::value(30));
        CHECK(props.at("score").at("default").as_double() == 95.5);
        CHECK(props.at("status").at("default") == json::value("active"));
        CHECK(props.at("verified").at("default") == json::value(true));
        answer(sent);
        call.join();
        REQUIRE(reply.response);
        auto text = reply.response->at("result").at("content").at(0).at("text").as_string();
        CHECK(text.starts_with("Elicitation completed: action=accept, content="));
    }

    TEST_CASE("the 2020-12 tool keeps $defs in its listed inputSchema") {
        EngineHarness h;
        h.initialize();
        auto const listed = h.result(request(1, "tools/list"));
        for (auto const& t : listed.at("tools").as_array()) {
            if (t.at("name") == json::value("json_schema_2020_12_tool")) {
                CHECK(t.at("inputSchema").at("$defs").as_object().contains("address"));
                CHECK(t.at("inputSchema").at("additionalProperties") == json::value(false));
                CHECK(t.at("inputSchema").at("allOf").at(0).as_object().contains("anyOf"));
                CHECK(
                    t.at("inputSchema").at("$defs").at("address").at("$anchor") ==
                    json::value("addressDef")
                );
                for (auto const* k : {"if", "then", "else"}) {
                    CHECK(t.at("inputSchema").as_object().contains(k));
                }
            }
        }
    }

    TEST_CASE("the 2020-12 tool's allOf/anyOf and if/then/else are enforced on calls") {
        EngineHarness h;
        h.initialize();
        auto call = [&](json::object args) {
            return h.result(request(
                1, "tools/call", {{"name", "json_schema_2020_12_tool"}, {"arguments", args}}
            ));
        };
        CHECK_FALSE(call({{"email", "a@b.c"}}).contains("isError"));
        CHECK(call({{"name", "x"}}).at("isError") == json::value(true));  // neither phone nor email
        CHECK(
            call({{"contactMethod", "phone"}, {"email", "a@b.c"}}).at("isError") ==
            json::value(true)
        );
        CHECK_FALSE(call({{"contactMethod", "phone"}, {"phone", "1"}}).contains("isError"));
        auto with_address = call({{"email", "a@b.c"}, {"address", {{"city", 7}}}});
        CHECK(with_address.at("isError") == json::value(true));  // $ref to #/$defs/address applies
    }

    TEST_CASE("resources carry the suite's texts and mime types") {
        EngineHarness h;
        h.initialize();
        auto text = h.result(request(1, "resources/read", {{"uri", "test://static-text"}}));
        CHECK(
            text.at("contents").at(0).at("text") ==
            json::value("This is the content of the static text resource.")
        );
        auto binary = h.result(request(2, "resources/read", {{"uri", "test://static-binary"}}));
        CHECK(binary.at("contents").at(0).at("mimeType") == json::value("image/png"));
        CHECK(binary.at("contents").at(0).as_object().contains("blob"));
        auto tpl = h.result(request(3, "resources/read", {{"uri", "test://template/123/data"}}));
        CHECK(
            tpl.at("contents").at(0).at("text") ==
            json::value(R"({"id":"123","templateTest":true,"data":"Data for ID: 123"})")
        );
    }

    TEST_CASE("prompts render embedded resources and images") {
        EngineHarness h;
        h.initialize();
        auto embedded = h.result(request(
            1,
            "prompts/get",
            {{"name", "test_prompt_with_embedded_resource"},
             {"arguments", {{"resourceUri", "test://x"}}}}
        ));
        CHECK(
            embedded.at("messages").at(0).at("content").at("resource").at("uri") ==
            json::value("test://x")
        );
        auto image = h.result(request(2, "prompts/get", {{"name", "test_prompt_with_image"}}));
        CHECK(image.at("messages").at(0).at("content").at("type") == json::value("image"));
        auto simple = h.result(request(3, "prompts/get", {{"name", "test_simple_prompt"}}));
        CHECK(simple.at("messages").at(0).at("role") == json::value("user"));
    }
}
