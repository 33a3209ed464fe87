// Webhook endpoint configuration through the real binary on both back ends:
// REST (with and without the X-MCP bridge header), MCP over stdio and MCP over
// Streamable HTTP. The secret is answered once and never again; rotation
// keeps the old secret signing for the overlap; integrations are for admins;
// members see only their own endpoint; the URL policy refuses internal
// addresses and plain http (loopback excepted) with a reason naming the
// address, unless the server's flags lift it; bad input of every field.
#include <chrono>

#include <doctest/doctest.h>

#include "server/core/clock.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr auto kMe = "/api/v1/me/agent";
constexpr auto kIntegrations = "/api/v1/admin/integrations";

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

std::string hint(std::string const& secret) {
    return "whsec_…" + secret.substr(secret.size() - 4);
}

/// A new user of the deployment's org with `role`; answers its API key.
std::string user_key(
    HttpClient& http, std::string const& root_key, std::string const& email, std::string role
) {
    auto made =
        http.rest("POST", "/api/v1/users", {{"email", email}, {"orgRole", role}}, bearer(root_key));
    REQUIRE_MESSAGE(made.status == 201, made.body);
    auto id = str(made.json().at("id"));
    auto key =
        http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(root_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return str(key.json().at("apiKey"));
}

/// The error body of a refused REST call: its status, code, and a detail on `field`.
void check_refused(
    HttpReply const& r, int status, std::string const& code, std::string const& field = ""
) {
    CHECK_MESSAGE(r.status == status, r.body);
    auto body = r.json();
    REQUIRE_MESSAGE(body.is_object(), r.body);
    CHECK_MESSAGE(body.at("code") == code.c_str(), r.body);
    if (field.empty()) {
        return;
    }
    bool named = false;
    for (auto const& d : body.at("details").as_array()) {
        named = named || d.at("field") == field.c_str();
    }
    CHECK_MESSAGE(named, "no detail on " << field << ": " << r.body);
}

/// The message of a refused REST call's detail on "url".
std::string url_refusal(HttpReply const& r) {
    check_refused(r, 400, "invalid_argument", "url");
    return str(r.json().at("details").at(0).at("message"));
}

bool contains(std::string const& text, std::string const& part) {
    return text.find(part) != std::string::npos;
}

json::object set_body(std::string const& url, json::array events = {"team_support.approved"}) {
    return {{"url", url}, {"events", std::move(events)}};
}

}  // namespace

