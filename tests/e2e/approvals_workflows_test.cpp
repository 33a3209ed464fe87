// Workflows and votes through the real binary on both back ends: every
// operation over REST on the seed's paths and verbs (statuses, shapes,
// {code, message, details} refusals for bad input and missing permissions),
// the same operations as MCP tools over stdio, and the catalog tie (a row
// naming a template, a request decided by a vote).
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr auto kNoSuchId = "00000000-0000-7000-8000-00000000ffff";

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

struct User {
    std::string id;
    httplib::Headers auth;
};

User make_user(HttpClient& http, httplib::Headers const& root, std::string const& email) {
    auto made = http.rest("POST", "/api/v1/users", {{"email", email}}, root);
    REQUIRE_MESSAGE(made.status == 201, made.body);
    auto id = str(made.json().at("id"));
    auto key = http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, root);
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return {id, bearer(str(key.json().at("apiKey")))};
}

/// A space, a group, template "deploy" needing `min` approvals of it.
struct Setting {
    std::string gid;
    std::string sid;
    std::string tid;
};

Setting make_setting(HttpClient& http, httplib::Headers const& root, int min) {
    Setting s;
    s.gid = str(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id"));
    s.sid = str(http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root).json().at("id"));
    json::object body{
        {"name", "deploy"},
        {"approvalRule", {{"type", "GROUP_REQUIREMENT"}, {"groupId", s.gid}, {"minCount", min}}},
        {"actions",
         json::array{
             json::object{{"type", "EMAIL"}, {"recipients", json::array{"ops@acme.example"}}}}},
        {"spaceId", s.sid}};
    auto t = http.rest("POST", "/api/v1/workflow-templates", body, root);
    REQUIRE_MESSAGE(t.status == 201, t.body);
    s.tid = str(t.json().at("id"));
    return s;
}

/// `u` joins the group and becomes WorkflowTemplateVoter on "deploy".
void make_voter(HttpClient& http, httplib::Headers const& root, Setting const& s, User const& u) {
    json::object members{
        {"entities",
         json::array{json::object{{"entity", {{"entityType", "human"}, {"entityId", u.id}}}}}}};
    auto added = http.rest("POST", "/api/v1/groups/" + s.gid + "/entities", members, root);
    REQUIRE_MESSAGE(added.status == 200, added.body);
    json::object bind{
        {"roles",
         json::array{json::object{
             {"roleName", "WorkflowTemplateVoter"},
             {"scope", {{"type", "workflow_template"}, {"templateName", "deploy"}}}}}},
        {"concurrencyControl", {{"version", "1"}}}};
    auto put = http.rest("PUT", "/api/v1/users/" + u.id + "/roles", bind, root);
    REQUIRE_MESSAGE(put.status == 204, put.body);
}

json::object approve_body() {
    return {{"voteType", {{"type", "APPROVE"}, {"votedForGroups", json::array{}}}}};
}

}  // namespace

