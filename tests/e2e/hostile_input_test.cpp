// Inputs that used to break the service, through the real binary on both back
// ends: metadata nested to the write limit is read back and one level more is
// refused (documents stored before the limit still read); U+0000 and invalid
// UTF-8 anywhere (JSON strings, percent-decoded path segments, query values)
// are 400 with the field named and leave nothing written; an error never
// echoes undecodable bytes; a webhook action URL the sender would refuse is
// refused at write.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

/// {"k":{"k":…{}}}: `depth` nested objects.
json::object nested(int depth) {
    json::object inner;
    for (int i = 1; i < depth; ++i) {
        json::object outer;
        outer["k"] = std::move(inner);
        inner = std::move(outer);
    }
    return inner;
}

int depth_of(json::value const& v) {
    if (!v.is_object() || v.as_object().empty()) {
        return v.is_object() ? 1 : 0;
    }
    return 1 + depth_of(v.as_object().begin()->value());
}

/// A 400 whose body is valid JSON naming `field`.
void check_refused(HttpReply const& r, std::string const& field) {
    CHECK_MESSAGE(r.status == 400, r.body);
    auto body = r.json();
    REQUIRE_MESSAGE(body.is_object(), "not JSON: " << r.body);
    CHECK(body.at("code") == "invalid_argument");
    REQUIRE_MESSAGE(!body.at("details").as_array().empty(), r.body);
    CHECK_MESSAGE(body.at("details").at(0).at("field") == field.c_str(), r.body);
}

/// A group "approvers" and a space "ops"; answers the space's id and a rule
/// needing one approval of the group.
std::pair<std::string, json::object> approvers_and_space(
    HttpClient& http, httplib::Headers const& root
) {
    auto const gid =
        text(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id"));
    auto const sid =
        text(http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root).json().at("id"));
    return {sid, json::object{{"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", 1}}};
}

}  // namespace