TEST_SUITE("e2e/webhooks_config") {
    TEST_CASE_TEMPLATE(
        "REST: a member's webhook answers its secret once; rotation keeps the old one signing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const alice = user_key(http, d.api_key, "alice@acme.example", "member");
        auto const bob = user_key(http, d.api_key, "bob@acme.example", "member");

        check_refused(http.rest("GET", kMe, nullptr, bearer(alice)), 404, "not_found");
        auto made = http.rest(
            "PUT",
            kMe,
            set_body("http://127.0.0.1:9/alice", {"team_support.approved", "team_support.revoked"}),
            bearer(alice, {{"X-MCP", "1"}})
        );
        REQUIRE_MESSAGE(made.status == 200, made.body);
        auto const first = made.json().as_object();
        CHECK(first.at("created") == true);
        std::string const secret = str(first.at("secret"));
        CHECK(secret.starts_with("whsec_"));
        CHECK(secret.size() == 49);
        CHECK(first.at("secret_hint") == hint(secret).c_str());
        CHECK(first.at("kind") == "employee");
        CHECK(first.at("scheme") == "signoff");
        CHECK(first.at("enabled") == true);
        auto const id = str(first.at("id"));

        // Never again: not in reads, replaces, lists or the audit log.
        auto got = http.rest("GET", kMe, nullptr, bearer(alice));
        REQUIRE(got.status == 200);
        CHECK_FALSE(got.json().as_object().contains("secret"));
        CHECK(got.json().at("secret_hint") == hint(secret).c_str());
        auto replaced = http.rest(
            "PUT",
            kMe,
            set_body("http://localhost:9/alice", {"*"}),
            bearer(alice, {{"X-MCP", "no"}})
        );
        REQUIRE_MESSAGE(replaced.status == 200, replaced.body);
        CHECK(replaced.json().at("created") == false);
        CHECK(replaced.json().at("version") == 2);
        CHECK(replaced.json().at("events") == json::array{"*"});
        for (auto const& body : {got.body, replaced.body}) {
            CHECK_FALSE(contains(body, secret.substr(6)));
        }
        for (auto const& r : db_query(d, "SELECT detail_json FROM audit_log")) {
            CHECK_FALSE(contains(r.text(0), secret.substr(6)));
        }
        // Stored in clear (HMAC needs it), with the provenance of each write.
        auto stored =
            db_query(d, "SELECT secret, via_mcp FROM webhook_endpoints WHERE id = $1", {id});
        REQUIRE(stored.size() == 1);
        CHECK(stored[0].text(0) == secret);
        CHECK(stored[0].integer(1) == 0);  // the last write came without X-MCP
        auto channels = db_query(
            d,
            "SELECT channel FROM audit_log WHERE action LIKE 'webhooks.employee.%' ORDER BY "
            "created_at, id"
        );
        REQUIRE(channels.size() == 2);
        CHECK(channels[0].text(0) == "rest+x-mcp");
        CHECK(channels[1].text(0) == "rest");

        // Another member sees none of it.
        check_refused(http.rest("GET", kMe, nullptr, bearer(bob)), 404, "not_found");
        check_refused(http.rest("DELETE", kMe, nullptr, bearer(bob)), 404, "not_found");
        check_refused(
            http.rest("GET", std::string(kIntegrations) + "/" + id, nullptr, bearer(bob)),
            403,
            "permission_denied"
        );
        check_refused(
            http.rest("GET", std::string(kIntegrations) + "/" + id, nullptr, bearer(d.api_key)),
            404,
            "not_found"
        );

        // Rotation: a new secret, shown once; both hints while the old one signs.
        auto rotated =
            http.rest("POST", std::string(kMe) + "/rotate", json::object{}, bearer(alice));
        REQUIRE_MESSAGE(rotated.status == 200, rotated.body);
        std::string const second = str(rotated.json().at("secret"));
        CHECK(second != secret);
        auto after = http.rest("GET", kMe, nullptr, bearer(alice)).json().as_object();
        CHECK_FALSE(after.contains("secret"));
        CHECK(after.at("secret_hint") == hint(second).c_str());
        CHECK(after.at("previous_secret_hint") == hint(secret).c_str());
        auto const until =
            signoff::server::core::parse_rfc3339(str(after.at("previous_secret_expires_at")));
        auto const at = signoff::server::core::parse_rfc3339(str(after.at("updated_at")));
        REQUIRE(until.has_value());
        REQUIRE(at.has_value());
        CHECK(*until - *at == std::chrono::hours{24});
        auto both = db_query(
            d, "SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1", {id}
        );
        CHECK(both.at(0).text(0) == second);
        CHECK(both.at(0).text(1) == secret);
        auto quick = http.rest(
            "POST", std::string(kMe) + "/rotate", {{"overlap_seconds", 0}}, bearer(alice)
        );
        REQUIRE(quick.status == 200);
        CHECK(quick.json().at("previous_secret_hint").is_null());
        CHECK(db_query(d, "SELECT previous_secret FROM webhook_endpoints WHERE id = $1", {id})
                  .at(0)
                  .is_null(0));

        auto on = http.rest("POST", std::string(kMe) + "/enable", json::object{}, bearer(alice));
        REQUIRE(on.status == 200);
        CHECK(on.json().at("enabled") == true);
        auto gone = http.rest("DELETE", kMe, nullptr, bearer(alice));
        REQUIRE_MESSAGE(gone.status == 200, gone.body);
        CHECK(gone.json().at("deleted") == true);
        check_refused(http.rest("GET", kMe, nullptr, bearer(alice)), 404, "not_found");
        CHECK(db_count(d, "webhook_endpoints") == 0);
    }

    TEST_CASE_TEMPLATE(
        "REST: integrations are for admins only", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const member = user_key(http, d.api_key, "m@acme.example", "member");
        auto const hr = user_key(http, d.api_key, "hr@acme.example", "hr_admin");
        auto const admin = user_key(http, d.api_key, "admin@acme.example", "admin");
        json::object const create{
            {"name", "SIEM"},
            {"description", "security events"},
            {"url", "https://127.0.0.1:8443/siem"},
            {"events", {"workflow.approved", "auth.deleted"}},
            {"scheme", "fluxdesk"}};

        for (auto const& key : {member, hr}) {
            check_refused(
                http.rest("GET", kIntegrations, nullptr, bearer(key)), 403, "permission_denied"
            );
            check_refused(
                http.rest("POST", kIntegrations, create, bearer(key)), 403, "permission_denied"
            );
        }
        CHECK(db_count(d, "webhook_endpoints") == 0);

        auto made = http.rest("POST", kIntegrations, create, bearer(admin, {{"X-MCP", "true"}}));
        REQUIRE_MESSAGE(made.status == 201, made.body);
        auto const secret = str(made.json().at("secret"));
        auto const id = str(made.json().at("id"));
        CHECK(made.json().at("kind") == "org");
        CHECK(made.json().at("owner_user_id").is_null());
        CHECK(made.json().at("events") == json::array{"workflow.approved", "auth.deleted"});
        std::string const one = std::string(kIntegrations) + "/" + id;

        for (auto const& [method, path] : std::vector<std::pair<std::string, std::string>>{
                 {"GET", one},
                 {"PATCH", one},
                 {"DELETE", one},
                 {"POST", one + "/rotate"},
                 {"POST", one + "/enable"}}) {
            check_refused(
                http.rest(
                    method,
                    path,
                    method == "GET" || method == "DELETE" ? json::value() : json::object{},
                    bearer(member)
                ),
                403,
                "permission_denied"
            );
        }

        auto list = http.rest("GET", kIntegrations, nullptr, bearer(d.api_key));
        REQUIRE(list.status == 200);
        CHECK(list.json().at("total_count") == 1);
        CHECK(list.json().at("items").at(0).at("secret_hint") == hint(secret).c_str());
        CHECK_FALSE(contains(list.body, secret.substr(6)));

        auto patched = http.rest(
            "PATCH",
            one,
            {{"description", nullptr}, {"expected_version", 1}, {"events", {"*"}}},
            bearer(admin)
        );
        REQUIRE_MESSAGE(patched.status == 200, patched.body);
        CHECK(patched.json().at("description").is_null());
        CHECK(patched.json().at("version") == 2);
        CHECK_FALSE(patched.json().as_object().contains("secret"));
        check_refused(
            http.rest("PATCH", one, {{"name", "x"}, {"expected_version", 1}}, bearer(admin)),
            409,
            "conflict"
        );

        auto rotated =
            http.rest("POST", one + "/rotate", {{"overlap_seconds", 600}}, bearer(admin));
        REQUIRE_MESSAGE(rotated.status == 200, rotated.body);
        CHECK(str(rotated.json().at("secret")) != secret);
        CHECK(rotated.json().at("previous_secret_hint") == hint(secret).c_str());
        auto got = http.rest("GET", one, nullptr, bearer(admin));
        CHECK(got.json().at("previous_secret_hint") == hint(secret).c_str());
        CHECK_FALSE(got.json().as_object().contains("secret"));

        // Other orgs see nothing of it.
        auto const globex = bootstrap_org(d.db_url, "globex").api_key;
        check_refused(http.rest("GET", one, nullptr, bearer(globex)), 404, "not_found");
        CHECK(
            http.rest("GET", kIntegrations, nullptr, bearer(globex)).json().at("total_count") == 0
        );

        auto gone = http.rest("DELETE", one, nullptr, bearer(admin));
        REQUIRE(gone.status == 200);
        check_refused(http.rest("GET", one, nullptr, bearer(admin)), 404, "not_found");
        auto audit = db_query(
            d,
            "SELECT action, channel FROM audit_log WHERE action LIKE 'webhooks.integration.%' "
            "ORDER BY created_at, id"
        );
        REQUIRE(audit.size() == 4);
        CHECK(audit[0].text(0) == "webhooks.integration.created");
        CHECK(audit[0].text(1) == "rest+x-mcp");
        CHECK(audit[3].text(0) == "webhooks.integration.deleted");
    }

    TEST_CASE_TEMPLATE(
        "REST: internal addresses and plain http are refused with the reason",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);

        auto m = url_refusal(http.rest("PUT", kMe, set_body("https://10.0.0.1/hook"), root));
        CHECK(contains(m, "10.0.0.1 is a private address"));
        m = url_refusal(
            http.rest("PUT", kMe, set_body("https://169.254.169.254/latest/meta-data/"), root)
        );
        CHECK(contains(m, "169.254.169.254 is a link-local address (the cloud metadata service)"));
        m = url_refusal(http.rest("PUT", kMe, set_body("http://example.com/hook"), root));
        CHECK(contains(m, "plain http is allowed only to loopback receivers"));
        m = url_refusal(http.rest("PUT", kMe, set_body("https://[::ffff:192.168.1.1]/"), root));
        CHECK(contains(m, "private address"));
        m = url_refusal(http.rest("PUT", kMe, set_body("https://0.0.0.0:8080/"), root));
        CHECK(contains(m, "unspecified"));
        m = url_refusal(http.rest("PUT", kMe, set_body("https://0x7f000001/"), root));
        CHECK(contains(m, "not a dotted-quad"));
        m = url_refusal(http.rest(
            "POST",
            kIntegrations,
            {{"name", "n"}, {"url", "https://172.16.5.4/"}, {"events", {"*"}}},
            root
        ));
        CHECK(contains(m, "172.16.5.4 is a private address"));
        CHECK(db_count(d, "webhook_endpoints") == 0);

        CHECK(http.rest("PUT", kMe, set_body("http://127.0.0.1:8080/hook"), root).status == 200);
        CHECK(http.rest("PUT", kMe, set_body("http://[::1]:8080/hook"), root).status == 200);
        CHECK(http.rest("PUT", kMe, set_body("http://localhost:8080/hook"), root).status == 200);
    }

    TEST_CASE_TEMPLATE(
        "the server's flags allow internal addresses and plain http",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        {
            ServerProcess server(d, {"--webhook-allow-private"});
            HttpClient http(server.port());
            auto r = http.rest("PUT", kMe, set_body("https://10.0.0.1/hook"), bearer(d.api_key));
            CHECK_MESSAGE(r.status == 200, r.body);
            r = http.rest("PUT", kMe, set_body("http://10.0.0.1/hook"), bearer(d.api_key));
            CHECK(contains(url_refusal(r), "plain http"));
        }
        ServerProcess server(d, {"--webhook-allow-private", "--webhook-allow-http"});
        HttpClient http(server.port());
        auto r = http.rest("PUT", kMe, set_body("http://169.254.169.254/"), bearer(d.api_key));
        CHECK_MESSAGE(r.status == 200, r.body);
    }

    TEST_CASE_TEMPLATE(
        "REST: bad input of every field names the field", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        std::string const ok_url = "https://127.0.0.1/h";
        json::array const all{"*"};
        struct Case {
            std::string method;
            std::string path;
            json::value body;
            std::string field;
        };
        std::vector<Case> const cases{
            {"PUT", kMe, json::object{{"events", all}}, "url"},
            {"PUT", kMe, json::object{{"url", 7}, {"events", all}}, "url"},
            {"PUT",
             kMe,
             json::object{{"url", "https://h.example/" + std::string(2040, 'a')}, {"events", all}},
             "url"},
            {"PUT", kMe, json::object{{"url", "ftp://127.0.0.1/"}, {"events", all}}, "url"},
            {"PUT", kMe, json::object{{"url", "https://u:p@127.0.0.1/"}, {"events", all}}, "url"},
            {"PUT", kMe, json::object{{"url", "https://127.0.0.1/#x"}, {"events", all}}, "url"},
            {"PUT", kMe, json::object{{"url", "https://127.0.0.1:0/"}, {"events", all}}, "url"},
            {"PUT", kMe, json::object{{"url", ok_url}}, "events"},
            {"PUT", kMe, json::object{{"url", ok_url}, {"events", "*"}}, "events"},
            {"PUT", kMe, json::object{{"url", ok_url}, {"events", json::array{}}}, "events"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", {"auth.deleted", "auth.created"}}},
             "events[1]"},
            {"PUT", kMe, json::object{{"url", ok_url}, {"events", {1}}}, "events[0]"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", {"*", "auth.deleted"}}},
             "events"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", json::array(17, "auth.deleted")}},
             "events"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", all}, {"scheme", "github"}},
             "scheme"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", all}, {"expected_version", 0}},
             "expected_version"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", all}, {"expected_version", "1"}},
             "expected_version"},
            {"PUT",
             kMe,
             json::object{{"url", ok_url}, {"events", all}, {"secret", "mine"}},
             "secret"},
            {"POST",
             std::string(kMe) + "/rotate",
             json::object{{"overlap_seconds", -1}},
             "overlap_seconds"},
            {"POST",
             std::string(kMe) + "/rotate",
             json::object{{"overlap_seconds", 604801}},
             "overlap_seconds"},
            {"POST",
             std::string(kMe) + "/rotate",
             json::object{{"overlap_seconds", "1h"}},
             "overlap_seconds"},
            {"POST", kIntegrations, json::object{{"url", ok_url}, {"events", all}}, "name"},
            {"POST",
             kIntegrations,
             json::object{{"name", ""}, {"url", ok_url}, {"events", all}},
             "name"},
            {"POST",
             kIntegrations,
             json::object{{"name", "   "}, {"url", ok_url}, {"events", all}},
             "name"},
            {"POST",
             kIntegrations,
             json::object{{"name", std::string(201, 'n')}, {"url", ok_url}, {"events", all}},
             "name"},
            {"POST",
             kIntegrations,
             json::object{
                 {"name", "n"},
                 {"description", std::string(2001, 'd')},
                 {"url", ok_url},
                 {"events", all}},
             "description"},
            {"POST",
             kIntegrations,
             json::object{{"name", "n"}, {"description", 5}, {"url", ok_url}, {"events", all}},
             "description"},
            {"POST",
             kIntegrations,
             json::object{{"name", "n"}, {"url", ok_url}, {"events", {"team_support.granted"}}},
             "events[0]"},
        };
        for (auto const& c : cases) {
            CAPTURE(json::serialize(c.body));
            check_refused(
                http.rest(c.method, c.path, c.body, root), 400, "invalid_argument", c.field
            );
        }
        CHECK(db_count(d, "webhook_endpoints") == 0);

        auto made = http.rest(
            "POST", kIntegrations, {{"name", "n"}, {"url", ok_url}, {"events", all}}, root
        );
        REQUIRE(made.status == 201);
        std::string const one = std::string(kIntegrations) + "/" + str(made.json().at("id"));
        check_refused(
            http.rest("PATCH", one, {{"name", ""}}, root), 400, "invalid_argument", "name"
        );
        check_refused(
            http.rest("PATCH", one, {{"url", "https://10.1.1.1/"}}, root),
            400,
            "invalid_argument",
            "url"
        );
        check_refused(
            http.rest("PATCH", one, {{"events", {"nope"}}}, root),
            400,
            "invalid_argument",
            "events[0]"
        );
        check_refused(
            http.rest("PATCH", one, {{"scheme", "v2"}}, root), 400, "invalid_argument", "scheme"
        );
        check_refused(
            http.rest("PATCH", std::string(kIntegrations) + "/no-such-id", {{"name", "x"}}, root),
            404,
            "not_found"
        );
        check_refused(
            http.rest(
                "POST", std::string(kIntegrations) + "/no-such-id/rotate", json::object{}, root
            ),
            404,
            "not_found"
        );
        CHECK(http.rest("GET", one, nullptr, root).json().at("version") == 1);
    }

    TEST_CASE_TEMPLATE(
        "MCP over stdio and over HTTP reach the same endpoints", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        {
            StdioClient mcp(d);
            mcp.initialize();
            auto made = tool_ok(mcp.call(
                "webhooks_me_set",
                {{"url", "http://127.0.0.1:7000/in"},
                 {"events", {"auth.published"}},
                 {"scheme", "fluxdesk"}}
            ));
            CHECK(made.at("created") == true);
            auto const secret = str(made.at("secret"));
            auto got = tool_ok(mcp.call("webhooks_me_get", json::object{}));
            CHECK_FALSE(got.contains("secret"));
            CHECK(got.at("scheme") == "fluxdesk");
            auto bad = tool_refused(mcp.call(
                "webhooks_me_set", {{"url", "https://169.254.169.254/"}, {"events", {"*"}}}
            ));
            CHECK(bad.at("code") == "invalid_argument");
            CHECK(bad.at("details").at(0).at("field") == "url");
            CHECK(contains(str(bad.at("details").at(0).at("message")), "cloud metadata"));
            auto rotated = tool_ok(mcp.call("webhooks_me_rotate", {{"overlap_seconds", 60}}));
            CHECK(str(rotated.at("secret")) != secret);
            CHECK(rotated.at("previous_secret_hint") == hint(secret).c_str());
        }
        ServerProcess server(d);
        HttpClient http(server.port());
        McpHttp mcp(http, d.api_key);
        auto made = tool_ok(mcp.call(
            "webhooks_admin_create",
            {{"name", "Bridge"}, {"url", "https://127.0.0.1:9443/"}, {"events", {"*"}}}
        ));
        CHECK(made.at("created") == true);
        CHECK(str(made.at("secret")).starts_with("whsec_"));
        auto list = tool_ok(mcp.call("webhooks_admin_list", json::object{}));
        CHECK(list.at("total_count") == 1);
        auto mine = tool_ok(mcp.call("webhooks_me_get", json::object{}));
        CHECK(mine.at("url") == "http://127.0.0.1:7000/in");
        auto member = user_key(http, d.api_key, "m@acme.example", "member");
        McpHttp as_member(http, member);
        CHECK(
            tool_refused(as_member.call("webhooks_admin_list", json::object{})).at("code") ==
            "permission_denied"
        );
        CHECK(
            tool_refused(as_member.call("webhooks_me_get", json::object{})).at("code") ==
            "not_found"
        );
        auto channels = db_query(
            d,
            "SELECT channel FROM audit_log WHERE action LIKE 'webhooks.%' ORDER BY created_at, id"
        );
        REQUIRE(channels.size() == 3);
        CHECK(channels[0].text(0) == "mcp-stdio");
        CHECK(channels[2].text(0) == "mcp-http");
        CHECK(
            db_query(d, "SELECT COUNT(*) FROM webhook_endpoints WHERE via_mcp = 1")
                .at(0)
                .integer(0) == 2
        );
    }
}
