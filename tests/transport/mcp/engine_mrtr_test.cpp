// Client input through the engine: MRTR rounds in the stateless era
// (input_required, inputResponses, signed requestState, -32021) and the same
// fixture handlers as server→client requests in the handshake era; plus the
// Mcp-Param-* header check of x-mcp-header arguments (SEP-2243).
#include <thread>

#include <doctest/doctest.h>

#include "tests/support/fakes.hpp"
#include "tests/transport/mcp/engine_harness.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine.hpp"

namespace json = boost::json;
using namespace signoff::testing;
using namespace signoff::transport;

namespace {

json::object all_capabilities() {
    return {
        {"elicitation", json::object{}}, {"sampling", json::object{}}, {"roots", json::object{}}};
}

/// tools/call params of the stateless era, with the given capabilities and extra fields.
json::object call_params(
    std::string_view tool, json::object extra = {}, json::object caps = all_capabilities()
) {
    json::object p = modern({{"name", tool}, {"arguments", json::object{}}});
    p["_meta"].as_object()["io.modelcontextprotocol/clientCapabilities"] = std::move(caps);
    for (auto& [k, v] : extra) {
        p[k] = std::move(v);
    }
    return p;
}

json::object accept(json::object content) {
    return {{"action", "accept"}, {"content", std::move(content)}};
}

std::string text_of(json::object const& result) {
    return std::string(result.at("content").at(0).at("text").as_string());
}

int code_of(mcp::Reply const& r) {
    REQUIRE(r.response);
    REQUIRE_MESSAGE(r.response->contains("error"), json::serialize(*r.response));
    return static_cast<int>(r.response->at("error").at("code").as_int64());
}

mcp::HttpHeaders call_headers(std::string_view tool) {
    mcp::HttpHeaders h;
    h.protocol_version = "2026-07-28";
    h.method = "tools/call";
    h.name = std::string(tool);
    return h;
}

}  // namespace

