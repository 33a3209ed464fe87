// Spaces and workflow templates through the real binary on both back ends:
// every operation over REST on the seed's paths and verbs (statuses, shapes,
// {code, message, details} errors, X-MCP provenance) and over MCP stdio
// (structuredContent, isError refusals, via_mcp rows), plus space- and
// template-scoped role bindings and the schema-level bad inputs.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

void check_error(HttpReply const& r, int status, std::string const& code) {
    CHECK_MESSAGE(r.status == status, r.body);
    auto body = r.json();
    REQUIRE_MESSAGE(body.is_object(), r.body);
    CHECK(body.at("code") == code.c_str());
    CHECK(body.at("message").is_string());
    CHECK(body.at("details").is_array());
}

std::string first_field(HttpReply const& r) {
    auto body = r.json();
    REQUIRE_MESSAGE(!body.at("details").as_array().empty(), r.body);
    return str(body.at("details").at(0).at("field"));
}

json::object need(std::string const& group, int n) {
    return {{"type", "GROUP_REQUIREMENT"}, {"groupId", group}, {"minCount", n}};
}

json::object ok(json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == false, json::serialize(result));
    return result.at("structuredContent").as_object();
}

std::string refused(json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == true, json::serialize(result));
    return std::string(result.at("structuredContent").at("code").as_string());
}

}  // namespace

