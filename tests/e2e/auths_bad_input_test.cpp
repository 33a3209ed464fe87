// Bad input for every auths_* field through the real server's REST routes, and
// who may edit what: each refusal is the exact status, code and field, and a
// refused call writes nothing (auths, drafts, parts, departments, audit rows).
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;

namespace {

constexpr const char* kBase = "/api/v5/artifacts/auths/";
constexpr const char* kUnknownId = "01900000-0000-7000-8000-000000000000";

struct Fixture {
    Deployment d = bootstrap(signoff::testing::Backend::kSqlite);
    ServerProcess server{d};
    HttpClient http{server.port()};
    std::string auth_id;
    std::string draft_id;

    Fixture() {
        auto created = call("POST", "create", {{"auths", json::array{{{"name", "Payroll SSO"}}}}});
        REQUIRE_MESSAGE(created.status == 200, created.body);
        auth_id = std::string(created.json().at("results").at(0).at("auth_id").as_string());
        auto draft = call("PATCH", "draft", {{"name", "Draft"}});
        REQUIRE_MESSAGE(draft.status == 200, draft.body);
        draft_id = std::string(draft.json().at("draft_id").as_string());
    }
    HttpReply call(
        std::string const& method,
        std::string const& op,
        json::value const& body,
        std::string const& key = {}
    ) {
        return http.rest(method, kBase + op, body, bearer(key.empty() ? d.api_key : key));
    }
    std::int64_t writes() {
        return db_count(d, "auths") + db_count(d, "auth_drafts") + db_count(d, "auth_parts") +
               db_count(d, "departments") + db_count(d, "audit_log") +
               db_query(d, "SELECT COALESCE(SUM(version), 0) FROM auth_drafts")[0].integer(0) +
               db_query(d, "SELECT COALESCE(SUM(version), 0) FROM auths")[0].integer(0);
    }
};

/// The field of the first detail of a REST error body ("" when none).
std::string first_field(HttpReply const& r) {
    auto v = r.json();
    if (!v.is_object() || !v.as_object().contains("details") ||
        v.at("details").as_array().empty()) {
        return "";
    }
    return std::string(v.at("details").at(0).at("field").as_string());
}

struct Case {
    char const* what;
    char const* method;
    char const* op;
    json::value body;
    int status;
    char const* code;
    char const* field;  // first detail's field
};

}  // namespace

