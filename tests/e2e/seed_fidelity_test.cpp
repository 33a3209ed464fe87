// Seed 001 as the original product's clients speak it, through the real
// binary on both back ends: spaceIdentifier (id or name) on the template list,
// search on groups and spaces, the non-terminal filter on workflows, unknown
// query parameters ignored on REST, Location on every 201, a user with
// groups, roles and concurrencyControl, 409 for removing a non-member, and
// updates that omit concurrencyControl (or send it as a string).
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

/// A 201 with a Location (relative, on the API); answers it.
std::string created(HttpReply const& r) {
    REQUIRE_MESSAGE(r.status == 201, r.body);
    auto const where = r.header("Location");
    CHECK_MESSAGE(where.starts_with("/api/v1/"), where);
    return where;
}

}  // namespace

TEST_SUITE("e2e/seed_fidelity") {
    TEST_CASE_TEMPLATE(
        "the original API's filters, Location headers, user shape and conflicts",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);

        // Location on creates, resolvable with GET.
        auto user = http.rest("POST", "/api/v1/users", {{"email", "ann@acme.example"}}, root);
        auto const user_at = created(user);
        auto const uid = str(user.json().at("id"));
        CHECK(user_at == "/api/v1/users/" + uid);
        auto read_back = http.rest("GET", user_at, nullptr, root);
        CHECK_MESSAGE(read_back.status == 200, read_back.body << server.stderr_text());
        auto key = http.rest("POST", "/api/v1/users/" + uid + "/api-keys", json::object{}, root);
        CHECK(created(key) == "/api/v1/users/" + uid + "/api-keys/" + str(key.json().at("id")));

        auto g1 = http.rest("POST", "/api/v1/groups", {{"name", "Release-Approvers"}}, root);
        auto const g1_at = created(g1);
        CHECK(http.rest("GET", g1_at, nullptr, root).json().at("name") == "Release-Approvers");
        auto const gid = str(g1.json().at("id"));
        http.rest("POST", "/api/v1/groups", {{"name", "security"}}, root);
        auto s1 = http.rest("POST", "/api/v1/spaces", {{"name", "Payments Prod"}}, root);
        auto const s1_at = created(s1);
        CHECK(http.rest("GET", s1_at, nullptr, root).status == 200);
        auto const sid = str(s1.json().at("id"));
        auto s2 = http.rest("POST", "/api/v1/spaces", {{"name", "staging"}}, root);
        auto const sid2 = str(s2.json().at("id"));
        json::object rule{{"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", 1}};
        auto t1 = http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "deploy"},
             {"approvalRule", rule},
             {"actions", json::array{}},
             {"spaceId", sid}},
            root
        );
        auto const t1_at = created(t1);
        CHECK(http.rest("GET", t1_at, nullptr, root).json().at("name") == "deploy");
        http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "stage"},
             {"approvalRule", rule},
             {"actions", json::array{}},
             {"spaceId", sid2}},
            root
        );
        auto const tid = str(t1.json().at("id"));
        auto w1 = http.rest(
            "POST", "/api/v1/workflows", {{"name", "deploy-1"}, {"workflowTemplateId", tid}}, root
        );
        auto const w1_at = created(w1);
        CHECK(http.rest("GET", w1_at, nullptr, root).json().at("name") == "deploy-1");
        auto w2 = http.rest(
            "POST", "/api/v1/workflows", {{"name", "deploy-2"}, {"workflowTemplateId", tid}}, root
        );
        auto const wid2 = str(w2.json().at("id"));
        json::object veto{{"voteType", {{"type", "VETO"}}}};
        // root is not in the group: add, then veto deploy-2 to end it.
        json::object me{
            {"entities",
             json::array{
                 json::object{{"entity", {{"entityType", "human"}, {"entityId", d.user_id}}}}}}};
        REQUIRE(http.rest("POST", "/api/v1/groups/" + gid + "/entities", me, root).status == 200);
        REQUIRE(http.rest("POST", "/api/v1/workflows/" + wid2 + "/vote", veto, root).status == 200);

        // spaceIdentifier: an id or a name; spaceId stays an alias.
        auto by_name = http.rest(
            "GET", "/api/v1/workflow-templates?spaceIdentifier=payments%20prod", nullptr, root
        );
        REQUIRE_MESSAGE(by_name.status == 200, by_name.body);
        CHECK(by_name.json().at("data").as_array().size() == 1);
        CHECK(by_name.json().at("data").at(0).at("name") == "deploy");
        auto by_id =
            http.rest("GET", "/api/v1/workflow-templates?spaceIdentifier=" + sid2, nullptr, root);
        CHECK(by_id.json().at("data").at(0).at("name") == "stage");
        auto alias = http.rest("GET", "/api/v1/workflow-templates?spaceId=staging", nullptr, root);
        CHECK(alias.json().at("data").at(0).at("name") == "stage");
        auto nowhere =
            http.rest("GET", "/api/v1/workflow-templates?spaceIdentifier=none", nullptr, root);
        CHECK(nowhere.json().at("data").as_array().empty());
        // Parameters the original clients send that a route does not know.
        auto extra = http.rest(
            "GET",
            "/api/v1/workflow-templates?searchMode=contains&sortBy=name&sortDirection=asc",
            nullptr,
            root
        );
        CHECK_MESSAGE(extra.status == 200, extra.body);
        auto votes = http.rest(
            "GET",
            "/api/v1/workflows/" + wid2 + "/votes?page=1&limit=5&orderBy=createdAt",
            nullptr,
            root
        );
        CHECK_MESSAGE(votes.status == 200, votes.body);

        // search on groups and spaces: a case-insensitive substring of the name.
        auto groups = http.rest("GET", "/api/v1/groups?search=APPROV", nullptr, root);
        REQUIRE_MESSAGE(groups.status == 200, groups.body);
        CHECK(groups.json().at("groups").as_array().size() == 1);
        auto wild = http.rest("GET", "/api/v1/groups?search=%25", nullptr, root);
        CHECK(wild.json().at("groups").as_array().empty());  // % is a character, not a wildcard
        auto spaces = http.rest("GET", "/api/v1/spaces?search=prod", nullptr, root);
        REQUIRE_MESSAGE(spaces.status == 200, spaces.body);
        CHECK(spaces.json().at("data").as_array().size() == 1);

        // Only workflows still being decided, in both spellings.
        for (auto const* q :
             {"include-only-non-terminal-state=true", "includeOnlyNonTerminalState=true"}) {
            auto running = http.rest("GET", std::string("/api/v1/workflows?") + q, nullptr, root);
            REQUIRE_MESSAGE(running.status == 200, running.body);
            auto const body = running.json();
            auto const& items = body.at("data").as_array();
            CHECK(items.size() == 1);
            CHECK(items.at(0).at("name") == "deploy-1");
        }
        auto all = http.rest("GET", "/api/v1/workflows", nullptr, root);
        CHECK(all.json().at("data").as_array().size() == 2);

        // The user as a client needs it before changing roles.
        REQUIRE(
            http.rest(
                    "POST",
                    "/api/v1/groups/" + gid + "/entities",
                    json::object{
                        {"entities",
                         json::array{json::object{
                             {"entity", {{"entityType", "human"}, {"entityId", uid}}}}}}},
                    root
            )
                .status == 200
        );
        auto ann = http.rest("GET", "/api/v1/users/" + uid, nullptr, root).json();
        CHECK(ann.at("groups").at(0).at("groupName") == "Release-Approvers");
        CHECK(ann.at("roles").as_array().empty());
        CHECK(ann.at("concurrencyControl").at("version") == "1");
        // Roles replaced without concurrencyControl (the seed has none) …
        json::array binding{json::object{
            {"roleName", "WorkflowTemplateVoter"},
            {"scope", {{"type", "workflow_template"}, {"workflowTemplateId", tid}}}}};
        auto blind =
            http.rest("PUT", "/api/v1/users/" + uid + "/roles", {{"roles", binding}}, root);
        CHECK_MESSAGE(blind.status == 204, blind.body);
        auto after = http.rest("GET", "/api/v1/users/" + uid, nullptr, root).json();
        CHECK(after.at("roles").as_array().size() == 1);
        CHECK(after.at("concurrencyControl").at("version") == "2");
        // … and with it as the original product sends it: a string, checked.
        auto stale = http.rest(
            "PUT",
            "/api/v1/users/" + uid + "/roles",
            {{"roles", json::array{}}, {"concurrencyControl", {{"version", "1"}}}},
            root
        );
        CHECK(stale.status == 409);
        auto fresh = http.rest(
            "PUT",
            "/api/v1/users/" + uid + "/roles",
            {{"roles", json::array{}}, {"concurrencyControl", {{"version", "2"}}}},
            root
        );
        CHECK_MESSAGE(fresh.status == 204, fresh.body);
        // A template updated without concurrencyControl.
        auto upd =
            http.rest("PUT", "/api/v1/workflow-templates/deploy", {{"description", "v2"}}, root);
        CHECK_MESSAGE(upd.status == 200, upd.body);

        // Removing someone who is not a member is a conflict, as the original API says.
        json::object ghost{
            {"entities",
             json::array{json::object{
                 {"entity",
                  {{"entityType", "human"},
                   {"entityId", "00000000-0000-7000-8000-000000000999"}}}}}}};
        auto not_member = http.rest("DELETE", "/api/v1/groups/" + gid + "/entities", ghost, root);
        CHECK_MESSAGE(not_member.status == 409, not_member.body);
    }
}