TEST_SUITE("e2e/approvals") {
    TEST_CASE_TEMPLATE(
        "workflows and votes over REST, with the seed's shapes and refusals",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto s = make_setting(http, root, 2);
        auto ann = make_user(http, root, "ann@acme.example");
        auto bob = make_user(http, root, "bob@acme.example");
        auto eve = make_user(http, root, "eve@acme.example");
        make_voter(http, root, s, ann);
        make_voter(http, root, s, bob);

        json::object body{
            {"name", "Ship 1.2"},
            {"description", "release"},
            {"metadata", {{"ticket", 7}}},
            {"workflowTemplateId", s.tid}};
        auto created =
            http.rest("POST", "/api/v1/workflows", body, bearer(d.api_key, {{"X-MCP", "1"}}));
        REQUIRE_MESSAGE(created.status == 201, created.body);
        auto wf = created.json().as_object();
        auto const wid = str(wf.at("id"));
        CHECK(wf.at("status") == "EVALUATION_IN_PROGRESS");
        CHECK(wf.at("metadata") == json::parse(R"({"ticket":7})"));
        CHECK(wf.at("ref") == json::object{});
        CHECK(
            db_query(d, "SELECT via_mcp FROM workflows WHERE id = $1", {wid}).at(0).integer(0) == 1
        );
        check_error(http.rest("POST", "/api/v1/workflows", body, root), 409, "already_exists");
        body["name"] = "other";
        body["workflowTemplateId"] = "nope";
        check_error(http.rest("POST", "/api/v1/workflows", body, root), 400, "invalid_argument");
        body["workflowTemplateId"] = kNoSuchId;
        check_error(http.rest("POST", "/api/v1/workflows", body, root), 404, "not_found");
        body["workflowTemplateId"] = s.tid;
        check_error(
            http.rest("POST", "/api/v1/workflows", body, eve.auth), 403, "permission_denied"
        );
        body["colour"] = "red";
        check_error(http.rest("POST", "/api/v1/workflows", body, root), 400, "invalid_argument");

        auto got = http.rest(
            "GET", "/api/v1/workflows/ship%201.2?include=workflow-template", nullptr, root
        );
        REQUIRE_MESSAGE(got.status == 200, got.body);
        CHECK(got.json().at("id") == wid.c_str());
        CHECK(got.json().at("ref").at("workflowTemplate").at("id") == s.tid.c_str());
        check_error(http.rest("GET", "/api/v1/workflows/nothing", nullptr, root), 404, "not_found");
        check_error(
            http.rest("GET", "/api/v1/workflows/" + wid, nullptr, eve.auth),
            403,
            "permission_denied"
        );
        check_error(
            http.rest("GET", "/api/v1/workflows/" + wid + "?include=votes", nullptr, root),
            400,
            "invalid_argument"
        );

        auto list = http.rest(
            "GET",
            "/api/v1/"
            "workflows?status=EVALUATION_IN_PROGRESS&workflowTemplateIdentifier=deploy&limit=5",
            nullptr,
            root
        );
        REQUIRE_MESSAGE(list.status == 200, list.body);
        CHECK(list.json().at("data").as_array().size() == 1);
        CHECK(list.json().at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));
        check_error(
            http.rest("GET", "/api/v1/workflows?status=DONE", nullptr, root),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest("GET", "/api/v1/workflows?limit=0", nullptr, root), 400, "invalid_argument"
        );

        auto const wpath = "/api/v1/workflows/" + wid;
        auto can = http.rest("GET", wpath + "/canVote", nullptr, ann.auth);
        REQUIRE_MESSAGE(can.status == 200, can.body);
        CHECK(
            can.json() ==
            json::parse(
                R"({"canVote":true,"voteStatus":"VOTE_PENDING","requireHighPrivilege":false})"
            )
        );
        CHECK(
            http.rest("GET", wpath + "/canVote", nullptr, eve.auth).json().at("cantVoteReason") ==
            "NO_PERMISSIONS"
        );

        check_error(
            http.rest("POST", wpath + "/vote", {{"voteType", {{"type", "MAYBE"}}}}, ann.auth),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest(
                "POST",
                wpath + "/vote",
                {{"voteType", {{"type", "APPROVE"}, {"votedForGroups", json::array{"x"}}}}},
                ann.auth
            ),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest("POST", wpath + "/vote", approve_body(), eve.auth), 403, "permission_denied"
        );
        check_error(
            http.rest(
                "POST",
                "/api/v1/workflows/" + std::string(kNoSuchId) + "/vote",
                approve_body(),
                ann.auth
            ),
            404,
            "not_found"
        );

        auto first = http.rest("POST", wpath + "/vote", approve_body(), ann.auth);
        REQUIRE_MESSAGE(first.status == 200, first.body);
        CHECK(first.json().at("status") == "EVALUATION_IN_PROGRESS");
        CHECK(first.json().at("vote").at("voterId") == ann.id.c_str());
        CHECK(first.json().at("vote").at("voterType") == "human");
        json::object with_reason = approve_body();
        with_reason["reason"] = "lgtm";
        auto second = http.rest("POST", wpath + "/vote", with_reason, bob.auth);
        REQUIRE_MESSAGE(second.status == 200, second.body);
        CHECK(second.json().at("status") == "APPROVED");
        check_error(
            http.rest("POST", wpath + "/vote", {{"voteType", {{"type", "VETO"}}}}, ann.auth),
            422,
            "failed_precondition"
        );

        auto votes = http.rest("GET", wpath + "/votes", nullptr, root);
        REQUIRE_MESSAGE(votes.status == 200, votes.body);
        auto const votes_json = votes.json();
        auto const& vs = votes_json.at("votes").as_array();
        REQUIRE(vs.size() == 2);
        CHECK(vs.at(1).at("reason") == "lgtm");
        CHECK(vs.at(1).at("votedForGroups") == json::array{});
        CHECK(
            http.rest("GET", wpath + "/canVote", nullptr, ann.auth).json().at("cantVoteReason") ==
            "WORKFLOW_APPROVED"
        );
        CHECK(
            db_query(
                d, "SELECT COUNT(*) FROM outbox WHERE event_type = 'workflow.action.email'", {}
            )
                .at(0)
                .integer(0) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "workflows and votes as MCP tools over stdio, and the catalog tie",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        {
            ServerProcess server(d);
            HttpClient http(server.port());
            auto const root = bearer(d.api_key);
            auto s = make_setting(http, root, 1);
            // The admin itself votes: a member of the group, admins hold every permission.
            json::object members{
                {"entities",
                 json::array{json::object{
                     {"entity", {{"entityType", "human"}, {"entityId", d.user_id}}}}}}};
            REQUIRE(
                http.rest("POST", "/api/v1/groups/" + s.gid + "/entities", members, root).status ==
                200
            );
            auto row = http.rest(
                "POST",
                "/api/v1/catalog/rows",
                {{"slug", "prod-db"},
                 {"display_name", "Production DB"},
                 {"workflow_template", "deploy"}},
                root
            );
            REQUIRE_MESSAGE(row.status == 201, row.body);
            CHECK(row.json().at("workflow_template") == "deploy");
            check_error(
                http.rest(
                    "POST",
                    "/api/v1/catalog/rows",
                    {{"slug", "x"}, {"display_name", "X"}, {"workflow_template", "none"}},
                    root
                ),
                404,
                "not_found"
            );
        }
        StdioClient c(d);
        c.initialize();
        auto call_ok = [&](std::string const& tool, json::object args) {
            auto r = c.call(tool, std::move(args));
            REQUIRE_MESSAGE(r.at("isError") == false, json::serialize(r));
            return r.at("structuredContent").as_object();
        };
        auto tid =
            str(call_ok("approvals_templates_get", {{"templateIdentifier", "deploy"}}).at("id"));
        auto wf = call_ok(
            "approvals_workflows_create", {{"name", "by-mcp"}, {"workflowTemplateId", tid}}
        );
        auto const wid = str(wf.at("id"));
        CHECK(
            call_ok("approvals_workflows_list", {{"status", "EVALUATION_IN_PROGRESS"}})
                .at("data")
                .as_array()
                .size() == 1
        );
        CHECK(
            call_ok(
                "approvals_workflows_get",
                {{"workflowId", "by-mcp"}, {"include", "workflow-template"}}
            )
                .at("ref")
                .at("workflowTemplate")
                .at("name") == "deploy"
        );
        CHECK(call_ok("approvals_votes_can_vote", {{"workflowId", wid}}).at("canVote") == true);
        auto bad =
            c.call("approvals_votes_cast", {{"workflowId", wid}, {"voteType", {{"type", "NOPE"}}}});
        CHECK(bad.at("isError") == true);
        CHECK(bad.at("structuredContent").at("code") == "invalid_argument");
        auto vote = call_ok(
            "approvals_votes_cast", {{"workflowId", wid}, {"voteType", {{"type", "APPROVE"}}}}
        );
        CHECK(vote.at("status") == "APPROVED");
        CHECK(
            call_ok("approvals_votes_list", {{"workflowId", wid}}).at("votes").as_array().size() ==
            1
        );
        CHECK(db_query(d, "SELECT via_mcp FROM workflow_votes", {}).at(0).integer(0) == 1);

        // The catalog tie: a request starts a workflow, a vote settles it (the
        // admin asks for someone else: nobody votes on their own access).
        auto req = call_ok(
            "catalog_request", {{"catalog_slug", "prod-db"}, {"email", "dev@acme.example"}}
        );
        CHECK(req.at("state") == "pending");
        auto const rwid = str(req.at("workflow_id"));
        CHECK(
            call_ok(
                "approvals_votes_cast",
                {{"workflowId", rwid}, {"voteType", {{"type", "VETO"}}}, {"reason", "not now"}}
            ).at("status") == "REJECTED"
        );
        auto approvals = call_ok("catalog_approvals_list", {{"catalog_slug", "prod-db"}});
        auto const& items = approvals.at("items").as_array();
        REQUIRE(items.size() == 1);
        CHECK(items.at(0).at("state") == "revoked");
        CHECK(items.at(0).at("reason") == "workflow rejected: not now");
    }
}
