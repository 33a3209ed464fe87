// The /mcp Streamable HTTP endpoint: authentication, Accept / Content-Type,
// sessions (mint, require, bind, DELETE), 202 for notifications, JSON and SSE
// answers, server→client requests answered on a second POST, stateless era.
#include <future>

#include <doctest/doctest.h>

#include "tests/transport/http/http_harness.hpp"
#include "transport/http/mcp_endpoint.hpp"

using namespace signoff::testing;

namespace {

json::object call_params(std::string_view tool, json::object args = {}) {
    return {{"name", tool}, {"arguments", std::move(args)}};
}

}  // namespace

TEST_SUITE("transport/http/mcp") {
    TEST_CASE("missing credentials get 401 with WWW-Authenticate and a JSON-RPC error") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Post(
            "/mcp",
            {{"Accept", "application/json, text/event-stream"}},
            json::serialize(rpc(1, "ping")),
            "application/json"
        );
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK(res->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
        auto body = json::parse(res->body).as_object();
        CHECK(body.at("jsonrpc") == json::value("2.0"));
        CHECK(body.at("error").at("code").is_int64());
        CHECK_FALSE(body.contains("id"));
    }

    TEST_CASE("an unknown key gets 401; X-Api-Key works like Bearer") {
        HttpHarness h;
        auto c = h.client();
        auto bad = post_mcp(*c, rpc(1, "ping"), mcp_headers("key-nobody"));
        REQUIRE(bad);
        CHECK(bad->status == 401);
        httplib::Headers x{
            {"X-Api-Key", "key-alice"},
            {"Accept", "application/json, text/event-stream"},
            {"MCP-Protocol-Version", "2026-07-28"},
            {"Mcp-Method", "server/discover"},
        };
        auto ok = post_mcp(*c, rpc(1, "server/discover", {{"_meta", modern_meta()}}), x);
        REQUIRE(ok);
        CHECK_MESSAGE(ok->status == 200, ok->body);
    }

    TEST_CASE("an authenticator outage is 503, not 401") {
        HttpHarness h;
        auto c = h.client();
        auto res = post_mcp(*c, rpc(1, "ping"), mcp_headers("key-down"));
        REQUIRE(res);
        CHECK(res->status == 503);
    }

    TEST_CASE("Accept must list both JSON and SSE (406); Content-Type must be JSON (415)") {
        HttpHarness h;
        auto c = h.client();
        httplib::Headers json_only{
            {"Authorization", "Bearer key-alice"}, {"Accept", "application/json"}};
        auto r406 = post_mcp(*c, rpc(1, "ping"), json_only);
        REQUIRE(r406);
        CHECK(r406->status == 406);
        auto r415 = c->Post("/mcp", mcp_headers(), json::serialize(rpc(1, "ping")), "text/plain");
        REQUIRE(r415);
        CHECK(r415->status == 415);
    }

    TEST_CASE("malformed JSON is 400 with a parse error") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Post("/mcp", mcp_headers(), R"({"jsonrpc":"2.0",)", "application/json");
        REQUIRE(res);
        CHECK(res->status == 400);
        CHECK(json::parse(res->body).at("error").at("code") == json::value(-32700));
        auto batch = c->Post("/mcp", mcp_headers(), "[]", "application/json");
        REQUIRE(batch);
        CHECK(batch->status == 400);
        CHECK(json::parse(batch->body).at("error").at("code") == json::value(-32600));
    }

    TEST_CASE("initialize mints a session id; later requests need it") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        CHECK(sid.size() == 64);

        SUBCASE("with the id, tools/call answers JSON") {
            auto res = post_mcp(
                *c,
                rpc(2, "tools/call", call_params("http_echo", {{"message", "hi"}})),
                session_headers(sid)
            );
            REQUIRE(res);
            CHECK(res->status == 200);
            CHECK(res->get_header_value("Content-Type") == "application/json");
            auto body = json::parse(res->body);
            CHECK(body.at("id") == json::value(2));
            auto const& sc = body.at("result").at("structuredContent");
            CHECK(sc.at("channel") == json::value("mcp-http"));
            CHECK(sc.at("principal") == json::value("alice"));
            CHECK(sc.at("args").at("message") == json::value("hi"));
        }
        SUBCASE("without the id: 400") {
            auto res = post_mcp(*c, rpc(2, "tools/list"));
            REQUIRE(res);
            CHECK(res->status == 400);
        }
        SUBCASE("an unknown id: 404") {
            auto res = post_mcp(*c, rpc(2, "tools/list"), session_headers(std::string(64, 'f')));
            REQUIRE(res);
            CHECK(res->status == 404);
        }
        SUBCASE("another principal using the id: 404") {
            auto res = post_mcp(*c, rpc(2, "tools/list"), session_headers(sid, "key-bob"));
            REQUIRE(res);
            CHECK(res->status == 404);
        }
        SUBCASE("an unsupported MCP-Protocol-Version: 400") {
            auto headers = mcp_headers();
            headers.emplace("Mcp-Session-Id", sid);
            headers.emplace("MCP-Protocol-Version", "1999-01-01");
            auto res = post_mcp(*c, rpc(2, "tools/list"), headers);
            REQUIRE(res);
            CHECK(res->status == 400);
        }
        SUBCASE("DELETE ends it; then 404") {
            auto del = c->Delete("/mcp", session_headers(sid));
            REQUIRE(del);
            CHECK(del->status == 204);
            auto res = post_mcp(*c, rpc(3, "tools/list"), session_headers(sid));
            REQUIRE(res);
            CHECK(res->status == 404);
            auto again = c->Delete("/mcp", session_headers(sid));
            REQUIRE(again);
            CHECK(again->status == 404);
        }
    }

    TEST_CASE("DELETE without a session id is 400; GET is 405") {
        HttpHarness h;
        auto c = h.client();
        auto del = c->Delete("/mcp", mcp_headers());
        REQUIRE(del);
        CHECK(del->status == 400);
        auto get = c->Get(
            "/mcp", {{"Authorization", "Bearer key-alice"}, {"Accept", "text/event-stream"}}
        );
        REQUIRE(get);
        CHECK(get->status == 405);
        CHECK(get->get_header_value("Allow").find("POST") != std::string::npos);
    }

    TEST_CASE("a 2026-07-28 DELETE is 405") {
        HttpHarness h;
        auto c = h.client();
        auto headers = mcp_headers();
        headers.emplace("MCP-Protocol-Version", "2026-07-28");
        auto del = c->Delete("/mcp", headers);
        REQUIRE(del);
        CHECK(del->status == 405);
    }

    TEST_CASE("notifications get 202 with an empty body") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        auto res = post_mcp(*c, rpc_note("notifications/roots/list_changed"), session_headers(sid));
        REQUIRE(res);
        CHECK(res->status == 202);
        CHECK(res->body.empty());
    }

    TEST_CASE("a progress-emitting tool is answered as SSE: progress events, then the result") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        json::object params = call_params("http_progress", {{"steps", 3}});
        params["_meta"] = json::object{{"progressToken", "tok-1"}};
        auto res = post_mcp(*c, rpc(5, "tools/call", std::move(params)), session_headers(sid));
        REQUIRE_MESSAGE(res, httplib::to_string(res.error()));
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Content-Type") == "text/event-stream");
        CHECK(res->get_header_value("Cache-Control") == "no-cache");
        CHECK(res->get_header_value("X-Accel-Buffering") == "no");
        auto const messages = sse_messages(res->body);
        REQUIRE(messages.size() == 4);
        for (int i = 0; i < 3; ++i) {
            auto const& m = messages[static_cast<std::size_t>(i)];
            CHECK(m.at("method") == json::value("notifications/progress"));
            CHECK(m.at("params").at("progressToken") == json::value("tok-1"));
            CHECK(m.at("params").at("progress") == json::value(i + 1));
        }
        CHECK(messages[3].at("id") == json::value(5));
        CHECK(messages[3].at("result").at("structuredContent").at("steps") == json::value(3));

        // The connection stays usable after the stream ends (chunked, keep-alive).
        auto next = post_mcp(*c, rpc(6, "ping"), session_headers(sid));
        REQUIRE(next);
        CHECK(next->status == 200);
    }

    TEST_CASE("without a progress token the same tool answers plain JSON") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        auto res =
            post_mcp(*c, rpc(5, "tools/call", call_params("http_progress")), session_headers(sid));
        REQUIRE(res);
        CHECK(res->get_header_value("Content-Type") == "application/json");
    }

    TEST_CASE("a server→client request streams out and its answer arrives on another POST") {
        HttpHarness h;
        auto c = h.client();
        json::object caps{{"elicitation", json::object{}}};
        std::string const sid = open_session(*c, "key-alice", caps);

        RawClient raw(h.port);
        std::string const body = json::serialize(rpc(9, "tools/call", call_params("http_ask")));
        raw.send(
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer key-alice\r\n"
            "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
            "Mcp-Session-Id: " +
            sid +
            "\r\nMCP-Protocol-Version: 2025-06-18\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body
        );
        auto const first = raw.read_until("elicitation/create");
        REQUIRE(first.find("text/event-stream") != std::string::npos);
        auto const messages = sse_messages(first.substr(first.find("\r\n\r\n")));
        REQUIRE_FALSE(messages.empty());
        auto const& ask = messages.back();
        CHECK(ask.at("method") == json::value("elicitation/create"));

        json::value answer = json::object{
            {"jsonrpc", "2.0"},
            {"id", ask.at("id")},
            {"result", {{"action", "accept"}, {"content", {{"colour", "teal"}}}}},
        };
        auto posted = post_mcp(*c, answer, session_headers(sid));
        REQUIRE(posted);
        CHECK(posted->status == 202);

        auto const all = raw.read_until("\r\n0\r\n\r\n");
        auto const tail = sse_messages(all.substr(all.find("\r\n\r\n")));
        REQUIRE(tail.size() >= 2);
        CHECK(tail.back().at("id") == json::value(9));
        CHECK(
            tail.back()
                .at("result")
                .at("structuredContent")
                .at("answer")
                .at("content")
                .at("colour") == json::value("teal")
        );
    }

    TEST_CASE("DELETE cancels the session's in-flight requests") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        auto call = std::async(std::launch::async, [&h, sid] {
            auto c2 = h.client();
            return post_mcp(
                *c2, rpc(7, "tools/call", call_params("http_block")), session_headers(sid)
            );
        });
        REQUIRE(h.probe.wait(&BlockProbe::entered, 1));
        auto del = c->Delete("/mcp", session_headers(sid));
        REQUIRE(del);
        CHECK(del->status == 204);
        CHECK(h.probe.wait(&BlockProbe::cancelled, 1));
        REQUIRE(call.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    }

    TEST_CASE("stateless (2026-07-28) requests need no session and ignore a stale one") {
        HttpHarness h;
        auto c = h.client();
        json::object params = call_params("http_echo", {{"count", 4}});
        params["_meta"] = modern_meta();
        auto headers = mcp_headers();
        headers.emplace("MCP-Protocol-Version", "2026-07-28");
        headers.emplace("Mcp-Method", "tools/call");
        headers.emplace("Mcp-Name", "http_echo");
        headers.emplace("Mcp-Session-Id", "stale");
        auto res = post_mcp(*c, rpc(1, "tools/call", params), headers);
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Mcp-Session-Id").empty());
        CHECK(
            json::parse(res->body).at("result").at("structuredContent").at("args").at("count") ==
            json::value(4)
        );

        SUBCASE("a mirrored header that disagrees with the body is 400 / -32020") {
            auto bad = mcp_headers();
            bad.emplace("MCP-Protocol-Version", "2026-07-28");
            bad.emplace("Mcp-Method", "tools/call");
            bad.emplace("Mcp-Name", "other_tool");
            auto r = post_mcp(*c, rpc(2, "tools/call", params), bad);
            REQUIRE(r);
            CHECK(r->status == 400);
            CHECK(json::parse(r->body).at("error").at("code") == json::value(-32020));
        }
    }

    TEST_CASE("is_stateless_message mirrors the engine's era rule") {
        using signoff::transport::http::is_stateless_message;
        json::object const none;
        json::object const with_meta{{"_meta", modern_meta()}};
        json::object const progress_only{{"_meta", {{"progressToken", 1}}}};
        CHECK_FALSE(is_stateless_message("tools/list", none, std::nullopt));
        CHECK(is_stateless_message("tools/list", with_meta, std::nullopt));
        CHECK_FALSE(is_stateless_message("tools/list", progress_only, std::nullopt));
        CHECK(is_stateless_message("server/discover", none, std::nullopt));
        CHECK(is_stateless_message("tools/list", none, std::string("2026-07-28")));
        CHECK_FALSE(is_stateless_message("tools/list", none, std::string("2025-06-18")));
        CHECK_FALSE(is_stateless_message("initialize", with_meta, std::string("2026-07-28")));
    }
}
