// Every approvals_* tool through the real binary over MCP stdio on both back
// ends: listed in tools/list, answering structuredContent of the seed's
// shapes, refusing as tool errors (isError with {code, message, details}),
// and writing rows with via_mcp = 1.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

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
        "an agent drives roles, org admins and groups over stdio", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        StdioClient c(d);
        c.initialize();
        // tools/list pages; follow nextCursor to the end.
        int listed = 0;
        json::object params;
        for (int page = 0; page < 50; ++page) {
            auto const tools = c.request("tools/list", params);
            auto const& result = tools.at("result").as_object();
            for (auto const& t : result.at("tools").as_array()) {
                if (t.at("name").as_string().starts_with("approvals_")) {
                    ++listed;
                }
            }
            if (!result.contains("nextCursor")) {
                break;
            }
            params = {{"cursor", result.at("nextCursor")}};
        }
        // 21 for roles, org admins, groups, spaces and templates; 3 for agents'
        // roles; 6 for workflows and votes.
        CHECK(listed == 30);

        auto bob = ok(c.call("identity_users_create", {{"email", "bob@acme.example"}}));
        auto const bob_id = std::string(bob.at("id").as_string());

        CHECK(ok(c.call("approvals_roles_list", {})).at("roles").as_array().size() == 35);
        auto group = ok(c.call("approvals_groups_create", {{"name", "approvers"}}));
        auto const gid = std::string(group.at("id").as_string());
        CHECK(
            refused(c.call("approvals_groups_create", {{"name", "Approvers"}})) == "already_exists"
        );
        auto groups = ok(c.call("approvals_groups_list", {{"limit", 5}}));
        CHECK(groups.at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));
        CHECK(
            ok(c.call("approvals_groups_get", {{"groupIdentifier", "approvers"}})).at("id") ==
            gid.c_str()
        );

        json::object batch{
            {"groupId", gid},
            {"entities",
             json::array{
                 json::object{{"entity", {{"entityType", "human"}, {"entityId", bob_id}}}}}}};
        CHECK(ok(c.call("approvals_group_members_add", batch)).at("entitiesCount") == 1);
        auto members = ok(c.call("approvals_group_members_list", {{"groupId", gid}}));
        CHECK(members.at("entities").at(0).at("entity").at("entityId") == bob_id.c_str());
        CHECK(ok(c.call("approvals_group_members_remove", batch)).at("entitiesCount") == 0);
        CHECK(refused(c.call("approvals_group_members_remove", batch)) == "conflict");
        CHECK(
            refused(c.call("approvals_group_members_list", {{"groupId", "x"}})) ==
            "invalid_argument"
        );

        auto roles = ok(c.call("approvals_user_roles_get", {{"userId", bob_id}}));
        CHECK(roles.at("concurrencyControl").at("version") == "1");
        json::array one{json::object{
            {"roleName", "GroupManager"}, {"scope", {{"type", "group"}, {"groupId", gid}}}}};
        auto replaced = ok(c.call(
            "approvals_user_roles_replace",
            {{"userId", bob_id}, {"roles", one}, {"concurrencyControl", {{"version", 1}}}}
        ));
        CHECK(replaced.at("concurrencyControl").at("version") == "2");
        CHECK(replaced.at("roles").at(0).at("roleName") == "GroupManager");
        CHECK(
            refused(c.call(
                "approvals_user_roles_replace",
                {{"userId", bob_id}, {"roles", one}, {"concurrencyControl", {{"version", 1}}}}
            )) == "conflict"
        );
        // Without concurrencyControl the replacement applies to the current roles.
        CHECK(
            ok(c.call("approvals_user_roles_replace", {{"userId", bob_id}, {"roles", one}}))
                .at("roles")
                .as_array()
                .size() == 1
        );
        CHECK(db_count(d, "role_bindings WHERE via_mcp = 1") == 1);
        auto removed =
            ok(c.call("approvals_user_roles_remove", {{"userId", bob_id}, {"roles", one}}));
        CHECK(removed.at("roles").as_array().empty());

        auto admin = ok(c.call("approvals_org_admins_add", {{"email", "bob@acme.example"}}));
        CHECK(admin.at("userId") == bob_id.c_str());
        auto admins = ok(c.call("approvals_org_admins_list", {{"organizationName", "acme"}}));
        CHECK(admins.at("pagination").at("total") == 2);
        CHECK(
            ok(c.call("approvals_org_admins_remove", {{"userId", bob_id}})).at("removed") == true
        );
        CHECK(
            ok(c.call("approvals_org_admins_remove", {{"userId", bob_id}})).at("removed") == false
        );
        CHECK(
            refused(c.call("approvals_org_admins_remove", {{"userId", d.user_id}})) ==
            "failed_precondition"
        );
        CHECK(
            refused(c.call("approvals_org_admins_list", {{"organizationName", "other"}})) ==
            "not_found"
        );
        CHECK(db_count(d, "approval_groups WHERE via_mcp = 1") == 1);
        CHECK(db_count(d, "group_members") == 0);
    }
}