TEST_SUITE("e2e/auths_bad_input") {
    TEST_CASE("every auths field refuses bad values with its name, and nothing is written") {
        Fixture f;
        std::string const long201(201, 'n');
        std::vector<Case> const cases{
            {"get: auth_id of the wrong type",
             "POST",
             "get",
             {{"auth_id", 5}},
             400,
             "invalid_argument",
             "auth_id"},
            {"get: auth_id and draft_id both",
             "POST",
             "get",
             {{"auth_id", f.auth_id}, {"draft_id", f.draft_id}},
             400,
             "invalid_argument",
             ""},
            {"get: unknown field",
             "POST",
             "get",
             {{"id", f.auth_id}},
             400,
             "invalid_argument",
             "id"},
            {"search: page_size 0",
             "POST",
             "search",
             {{"page_size", 0}},
             400,
             "invalid_argument",
             "page_size"},
            {"search: page_size 101",
             "POST",
             "search",
             {{"page_size", 101}},
             400,
             "invalid_argument",
             "page_size"},
            {"search: negative page_offset",
             "POST",
             "search",
             {{"page_offset", -1}},
             400,
             "invalid_argument",
             "page_offset"},
            {"search: department ids not a list",
             "POST",
             "search",
             {{"filter_department_ids", "finance"}},
             400,
             "invalid_argument",
             "filter_department_ids"},
            {"search: text too long",
             "POST",
             "search",
             {{"search", long201}},
             400,
             "invalid_argument",
             "search"},
            {"search: department_search of the wrong type",
             "POST",
             "search",
             {{"department_search", json::array{}}},
             400,
             "invalid_argument",
             "department_search"},
            {"create: no items",
             "POST",
             "create",
             {{"auths", json::array{}}},
             400,
             "invalid_argument",
             "auths"},
            {"create: unknown item field",
             "POST",
             "create",
             {{"auths", json::array{{{"name", "x"}, {"colour", "red"}}}}},
             400,
             "invalid_argument",
             "auths[0].colour"},
            {"create: name too long",
             "POST",
             "create",
             {{"auths", json::array{{{"name", long201}}}}},
             400,
             "invalid_argument",
             "auths[0].name"},
            {"create: protocol_ids of the wrong type",
             "POST",
             "create",
             {{"auths", json::array{{{"name", "x"}, {"protocol_ids", "oauth2"}}}}},
             400,
             "invalid_argument",
             "auths[0].protocol_ids"},
            {"update: expected_version 0",
             "POST",
             "update",
             {{"auths", json::array{{{"auth_id", f.auth_id}, {"expected_version", 0}}}}},
             400,
             "invalid_argument",
             "auths[0].expected_version"},
            {"duplicate: no auth_id",
             "POST",
             "duplicate",
             json::object{},
             400,
             "invalid_argument",
             "auth_id"},
            {"duplicate: unknown auth",
             "POST",
             "duplicate",
             {{"auth_id", kUnknownId}},
             404,
             "not_found",
             ""},
            {"delete: no ids",
             "POST",
             "delete",
             {{"auth_ids", json::array{}}},
             400,
             "invalid_argument",
             "auth_ids"},
            {"draft: no expected_version",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id}, {"name", "y"}},
             400,
             "invalid_argument",
             "expected_version"},
            {"draft: expected_version as text",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id}, {"expected_version", "1"}},
             400,
             "invalid_argument",
             "expected_version"},
            {"draft: stale expected_version",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id}, {"expected_version", 9}, {"name", "y"}},
             409,
             "conflict",
             "expected_version"},
            {"draft: name and name_id",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id},
              {"expected_version", 1},
              {"name", "y"},
              {"name_id", kUnknownId}},
             400,
             "invalid_argument",
             ""},
            {"draft: control character in name",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id}, {"expected_version", 1}, {"name", "a\x01z"}},
             400,
             "invalid_argument",
             "name"},
            {"draft: unknown department name",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id},
              {"expected_version", 1},
              {"department_ids", json::array{"Nowhere"}}},
             400,
             "invalid_argument",
             "department_ids[0]"},
            {"draft: item_ids are ids only",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id},
              {"expected_version", 1},
              {"item_ids", json::array{"client secret"}}},
             400,
             "invalid_argument",
             "item_ids[0]"},
            {"draft: unknown protocol id",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id},
              {"expected_version", 1},
              {"protocol_ids", json::array{kUnknownId}}},
             400,
             "invalid_argument",
             "protocol_ids[0]"},
            {"draft: unknown group",
             "PATCH",
             "draft",
             {{"input_draft_id", f.draft_id}, {"expected_version", 1}, {"group_id", kUnknownId}},
             400,
             "invalid_argument",
             "group_id"},
            {"draft: unknown draft",
             "PATCH",
             "draft",
             {{"input_draft_id", kUnknownId}, {"expected_version", 1}},
             404,
             "not_found",
             ""},
            {"parts: unknown kind",
             "POST",
             "parts",
             {{"kind", "colour"}, {"value", "red"}},
             400,
             "invalid_argument",
             "kind"},
            {"parts: empty value",
             "POST",
             "parts",
             {{"kind", "slug"}, {"value", ""}},
             400,
             "invalid_argument",
             "value"},
            {"departments: empty name",
             "POST",
             "departments",
             {{"name", ""}},
             400,
             "invalid_argument",
             "name"},
            {"export: unknown auth",
             "POST",
             "export",
             {{"auth_id", kUnknownId}},
             404,
             "not_found",
             ""},
            {"docs: entity_id of the wrong type",
             "POST",
             "docs",
             {{"entity_id", 1}},
             400,
             "invalid_argument",
             "entity_id"},
            {"refresh: unexpected field",
             "POST",
             "refresh",
             {{"all", true}},
             400,
             "invalid_argument",
             "all"},
            {"drafts: unexpected field",
             "POST",
             "drafts",
             {{"owner", "me"}},
             400,
             "invalid_argument",
             "owner"},
        };
        auto const before = f.writes();
        for (auto const& c : cases) {
            CAPTURE(c.what);
            auto r = f.call(c.method, c.op, c.body);
            CAPTURE(r.body);
            CHECK(r.status == c.status);
            CHECK(r.json().at("code") == c.code);
            if (std::string(c.field).empty()) {
                continue;
            }
            CHECK(first_field(r) == c.field);
        }
        CHECK(f.writes() == before);
        CHECK(f.http.send("GET", "/healthz", "", {}).status == 200);
    }

    TEST_CASE("a refused item is its own result and leaves the other items and rows alone") {
        Fixture f;
        auto r = f.call(
            "POST",
            "create",
            {{"auths",
              json::array{
                  {{"name", "Good"}},
                  {{"name", "Bad"}, {"item_ids", json::array{kUnknownId}}},
                  {{"name", "Also good"}, {"flag_id", kUnknownId}},
              }}}
        );
        REQUIRE_MESSAGE(r.status == 200, r.body);
        auto answer = r.json();
        auto const& results = answer.at("results").as_array();
        REQUIRE(results.size() == 3);
        CHECK(results[0].at("success") == true);
        CHECK(results[1].at("error").at("details").at(0).at("field") == "item_ids[0]");
        CHECK(results[2].at("error").at("details").at(0).at("field") == "flag_id");
        CHECK(db_count(f.d, "auths") == 2);  // the fixture's and "Good"
        CHECK(
            db_query(f.d, "SELECT COUNT(*) FROM auth_parts WHERE value = 'Bad'")[0].integer(0) == 0
        );
    }

    TEST_CASE("only the owning group's members and org admins edit an auth; drafts stay private") {
        Fixture f;
        auto user = [&](std::string const& email) {
            auto u = f.http.rest(
                "POST",
                "/api/v1/users",
                {{"email", email}, {"orgRole", "member"}},
                bearer(f.d.api_key)
            );
            REQUIRE_MESSAGE(u.status == 201, u.body);
            auto id = std::string(u.json().at("id").as_string());
            auto k = f.http.rest(
                "POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(f.d.api_key)
            );
            REQUIRE_MESSAGE(k.status == 201, k.body);
            return std::make_pair(id, std::string(k.json().at("apiKey").as_string()));
        };
        auto [alice, alice_key] = user("alice@acme.example");
        auto [bob, bob_key] = user("bob@acme.example");
        auto g = f.http.rest("POST", "/api/v1/groups", {{"name", "ops"}}, bearer(f.d.api_key));
        REQUIRE_MESSAGE(g.status == 201, g.body);
        auto group = std::string(g.json().at("id").as_string());
        auto add = f.http.rest(
            "POST",
            "/api/v1/groups/" + group + "/entities",
            {{"entities",
              json::array{{{"entity", {{"entityType", "human"}, {"entityId", alice}}}}}}},
            bearer(f.d.api_key)
        );
        REQUIRE_MESSAGE(add.status < 300, add.body);

        auto owned = f.call(
            "POST", "create", {{"auths", json::array{{{"name", "Ops VPN"}, {"group_id", group}}}}}
        );
        REQUIRE_MESSAGE(owned.json().at("results").at(0).at("success") == true, owned.body);
        auto id = std::string(owned.json().at("results").at(0).at("auth_id").as_string());

        // Bob is outside the group: he reads, cannot edit, and is told why.
        auto seen = f.call("POST", "get", {{"auth_id", id}}, bob_key);
        REQUIRE_MESSAGE(seen.status == 200, seen.body);
        CHECK(seen.json().at("can_edit") == false);
        CHECK(
            std::string(seen.json().at("disabled_reason").as_string()).find("ops") !=
            std::string::npos
        );
        auto denied = f.call(
            "POST",
            "update",
            {{"auths", json::array{{{"auth_id", id}, {"name", "Bob's"}}}}},
            bob_key
        );
        CHECK(denied.json().at("results").at(0).at("error").at("code") == "permission_denied");
        auto no_draft = f.call("PATCH", "draft", {{"auth_id", id}}, bob_key);
        CHECK(no_draft.status == 403);
        auto no_delete = f.call("POST", "delete", {{"auth_ids", json::array{id}}}, bob_key);
        CHECK(no_delete.json().at("results").at(0).at("error").at("code") == "permission_denied");
        auto no_dept = f.call("POST", "departments", {{"name", "Finance"}}, bob_key);
        CHECK(no_dept.status == 403);

        // Alice is in the group: she edits.
        auto edited = f.call(
            "POST",
            "update",
            {{"auths",
              json::array{{{"auth_id", id}, {"expected_version", 1}, {"name", "Ops VPN 2"}}}}},
            alice_key
        );
        CHECK(edited.json().at("results").at(0).at("success") == true);

        // The admin's draft is invisible to Alice, even by id.
        auto hidden = f.call("POST", "get", {{"draft_id", f.draft_id}}, alice_key);
        CHECK(hidden.status == 404);
        auto theirs = f.call("POST", "drafts", json::object{}, alice_key);
        CHECK(theirs.json().at("entries").as_array().empty());
        auto patch = f.call(
            "PATCH",
            "draft",
            {{"input_draft_id", f.draft_id}, {"expected_version", 1}, {"name", "z"}},
            alice_key
        );
        CHECK(patch.status == 404);
    }
}
