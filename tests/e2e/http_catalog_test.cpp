// The catalog through the real binary over HTTP: MCP Streamable HTTP with a
// session, and the REST façade with and without the X-MCP bridge header, on
// both back ends.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

httplib::Headers mcp_headers(std::string const& key, std::string const& session = {}) {
    httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) {
        h.emplace("Mcp-Session-Id", session);
        h.emplace("MCP-Protocol-Version", "2025-11-25");
    }
    return bearer(key, h);
}

}  // namespace

TEST_SUITE("e2e/http") {
    TEST_CASE_TEMPLATE(
        "an agent uses MCP over HTTP and REST callers see the same grants",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());

        CHECK(http.send("GET", "/healthz", "", {}).status == 200);

        auto init = http.send(
            "POST",
            "/mcp",
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})",
            mcp_headers(d.api_key)
        );
        REQUIRE(init.status == 200);
        auto session = init.header("Mcp-Session-Id");
        REQUIRE_FALSE(session.empty());
        CHECK(init.json().at("result").at("protocolVersion") == "2025-06-18");
        CHECK(
            http.send(
                    "POST",
                    "/mcp",
                    R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                    mcp_headers(d.api_key, session)
            )
                .status == 202
        );

        auto created = http.send(
            "POST",
            "/mcp",
            R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"catalog_rows_create","arguments":{"slug":"vpn","display_name":"VPN","category":"network"}}})",
            mcp_headers(d.api_key, session)
        );
        REQUIRE(created.status == 200);
        CHECK(created.json().at("result").at("isError") == false);

        // REST: create through the bridge (X-MCP: 1) and plainly (X-MCP: false).
        auto via_bridge = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"},
             {"email", "ada@example.com"},
             {"action", "assign"},
             {"note", "day 0"}},
            bearer(d.api_key, {{"X-MCP", " TRUE "}})
        );
        REQUIRE_MESSAGE(via_bridge.status == 200, via_bridge.body);
        CHECK(via_bridge.json().at("state") == "approved");
        CHECK(via_bridge.json().at("categoryDisplay") == "🔑 Access Credentials");

        auto plain = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"}, {"email", "bob@example.com"}, {"action", "assign"}},
            bearer(d.api_key, {{"X-MCP", "false"}})
        );
        REQUIRE_MESSAGE(plain.status == 200, plain.body);

        auto listed = http.send(
            "GET",
            "/api/v1/catalog/approvals?catalog_slug=vpn&state=approved",
            "",
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        CHECK(listed.json().at("items").as_array().size() == 2);

        auto via =
            db_query(d, "SELECT email_lower, via_mcp FROM catalog_approvals ORDER BY email_lower");
        REQUIRE(via.size() == 2);
        CHECK(via[0].integer(1) == 1);  // ada: X-MCP bridge
        CHECK(via[1].integer(1) == 0);  // bob: plain REST

        // The last write decides the provenance: a plain REST revoke clears ada's flag.
        auto revoked = http.rest(
            "DELETE",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"}, {"email", "ada@example.com"}, {"reason", "off-boarded"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(revoked.status == 200, revoked.body);
        CHECK(revoked.json().at("state") == "revoked");

        CHECK(
            db_query(
                d, "SELECT via_mcp FROM catalog_approvals WHERE email_lower = 'ada@example.com'"
            )[0]
                .integer(0) == 0
        );

        auto row = http.send("GET", "/api/v1/catalog/rows/vpn", "", bearer(d.api_key));
        CHECK(row.json().at("category") == "network");

        auto channels = db_query(d, "SELECT channel FROM audit_log ORDER BY created_at, id");
        std::vector<std::string> seen;
        for (auto const& r : channels) {
            seen.push_back(r.text(0));
        }
        CHECK(seen == std::vector<std::string>{"mcp-http", "rest+x-mcp", "rest", "rest"});
    }

    TEST_CASE("the stateless 2026-07-28 era is served on the same endpoint without a session") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto h = mcp_headers(d.api_key);
        h.emplace("MCP-Protocol-Version", "2026-07-28");
        h.emplace("Mcp-Method", "server/discover");
        auto r = http.send(
            "POST",
            "/mcp",
            R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
            h
        );
        REQUIRE_MESSAGE(r.status == 200, r.body);
        auto const body = r.json();
        CHECK(body.at("result").at("resultType") == "complete");
        bool has_modern = false;
        for (auto const& v : body.at("result").at("supportedVersions").as_array()) {
            has_modern = has_modern || v == "2026-07-28";
        }
        CHECK(has_modern);
    }
}
