// Roles, org admins and groups through the real binary's REST façade on both
// back ends: every operation on the seed's path and verb, the seed's shapes
// ({groups|entities|data, pagination}, {code, message, details}), statuses,
// X-MCP provenance, and refusals for bad input and missing permissions.
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

/// A REST reply that must have failed with `status` and error code `code`.
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
    std::string key;
};

User make_user(HttpClient& http, std::string const& admin_key, std::string const& email) {
    auto made = http.rest("POST", "/api/v1/users", {{"email", email}}, bearer(admin_key));
    REQUIRE_MESSAGE(made.status == 201, made.body);
    auto id = str(made.json().at("id"));
    auto key =
        http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(admin_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return {id, str(key.json().at("apiKey"))};
}

json::object entities(std::string const& type, std::string const& id) {
    return {
        {"entities",
         json::array{json::object{{"entity", {{"entityType", type}, {"entityId", id}}}}}}};
}

}  // namespace

TEST_SUITE("e2e/approvals") {
    TEST_CASE_TEMPLATE(
        "groups and members over REST, with the seed's shapes and X-MCP provenance",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto bob = make_user(http, d.api_key, "bob@acme.example");

        auto created = http.rest(
            "POST",
            "/api/v1/groups",
            {{"name", "approvers"}, {"description", "release approvers"}},
            bearer(d.api_key, {{"X-MCP", "1"}})
        );
        REQUIRE_MESSAGE(created.status == 201, created.body);
        auto group = created.json().as_object();
        auto const gid = str(group.at("id"));
        CHECK(group.at("entitiesCount") == 0);
        CHECK(group.at("description") == "release approvers");
        CHECK(
            db_query(d, "SELECT via_mcp FROM approval_groups WHERE id = $1", {gid})
                .at(0)
                .integer(0) == 1
        );
        check_error(
            http.rest("POST", "/api/v1/groups", {{"name", "APPROVERS"}}, root),
            409,
            "already_exists"
        );
        check_error(
            http.rest("POST", "/api/v1/groups", {{"name", "1bad"}}, root), 400, "invalid_argument"
        );
        check_error(
            http.rest("POST", "/api/v1/groups", {{"name", "ok"}, {"colour", "red"}}, root),
            400,
            "invalid_argument"
        );

        auto list = http.rest("GET", "/api/v1/groups?page=1&limit=10", nullptr, root);
        REQUIRE_MESSAGE(list.status == 200, list.body);
        CHECK(list.json().at("groups").as_array().size() == 1);
        CHECK(list.json().at("pagination") == json::parse(R"({"total":1,"page":1,"limit":10})"));
        check_error(
            http.rest("GET", "/api/v1/groups?limit=101", nullptr, root), 400, "invalid_argument"
        );

        auto by_name = http.rest("GET", "/api/v1/groups/Approvers", nullptr, root);
        REQUIRE_MESSAGE(by_name.status == 200, by_name.body);
        CHECK(by_name.json().at("id") == gid.c_str());
        CHECK(http.rest("GET", "/api/v1/groups/" + gid, nullptr, root).status == 200);
        check_error(http.rest("GET", "/api/v1/groups/nobody", nullptr, root), 404, "not_found");

        auto const members_path = "/api/v1/groups/" + gid + "/entities";
        auto added = http.rest("POST", members_path, entities("human", bob.id), root);
        REQUIRE_MESSAGE(added.status == 200, added.body);
        CHECK(added.json().at("entitiesCount") == 1);
        check_error(
            http.rest("POST", members_path, entities("human", bob.id), root), 409, "already_exists"
        );
        // A user's id names no agent (agents as members: e2e/agents_users_test.cpp).
        auto agent = http.rest("POST", members_path, entities("agent", bob.id), root);
        check_error(agent, 404, "not_found");
        CHECK(agent.json().at("details").at(0).at("field") == "entities[0].entity.entityId");
        check_error(
            http.rest("POST", members_path, entities("robot", bob.id), root),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest("POST", members_path, entities("human", "12"), root), 400, "invalid_argument"
        );
        check_error(
            http.rest(
                "POST", "/api/v1/groups/not-a-uuid/entities", entities("human", bob.id), root
            ),
            400,
            "invalid_argument"
        );

        auto members = http.rest("GET", members_path + "?limit=5", nullptr, root);
        REQUIRE_MESSAGE(members.status == 200, members.body);
        auto const members_body = members.json();
        auto const& first = members_body.at("entities").at(0);
        CHECK(first.at("entity").at("entityType") == "human");
        CHECK(first.at("entity").at("entityId") == bob.id.c_str());
        CHECK(first.at("addedAt").is_string());
        CHECK(members_body.at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));

        // bob is a member without a role: he lists the members but cannot read or change the group.
        CHECK(http.rest("GET", members_path, nullptr, bearer(bob.key)).status == 200);
        check_error(
            http.rest("GET", "/api/v1/groups/" + gid, nullptr, bearer(bob.key)),
            403,
            "permission_denied"
        );
        check_error(
            http.rest("DELETE", members_path, entities("human", bob.id), bearer(bob.key)),
            403,
            "permission_denied"
        );
        auto removed = http.rest("DELETE", members_path, entities("human", bob.id), root);
        REQUIRE_MESSAGE(removed.status == 200, removed.body);
        CHECK(removed.json().at("entitiesCount") == 0);
        check_error(
            http.rest("DELETE", members_path, entities("human", bob.id), root), 409, "conflict"
        );
        CHECK(db_count(d, "audit_log WHERE action LIKE 'approvals.group.%'") == 3);
    }

    TEST_CASE_TEMPLATE(
        "roles and org admins over REST on the seed's paths and verbs",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto bob = make_user(http, d.api_key, "bob@acme.example");
        auto gid =
            str(http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root).json().at("id"));

        auto catalogue = http.rest("GET", "/api/v1/roles", nullptr, bearer(bob.key));
        REQUIRE_MESSAGE(catalogue.status == 200, catalogue.body);
        CHECK(catalogue.json().at("roles").as_array().size() == 35);

        auto const roles_path = "/api/v1/users/" + bob.id + "/roles";
        auto before = http.rest("GET", roles_path, nullptr, root);
        REQUIRE_MESSAGE(before.status == 200, before.body);
        CHECK(before.json().at("concurrencyControl").at("version") == "1");
        json::object bind{
            {"roles",
             json::array{json::object{
                 {"roleName", "GroupReadOnly"}, {"scope", {{"type", "group"}, {"groupId", gid}}}}}},
            {"concurrencyControl", {{"version", "1"}}}};
        auto put = http.rest("PUT", roles_path, bind, root);
        CHECK_MESSAGE(put.status == 204, put.body);
        CHECK(put.body.empty());
        check_error(http.rest("PUT", roles_path, bind, root), 409, "conflict");
        auto after = http.rest("GET", roles_path, nullptr, root).json();
        CHECK(after.at("concurrencyControl").at("version") == "2");
        CHECK(after.at("roles").at(0).at("scope").at("groupId") == gid.c_str());
        // Now bob reads the group.
        CHECK(http.rest("GET", "/api/v1/groups/" + gid, nullptr, bearer(bob.key)).status == 200);
        // bob cannot bind roles himself (replacing with what he holds changes nothing).
        bind["concurrencyControl"] = json::object{{"version", 2}};
        json::object promote = bind;
        promote["roles"] = json::array{json::object{
            {"roleName", "GroupManager"}, {"scope", {{"type", "group"}, {"groupId", gid}}}}};
        check_error(
            http.rest("PUT", roles_path, promote, bearer(bob.key)), 403, "permission_denied"
        );
        json::object bad_scope = bind;
        bad_scope["roles"] =
            json::array{json::object{{"roleName", "GroupReadOnly"}, {"scope", {{"type", "team"}}}}};
        check_error(http.rest("PUT", roles_path, bad_scope, root), 400, "invalid_argument");
        json::object space = bind;
        space["roles"] = json::array{json::object{
            {"roleName", "SpaceReadOnly"}, {"scope", {{"type", "space"}, {"spaceId", gid}}}}};
        // The group's id names no space.
        check_error(http.rest("PUT", roles_path, space, root), 404, "not_found");

        json::object unbind{{"roles", bind.at("roles")}};
        auto del = http.rest("DELETE", roles_path, unbind, root);
        CHECK_MESSAGE(del.status == 204, del.body);
        CHECK(http.rest("GET", roles_path, nullptr, root).json().at("roles").as_array().empty());
        check_error(
            http.rest("GET", "/api/v1/users/not-a-uuid/roles", nullptr, root),
            400,
            "invalid_argument"
        );

        auto const admins = "/api/v1/organization/acme/admins";
        auto add = http.rest("POST", admins, {{"email", "bob@acme.example"}}, root);
        REQUIRE_MESSAGE(add.status == 201, add.body);
        CHECK(add.json().at("userId") == bob.id.c_str());
        check_error(
            http.rest("POST", admins, {{"email", "bob@acme.example"}}, root), 409, "already_exists"
        );
        check_error(
            http.rest("POST", admins, {{"email", "ghost@acme.example"}}, root), 404, "not_found"
        );
        auto listed = http.rest("GET", std::string(admins) + "?page=1&limit=1", nullptr, root);
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        CHECK(listed.json().at("data").at(0).at("userId") == d.user_id.c_str());
        CHECK(listed.json().at("pagination") == json::parse(R"({"total":2,"page":1,"limit":1})"));
        check_error(
            http.rest("GET", "/api/v1/organization/other/admins", nullptr, root), 404, "not_found"
        );
        auto gone = http.rest("DELETE", admins, {{"userId", bob.id}}, root);
        CHECK_MESSAGE(gone.status == 204, gone.body);
        check_error(http.rest("GET", admins, nullptr, bearer(bob.key)), 403, "permission_denied");
        check_error(
            http.rest("DELETE", admins, {{"userId", d.user_id}}, root), 422, "failed_precondition"
        );
        CHECK(db_count(d, "audit_log WHERE action LIKE 'identity.%admin%'") == 2);
    }
}