TEST_SUITE("e2e/approvals") {
    TEST_CASE_TEMPLATE(
        "spaces and templates over REST on the seed's paths and verbs",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const gid =
            str(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id"));

        // ---- spaces ----
        auto made = http.rest(
            "POST",
            "/api/v1/spaces",
            {{"name", "Engineering Team"}, {"description", "eng"}},
            bearer(d.api_key, {{"X-MCP", "1"}})
        );
        REQUIRE_MESSAGE(made.status == 201, made.body);
        auto const sid = str(made.json().at("id"));
        CHECK(made.json().at("name") == "Engineering Team");
        CHECK(db_query(d, "SELECT via_mcp FROM spaces WHERE id = $1", {sid}).at(0).integer(0) == 1);
        check_error(
            http.rest("POST", "/api/v1/spaces", {{"name", "engineering team"}}, root),
            409,
            "already_exists"
        );
        check_error(
            http.rest("POST", "/api/v1/spaces", {{"name", std::string(256, 'a')}}, root),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest("POST", "/api/v1/spaces", {{"name", "x"}, {"colour", "red"}}, root),
            400,
            "invalid_argument"
        );
        auto spaces = http.rest("GET", "/api/v1/spaces?page=1&limit=5", nullptr, root);
        REQUIRE_MESSAGE(spaces.status == 200, spaces.body);
        CHECK(spaces.json().at("data").at(0).at("id") == sid.c_str());
        CHECK(spaces.json().at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));
        check_error(
            http.rest("GET", "/api/v1/spaces?limit=101", nullptr, root), 400, "invalid_argument"
        );
        auto got = http.rest("GET", "/api/v1/spaces/" + sid, nullptr, root);
        REQUIRE_MESSAGE(got.status == 200, got.body);
        CHECK(got.json().at("description") == "eng");
        check_error(
            http.rest("GET", "/api/v1/spaces/nope", nullptr, root), 400, "invalid_argument"
        );
        check_error(
            http.rest("GET", "/api/v1/spaces/00000000-0000-7000-8000-00000000ffff", nullptr, root),
            404,
            "not_found"
        );

        // ---- templates ----
        json::object body{
            {"name", "Deploy Prod"},
            {"description", "ship it"},
            {"metadata", {{"team", "sre"}}},
            {"approvalRule",
             {{"type", "AND"},
              {"rules",
               json::array{need(gid, 2), {{"type", "OR"}, {"rules", json::array{need(gid, 1)}}}}}}},
            {"actions",
             json::array{
                 json::object{{"type", "EMAIL"}, {"recipients", json::array{"ops@acme.example"}}},
                 json::object{
                     {"type", "WEBHOOK"},
                     {"url", "https://hooks.example/deploy"},
                     {"headers", {{"Authorization", "Bearer s3cret"}, {"X-Team", "sre"}}}}}},
            {"defaultExpiresInHours", 48},
            {"spaceId", sid}};
        auto created = http.rest("POST", "/api/v1/workflow-templates", body, root);
        REQUIRE_MESSAGE(created.status == 201, created.body);
        auto t = created.json().as_object();
        auto const tid = str(t.at("id"));
        CHECK(t.at("version") == "1");
        CHECK(t.at("status") == "ACTIVE");
        CHECK(t.at("allowVotingOnDeprecatedTemplate") == true);
        CHECK(t.at("metadata") == json::parse(R"({"team":"sre"})"));
        CHECK(t.at("defaultExpiresInHours") == 48);
        CHECK(t.at("spaceId") == sid.c_str());
        CHECK(t.at("approvalRule").at("rules").at(1).at("type") == "OR");
        CHECK(t.at("approvalRule").at("rules").at(0).at("minCount") == 2);
        CHECK(t.at("actions").at(0).at("on") == json::parse(R"(["APPROVED"])"));
        CHECK(t.at("actions").at(1).at("method") == "POST");
        CHECK(t.at("actions").at(1).at("headers").at("Authorization") == "***");
        CHECK(t.at("actions").at(1).at("headers").at("X-Team") == "sre");
        CHECK(t.at("concurrencyControl").at("version") == "1");
        // Stored unredacted for delivery.
        CHECK(
            db_query(d, "SELECT actions FROM workflow_templates WHERE id = $1", {tid})
                .at(0)
                .text(0)
                .find("Bearer s3cret") != std::string::npos
        );

        auto bad = [&](std::string const& key, json::value v) {
            json::object b = body;
            b["name"] = "other";
            b[key] = std::move(v);
            return http.rest("POST", "/api/v1/workflow-templates", b, root);
        };
        check_error(
            http.rest("POST", "/api/v1/workflow-templates", body, root), 409, "already_exists"
        );
        check_error(bad("defaultExpiresInHours", 0), 400, "invalid_argument");
        check_error(bad("defaultExpiresInHours", 8761), 400, "invalid_argument");
        check_error(bad("name", "ab"), 400, "invalid_argument");
        check_error(bad("spaceId", "space"), 400, "invalid_argument");
        check_error(bad("spaceId", "00000000-0000-7000-8000-00000000ffff"), 404, "not_found");
        auto depth3 =
            bad("approvalRule",
                json::object{
                    {"type", "AND"},
                    {"rules",
                     json::array{json::object{
                         {"type", "OR"},
                         {"rules",
                          json::array{json::object{
                              {"type", "AND"}, {"rules", json::array{need(gid, 1)}}}}}}}}});
        check_error(depth3, 400, "invalid_argument");
        CHECK(first_field(depth3) == "approvalRule.rules[0].rules[0].rules[0]");
        auto unknown_group = bad("approvalRule", need("00000000-0000-7000-8000-00000000ffff", 1));
        check_error(unknown_group, 404, "not_found");
        CHECK(first_field(unknown_group) == "approvalRule.groupId");
        check_error(bad("approvalRule", need(gid, 0)), 400, "invalid_argument");
        check_error(bad("approvalRule", need("not-a-uuid", 1)), 400, "invalid_argument");
        check_error(bad("approvalRule", json::object{{"type", "XOR"}}), 400, "invalid_argument");
        check_error(
            bad("approvalRule", json::object{{"type", "AND"}, {"rules", json::array{}}}),
            400,
            "invalid_argument"
        );
        check_error(
            bad("actions", json::array{json::object{{"type", "SLACK"}}}), 400, "invalid_argument"
        );
        auto bad_url =
            bad("actions", json::array{json::object{{"type", "WEBHOOK"}, {"url", "ftp://x.io"}}});
        check_error(bad_url, 400, "invalid_argument");
        CHECK(first_field(bad_url) == "actions[0].url");

        auto by_name = http.rest("GET", "/api/v1/workflow-templates/deploy%20prod", nullptr, root);
        REQUIRE_MESSAGE(by_name.status == 200, by_name.body);
        CHECK(by_name.json().at("id") == tid.c_str());
        CHECK(http.rest("GET", "/api/v1/workflow-templates/" + tid, nullptr, root).status == 200);
        check_error(
            http.rest("GET", "/api/v1/workflow-templates/ghost", nullptr, root), 404, "not_found"
        );

        json::object update{
            {"description", "v2"},
            {"approvalRule", need(gid, 1)},
            {"concurrencyControl", {{"version", "1"}}}};
        auto v2 = http.rest("PUT", "/api/v1/workflow-templates/Deploy%20Prod", update, root);
        REQUIRE_MESSAGE(v2.status == 200, v2.body);
        CHECK(v2.json().at("version") == "2");
        CHECK(v2.json().at("description") == "v2");
        CHECK(v2.json().at("defaultExpiresInHours") == 48);
        CHECK(v2.json().at("concurrencyControl").at("version") == "2");
        check_error(
            http.rest("PUT", "/api/v1/workflow-templates/Deploy%20Prod", update, root),
            409,
            "conflict"
        );
        // Without concurrencyControl (seed 001 has none) the update applies to
        // the current version.
        json::object no_version{{"description", "v3"}};
        auto v3 = http.rest("PUT", "/api/v1/workflow-templates/Deploy%20Prod", no_version, root);
        REQUIRE_MESSAGE(v3.status == 200, v3.body);
        CHECK(v3.json().at("concurrencyControl").at("version") == "3");
        check_error(
            http.rest("PUT", "/api/v1/workflow-templates/" + tid, update, root),
            422,
            "failed_precondition"
        );
        auto v1 = http.rest("GET", "/api/v1/workflow-templates/" + tid, nullptr, root).json();
        CHECK(v1.at("status") == "PENDING_DEPRECATION");
        CHECK(v1.at("allowVotingOnDeprecatedTemplate") == true);

        auto listed = http.rest("GET", "/api/v1/workflow-templates?limit=5", nullptr, root);
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        CHECK(listed.json().at("data").at(0).at("version") == "3");
        CHECK(listed.json().at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));
        auto pending = http.rest(
            "GET",
            "/api/v1/workflow-templates?status=PENDING_DEPRECATION&spaceId=" + sid,
            nullptr,
            root
        );
        REQUIRE_MESSAGE(pending.status == 200, pending.body);
        bool v1_pending = false;
        auto const pending_body = pending.json();
        for (auto const& item : pending_body.at("data").as_array()) {
            v1_pending = v1_pending || item.at("id") == tid.c_str();
        }
        CHECK(v1_pending);
        check_error(
            http.rest("GET", "/api/v1/workflow-templates?status=GONE", nullptr, root),
            400,
            "invalid_argument"
        );

        auto dep = http.rest(
            "POST",
            "/api/v1/workflow-templates/Deploy%20Prod/deprecate",
            {{"cancelWorkflows", true}},
            root
        );
        REQUIRE_MESSAGE(dep.status == 200, dep.body);
        CHECK(dep.json().at("status") == "DEPRECATED");
        CHECK(dep.json().at("allowVotingOnDeprecatedTemplate") == false);
        check_error(
            http.rest(
                "POST", "/api/v1/workflow-templates/Deploy%20Prod/deprecate", json::object{}, root
            ),
            422,
            "failed_precondition"
        );
        CHECK(db_count(d, "audit_log WHERE action LIKE 'approvals.template.%'") == 4);
        CHECK(db_count(d, "audit_log WHERE action = 'approvals.space.created'") == 1);
    }

    TEST_CASE_TEMPLATE(
        "space and template roles over REST grant and refuse as they should",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto made = http.rest("POST", "/api/v1/users", {{"email", "bob@acme.example"}}, root);
        REQUIRE_MESSAGE(made.status == 201, made.body);
        auto const bob = str(made.json().at("id"));
        auto key = http.rest("POST", "/api/v1/users/" + bob + "/api-keys", json::object{}, root);
        REQUIRE_MESSAGE(key.status == 201, key.body);
        auto const as_bob = bearer(str(key.json().at("apiKey")));
        auto const gid =
            str(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id"));
        auto const sid =
            str(http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root).json().at("id"));
        json::object tbody{{"name", "release"}, {"approvalRule", need(gid, 1)}, {"spaceId", sid}};
        auto const tid =
            str(http.rest("POST", "/api/v1/workflow-templates", tbody, root).json().at("id"));

        // bob without a role: the space and template are closed to him.
        check_error(
            http.rest("GET", "/api/v1/spaces/" + sid, nullptr, as_bob), 403, "permission_denied"
        );
        check_error(
            http.rest("GET", "/api/v1/workflow-templates/release", nullptr, as_bob),
            403,
            "permission_denied"
        );
        CHECK(http.rest("GET", "/api/v1/workflow-templates", nullptr, as_bob)
                  .json()
                  .at("data")
                  .as_array()
                  .empty());
        tbody["name"] = "bobs";
        check_error(
            http.rest("POST", "/api/v1/workflow-templates", tbody, as_bob), 403, "permission_denied"
        );

        auto const roles_path = "/api/v1/users/" + bob + "/roles";
        json::object bind{
            {"roles",
             json::array{
                 json::object{
                     {"roleName", "SpaceReadOnly"},
                     {"scope", {{"type", "space"}, {"spaceId", sid}}}},
                 json::object{
                     {"roleName", "WorkflowTemplateWrite"},
                     {"scope", {{"type", "workflow_template"}, {"workflowTemplateId", tid}}}}}},
            {"concurrencyControl", {{"version", "1"}}}};
        auto put = http.rest("PUT", roles_path, bind, root);
        CHECK_MESSAGE(put.status == 204, put.body);
        auto held = http.rest("GET", roles_path, nullptr, root).json();
        CHECK(held.at("roles").at(1).at("scope").at("templateName") == "release");
        CHECK(http.rest("GET", "/api/v1/spaces/" + sid, nullptr, as_bob).status == 200);
        CHECK(http.rest("GET", "/api/v1/workflow-templates/" + tid, nullptr, as_bob).status == 200);
        CHECK(
            http.rest("GET", "/api/v1/spaces", nullptr, as_bob)
                .json()
                .at("data")
                .as_array()
                .size() == 1
        );
        auto v2 = http.rest(
            "PUT",
            "/api/v1/workflow-templates/release",
            {{"description", "by bob"}, {"concurrencyControl", {{"version", 1}}}},
            as_bob
        );
        CHECK_MESSAGE(v2.status == 200, v2.body);
        // Reading is not managing: bob may not bind roles on the space.
        json::object grant{
            {"roles",
             json::array{json::object{
                 {"roleName", "SpaceReadOnly"}, {"scope", {{"type", "space"}, {"spaceId", sid}}}}}},
            {"concurrencyControl", {{"version", "1"}}}};
        check_error(
            http.rest("PUT", "/api/v1/users/" + d.user_id + "/roles", grant, as_bob),
            403,
            "permission_denied"
        );
        json::object ghost = bind;
        ghost["roles"] = json::array{json::object{
            {"roleName", "WorkflowTemplateVoter"},
            {"scope", {{"type", "workflow_template"}, {"templateName", "ghost"}}}}};
        ghost["concurrencyControl"] = json::object{{"version", "2"}};
        check_error(http.rest("PUT", roles_path, ghost, root), 404, "not_found");
    }

    TEST_CASE_TEMPLATE(
        "an agent drives spaces and templates over stdio", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        StdioClient c(d);
        c.initialize();
        auto const gid = std::string(
            ok(c.call("approvals_groups_create", {{"name", "approvers"}})).at("id").as_string()
        );
        auto space = ok(c.call("approvals_spaces_create", {{"name", "ops"}, {"description", "d"}}));
        auto const sid = std::string(space.at("id").as_string());
        CHECK(refused(c.call("approvals_spaces_create", {{"name", "OPS"}})) == "already_exists");
        CHECK(
            ok(c.call("approvals_spaces_list", {{"limit", 5}})).at("pagination") ==
            json::parse(R"({"total":1,"page":1,"limit":5})")
        );
        CHECK(ok(c.call("approvals_spaces_get", {{"spaceId", sid}})).at("name") == "ops");
        CHECK(refused(c.call("approvals_spaces_get", {{"spaceId", "x"}})) == "invalid_argument");

        json::object create{{"name", "release"}, {"approvalRule", need(gid, 1)}, {"spaceId", sid}};
        auto t = ok(c.call("approvals_templates_create", create));
        CHECK(t.at("version") == "1");
        CHECK(t.at("metadata") == json::object{});
        CHECK(refused(c.call("approvals_templates_create", create)) == "already_exists");
        json::object zero = create;
        zero["name"] = "zero";
        zero["approvalRule"] = need(gid, 0);
        CHECK(refused(c.call("approvals_templates_create", zero)) == "invalid_argument");
        CHECK(
            ok(c.call("approvals_templates_get", {{"templateIdentifier", "RELEASE"}})).at("id") ==
            t.at("id")
        );
        auto v2 = ok(c.call(
            "approvals_templates_update",
            {{"templateIdentifier", "release"},
             {"defaultExpiresInHours", 8760},
             {"cancelWorkflows", true},
             {"concurrencyControl", {{"version", 1}}}}
        ));
        CHECK(v2.at("version") == "2");
        CHECK(v2.at("defaultExpiresInHours") == 8760);
        CHECK(
            refused(c.call(
                "approvals_templates_update",
                {{"templateIdentifier", "release"},
                 {"defaultExpiresInHours", 8761},
                 {"concurrencyControl", {{"version", 2}}}}
            )) == "invalid_argument"
        );
        auto old = ok(c.call("approvals_templates_get", {{"templateIdentifier", t.at("id")}}));
        CHECK(old.at("allowVotingOnDeprecatedTemplate") == false);
        auto list = ok(c.call("approvals_templates_list", {{"spaceId", sid}}));
        CHECK(list.at("data").as_array().size() == 1);
        auto dep = ok(c.call("approvals_templates_deprecate", {{"templateName", "release"}}));
        CHECK(dep.at("status") == "DEPRECATED");
        CHECK(
            refused(c.call("approvals_templates_deprecate", {{"templateName", "release"}})) ==
            "failed_precondition"
        );
        CHECK(db_count(d, "spaces WHERE via_mcp = 1") == 1);
        CHECK(db_count(d, "workflow_templates WHERE via_mcp = 1") == 2);
    }
}
