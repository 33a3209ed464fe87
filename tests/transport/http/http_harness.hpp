// Test harness for the HTTP server: a sealed registry of small test tools
// (schemas in schemas/testing/http_*.json), a fake Authenticator, the real
// engine, and an HttpServer on an ephemeral loopback port served by its own
// thread. Plus helpers: httplib clients, MCP POSTs, SSE parsing, and a raw
// socket client for malformed or streamed HTTP.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <httplib.h>

#include "tools/registry/registry.hpp"
#include "transport/http/http_server.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::testing {

namespace json = boost::json;
using server::core::Actor;
using server::core::Channel;
using server::core::Error;
using server::core::Result;

/// What the blocking test tool saw, so tests can wait on it without sleeping.
struct BlockProbe {
    std::mutex mu;
    std::condition_variable cv;
    int entered{0};
    int cancelled{0};

    void mark(int BlockProbe::*field) {
        std::lock_guard lock(mu);
        ++(this->*field);
        cv.notify_all();
    }
    bool wait(int BlockProbe::*field, int at_least) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(10), [&] {
            return this->*field >= at_least;
        });
    }
};

inline tools::registry::ToolSpec test_tool(
    std::string name,
    std::string const& input,
    std::string const& output,
    std::vector<tools::registry::RestRoute> routes,
    tools::registry::Handler handler
) {
    tools::registry::ToolSpec t;
    t.name = std::move(name);
    t.title = t.name;
    t.description = "transport/http test tool";
    t.input_schema = "testing/" + input;
    t.output_schema = "testing/" + output;
    t.routes = std::move(routes);
    t.handler = std::move(handler);
    return t;
}

inline void register_http_test_tools(tools::registry::Registry& r, BlockProbe& probe) {
    using tools::registry::RestRoute;
    using tools::registry::ToolContext;
    r.add_tool(test_tool(
        "http_echo",
        "http_echo.input",
        "http_echo.output",
        {RestRoute{"POST", "/api/test/echo", {}, {}, 201}, RestRoute{"GET", "/api/test/echo"}},
        [](ToolContext& ctx, json::object const& args) -> Result<json::value> {
            return json::object{
                {"channel", server::core::channel_name(ctx.actor.channel)},
                {"principal", ctx.actor.principal_id},
                {"args", args},
            };
        }
    ));
    r.add_tool(test_tool(
        "http_item_get",
        "http_item.input",
        "http_item.output",
        {RestRoute{"GET", "/api/test/items/{id}"}, RestRoute{"PATCH", "/api/test/items/{id}"}},
        [](ToolContext&, json::object const& args) -> Result<json::value> {
            if (args.at("id") == json::value("missing")) {
                return Error::not_found("item missing does not exist");
            }
            json::object out{{"id", args.at("id")}};
            if (auto const* note = args.if_contains("note")) {
                out["note"] = *note;
            }
            return out;
        }
    ));
    r.add_tool(test_tool(
        "http_item_delete",
        "http_item.input",
        "http_item.output",
        {RestRoute{"DELETE", "/api/test/items/{id}", {}, {}, 204}},
        [](ToolContext&, json::object const& args) -> Result<json::value> {
            return json::object{{"id", args.at("id")}, {"deleted", true}};
        }
    ));
    r.add_tool(test_tool(
        "http_shape_circle",
        "http_circle.input",
        "http_shape.output",
        {RestRoute{"POST", "/api/test/shapes", "kind", "circle", 201}},
        [](ToolContext&, json::object const& args) -> Result<json::value> {
            double const radius = args.at("radius").to_number<double>();
            return json::object{{"kind", "circle"}, {"area", 3.0 * radius * radius}};
        }
    ));
    r.add_tool(test_tool(
        "http_shape_square",
        "http_square.input",
        "http_shape.output",
        {RestRoute{"POST", "/api/test/shapes", "kind", "square", 201}},
        [](ToolContext&, json::object const& args) -> Result<json::value> {
            double const side = args.at("side").to_number<double>();
            return json::object{{"kind", "square"}, {"area", side * side}};
        }
    ));
    r.add_tool(test_tool(
        "http_progress",
        "http_steps.input",
        "http_steps.output",
        {},
        [](ToolContext& ctx, json::object const& args) -> Result<json::value> {
            auto const steps = args.contains("steps") ? args.at("steps").to_number<int>() : 3;
            for (int i = 1; i <= steps; ++i) {
                if (ctx.progress) {
                    ctx.progress(i, steps, "step " + std::to_string(i));
                }
            }
            return json::object{{"steps", steps}};
        }
    ));
    r.add_tool(test_tool(
        "http_block",
        "http_steps.input",
        "http_steps.output",
        {},
        [&probe](ToolContext& ctx, json::object const&) -> Result<json::value> {
            probe.mark(&BlockProbe::entered);
            auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!ctx.is_cancelled() && std::chrono::steady_clock::now() < until) {
                std::this_thread::yield();
            }
            if (ctx.is_cancelled()) {
                probe.mark(&BlockProbe::cancelled);
            }
            return json::object{{"cancelled", ctx.is_cancelled()}};
        }
    ));
    r.add_tool(test_tool(
        "http_ask",
        "http_steps.input",
        "http_steps.output",
        {},
        [](ToolContext& ctx, json::object const&) -> Result<json::value> {
            if (!ctx.client_request) {
                return Error::failed_precondition("no channel back to the client");
            }
            json::object params{
                {"message", "Which colour?"},
                {"requestedSchema",
                 {{"type", "object"}, {"properties", {{"colour", {{"type", "string"}}}}}}},
            };
            auto answer = ctx.client_request("elicitation/create", params);
            if (!answer) {
                return answer.error();
            }
            return json::object{{"answer", *answer}};
        }
    ));
}

