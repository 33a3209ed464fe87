// Off-boarding through the real binary on both back ends: a deactivated user's
// keys stop working at once, their MCP sessions end, their standing votes are
// withdrawn and their grants stay; the rank rule and the self and last-admin
// rules; reactivation restores nothing; `signoff stdio` re-reads its key and
// roles on every message; the operator's bootstrap, keys list and keys revoke.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/mcp_http.hpp"
#include "tests/e2e/people.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

std::string deactivate(std::string const& id) {
    return "/api/v1/users/" + id + "/deactivate";
}

/// `signoff admin …` against the deployment's database; answers exit code and stdout.
std::pair<int, std::string> admin(Deployment const& d, std::vector<std::string> args) {
    std::vector<std::string> argv{signoff::testing::signoff_binary(), "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--db", d.db_url});
    return signoff::testing::run_command(argv);
}

}  // namespace

TEST_SUITE("e2e/offboarding") {
    TEST_CASE_TEMPLATE(
        "deactivation ends keys and sessions at once, withdraws votes and keeps grants",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const ada = make_person(http, d.api_key, "ada@acme.example", "admin");
        auto const abe = make_person(http, d.api_key, "abe@acme.example", "admin");
        auto const mo = make_person(http, d.api_key, "mo@acme.example", "member");
        auto const hal = make_person(http, d.api_key, "hal@acme.example", "hr_admin");

        // Mo holds a grant, has an MCP session open, and approved a workflow
        // that needs one more approval.
        REQUIRE(
            http.rest(
                    "POST", "/api/v1/catalog/rows", {{"slug", "vpn"}, {"display_name", "VPN"}}, root
            )
                .status == 201
        );
        auto granted = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"}, {"email", "mo@acme.example"}, {"action", "assign"}},
            root
        );
        REQUIRE_MESSAGE(granted.status / 100 == 2, granted.body);
        auto const gid =
            text(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id")
            );
        json::object members{
            {"entities",
             json::array{
                 json::object{{"entity", {{"entityType", "human"}, {"entityId", mo.id}}}},
                 json::object{{"entity", {{"entityType", "human"}, {"entityId", d.user_id}}}}}}};
        REQUIRE(
            http.rest("POST", "/api/v1/groups/" + gid + "/entities", members, root).status == 200
        );
        auto const sid =
            text(http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root).json().at("id"));
        auto templ = http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "two-of-us"},
             {"approvalRule", {{"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", 2}}},
             {"spaceId", sid}},
            root
        );
        REQUIRE_MESSAGE(templ.status == 201, templ.body);
        json::object voter{
            {"roles",
             json::array{json::object{
                 {"roleName", "WorkflowTemplateVoter"},
                 {"scope", {{"type", "workflow_template"}, {"templateName", "two-of-us"}}}}}},
            {"concurrencyControl", {{"version", "1"}}}};
        REQUIRE(http.rest("PUT", "/api/v1/users/" + mo.id + "/roles", voter, root).status == 204);
        auto wf = http.rest(
            "POST",
            "/api/v1/workflows",
            {{"name", "deploy-1"}, {"workflowTemplateId", text(templ.json().at("id"))}},
            root
        );
        REQUIRE_MESSAGE(wf.status == 201, wf.body);
        auto const wid = text(wf.json().at("id"));
        json::object approve{
            {"voteType", {{"type", "APPROVE"}, {"votedForGroups", json::array{}}}}};
        auto voted =
            http.rest("POST", "/api/v1/workflows/" + wid + "/vote", approve, bearer(mo.key));
        REQUIRE_MESSAGE(voted.status == 200, voted.body);
        McpHttp session(http, mo.key);
        tool_ok(session.call("identity_users_get", {{"userId", mo.id}}));

        // Who may not: members, hr_admins, an admin on an admin or on the
        // super_admin, anyone on themselves, another org's admin.
        auto const before = db_count(d, "audit_log");
        check_refusal(
            http.rest("POST", deactivate(ada.id), json::object{}, bearer(mo.key)),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", deactivate(mo.id), json::object{}, bearer(hal.key)),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", deactivate(abe.id), json::object{}, bearer(ada.key)),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", deactivate(d.user_id), json::object{}, bearer(ada.key)),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", deactivate(d.user_id), json::object{}, root),
            422,
            "failed_precondition"
        );
        auto other = bootstrap_org(d.db_url, "globex");
        check_refusal(
            http.rest("POST", deactivate(mo.id), json::object{}, bearer(other.api_key)),
            404,
            "not_found"
        );
        check_refusal(
            http.rest("POST", deactivate("not-a-uuid"), json::object{}, root),
            400,
            "invalid_argument"
        );
        CHECK(db_count(d, "audit_log") == before);
        CHECK(http.rest("GET", "/api/v1/users", nullptr, bearer(mo.key)).status == 200);

        // An admin off-boards a member.
        auto gone =
            http.rest("POST", deactivate(mo.id), json::object{}, bearer(ada.key, {{"X-MCP", "1"}}));
        REQUIRE_MESSAGE(gone.status == 200, gone.body);
        CHECK(gone.json().at("deactivatedAt").is_string());
        check_refusal(
            http.rest("GET", "/api/v1/users", nullptr, bearer(mo.key)), 401, "unauthenticated"
        );
        auto const later = session.send(
            R"({"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"identity_users_list","arguments":{}}})"
        );
        CHECK_MESSAGE(later.status == 401, later.body);
        CHECK(server.child().wait_stderr("1 MCP session(s) ended").has_value());
        // The vote is withdrawn; the workflow waits for others; the grant stays.
        auto votes = http.rest("GET", "/api/v1/workflows/" + wid + "/votes", nullptr, root);
        REQUIRE_MESSAGE(votes.status == 200, votes.body);
        auto const votes_json = votes.json();
        auto const& list = votes_json.at("votes").as_array();
        REQUIRE(list.size() == 2);
        CHECK(list.at(1).at("voteType") == "WITHDRAW");
        CHECK(list.at(1).at("reason") == "user deactivated");
        auto w = http.rest("GET", "/api/v1/workflows/" + wid, nullptr, root);
        CHECK(w.json().at("status") == "EVALUATION_IN_PROGRESS");
        auto grants = http.rest("GET", "/api/v1/catalog/approvals?catalog_slug=vpn", nullptr, root);
        CHECK(grants.json().at("items").at(0).at("state") == "approved");
        auto listed = http.rest("GET", "/api/v1/users/" + mo.id + "/api-keys", nullptr, root);
        REQUIRE(listed.status == 200);
        auto const listed_json = listed.json();
        for (auto const& k : listed_json.at("apiKeys").as_array()) {
            CHECK(k.at("revokedAt").is_string());
        }
        CHECK(
            db_count(
                d,
                "audit_log WHERE action = 'identity.user.deactivated' AND actor_id = '" + ada.id +
                    "'"
            ) == 1
        );
        CHECK(db_count(d, "audit_log WHERE action = 'approvals.workflow.vote_withdrawn'") == 1);
        // A second deactivation changes nothing.
        CHECK(http.rest("POST", deactivate(mo.id), json::object{}, bearer(ada.key)).status == 200);
        CHECK(db_count(d, "audit_log WHERE action = 'identity.user.deactivated'") == 1);

        // Reactivation restores neither the old key nor the vote.
        auto back = http.rest(
            "POST", "/api/v1/users/" + mo.id + "/reactivate", json::object{}, bearer(ada.key)
        );
        REQUIRE_MESSAGE(back.status == 200, back.body);
        CHECK(!back.json().as_object().contains("deactivatedAt"));
        check_refusal(
            http.rest("GET", "/api/v1/users", nullptr, bearer(mo.key)), 401, "unauthenticated"
        );
        auto fresh = http.rest(
            "POST", "/api/v1/users/" + mo.id + "/api-keys", json::object{}, bearer(ada.key)
        );
        REQUIRE(fresh.status == 201);
        CHECK(
            http.rest("GET", "/api/v1/users", nullptr, bearer(text(fresh.json().at("apiKey"))))
                .status == 200
        );
        auto again = http.rest("GET", "/api/v1/workflows/" + wid + "/votes", nullptr, root);
        CHECK(again.json().at("votes").as_array().size() == 2);
    }

    TEST_CASE("signoff stdio re-reads its key and roles for every message") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const dee = make_person(http, d.api_key, "dee@acme.example", "admin");
        Deployment as_dee = d;
        as_dee.api_key = dee.key;
        StdioClient stdio(as_dee);
        stdio.initialize();
        auto made = stdio.call("identity_users_create", {{"email", "x1@acme.example"}});
        CHECK(made.at("isError") == false);

        // Demoted to member over REST: the next stdio call has a member's rights.
        auto demoted =
            http.rest("DELETE", "/api/v1/organization/acme/admins", {{"userId", dee.id}}, root);
        REQUIRE_MESSAGE(demoted.status == 204, demoted.body);
        auto refused = stdio.call("identity_users_create", {{"email", "x2@acme.example"}});
        CHECK(refused.at("isError") == true);
        CHECK(refused.at("structuredContent").at("code") == "permission_denied");

        // Her key revoked: every later request is refused with -32001.
        auto keys = http.rest("GET", "/api/v1/users/" + dee.id + "/api-keys", nullptr, root);
        auto const key_id = text(keys.json().at("apiKeys").at(0).at("id"));
        REQUIRE(
            http.rest("DELETE", "/api/v1/users/" + dee.id + "/api-keys/" + key_id, nullptr, root)
                .status == 200
        );
        auto r = stdio.request("tools/list");
        REQUIRE_MESSAGE(r.contains("error"), json::serialize(r));
        CHECK(r.at("error").at("code") == -32001);
        CHECK(stdio.child().wait_stderr("no longer works").has_value());
    }

    TEST_CASE_TEMPLATE(
        "the operator: bootstrap refuses a second time, keys list and keys revoke",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        auto const keys_before = db_count(d, "api_keys");
        auto [code, out] = admin(d, {"bootstrap", "--org", "acme", "--email", "root@acme.example"});
        CHECK(code == 1);
        CHECK(out.empty());
        CHECK(db_count(d, "api_keys") == keys_before);

        auto [code2, out2] =
            admin(d, {"bootstrap", "--org", "acme", "--email", "root@acme.example", "--new-key"});
        REQUIRE_MESSAGE(code2 == 0, out2);
        auto const second = text(json::parse(out2).at("api_key"));
        CHECK(text(json::parse(out2).at("user_id")) == d.user_id);
        CHECK(
            db_count(
                d, "audit_log WHERE action = 'identity.api_key.created' AND actor_id IS NULL"
            ) == 1
        );

        auto [code3, listing] = admin(d, {"keys", "list", "--org", "acme"});
        REQUIRE(code3 == 0);
        CHECK(listing.find("sk-signoff-") != std::string::npos);  // prefixes only
        CHECK(listing.find(d.api_key) == std::string::npos);
        CHECK(listing.find(second) == std::string::npos);
        auto const first_line = json::parse(listing.substr(0, listing.find('\n')));
        auto const prefix = text(first_line.at("prefix"));
        CHECK(d.api_key.starts_with(prefix));

        ServerProcess server(d);
        HttpClient http(server.port());
        REQUIRE(http.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key)).status == 200);
        auto [code4, revoked] = admin(d, {"keys", "revoke", prefix});
        REQUIRE_MESSAGE(code4 == 0, revoked);
        CHECK(json::parse(revoked).at("revokedAt").is_string());
        // The running server sees it on the very next request.
        check_refusal(
            http.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key)), 401, "unauthenticated"
        );
        CHECK(http.rest("GET", "/api/v1/users", nullptr, bearer(second)).status == 200);
        auto [code5, none] = admin(d, {"keys", "revoke", "sk-signoff-00000000"});
        CHECK(code5 == 1);
        CHECK(admin(d, {"keys", "list", "--org", "nope"}).first == 1);
    }
}
