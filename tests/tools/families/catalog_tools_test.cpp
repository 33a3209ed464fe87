// The catalog_* and identity_* rows through Registry::invoke (schema
// validation, handler, output-schema check in checked builds) and REST route
// matching, on a real SQLite database.
#include <doctest/doctest.h>

#include "tests/server/support/domain_fixture.hpp"
#include "tools/families/families.hpp"
#include "tools/registry/registry.hpp"

namespace json = boost::json;
using namespace signoff;
using server::core::ErrorKind;
using tools::registry::Registry;
using tools::registry::RouteMatch;
using tools::registry::ToolContext;

namespace {

struct Harness {
    Harness() : d(testing::Backend::kSqlite) {
        tools::families::register_identity_tools(registry);
        tools::families::register_catalog_tools(registry);
        auto sealed = registry.seal();
        REQUIRE_MESSAGE(sealed.has_value(), sealed.error().message);
        services.identity = &d.identity;
        services.catalog = &d.catalog;
        services.clock = &d.clock;
        root.actor = d.org_admin("acme", "root@acme.example");
        root.services = &services;
    }

    server::core::Result<json::value> call(
        ToolContext& ctx, std::string const& tool, std::string_view args
    ) {
        auto const* spec = registry.find_tool(tool);
        REQUIRE_MESSAGE(spec != nullptr, tool);
        return registry.invoke(*spec, json::parse(args), ctx);
    }

    testing::Domain d;
    Registry registry;
    tools::registry::Services services;
    ToolContext root;
};

json::value ok(server::core::Result<json::value> const& r) {
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    return *r;
}

}  // namespace

