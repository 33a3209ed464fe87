// The HTTP server as a whole: health, binding, Origin/Host refusal, malformed
// HTTP, size limits, idle timeout, concurrency and graceful stop.
#include "transport/http/http_server.hpp"

#include <future>

#include <doctest/doctest.h>

#include "tests/transport/http/http_harness.hpp"

using namespace signoff::testing;
using signoff::transport::http::HttpOptions;
namespace tools = signoff::tools;
namespace transport = signoff::transport;
namespace server = signoff::server;

namespace {

bool mcp_echo_ok(httplib::Client& c, std::string const& sid, int id, int count) {
    json::object args{{"count", count}};
    auto res = post_mcp(
        c, rpc(id, "tools/call", {{"name", "http_echo"}, {"arguments", args}}), session_headers(sid)
    );
    if (!res || res->status != 200) {
        MESSAGE("mcp failed: " << (res ? res->body : httplib::to_string(res.error())));
        return false;
    }
    auto const body = json::parse(res->body);
    return body.at("result").at("structuredContent").at("args").at("count") == json::value(count);
}

bool rest_echo_ok(httplib::Client& c, int count) {
    auto res = c.Get("/api/test/echo?count=" + std::to_string(count), {{"X-Api-Key", "key-bob"}});
    if (!res || res->status != 200) {
        MESSAGE("rest failed: " << (res ? res->body : httplib::to_string(res.error())));
        return false;
    }
    return json::parse(res->body).at("args").at("count") == json::value(count);
}

}  // namespace

