// An agent drives the catalog through the real binary over MCP stdio, on both
// back ends: handshake, tool discovery, idempotent assign, revoke and re-assign,
// and the provenance written to the database.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

json::object structured(json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == false, json::serialize(result));
    return result.at("structuredContent").as_object();
}

}  // namespace

TEST_SUITE("e2e/stdio") {
    TEST_CASE_TEMPLATE(
        "an agent assigns, revokes and re-assigns a grant over stdio",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        StdioClient c(d);

        auto init = c.initialize();
        CHECK(init.at("result").at("protocolVersion") == "2025-11-25");
        CHECK(init.at("result").at("serverInfo").at("name") == "signoff");

        auto tools = c.request("tools/list");
        bool found_assign = false;
        for (auto const& t : tools.at("result").at("tools").as_array()) {
            if (t.at("name") == "catalog_assign") {
                found_assign = true;
                CHECK(t.at("inputSchema").at("type") == "object");
                CHECK(t.at("outputSchema").at("type") == "object");
                CHECK(t.at("annotations").at("idempotentHint") == true);
            }
        }
        CHECK(found_assign);

        auto row = structured(c.call(
            "catalog_rows_create",
            {{"slug", "openai-team"},
             {"display_name", "OpenAI team seat"},
             {"category", "llm-backend"}}
        ));
        CHECK(row.at("categoryDisplay") == "🤖 Paid AI Subscriptions");

        json::object assign{
            {"catalog_slug", "openai-team"},
            {"email", "New.Hire@Example.com"},
            {"note", "Onboarding kit"}};
        auto first = structured(c.call("catalog_assign", assign));
        auto second = structured(c.call("catalog_assign", assign));
        CHECK(first.at("state") == "approved");
        CHECK(first.at("id") == second.at("id"));

        auto revoked = structured(c.call(
            "catalog_revoke",
            {{"catalog_slug", "openai-team"},
             {"email", "new.hire@example.com"},
             {"reason", "off-boarded"}}
        ));
        CHECK(revoked.at("state") == "revoked");
        CHECK(revoked.at("reason") == "off-boarded");
        auto again = structured(c.call("catalog_assign", assign));
        CHECK(again.at("id") == first.at("id"));
        CHECK(again.at("state") == "approved");

        auto list = structured(c.call("catalog_approvals_list", {{"catalog_slug", "openai-team"}}));
        CHECK(list.at("items").as_array().size() == 1);

        // Provenance: rows written by an agent over stdio carry via_mcp and the channel.
        auto rows = db_query(d, "SELECT via_mcp FROM catalog_approvals");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].integer(0) == 1);
        auto channels = db_query(d, "SELECT DISTINCT channel FROM audit_log");
        REQUIRE(channels.size() == 1);
        CHECK(channels[0].text(0) == "mcp-stdio");
        CHECK(db_count(d, "outbox") == 3);  // approved, revoked, approved again
    }

    TEST_CASE("a tool refusal is a tool result, an unknown tool is a protocol error") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        StdioClient c(d);
        c.initialize();

        auto bad = c.call(
            "catalog_assign",
            {{"catalog_slug", "Not A Slug"}, {"email", "a@b.example"}, {"bogus", 1}}
        );
        CHECK(bad.at("isError") == true);
        CHECK(bad.at("structuredContent").at("code") == "invalid_argument");
        CHECK(bad.at("structuredContent").at("details").as_array().size() >= 1);

        auto missing =
            c.call("catalog_assign", {{"catalog_slug", "no-such-row"}, {"email", "a@b.example"}});
        CHECK(missing.at("isError") == true);
        CHECK(missing.at("structuredContent").at("code") == "not_found");

        auto unknown =
            c.request("tools/call", {{"name", "no_such_tool"}, {"arguments", json::object{}}});
        CHECK(unknown.at("error").at("code") == -32602);

        CHECK(db_count(d, "catalog_approvals") == 0);
        CHECK(db_count(d, "audit_log") == 0);
    }

    TEST_CASE("a malformed line gets a parse error and the session goes on; EOF ends the process") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        StdioClient c(d);
        c.send_raw("{not json");
        auto err = c.read_message();
        CHECK(err.at("error").at("code") == -32700);
        CHECK(err.at("id").is_null());
        auto pong = c.request("ping");
        CHECK(pong.contains("result"));
        c.child().close_stdin();
        CHECK(c.child().wait() == 0);
    }

    TEST_CASE("stdio refuses to start without a valid API key") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        auto [code, out] = signoff::testing::run_command(
            {signoff::testing::signoff_binary(), "stdio", "--db", d.db_url},
            {{"SIGNOFF_API_KEY", "sk-signoff-wrong"}}
        );
        CHECK(code == 2);
        CHECK(out.empty());  // nothing on stdout: it carries protocol messages only
    }
}