TEST_SUITE("tools/families/catalog") {
    TEST_CASE("every row seals: schemas embedded and compiled, names and routes unique") {
        Harness h;
        CHECK(h.registry.find_tool("catalog_assign") != nullptr);
        CHECK(h.registry.find_tool("identity_users_create") != nullptr);
        auto descriptor = h.registry.tool_descriptor(*h.registry.find_tool("catalog_revoke"));
        CHECK(descriptor.at("annotations").at("destructiveHint") == true);
    }

    TEST_CASE("catalog_assign answers the approval with category and categoryDisplay") {
        Harness h;
        ok(h.call(
            h.root,
            "catalog_rows_create",
            R"({"slug":"openai-team","display_name":"OpenAI Team","category":"llm-backend"})"
        ));
        auto first = ok(h.call(
            h.root,
            "catalog_assign",
            R"({"catalog_slug":"openai-team","email":"New@Acme.example","note":"Onboarding kit"})"
        ));
        CHECK(first.at("state") == "approved");
        CHECK(first.at("email") == "new@acme.example");
        CHECK(first.at("category") == "llm-backend");
        CHECK(first.at("categoryDisplay") == "🤖 Paid AI Subscriptions");
        CHECK(first.at("expires_at").is_null());
        auto again = ok(h.call(
            h.root, "catalog_assign", R"({"catalog_slug":"openai-team","email":"new@acme.example"})"
        ));
        CHECK(again.at("id") == first.at("id"));
        auto list = ok(h.call(h.root, "catalog_approvals_list", R"({"slug":"openai-team"})"));
        CHECK(list.at("total_count") == 1);
        CHECK(list.at("next_cursor").is_null());
        auto revoked = ok(h.call(
            h.root,
            "catalog_revoke",
            R"({"catalog_slug":"openai-team","email":"new@acme.example","reason":"off-boarded"})"
        ));
        CHECK(revoked.at("state") == "revoked");
        CHECK(revoked.at("reason") == "off-boarded");
    }

    TEST_CASE("an unknown field is an invalid argument naming the field") {
        Harness h;
        auto r = h.call(
            h.root,
            "catalog_assign",
            R"({"catalog_slug":"openai-team","email":"a@acme.example","colour":"red"})"
        );
        REQUIRE(r.has_error());
        CHECK(r.error().kind == ErrorKind::kInvalidArgument);
        REQUIRE_FALSE(r.error().details.empty());
        CHECK(r.error().details[0].field == "colour");
        auto missing = h.call(
            h.root, "catalog_revoke", R"({"catalog_slug":"openai-team","email":"a@acme.example"})"
        );
        REQUIRE(missing.has_error());
        CHECK(missing.error().details.at(0).field == "reason");
    }

    TEST_CASE("domain refusals pass through: members cannot assign, rows are org-scoped") {
        Harness h;
        ok(h.call(h.root, "catalog_rows_create", R"({"slug":"vpn","display_name":"VPN"})"));
        ToolContext member;
        member.services = &h.services;
        member.actor = h.d.member(h.root.actor, "bob@acme.example");
        auto denied =
            h.call(member, "catalog_assign", R"({"catalog_slug":"vpn","email":"x@acme.example"})");
        CHECK(denied.error().kind == ErrorKind::kPermissionDenied);
        auto asked = ok(h.call(member, "catalog_request", R"({"catalog_slug":"vpn"})"));
        CHECK(asked.at("state") == "pending");
        CHECK(asked.at("categoryDisplay").is_null());
        auto approved = ok(h.call(
            h.root,
            "catalog_approve",
            R"({"catalog_slug":"vpn","email":"bob@acme.example","duration":"P7D"})"
        ));
        CHECK(approved.at("expires_at") == "2026-01-08T00:00:00.000Z");
    }

    TEST_CASE("rows tools: create 201 route, list page, get, update with null, delete") {
        Harness h;
        auto created = ok(h.call(
            h.root,
            "catalog_rows_create",
            R"({"slug":"legacy","display_name":"Legacy","category":"📞 Old Phones"})"
        ));
        CHECK(created.at("categoryDisplay") == "📞 Old Phones");
        CHECK(created.at("owner_user_id").is_null());
        auto page = ok(h.call(h.root, "catalog_rows_list", R"({"limit":5})"));
        CHECK(page.at("items").as_array().size() == 1);
        auto updated = ok(h.call(
            h.root,
            "catalog_rows_update",
            R"({"slug":"legacy","category":null,"expected_version":1})"
        ));
        CHECK(updated.at("category").is_null());
        CHECK(updated.at("version") == 2);
        auto stale =
            h.call(h.root, "catalog_rows_update", R"({"slug":"legacy","expected_version":1})");
        CHECK(stale.error().kind == ErrorKind::kConflict);
        auto deleted = ok(h.call(h.root, "catalog_rows_delete", R"({"slug":"legacy"})"));
        CHECK(deleted.at("deleted") == true);
        CHECK(
            h.call(h.root, "catalog_rows_get", R"({"slug":"legacy"})").error().kind ==
            ErrorKind::kNotFound
        );
    }

    TEST_CASE("assign_many answers one result per slug with an error body for failures") {
        Harness h;
        ok(h.call(h.root, "catalog_rows_create", R"({"slug":"vpn","display_name":"VPN"})"));
        auto out = ok(h.call(
            h.root,
            "catalog_assign_many",
            R"({"email":"new@acme.example","catalog_slugs":["vpn","nope"]})"
        ));
        auto const& results = out.at("results").as_array();
        REQUIRE(results.size() == 2);
        CHECK(results[0].at("ok") == true);
        CHECK(results[1].at("ok") == false);
        CHECK(results[1].at("error").at("code") == "not_found");
    }

    TEST_CASE("REST routes: shared approvals route picks the tool by action; DELETE revokes") {
        Harness h;
        auto pick = [&](std::string_view method, std::string_view path, std::string_view body) {
            auto b = json::parse(body).as_object();
            auto m = h.registry.match_route(method, path, &b);
            REQUIRE(std::holds_alternative<RouteMatch>(m));
            return std::get<RouteMatch>(m);
        };
        CHECK(
            pick("POST", "/api/v1/catalog/approvals", R"({"action":"assign"})").tool->name ==
            "catalog_assign"
        );
        CHECK(
            pick("POST", "/api/v1/catalog/approvals", R"({"action":"request"})").tool->name ==
            "catalog_request"
        );
        CHECK(
            pick("POST", "/api/v1/catalog/approvals", R"({"action":"approve"})").tool->name ==
            "catalog_approve"
        );
        CHECK(
            pick("POST", "/api/v1/catalog/approvals", R"({"action":"revoke"})").tool->name ==
            "catalog_revoke"
        );
        CHECK(pick("DELETE", "/api/v1/catalog/approvals", "{}").tool->name == "catalog_revoke");
        auto get = pick("GET", "/api/v1/catalog/rows/openai-team", "{}");
        CHECK(get.tool->name == "catalog_rows_get");
        CHECK(get.path_args.at("slug") == "openai-team");
        auto created = pick("POST", "/api/v1/catalog/rows", "{}");
        CHECK(created.route->success_status == 201);
        CHECK(pick("POST", "/api/v1/users/u1/api-keys", "{}").path_args.at("user_id") == "u1");
    }

    TEST_CASE("the categories resource lists the seven slugs with en and zh labels") {
        Harness h;
        auto const* res = h.registry.find_resource("signoff://catalog/categories");
        REQUIRE(res != nullptr);
        auto contents = res->read(h.root, res->uri);
        REQUIRE(contents.has_value());
        auto doc = json::parse(contents->at(0).at("text").as_string());
        auto const& list = doc.at("categories").as_array();
        REQUIRE(list.size() == 7);
        CHECK(list[6].at("slug") == "cross-border-comm");
        CHECK(list[6].at("zh") == "📞 跨境通讯");
        CHECK(list[0].at("en") == "🤖 Paid AI Subscriptions");
    }
}

TEST_SUITE("tools/families/identity") {
    TEST_CASE("users: create, list, get by email; api key for self") {
        Harness h;
        auto alice = ok(h.call(
            h.root,
            "identity_users_create",
            R"({"email":"alice@acme.example","displayName":"Alice","orgRole":"hr_admin"})"
        ));
        CHECK(alice.at("orgRole") == "hr_admin");
        auto dup = h.call(h.root, "identity_users_create", R"({"email":"ALICE@acme.example"})");
        CHECK(dup.error().kind == ErrorKind::kAlreadyExists);
        auto list = ok(h.call(h.root, "identity_users_list", R"({"limit":1})"));
        CHECK(list.at("pagination").at("total") == 2);
        CHECK(list.at("users").as_array().size() == 1);
        auto got = ok(h.call(h.root, "identity_users_get", R"({"userId":"alice@acme.example"})"));
        CHECK(got.at("id") == alice.at("id"));
        std::string args = R"({"user_id":")" + std::string(alice.at("id").as_string()) + R"("})";
        auto key = ok(h.call(h.root, "identity_api_keys_create", args));
        CHECK(key.at("apiKey").as_string().starts_with("sk-signoff-"));
        auto bad = h.call(
            h.root, "identity_users_create", R"({"email":"x@acme.example","orgRole":"owner"})"
        );
        CHECK(bad.error().kind == ErrorKind::kInvalidArgument);
    }
}