TEST_SUITE("transport/http/server") {
    TEST_CASE("GET /healthz answers ok without credentials") {
        HttpHarness h;
        auto c = h.client();
        auto res = c->Get("/healthz");
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Content-Type") == "application/json");
        CHECK(json::parse(res->body) == json::parse(R"({"status":"ok"})"));
        auto post = c->Post("/healthz", "", "application/json");
        REQUIRE(post);
        CHECK(post->status == 405);
        CHECK(post->get_header_value("Allow") == "GET");
    }

    TEST_CASE("start fails clearly when the port is taken") {
        HttpHarness h;
        tools::registry::Registry registry;
        tools::registry::Services services;
        transport::mcp::Engine engine(registry, services, {});
        HttpOptions opts;
        opts.port = h.port;
        transport::http::HttpServer second(engine, registry, services, fake_authenticate, opts);
        auto st = second.start();
        REQUIRE_FALSE(st.has_value());
        CHECK(st.error().kind == server::core::ErrorKind::kUnavailable);
        CHECK(st.error().message.find(std::to_string(h.port)) != std::string::npos);
    }

    TEST_CASE("a foreign Origin or Host is refused with 403 on /mcp and REST") {
        HttpHarness h;
        auto c = h.client();
        SUBCASE("Origin on /mcp") {
            auto headers = mcp_headers();
            headers.emplace("Origin", "http://evil.example.com");
            auto res = post_mcp(*c, rpc(1, "ping"), headers);
            REQUIRE(res);
            CHECK(res->status == 403);
            CHECK(json::parse(res->body).at("error").at("code").is_int64());
        }
        SUBCASE("Host on /mcp") {
            auto headers = mcp_headers();
            headers.emplace("Host", "evil.example.com:" + std::to_string(h.port));
            auto res = post_mcp(*c, rpc(1, "ping"), headers);
            REQUIRE(res);
            CHECK(res->status == 403);
        }
        SUBCASE("Origin on REST") {
            auto res = c->Get(
                "/api/test/echo",
                {{"X-Api-Key", "key-alice"}, {"Origin", "http://evil.example.com"}}
            );
            REQUIRE(res);
            CHECK(res->status == 403);
            CHECK(json::parse(res->body).at("code") == json::value("permission_denied"));
        }
        SUBCASE("a loopback Origin and Host pass") {
            auto headers = mcp_headers();
            headers.emplace("Origin", "http://localhost:6274");
            headers.emplace("Host", "localhost:" + std::to_string(h.port));
            auto res = post_mcp(*c, rpc(1, "server/discover", {{"_meta", modern_meta()}}), headers);
            REQUIRE(res);
            CHECK(res->status != 403);
        }
    }

    TEST_CASE("an allowed_origins entry is accepted") {
        HttpOptions opts;
        opts.allowed_origins = {"https://app.example.com"};
        HttpHarness h(opts);
        auto c = h.client();
        auto res = c->Get(
            "/api/test/echo", {{"X-Api-Key", "key-alice"}, {"Origin", "https://app.example.com"}}
        );
        REQUIRE(res);
        CHECK(res->status == 200);
    }

    TEST_CASE("malformed HTTP gets 400 and the server keeps serving") {
        HttpHarness h;
        {
            RawClient raw(h.port);
            raw.send("THIS IS NOT HTTP\r\n\r\n");
            auto const got = raw.read_all();
            CHECK(got.rfind("HTTP/1.1 400", 0) == 0);
        }
        {
            RawClient raw(h.port);
            raw.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n");
            CHECK(raw.read_all().rfind("HTTP/1.1 400", 0) == 0);
        }
        {
            RawClient raw(h.port);
            raw.send(
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(20000, 'a') +
                "\r\n\r\n"
            );
            CHECK(raw.read_all().rfind("HTTP/1.1 431", 0) == 0);
        }
        {
            RawClient raw(h.port);
            raw.send("GET /heal");  // then hang up mid-header
        }
        auto c = h.client();
        auto res = c->Get("/healthz");
        REQUIRE(res);
        CHECK(res->status == 200);
    }

    TEST_CASE("bodies over max_body_bytes get 413 with a JSON body") {
        HttpOptions opts;
        opts.max_body_bytes = 1024;
        HttpHarness h(opts);
        std::string const big = R"({"message":")" + std::string(2000, 'x') + R"("})";
        SUBCASE("declared Content-Length on /mcp") {
            RawClient raw(h.port);
            raw.send(
                "POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer key-alice\r\n"
                "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
                "Content-Length: " +
                std::to_string(big.size()) + "\r\n\r\n" + big
            );
            auto const got = raw.read_all();
            CHECK_MESSAGE(got.rfind("HTTP/1.1 413", 0) == 0, got);
            CHECK(got.find(R"("error")") != std::string::npos);
        }
        SUBCASE("chunked body on REST") {
            RawClient raw(h.port);
            std::ostringstream chunk;
            chunk << std::hex << big.size();
            raw.send(
                "POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: key-alice\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                chunk.str() + "\r\n" + big + "\r\n0\r\n\r\n"
            );
            auto const got = raw.read_all();
            CHECK(got.rfind("HTTP/1.1 413", 0) == 0);
            CHECK(got.find(R"("code":"resource_exhausted")") != std::string::npos);
        }
        SUBCASE("a body within the limit is served") {
            auto c = h.client();
            auto res = c->Post(
                "/api/test/echo", {{"X-Api-Key", "key-alice"}}, R"({"count":1})", "application/json"
            );
            REQUIRE(res);
            CHECK(res->status == 201);
        }
    }

    TEST_CASE("JSON nested deeper than max_json_depth is refused") {
        HttpOptions opts;
        opts.max_json_depth = 8;
        HttpHarness h(opts);
        auto c = h.client();
        std::string const deep = std::string(20, '[') + std::string(20, ']');
        auto res = c->Post("/mcp", mcp_headers(), deep, "application/json");
        REQUIRE(res);
        CHECK(res->status == 400);
        CHECK(json::parse(res->body).at("error").at("code") == json::value(-32700));
    }

    TEST_CASE("an idle connection is closed after read_timeout") {
        HttpOptions opts;
        opts.read_timeout = std::chrono::seconds(1);
        HttpHarness h(opts);
        RawClient raw(h.port);
        auto const started = std::chrono::steady_clock::now();
        CHECK(raw.read_all().empty());
        CHECK(raw.closed());
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(8));
    }

    TEST_CASE("keep-alive serves several requests on one connection") {
        HttpHarness h;
        RawClient raw(h.port);
        raw.send(
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        );
        auto const got = raw.read_all();
        auto const first = got.find("HTTP/1.1 200");
        REQUIRE(first != std::string::npos);
        CHECK(got.find("HTTP/1.1 200", first + 1) != std::string::npos);
    }

    TEST_CASE("concurrent clients are all served") {
        HttpHarness h;
        auto setup = h.client();
        std::string const sid = open_session(*setup);
        constexpr int kClients = 8;
        constexpr int kRequests = 20;
        std::vector<std::future<int>> done;
        done.reserve(kClients);
        for (int i = 0; i < kClients; ++i) {
            done.push_back(std::async(std::launch::async, [&h, &sid, i] {
                auto c = h.client();
                int ok = 0;
                for (int j = 0; j < kRequests; ++j) {
                    bool const served = (i + j) % 2 == 0 ? mcp_echo_ok(*c, sid, i * 1000 + j, j)
                                                         : rest_echo_ok(*c, j);
                    ok += served ? 1 : 0;
                }
                return ok;
            }));
        }
        for (auto& f : done) {
            CHECK(f.get() == kRequests);
        }
    }

    TEST_CASE("stop cancels in-flight session work, ends streams and returns") {
        HttpHarness h;
        auto c = h.client();
        std::string const sid = open_session(*c);
        auto call = std::async(std::launch::async, [&h, sid] {
            auto c2 = h.client();
            return post_mcp(
                *c2, rpc(7, "tools/call", {{"name", "http_block"}}), session_headers(sid)
            );
        });
        REQUIRE(h.probe.wait(&BlockProbe::entered, 1));
        h.shutdown();
        CHECK(h.probe.wait(&BlockProbe::cancelled, 1));
        REQUIRE(call.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        auto res = call.get();
        if (res) {
            CHECK(
                res->status == 200
            );  // answered before the socket closed: the tool saw the cancel
        }
        auto after = h.client()->Get("/healthz");
        CHECK_FALSE(after);  // the listener is closed
    }
}