/// API keys the fake Authenticator knows.
inline Result<Actor> fake_authenticate(
    transport::http::Presented const& presented, Channel channel
) {
    std::string_view const key = presented.token;
    Actor a;
    a.org_id = "org-1";
    a.channel = channel;
    if (key == "key-alice") {
        a.principal_id = "alice";
    } else if (key == "key-bob") {
        a.principal_id = "bob";
    } else if (key == "key-down") {
        return Error::unavailable("identity store is down");
    } else {
        return Error::unauthenticated("unknown API key");
    }
    return a;
}

class HttpHarness {
public:
    explicit HttpHarness(transport::http::HttpOptions opts = {}) {
        register_http_test_tools(registry, probe);
        auto sealed = registry.seal();
        REQUIRE_MESSAGE(sealed.has_value(), (sealed ? "" : sealed.error().message));
        engine = std::make_unique<transport::mcp::Engine>(
            registry, services, transport::mcp::EngineOptions{}
        );
        opts.host = "127.0.0.1";
        opts.port = 0;
        server = std::make_unique<transport::http::HttpServer>(
            *engine, registry, services, fake_authenticate, opts
        );
        auto started = server->start();
        REQUIRE_MESSAGE(started.has_value(), (started ? "" : started.error().message));
        port = server->port();
        REQUIRE(port != 0);
        thread = std::thread([this] { server->run(); });
    }
    ~HttpHarness() { shutdown(); }
    HttpHarness(HttpHarness const&) = delete;
    HttpHarness& operator=(HttpHarness const&) = delete;

    void shutdown() {
        if (thread.joinable()) {
            server->stop();
            thread.join();
        }
    }

    std::unique_ptr<httplib::Client> client() const {
        auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
        c->set_read_timeout(std::chrono::seconds(15));
        c->set_connection_timeout(std::chrono::seconds(5));
        return c;
    }

    BlockProbe probe;
    tools::registry::Registry registry;
    tools::registry::Services services;
    std::unique_ptr<transport::mcp::Engine> engine;
    std::unique_ptr<transport::http::HttpServer> server;
    unsigned short port{0};
    std::thread thread;
};

// ------------------------------------------------------------ MCP helpers

inline httplib::Headers mcp_headers(std::string const& key = "key-alice") {
    return {
        {"Authorization", "Bearer " + key},
        {"Accept", "application/json, text/event-stream"},
    };
}

inline json::value rpc(json::value id, std::string_view method, json::object params = {}) {
    return json::object{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

inline json::value rpc_note(std::string_view method, json::object params = {}) {
    return json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

inline json::object modern_meta() {
    return json::object{
        {"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
        {"io.modelcontextprotocol/clientCapabilities", json::object{}},
        {"io.modelcontextprotocol/clientInfo", {{"name", "http-test"}, {"version", "1"}}},
    };
}

inline httplib::Result post_mcp(
    httplib::Client& c, json::value const& body, httplib::Headers const& headers = mcp_headers()
) {
    return c.Post("/mcp", headers, json::serialize(body), "application/json");
}

/// Initializes a session and acknowledges it; returns the Mcp-Session-Id.
inline std::string open_session(
    httplib::Client& c, std::string const& key = "key-alice", json::object caps = {}
) {
    json::object params{
        {"protocolVersion", "2025-06-18"},
        {"capabilities", std::move(caps)},
        {"clientInfo", {{"name", "http-test"}, {"version", "1"}}},
    };
    auto res = post_mcp(c, rpc(1, "initialize", std::move(params)), mcp_headers(key));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto id = res->get_header_value("Mcp-Session-Id");
    REQUIRE_FALSE(id.empty());
    auto headers = mcp_headers(key);
    headers.emplace("Mcp-Session-Id", id);
    headers.emplace("MCP-Protocol-Version", "2025-06-18");
    auto ack = post_mcp(c, rpc_note("notifications/initialized"), headers);
    REQUIRE(ack);
    REQUIRE(ack->status == 202);
    return id;
}

inline httplib::Headers session_headers(
    std::string const& id, std::string const& key = "key-alice"
) {
    auto h = mcp_headers(key);
    h.emplace("Mcp-Session-Id", id);
    h.emplace("MCP-Protocol-Version", "2025-06-18");
    return h;
}

/// The `data:` payloads of an SSE body, in order.
inline std::vector<json::value> sse_messages(std::string const& body) {
    std::vector<json::value> out;
    std::size_t pos = 0;
    while ((pos = body.find("data: ", pos)) != std::string::npos) {
        auto const end = body.find('\n', pos);
        out.push_back(json::parse(body.substr(pos + 6, end - pos - 6)));
        pos = end;
    }
    return out;
}

// ------------------------------------------------------------ raw sockets

/// A blocking loopback socket with a 10 s receive timeout, for bytes httplib
/// will not send and for reading a stream as it arrives.
class RawClient {
public:
    explicit RawClient(unsigned short port) : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        timeval tv{10, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void send(std::string const& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }
    /// Reads until `needle` has arrived (or EOF / timeout); returns all bytes read so far.
    std::string read_until(std::string_view needle) {
        while (received_.find(needle) == std::string::npos && read_some()) {
        }
        return received_;
    }
    /// Reads until the peer closes (or the timeout).
    std::string read_all() {
        while (read_some()) {
        }
        return received_;
    }
    bool closed() const { return eof_; }

private:
    bool read_some() {
        std::array<char, 4096> buf{};
        boost::system::error_code ec;
        auto n = socket_.read_some(boost::asio::buffer(buf), ec);
        if (ec) {
            eof_ = ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
            return false;
        }
        received_.append(buf.data(), n);
        return true;
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    std::string received_;
    bool eof_{false};
};

}  // namespace signoff::testing