TEST_SUITE("e2e/hostile-input") {
    TEST_CASE_TEMPLATE(
        "metadata at the depth limit is read back; deeper is refused; old documents still read",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const setup = approvers_and_space(http, root);
        auto const& sid = setup.first;
        auto const& rule = setup.second;
        auto templ = http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "deep"}, {"approvalRule", rule}, {"spaceId", sid}, {"metadata", nested(32)}},
            root
        );
        REQUIRE_MESSAGE(templ.status == 201, templ.body);
        CHECK(depth_of(templ.json().at("metadata")) == 32);
        check_refused(
            http.rest(
                "POST",
                "/api/v1/workflow-templates",
                {{"name", "deeper"},
                 {"approvalRule", rule},
                 {"spaceId", sid},
                 {"metadata", nested(33)}},
                root
            ),
            "metadata"
        );
        auto const tid = text(templ.json().at("id"));
        auto wf = http.rest(
            "POST",
            "/api/v1/workflows",
            {{"name", "w-32"}, {"workflowTemplateId", tid}, {"metadata", nested(32)}},
            root
        );
        REQUIRE_MESSAGE(wf.status == 201, wf.body);
        auto const workflows = db_count(d, "workflows");
        check_refused(
            http.rest(
                "POST",
                "/api/v1/workflows",
                {{"name", "w-33"}, {"workflowTemplateId", tid}, {"metadata", nested(33)}},
                root
            ),
            "metadata"
        );
        CHECK(db_count(d, "workflows") == workflows);
        auto listed =
            http.rest("GET", "/api/v1/workflows?include=workflow-template", nullptr, root);
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        CHECK(depth_of(listed.json().at("data").at(0).at("metadata")) == 32);
        auto got = http.rest("GET", "/api/v1/workflow-templates/deep", nullptr, root);
        REQUIRE_MESSAGE(got.status == 200, got.body);
        CHECK(depth_of(got.json().at("metadata")) == 32);

        // Documents stored before the limit (up to what a request could carry)
        // read back whole; a damaged one does not take the listing down.
        {
            auto db = signoff::storage::open_db(d.db_url);
            REQUIRE(db.has_value());
            auto tx = (*db)->begin(signoff::storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            REQUIRE((*tx)
                        ->exec(
                            "UPDATE workflows SET metadata = $1 WHERE id = $2",
                            {json::serialize(nested(60)), text(wf.json().at("id"))}
                        )
                        .has_value());
            REQUIRE((*tx)
                        ->exec(
                            "UPDATE workflow_templates SET metadata = $1 WHERE id = $2",
                            {std::string(100, '{'), tid}
                        )
                        .has_value());
            REQUIRE((*tx)->commit().has_value());
        }
        auto old = http.rest("GET", "/api/v1/workflows?include=workflow-template", nullptr, root);
        REQUIRE_MESSAGE(old.status == 200, old.body);
        auto const old_json = old.json();
        auto const& first = old_json.at("data").at(0);
        CHECK(depth_of(first.at("metadata")) == 60);
        CHECK(first.at("ref").at("workflowTemplate").at("metadata").at("unparsed").is_string());
        CHECK(http.rest("GET", "/api/v1/workflow-templates/deep", nullptr, root).status == 200);
    }

    TEST_CASE_TEMPLATE(
        "U+0000 and invalid UTF-8 are refused with the field named, and never echoed",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        std::string const nul("a\0b", 3);
        auto const writes = [&] {
            return db_count(d, "approval_groups") + db_count(d, "spaces") +
                   db_count(d, "catalog_rows") + db_count(d, "users") + db_count(d, "auth_drafts") +
                   db_count(d, "audit_log");
        };
        auto const before = writes();
        check_refused(http.rest("POST", "/api/v1/groups", {{"name", nul}}, root), "name");
        check_refused(
            http.rest("POST", "/api/v1/spaces", {{"name", "ops"}, {"description", nul}}, root),
            "description"
        );
        check_refused(
            http.rest(
                "POST", "/api/v1/catalog/rows", {{"slug", "vpn"}, {"display_name", nul}}, root
            ),
            "display_name"
        );
        check_refused(
            http.rest(
                "POST", "/api/v1/users", {{"email", "a@acme.example"}, {"displayName", nul}}, root
            ),
            "displayName"
        );
        check_refused(
            http.rest(
                "PATCH",
                "/api/v5/artifacts/auths/draft",
                {{"name", "x"}, {"description", nul}},
                root
            ),
            "description"
        );
        check_refused(
            http.rest(
                "POST",
                "/api/v1/catalog/approvals",
                {{"catalog_slug", "vpn"},
                 {"email", "a@acme.example"},
                 {"action", "assign"},
                 {"note", nul}},
                root
            ),
            "note"
        );
        // Percent-decoded path segments and query values.
        check_refused(http.rest("GET", "/api/v1/groups/%FF%FE", nullptr, root), "groupIdentifier");
        check_refused(http.rest("GET", "/api/v1/catalog/rows/a%C0%AF", nullptr, root), "slug");
        check_refused(http.rest("GET", "/api/v1/workflows/%ED%A0%80", nullptr, root), "workflowId");
        check_refused(http.rest("GET", "/api/v1/users?search=%FF", nullptr, root), "search");
        check_refused(http.rest("GET", "/api/v1/spaces/%F4%90%80%80", nullptr, root), "spaceId");
        auto nul_query = http.rest("GET", "/api/v1/users?search=%00", nullptr, root);
        CHECK_MESSAGE(nul_query.status == 400, nul_query.body);
        CHECK(nul_query.json().is_object());
        // An unknown path with raw bytes is answered in valid JSON, bytes escaped.
        auto raw = http.send("GET", "/api/v1/no\xff\xfething", "", root);
        CHECK_MESSAGE(raw.status == 404, raw.body);
        REQUIRE_MESSAGE(raw.json().is_object(), raw.body);
        CHECK(raw.body.find('\xff') == std::string::npos);
        CHECK(text(raw.json().at("message")).find("%FF%FE") != std::string::npos);
        // Over MCP the same refusal is a tool error.
        McpHttp mcp(http, d.api_key);
        auto r = tool_refused(mcp.call("approvals_groups_create", {{"name", nul}}));
        CHECK(r.at("code") == "invalid_argument");
        CHECK(r.at("details").at(0).at("field") == "name");
        CHECK(writes() == before);
        // Plain non-ASCII text is still fine.
        auto ok =
            http.rest("POST", "/api/v1/spaces", {{"name", "ops"}, {"description", "财务 ✓"}}, root);
        CHECK_MESSAGE(ok.status == 201, ok.body);
    }

    TEST_CASE_TEMPLATE(
        "a webhook action URL the sender would refuse is refused at write",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const setup = approvers_and_space(http, root);
        auto const& sid = setup.first;
        auto const& rule = setup.second;
        auto with_url = [&](std::string const& name, std::string const& url) {
            return http.rest(
                "POST",
                "/api/v1/workflow-templates",
                {{"name", name},
                 {"approvalRule", rule},
                 {"spaceId", sid},
                 {"actions", json::array{json::object{{"type", "WEBHOOK"}, {"url", url}}}}},
                root
            );
        };
        for (auto const* url :
             {"https://user:pw@hooks.example.com/x",
              "https://hooks.example.com/x#frag",
              "https://127.1/x",
              "ftp://hooks.example.com/x"}) {
            CAPTURE(url);
            check_refused(with_url("t-bad", url), "actions[0].url");
        }
        CHECK(db_count(d, "workflow_templates") == 0);
        CHECK(with_url("t-good", "https://hooks.example.com/x?y=1").status == 201);
    }
}
