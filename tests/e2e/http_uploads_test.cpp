// auths_export's uploads through the real binary, on both back ends: the export
// over REST, the file downloaded from GET /api/v5/uploads/{upload_id} (headers,
// exact CSV bytes, 401 / 404 for strangers) and read back as the MCP resource
// signoff://uploads/{upload_id} over Streamable HTTP and stdio. Auths are
// written with SQL (tests/storage/repos/auths_export_seed.hpp) so that the
// CSV holds exactly the awkward values under test.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/storage/repos/auths_export_seed.hpp"

using namespace signoff::e2e;
using signoff::testing::AuthSeeder;
using signoff::testing::PostgresBackend;
using signoff::testing::SeedAuth;
using signoff::testing::SqliteBackend;

namespace {

constexpr auto kTimes = "2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z\r\n";

/// Two auths with commas, quotes, newlines, non-ASCII and formula-like
/// values; answers the CSV the export must produce for them.
std::string seed_awkward_auths(Deployment const& d) {
    auto org_id = db_query(d, "SELECT id FROM orgs WHERE name = $1", {d.org}).at(0).text(0);
    auto db = signoff::storage::open_db(d.db_url);
    REQUIRE(db.has_value());
    SeedAuth a{
        "a1",
        "Okta, \"SSO\"",
        "line one\r\nline two",
        "=HYPERLINK(\"http://x\")",
        {"oidc", "+saml"},
        {"-okta"},
        {"@item", "\ttabbed"},
        {"Zürich", "Engineering"},
    };
    a.created_by = d.user_id;
    SeedAuth b{"a2", "认证 🔑", std::nullopt, std::nullopt, {}, {"plain"}};
    b.created_by = d.user_id;
    AuthSeeder(**db, org_id).add({a, b});
    return "id,name,description,flag,protocols,slugs,items,departments,group_id,version,"
           "created_by,created_at,updated_at\r\n"
           "a1,\"Okta, \"\"SSO\"\"\",\"line one\r\nline two\",\"'=HYPERLINK(\"\"http://x\"\")\","
           "oidc; +saml,'-okta,'@item; \ttabbed,Engineering; Zürich,,1," +
           d.user_id + "," + kTimes + "a2,认证 🔑,,,,plain,,,,1," + d.user_id + "," + kTimes;
}

/// A member of the deployment's org with an API key of their own.
std::string member_key(HttpClient& http, Deployment const& d, std::string const& email) {
    auto user = http.rest(
        "POST",
        "/api/v1/users",
        json::object{{"email", email}, {"orgRole", "member"}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(user.status == 201, user.body);
    auto id = std::string(user.json().at("id").as_string());
    auto key =
        http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(d.api_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return std::string(key.json().at("apiKey").as_string());
}

json::object read_resource_http(HttpClient& http, std::string const& key, std::string const& uri) {
    httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
    auto init = http.send(
        "POST",
        "/mcp",
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})",
        bearer(key, h)
    );
    REQUIRE(init.status == 200);
    h.emplace("Mcp-Session-Id", init.header("Mcp-Session-Id"));
    h.emplace("MCP-Protocol-Version", "2025-11-25");
    http.send(
        "POST", "/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", bearer(key, h)
    );
    json::object call{
        {"jsonrpc", "2.0"}, {"id", 2}, {"method", "resources/read"}, {"params", {{"uri", uri}}}};
    auto res = http.send("POST", "/mcp", json::serialize(call), bearer(key, h));
    REQUIRE_MESSAGE(res.status == 200, res.body);
    return res.json().as_object();
}

}  // namespace

TEST_SUITE("e2e/uploads") {
    TEST_CASE_TEMPLATE(
        "an export is downloaded over REST and read as an MCP resource, byte for byte",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        std::string const expected = seed_awkward_auths(d);
        ServerProcess server(d);
        HttpClient http(server.port());

        auto exported =
            http.rest("POST", "/api/v5/artifacts/auths/export", json::object{}, bearer(d.api_key));
        REQUIRE_MESSAGE(exported.status == 200, exported.body);
        auto const out = exported.json();
        CHECK(out.at("row_count") == 2);
        auto const upload_id = std::string(out.at("upload_id").as_string());
        auto const file_name = std::string(out.at("file_name").as_string());
        CHECK(file_name.starts_with("auths-"));
        CHECK(file_name.ends_with("Z.csv"));

        auto const path = "/api/v5/uploads/" + upload_id;
        auto file = http.send("GET", path, "", bearer(d.api_key));
        REQUIRE(file.status == 200);
        CHECK(file.header("Content-Type") == "text/csv; charset=utf-8");
        CHECK(file.header("Content-Disposition").starts_with("attachment; filename=\"" + file_name)
        );
        CHECK(file.header("Content-Length") == std::to_string(expected.size()));
        CHECK(file.body == expected);

        auto anonymous = http.send("GET", path, "", {});
        CHECK(anonymous.status == 401);
        auto const carol = member_key(http, d, "carol@acme.example");
        auto foreign = http.send("GET", path, "", bearer(carol));
        CHECK(foreign.status == 404);
        CHECK(foreign.json().at("code") == "not_found");
        CHECK(foreign.json().at("details") == json::array{});
        CHECK(http.send("GET", "/api/v5/uploads/nope", "", bearer(d.api_key)).status == 404);
        CHECK(http.send("DELETE", path, "", bearer(d.api_key)).status == 405);

        auto const uri = "signoff://uploads/" + upload_id;
        auto read = read_resource_http(http, d.api_key, uri);
        REQUIRE_MESSAGE(read.contains("result"), json::serialize(read));
        auto const& content = read.at("result").at("contents").at(0);
        CHECK(content.at("uri").as_string() == uri);
        CHECK(content.at("mimeType") == "text/csv");
        CHECK(content.at("text").as_string() == expected);
        auto refused = read_resource_http(http, carol, uri);
        CHECK(refused.contains("error"));

        StdioClient stdio(d);
        stdio.initialize();
        auto templates = stdio.request("resources/templates/list");
        bool listed = false;
        for (auto const& t : templates.at("result").at("resourceTemplates").as_array()) {
            listed = listed || t.at("uriTemplate") == "signoff://uploads/{upload_id}";
        }
        CHECK(listed);
        auto via_stdio = stdio.request("resources/read", {{"uri", uri}});
        REQUIRE_MESSAGE(via_stdio.contains("result"), json::serialize(via_stdio));
        CHECK(via_stdio.at("result").at("contents").at(0).at("text").as_string() == expected);

        CHECK(
            db_query(
                d,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'auths.exported' AND target_id = $1",
                {upload_id}
            )
                .at(0)
                .integer(0) == 1
        );
    }
}
