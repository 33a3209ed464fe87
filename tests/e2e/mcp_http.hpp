// An MCP client over Streamable HTTP for end-to-end tests: the initialize
// handshake, then tools/call in the session; and the two ways a tool result
// is read (accepted, or refused with its structured error).
#pragma once

#include <cstdint>
#include <string>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/e2e/http_client.hpp"

namespace signoff::e2e {

/// One MCP session on a running server, authenticated by an API key.
class McpHttp {
public:
    McpHttp(HttpClient& http, std::string key) : http_(http), key_(std::move(key)) {
        headers_ = {{"Accept", "application/json, text/event-stream"}};
        auto init = post(
            R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})"
        );
        REQUIRE_MESSAGE(init.status == 200, init.body);
        auto const session = init.header("Mcp-Session-Id");
        REQUIRE_FALSE(session.empty());
        headers_.emplace("Mcp-Session-Id", session);
        headers_.emplace("MCP-Protocol-Version", "2025-11-25");
        auto note = post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        REQUIRE(note.status == 202);
    }

    /// tools/call; answers the CallToolResult.
    boost::json::object call(std::string const& tool, boost::json::object args) {
        boost::json::object msg{
            {"jsonrpc", "2.0"},
            {"id", ++id_},
            {"method", "tools/call"},
            {"params", {{"name", tool}, {"arguments", std::move(args)}}}};
        auto res = post(boost::json::serialize(msg));
        REQUIRE_MESSAGE(res.status == 200, res.body);
        auto v = res.json();
        bool const answered = v.is_object() && v.as_object().contains("result");
        REQUIRE_MESSAGE(answered, res.body);
        return v.at("result").as_object();
    }

    /// One raw message in the session (for answers that are not tool results).
    HttpReply send(std::string const& body) { return post(body); }

private:
    HttpReply post(std::string const& body) {
        return http_.send("POST", "/mcp", body, bearer(key_, headers_));
    }

    HttpClient& http_;
    std::string key_;
    httplib::Headers headers_;
    std::int64_t id_{0};
};

/// The structured content of an accepted tool result.
inline boost::json::object tool_ok(boost::json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == false, boost::json::serialize(result));
    return result.at("structuredContent").as_object();
}

/// The structured error of a refused tool result ({code, message, details}).
inline boost::json::object tool_refused(boost::json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == true, boost::json::serialize(result));
    return result.at("structuredContent").as_object();
}

}  // namespace signoff::e2e
