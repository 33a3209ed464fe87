// Test harness for the session engine: a sealed registry holding the
// conformance fixtures plus a few test tools (an echo over the registry probe
// schema, and a slow tool gated by the test), a recording Outbound, and
// helpers that build JSON-RPC messages for both eras.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tools/families/conformance.hpp"
#include "tools/registry/registry.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::testing {

namespace json = boost::json;

/// Records every message the engine sends outside replies.
class RecordingOutbound final : public transport::mcp::Outbound {
public:
    void send(json::object const& message) override {
        {
            std::lock_guard lock(mu_);
            messages_.push_back(message);
        }
        cv_.notify_all();
    }
    std::vector<json::object> messages() const {
        std::lock_guard lock(mu_);
        return messages_;
    }
    std::vector<json::object> with_method(std::string_view method) const {
        std::vector<json::object> out;
        for (auto const& m : messages()) {
            if (auto const* v = m.if_contains("method"); v != nullptr && v->as_string() == method) {
                out.push_back(m);
            }
        }
        return out;
    }
    /// Waits (bounded) until a message with `method` has been sent; returns it.
    json::object wait_for(std::string_view method) {
        std::unique_lock lock(mu_);
        json::object found;
        bool ok = cv_.wait_for(lock, std::chrono::seconds(10), [&] {
            for (auto const& m : messages_) {
                if (auto const* v = m.if_contains("method");
                    v != nullptr && v->as_string() == method) {
                    found = m;
                    return true;
                }
            }
            return false;
        });
        REQUIRE(ok);
        return found;
    }

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<json::object> messages_;
};

/// A gate the slow test tool waits on: the test sees it entered, then releases it.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool entered{false};
    bool released{false};

    void enter_and_wait() {
        std::unique_lock lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [this] { return released; });
    }
    void wait_entered() {
        std::unique_lock lock(mu);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [this] { return entered; }));
    }
    void release() {
        std::lock_guard lock(mu);
        released = true;
        cv.notify_all();
    }
};

inline json::object stateless_meta(std::string version = "2026-07-28") {
    return json::object{
        {"io.modelcontextprotocol/protocolVersion", std::move(version)},
        {"io.modelcontextprotocol/clientCapabilities", json::object{}},
        {"io.modelcontextprotocol/clientInfo", {{"name", "test"}, {"version", "1"}}}};
}

inline json::value request(json::value id, std::string_view method, json::object params = {}) {
    return json::object{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

inline json::value notification(std::string_view method, json::object params = {}) {
    return json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

/// params with the stateless `_meta` added.
inline json::object modern(json::object params = {}, std::string version = "2026-07-28") {
    params["_meta"] = stateless_meta(std::move(version));
    return params;
}

class EngineHarness {
public:
    explicit EngineHarness(transport::mcp::EngineOptions options = {}) {
        tools::families::register_conformance_fixtures(registry);
        registry.add_tool(echo_tool());
        registry.add_tool(slow_tool());
        auto sealed = registry.seal();
        REQUIRE_MESSAGE(sealed.has_value(), (sealed ? "" : sealed.error().message));
        options.client_request_timeout = std::chrono::seconds(10);
        engine = std::make_unique<transport::mcp::Engine>(registry, services, options);
        session = engine->new_session();
        actor.principal_id = "user-1";
        actor.channel = server::core::Channel::kMcpStdio;
    }

    transport::mcp::Reply send(json::value message) {
        return engine->handle({std::move(message), actor, session, &out, std::nullopt});
    }
    transport::mcp::Reply send_http(
        json::value message,
        transport::mcp::HttpHeaders headers,
        std::shared_ptr<transport::mcp::Session> s = nullptr
    ) {
        return engine->handle({std::move(message), actor, std::move(s), &out, std::move(headers)});
    }
    /// The result of a request that must succeed.
    json::object result(json::value message) {
        auto reply = send(std::move(message));
        REQUIRE(reply.response.has_value());
        REQUIRE_MESSAGE(reply.response->contains("result"), json::serialize(*reply.response));
        return reply.response->at("result").as_object();
    }
    /// The error of a request that must fail.
    json::object error(json::value message) {
        auto reply = send(std::move(message));
        REQUIRE(reply.response.has_value());
        REQUIRE_MESSAGE(reply.response->contains("error"), json::serialize(*reply.response));
        return reply.response->at("error").as_object();
    }
    void initialize(std::string version = "2025-11-25", json::object caps = {}) {
        json::object params{
            {"protocolVersion", std::move(version)},
            {"capabilities", std::move(caps)},
            {"clientInfo", {{"name", "test"}, {"version", "1"}}}};
        result(request(0, "initialize", std::move(params)));
        send(notification("notifications/initialized"));
    }

    tools::registry::Registry registry;
    tools::registry::Services services;
    std::unique_ptr<transport::mcp::Engine> engine;
    std::shared_ptr<transport::mcp::Session> session;
    RecordingOutbound out;
    server::core::Actor actor;
    std::shared_ptr<Gate> gate{std::make_shared<Gate>()};

private:
    static tools::registry::ToolSpec echo_tool() {
        tools::registry::ToolSpec t;
        t.name = "probe_echo";
        t.title = "Echo";
        t.description = "Echoes its arguments.";
        t.input_schema = "testing/registry_probe.input";
        t.output_schema = "testing/registry_probe.output";
        t.handler = [](tools::registry::ToolContext& ctx,
                       json::object const& args) -> server::core::Result<json::value> {
            return json::object{
                {"echo", args}, {"channel", server::core::channel_name(ctx.actor.channel)}};
        };
        return t;
    }
    tools::registry::ToolSpec slow_tool() {
        tools::registry::ToolSpec t;
        t.name = "test_slow";
        t.title = "Slow";
        t.description = "Blocks until the test releases it.";
        t.input_schema = "conformance/test_simple_text.input";
        t.output_schema = "conformance/call_tool_result.output";
        t.raw_call_result = true;
        std::shared_ptr<Gate> g = gate;
        t.handler = [g](tools::registry::ToolContext&,
                        json::object const&) -> server::core::Result<json::value> {
            g->enter_and_wait();
            return json::object{
                {"content", json::array{json::object{{"type", "text"}, {"text", "done"}}}}};
        };
        return t;
    }
};

}  // namespace signoff::testing