TEST_SUITE("transport/mcp/engine_mrtr") {
    TEST_CASE("a tool needing input answers input_required, and the retry completes") {
        EngineHarness h;
        auto first =
            h.result(request(1, "tools/call", call_params("test_input_required_result_elicitation"))
            );
        CHECK(first.at("resultType") == json::value("input_required"));
        auto const& asked = first.at("inputRequests").at("user_name");
        CHECK(asked.at("method") == json::value("elicitation/create"));
        CHECK(asked.at("params").at("message") == json::value("What is your name?"));
        CHECK(first.at("requestState").is_string());
        CHECK(first.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
        CHECK_FALSE(first.contains("content"));
        CHECK(h.out.messages().empty());  // never a server→client request

        json::object retry{
            {"inputResponses", {{"user_name", accept({{"name", "Alice"}})}}},
            {"requestState", first.at("requestState")}};
        auto done = h.result(
            request(2, "tools/call", call_params("test_input_required_result_elicitation", retry))
        );
        CHECK(done.at("resultType") == json::value("complete"));
        CHECK(text_of(done) == "Hello, Alice!");
    }

    TEST_CASE("sampling and roots/list are asked the same way") {
        EngineHarness h;
        auto s =
            h.result(request(1, "tools/call", call_params("test_input_required_result_sampling")));
        CHECK(
            s.at("inputRequests").at("capital_question").at("method") ==
            json::value("sampling/createMessage")
        );
        json::object sampled{
            {"role", "assistant"}, {"content", {{"type", "text"}, {"text", "Paris"}}}};
        auto s2 = h.result(request(
            2,
            "tools/call",
            call_params(
                "test_input_required_result_sampling",
                {{"inputResponses", {{"capital_question", sampled}}},
                 {"requestState", s.at("requestState")}}
            )
        ));
        CHECK(text_of(s2) == "LLM response: Paris");

        auto r =
            h.result(request(3, "tools/call", call_params("test_input_required_result_list_roots"))
            );
        CHECK(r.at("inputRequests").at("client_roots").at("method") == json::value("roots/list"));
        json::object roots{
            {"roots",
             json::array{json::object{{"uri", "file:///a"}}, json::object{{"uri", "file:///b"}}}}};
        auto r2 = h.result(request(
            4,
            "tools/call",
            call_params(
                "test_input_required_result_list_roots",
                {{"inputResponses", {{"client_roots", roots}}}}
            )
        ));
        CHECK(text_of(r2) == "Client roots: file:///a, file:///b");
    }

    TEST_CASE(
        "inputResponses without requestState serve the call; missing or malformed answers are "
        "asked again"
    ) {
        EngineHarness h;
        auto const tool = "test_input_required_result_elicitation";
        json::object extra{
            {"inputResponses",
             {{"user_name", accept({{"name", "Bob"}})},
              {"unknown_extra_key", accept({{"foo", "bar"}})}}}};
        CHECK(
            text_of(h.result(request(1, "tools/call", call_params(tool, extra)))) == "Hello, Bob!"
        );

        auto wrong_key = h.result(request(
            2, "tools/call", call_params(tool, {{"inputResponses", {{"wrong_key", accept({})}}}})
        ));
        CHECK(wrong_key.at("resultType") == json::value("input_required"));
        CHECK(wrong_key.at("inputRequests").as_object().contains("user_name"));

        auto not_an_answer = h.result(request(
            3, "tools/call", call_params(tool, {{"inputResponses", {{"user_name", 12345}}}})
        ));
        CHECK(not_an_answer.at("resultType") == json::value("input_required"));

        auto null_responses =
            h.error(request(4, "tools/call", call_params(tool, {{"inputResponses", nullptr}})));
        CHECK(null_responses.at("code") == json::value(jsonrpc::kInvalidParams));
    }

    TEST_CASE("a tampered, misdirected or expired requestState is -32602") {
        FakeClock clock;
        EngineHarness h;
        h.services.clock = &clock;
        auto const tool = "test_input_required_result_tampered_state";
        auto first = h.result(request(1, "tools/call", call_params(tool)));
        std::string const state(first.at("requestState").as_string());
        auto retry = [&](std::string_view name, std::string s) {
            return call_params(
                name,
                {{"inputResponses", {{"confirm", accept({{"ok", true}})}}}, {"requestState", s}}
            );
        };
        CHECK(
            text_of(h.result(request(2, "tools/call", retry(tool, state)))) == "Confirmed (ok=true)"
        );

        auto tampered = h.error(request(3, "tools/call", retry(tool, state + "-TAMPERED")));
        CHECK(tampered.at("code") == json::value(jsonrpc::kInvalidParams));
        std::string flipped = state;
        flipped[2] = flipped[2] == 'A' ? 'B' : 'A';
        CHECK(
            h.error(request(4, "tools/call", retry(tool, flipped))).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        // Bound to the tool, its arguments and the principal.
        CHECK(
            h.error(
                 request(5, "tools/call", retry("test_input_required_result_request_state", state))
            )
                .at("code") == json::value(jsonrpc::kInvalidParams)
        );
        json::object other_args = retry(tool, state);
        other_args["arguments"] = json::object{{"x", 1}};
        CHECK(
            h.error(request(6, "tools/call", other_args)).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        h.actor.principal_id = "user-2";
        CHECK(
            h.error(request(7, "tools/call", retry(tool, state))).at("code") ==
            json::value(jsonrpc::kInvalidParams)
        );
        h.actor.principal_id = "user-1";

        clock.advance(std::chrono::minutes(11));
        auto expired = h.error(request(8, "tools/call", retry(tool, state)));
        CHECK(expired.at("code") == json::value(jsonrpc::kInvalidParams));
        CHECK(std::string(expired.at("message").as_string()).find("expired") != std::string::npos);
        CHECK(
            h.error(request(9, "tools/call", call_params(tool, {{"requestState", 7}}))
            ).at("code") == json::value(jsonrpc::kInvalidParams)
        );
    }

    TEST_CASE("multi-round calls carry earlier answers in a new requestState") {
        EngineHarness h;
        auto const tool = "test_input_required_result_multi_round";
        auto r1 = h.result(request(1, "tools/call", call_params(tool)));
        CHECK(r1.at("inputRequests").as_object().contains("step1"));
        auto r2 = h.result(request(
            2,
            "tools/call",
            call_params(
                tool,
                {{"inputResponses", {{"step1", accept({{"name", "Alice"}})}}},
                 {"requestState", r1.at("requestState")}}
            )
        ));
        CHECK(r2.at("resultType") == json::value("input_required"));
        CHECK(r2.at("inputRequests").as_object().contains("step2"));
        CHECK_FALSE(r2.at("inputRequests").as_object().contains("step1"));
        CHECK(r2.at("requestState") != r1.at("requestState"));
        // Round 3 sends only step2: step1 comes back from the signed state.
        auto r3 = h.result(request(
            3,
            "tools/call",
            call_params(
                tool,
                {{"inputResponses", {{"step2", accept({{"color", "blue"}})}}},
                 {"requestState", r2.at("requestState")}}
            )
        ));
        CHECK(r3.at("resultType") == json::value("complete"));
        CHECK(text_of(r3) == "Alice likes blue");
    }

    TEST_CASE("several inputs are asked in one round; state-ok only after a verified state") {
        EngineHarness h;
        auto multi = h.result(
            request(1, "tools/call", call_params("test_input_required_result_multiple_inputs"))
        );
        auto const& asked = multi.at("inputRequests").as_object();
        CHECK(asked.size() == 3);
        CHECK(asked.at("greeting").at("method") == json::value("sampling/createMessage"));

        auto const tool = "test_input_required_result_request_state";
        auto first = h.result(request(2, "tools/call", call_params(tool)));
        json::object answers{{"confirm", accept({{"ok", true}})}};
        auto with_state = h.result(request(
            3,
            "tools/call",
            call_params(
                tool, {{"inputResponses", answers}, {"requestState", first.at("requestState")}}
            )
        ));
        CHECK(text_of(with_state).find("state-ok") != std::string::npos);
        auto without =
            h.result(request(4, "tools/call", call_params(tool, {{"inputResponses", answers}})));
        CHECK(text_of(without).find("state-ok") == std::string::npos);
    }

    TEST_CASE("only declared capabilities are asked for; none at all is -32021") {
        EngineHarness h;
        json::object sampling_only{{"sampling", json::object{}}};
        auto r = h.result(request(
            1,
            "tools/call",
            call_params("test_input_required_result_capabilities", {}, sampling_only)
        ));
        CHECK(r.at("resultType") == json::value("input_required"));
        for (auto const& [key, asked] : r.at("inputRequests").as_object()) {
            CHECK(asked.at("method") == json::value("sampling/createMessage"));
        }
        auto reply = h.send_http(
            request(
                2,
                "tools/call",
                call_params("test_input_required_result_elicitation", {}, sampling_only)
            ),
            call_headers("test_input_required_result_elicitation")
        );
        CHECK(code_of(reply) == jsonrpc::kMissingRequiredClientCapability);
        CHECK(reply.http_status == 400);
        CHECK(reply.response->at("error")
                  .at("data")
                  .at("requiredCapabilities")
                  .at("elicitation")
                  .is_object());
    }

    TEST_CASE("prompts/get asks for input the same way; lists never do") {
        EngineHarness h;
        json::object p = call_params("test_input_required_result_prompt");
        p.erase("arguments");
        auto first = h.result(request(1, "prompts/get", p));
        CHECK(first.at("resultType") == json::value("input_required"));
        CHECK(first.at("inputRequests").as_object().contains("user_context"));
        p["inputResponses"] = json::object{{"user_context", accept({{"context", "test context"}})}};
        p["requestState"] = first.at("requestState");
        auto done = h.result(request(2, "prompts/get", p));
        CHECK(done.at("resultType") == json::value("complete"));
        CHECK(
            done.at("messages").at(0).at("content").at("text") ==
            json::value("Context: test context")
        );
        auto list = h.result(request(3, "tools/list", modern()));
        CHECK(list.at("resultType") == json::value("complete"));
    }

    TEST_CASE("in the handshake era the same fixture asks with a server-to-client request") {
        EngineHarness h;
        h.initialize("2025-11-25", all_capabilities());
        mcp::Reply reply;
        std::thread call([&] {
            reply = h.send(
                request(1, "tools/call", {{"name", "test_input_required_result_elicitation"}})
            );
        });
        auto sent = h.out.wait_for("elicitation/create");
        CHECK(sent.at("params").at("message") == json::value("What is your name?"));
        h.send(json::object{
            {"jsonrpc", "2.0"}, {"id", sent.at("id")}, {"result", accept({{"name", "Carol"}})}});
        call.join();
        REQUIRE(reply.response);
        auto const& result = reply.response->at("result").as_object();
        CHECK(text_of(result) == "Hello, Carol!");
        CHECK_FALSE(result.contains("resultType"));
    }

    TEST_CASE("x-mcp-header arguments must agree with their Mcp-Param headers") {
        EngineHarness h;
        auto const tool = "test_custom_headers";
        auto send = [&](json::object args,
                        std::vector<std::pair<std::string, std::string>> params) {
            json::object p = modern({{"name", tool}, {"arguments", std::move(args)}});
            mcp::HttpHeaders headers = call_headers(tool);
            headers.params = std::move(params);
            return h.send_http(request(1, "tools/call", p), headers);
        };
        CHECK(send({{"region", "Hello"}}, {{"Region", "Hello"}}).http_status == 200);
        CHECK(send({{"region", "Hello"}}, {{"region", "=?base64?SGVsbG8=?="}}).http_status == 200);
        CHECK(send({{"region", "SGVsbG8="}}, {{"Region", "SGVsbG8="}}).http_status == 200);
        CHECK(
            send(
                {{"region", "=?base64?SGVsbG8="}}, {{"Region", "=?base64?SGVsbG8="}}
            ).http_status == 200
        );
        CHECK(
            send(
                {{"priority", 42}, {"verbose", false}}, {{"Priority", "42"}, {"Verbose", "false"}}
            ).http_status == 200
        );
        CHECK(send(json::object{}, {}).http_status == 200);

        for (auto const& bad : {"=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "Bye"}) {
            INFO(bad);
            auto reply = send({{"region", "Hello"}}, {{"Region", bad}});
            CHECK(reply.http_status == 400);
            CHECK(code_of(reply) == jsonrpc::kHeaderMismatch);
        }
        CHECK(code_of(send({{"region", "test-value"}}, {})) == jsonrpc::kHeaderMismatch);
        CHECK(code_of(send(json::object{}, {{"Region", "x"}})) == jsonrpc::kHeaderMismatch);
        CHECK(
            code_of(send({{"verbose", true}}, {{"Verbose", "True"}})) == jsonrpc::kHeaderMismatch
        );
        // stdio carries no headers: nothing to compare.
        json::object p = modern({{"name", tool}, {"arguments", {{"region", "Hello"}}}});
        CHECK(h.result(request(2, "tools/call", p)).at("resultType") == json::value("complete"));
    }
}
