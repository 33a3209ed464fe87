// The audit log through the real binary on both back ends: changes made over
// stdio, Streamable HTTP, REST and REST with X-MCP show up with their channel,
// actor and kind; audit_list's filters and pages (REST query parameters and
// MCP alike); audit_export's JSON lines downloaded and parsed back line by
// line; refusals for members and for bad input, each with a specific error.
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr auto kAudit = "/api/v1/admin/audit";

/// A new user of the deployment's org with `role` and an API key; answers {id, key}.
std::pair<std::string, std::string> make_user(
    HttpClient& http, Deployment const& d, std::string const& email, std::string const& role
) {
    auto user = http.rest(
        "POST",
        "/api/v1/users",
        json::object{{"email", email}, {"orgRole", role}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(user.status == 201, user.body);
    auto id = std::string(user.json().at("id").as_string());
    auto key =
        http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(d.api_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return {id, std::string(key.json().at("apiKey").as_string())};
}

json::object row_args(std::string const& slug) {
    return {{"slug", slug}, {"display_name", "Row " + slug}};
}

void create_row_rest(HttpClient& http, std::string const& key, std::string const& slug) {
    auto r = http.rest("POST", "/api/v1/catalog/rows", row_args(slug), bearer(key));
    REQUIRE_MESSAGE(r.status == 201, r.body);
}

/// GET /api/v1/admin/audit with a query string; REQUIREs 200.
json::object list_rest(HttpClient& http, std::string const& key, std::string const& query) {
    auto r = http.send("GET", std::string(kAudit) + "?" + query, "", bearer(key));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().as_object();
}

/// Every item of a filtered listing, page after page of `page_size`.
json::array all_pages(
    HttpClient& http, std::string const& key, std::string const& query, int page_size
) {
    json::array out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
        std::string q = query + "&page_size=" + std::to_string(page_size);
        if (!cursor.empty()) {
            q += "&cursor=" + cursor;  // base64url needs no escaping in a query
        }
        auto page = list_rest(http, key, q);
        auto const& items = page.at("items").as_array();
        CHECK(items.size() <= static_cast<std::size_t>(page_size));
        out.insert(out.end(), items.begin(), items.end());
        if (page.at("next_cursor").is_null()) {
            return out;
        }
        cursor = std::string(page.at("next_cursor").as_string());
    }
    FAIL("more than 100 pages");
    return out;
}

/// A refusal's REST body: status, code and the first detail's field.
void check_refused(
    HttpReply const& r, int status, std::string const& code, std::string const& field
) {
    CHECK_MESSAGE(r.status == status, r.body);
    auto v = r.json();
    REQUIRE_MESSAGE(v.is_object(), r.body);
    CHECK(v.at("code") == json::value(code));
    if (!field.empty()) {
        REQUIRE_MESSAGE(!v.at("details").as_array().empty(), r.body);
        CHECK(v.at("details").at(0).at("field") == json::value(field));
    }
}

}  // namespace

TEST_SUITE("e2e/audit") {
    TEST_CASE_TEMPLATE(
        "changes over stdio, HTTP MCP, REST and REST+X-MCP carry their channel, actor and kind",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        create_row_rest(http, d.api_key, "via-rest");
        auto xmcp = http.rest(
            "POST",
            "/api/v1/catalog/rows",
            row_args("via-x-mcp"),
            bearer(d.api_key, {{"X-MCP", "1"}})
        );
        REQUIRE_MESSAGE(xmcp.status == 201, xmcp.body);
        McpHttp mcp(http, d.api_key);
        tool_ok(mcp.call("catalog_rows_create", row_args("via-http")));
        StdioClient stdio(d);
        stdio.initialize();
        tool_ok(stdio.call("catalog_rows_create", row_args("via-stdio")));

        auto page = list_rest(http, d.api_key, "target_type=catalog_row");
        std::map<std::string, std::string> channel_of;
        for (auto const& item : page.at("items").as_array()) {
            CHECK(item.at("action") == "catalog.row.created");
            CHECK(item.at("actor_id") == json::value(d.user_id));
            CHECK(item.at("actor_kind") == "user");
            CHECK(item.at("before").is_null());
            auto slug = std::string(item.at("detail").at("slug").as_string());
            channel_of[slug] = std::string(item.at("channel").as_string());
        }
        CHECK(
            channel_of ==
            std::map<std::string, std::string>{
                {"via-http", "mcp-http"},
                {"via-rest", "rest"},
                {"via-stdio", "mcp-stdio"},
                {"via-x-mcp", "rest+x-mcp"}}
        );
        // The same page through MCP over stdio and HTTP.
        auto over_stdio = tool_ok(stdio.call("audit_list", {{"target_type", "catalog_row"}}));
        CHECK(over_stdio.at("items") == page.at("items"));
        auto over_http = tool_ok(mcp.call("audit_list", {{"target_type", "catalog_row"}}));
        CHECK(over_http.at("items") == page.at("items"));

        // An update carries before and after.
        auto patched = http.rest(
            "PATCH",
            "/api/v1/catalog/rows/via-rest",
            json::object{{"display_name", "Renamed"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(patched.status == 200, patched.body);
        auto updated = list_rest(http, d.api_key, "action_prefix=catalog.row.updated");
        REQUIRE(updated.at("items").as_array().size() == 1);
        auto const& u = updated.at("items").at(0);
        CHECK(u.at("before").at("display_name") == "Row via-rest");
        CHECK(u.at("after").at("display_name") == "Renamed");
    }

    TEST_CASE_TEMPLATE(
        "filters narrow the log and pages cover it without gaps or duplicates",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto [ops_id, ops_key] = make_user(http, d, "ops@acme.example", "admin");
        for (int i = 0; i < 9; ++i) {
            create_row_rest(http, i % 3 == 0 ? ops_key : d.api_key, "row-" + std::to_string(i));
        }
        auto everything = all_pages(http, d.api_key, "action_prefix=catalog.", 500);
        REQUIRE(everything.size() == 9);
        for (int size : {1, 2, 4}) {
            CAPTURE(size);
            auto paged = all_pages(http, d.api_key, "action_prefix=catalog.", size);
            CHECK(paged == everything);
        }
        std::set<std::string> ids;
        for (auto const& item : everything) {
            ids.insert(std::string(item.at("id").as_string()));
        }
        CHECK(ids.size() == everything.size());

        auto by_ops = all_pages(http, d.api_key, "actor_id=" + ops_id, 500);
        CHECK(by_ops.size() == 3);
        auto const& newest = everything.at(0).as_object();
        auto const& oldest = everything.at(8).as_object();
        auto one = list_rest(
            http,
            d.api_key,
            "target_type=catalog_row&target_id=" + std::string(newest.at("target_id").as_string())
        );
        CHECK(one.at("items") == json::array{newest});
        std::string const from(oldest.at("created_at").as_string());
        std::string const to(newest.at("created_at").as_string());
        auto window =
            all_pages(http, d.api_key, "action_prefix=catalog.&from=" + from + "&to=" + to, 3);
        // `to` is exclusive: every row but those stamped at the newest instant.
        CHECK(!window.empty());
        for (auto const& item : window) {
            CHECK(item.at("created_at").as_string() < newest.at("created_at").as_string());
            CHECK(item.at("created_at").as_string() >= oldest.at("created_at").as_string());
        }
    }

    TEST_CASE_TEMPLATE(
        "an export is JSON lines of the filtered rows, downloaded and read as a resource",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        for (int i = 0; i < 5; ++i) {
            create_row_rest(http, d.api_key, "row-" + std::to_string(i));
        }
        auto listed = list_rest(http, d.api_key, "target_type=catalog_row");
        auto exported = http.rest(
            "POST",
            "/api/v1/admin/audit/export",
            json::object{{"target_type", "catalog_row"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(exported.status == 200, exported.body);
        CHECK(exported.json().at("row_count") == 5);
        auto const upload_id = std::string(exported.json().at("upload_id").as_string());
        auto file = http.send("GET", "/api/v5/uploads/" + upload_id, "", bearer(d.api_key));
        REQUIRE(file.status == 200);
        CHECK(file.header("Content-Type") == "application/x-ndjson; charset=utf-8");
        CHECK(file.body.ends_with("\n"));
        std::istringstream lines(file.body);
        std::string line;
        json::array parsed;
        while (std::getline(lines, line)) {
            parsed.push_back(json::parse(line));  // one whole JSON object per line
        }
        CHECK(parsed == listed.at("items").as_array());

        StdioClient stdio(d);
        stdio.initialize();
        auto read = stdio.request("resources/read", {{"uri", "signoff://uploads/" + upload_id}});
        REQUIRE_MESSAGE(read.contains("result"), json::serialize(read));
        auto const& content = read.at("result").at("contents").at(0);
        CHECK(content.at("mimeType") == "application/x-ndjson");
        CHECK(content.at("text").as_string() == file.body);
        auto self = list_rest(http, d.api_key, "target_type=upload&target_id=" + upload_id);
        REQUIRE(self.at("items").as_array().size() == 1);
        CHECK(self.at("items").at(0).at("action") == "audit.exported");
    }

    TEST_CASE_TEMPLATE(
        "members are refused and bad input gets a specific error", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto [member_id, member_key] = make_user(http, d, "m@acme.example", "member");
        check_refused(
            http.send("GET", kAudit, "", bearer(member_key)), 403, "permission_denied", ""
        );
        check_refused(
            http.rest("POST", "/api/v1/admin/audit/export", json::object{}, bearer(member_key)),
            403,
            "permission_denied",
            ""
        );
        Deployment as_member = d;
        as_member.api_key = member_key;
        StdioClient stdio(as_member);
        stdio.initialize();
        auto refused = stdio.call("audit_list", {});
        CHECK(refused.at("isError") == true);
        CHECK(refused.at("structuredContent").at("code") == "permission_denied");
        CHECK(http.send("GET", kAudit, "", {}).status == 401);

        auto get = [&](std::string const& q) {
            return http.send("GET", std::string(kAudit) + "?" + q, "", bearer(d.api_key));
        };
        check_refused(get("cursor=%21%21"), 400, "invalid_argument", "cursor");
        check_refused(get("cursor=YWJj"), 400, "invalid_argument", "cursor");
        check_refused(get("from=yesterday"), 400, "invalid_argument", "from");
        check_refused(get("to=2026-02-30T00:00:00Z"), 400, "invalid_argument", "to");
        check_refused(get("page_size=0"), 400, "invalid_argument", "page_size");
        check_refused(get("page_size=501"), 400, "invalid_argument", "page_size");
        CHECK(get("colour=red").status == 200);  // unknown query parameters are ignored
        check_refused(get("target_id=abc"), 400, "invalid_argument", "target_id");
        check_refused(
            http.rest(
                "POST",
                "/api/v1/admin/audit/export",
                json::object{{"page_size", 5}},
                bearer(d.api_key)
            ),
            400,
            "invalid_argument",
            "page_size"
        );
        StdioClient admin(d);
        admin.initialize();
        auto bad = admin.call("audit_list", {{"from", "not a time"}});
        CHECK(bad.at("isError") == true);
        CHECK(bad.at("structuredContent").at("details").at(0).at("field") == "from");
        CHECK(db_count(d, "uploads") == 0);
    }
}
