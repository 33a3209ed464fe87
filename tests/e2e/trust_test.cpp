// Privilege escalations and self-approval, tried as a hostile member would,
// through the real binary's REST façade on both back ends (issue "Trust"):
// a deprecated template's name cannot be taken over from another space; the
// person a catalog grant is for never approves it through a workflow; nobody
// mints, lists or revokes a credential of someone ranking above them; e-mail
// spellings that only look different are refused, and stored ones are
// reported once.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/people.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

json::object members_body(std::vector<std::string> const& ids) {
    json::array entities;
    for (auto const& id : ids) {
        entities.push_back(json::object{{"entity", {{"entityType", "human"}, {"entityId", id}}}});
    }
    return {{"entities", std::move(entities)}};
}

json::object one_of(std::string const& group) {
    return {{"type", "GROUP_REQUIREMENT"}, {"groupId", group}, {"minCount", 1}};
}

json::object vote(std::string const& type) {
    return {{"voteType", {{"type", type}, {"votedForGroups", json::array{}}}}};
}

/// Audit entries whose action starts with `prefix`, as the admin API lists them.
json::array audit_entries(HttpClient& http, std::string const& key, std::string const& prefix) {
    auto r = http.rest("GET", "/api/v1/admin/audit?action_prefix=" + prefix, nullptr, bearer(key));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().at("items").as_array();
}

}  // namespace

TEST_SUITE("e2e/trust") {
    TEST_CASE_TEMPLATE(
        "a deprecated template's name cannot be taken over from another space",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const mallory = make_person(http, d.api_key, "mallory@acme.example", "member");
        auto const as_mallory = bearer(mallory.key);

        // The owners' template, a catalog row gated by it and a workflow in flight.
        auto const gid =
            text(http.rest("POST", "/api/v1/groups", {{"name", "payroll-approvers"}}, root)
                     .json()
                     .at("id"));
        REQUIRE(
            http.rest(
                    "POST", "/api/v1/groups/" + gid + "/entities", members_body({d.user_id}), root
            )
                .status == 200
        );
        auto const sid =
            text(http.rest("POST", "/api/v1/spaces", {{"name", "finance"}}, root).json().at("id"));
        auto made = http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "Payroll"}, {"approvalRule", one_of(gid)}, {"spaceId", sid}},
            root
        );
        REQUIRE_MESSAGE(made.status == 201, made.body);
        auto row = http.rest(
            "POST",
            "/api/v1/catalog/rows",
            {{"slug", "payroll-admin"},
             {"display_name", "Payroll admin"},
             {"workflow_template", "payroll"}},
            root
        );
        REQUIRE_MESSAGE(row.status == 201, row.body);
        auto wf = http.rest(
            "POST",
            "/api/v1/workflows",
            {{"name", "raise-2027"}, {"workflowTemplateId", text(made.json().at("id"))}},
            root
        );
        REQUIRE_MESSAGE(wf.status == 201, wf.body);
        auto const wid = text(wf.json().at("id"));
        auto dep =
            http.rest("POST", "/api/v1/workflow-templates/payroll/deprecate", json::object{}, root);
        REQUIRE_MESSAGE(dep.status == 200, dep.body);

        // Mallory manages her own space, but the name stays with its lineage.
        auto evil = http.rest("POST", "/api/v1/spaces", {{"name", "mallory-space"}}, as_mallory);
        REQUIRE_MESSAGE(evil.status == 201, evil.body);
        auto const evil_sid = text(evil.json().at("id"));
        auto const mgid =
            text(http.rest("POST", "/api/v1/groups", {{"name", "mallory-group"}}, as_mallory)
                     .json()
                     .at("id"));
        for (auto const* name : {"Payroll", "payroll", "PAYROLL"}) {
            check_refusal(
                http.rest(
                    "POST",
                    "/api/v1/workflow-templates",
                    {{"name", name}, {"approvalRule", one_of(mgid)}, {"spaceId", evil_sid}},
                    as_mallory
                ),
                409,
                "already_exists"
            );
        }
        // Nor may she bind herself a voter or reader on that lineage.
        auto const held =
            http.rest("GET", "/api/v1/users/" + mallory.id + "/roles", nullptr, as_mallory);
        REQUIRE_MESSAGE(held.status == 200, held.body);
        auto const version = held.json().at("concurrencyControl").at("version");
        for (auto const* role : {"WorkflowTemplateVoter", "WorkflowReadOnly"}) {
            json::object roles{
                {"roles",
                 json::array{json::object{
                     {"roleName", role},
                     {"scope", {{"type", "workflow_template"}, {"templateName", "payroll"}}}}}},
                {"concurrencyControl", {{"version", version}}}};
            check_refusal(
                http.rest("PUT", "/api/v1/users/" + mallory.id + "/roles", roles, as_mallory),
                403,
                "permission_denied"
            );
        }
        // So the old lineage's workflow stays closed to her, and so does the row.
        check_refusal(
            http.rest("GET", "/api/v1/workflows/" + wid, nullptr, as_mallory),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", "/api/v1/workflows/" + wid + "/vote", vote("APPROVE"), as_mallory),
            403,
            "permission_denied"
        );
        auto asked = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "payroll-admin"},
             {"email", "mallory@acme.example"},
             {"action", "request"}},
            as_mallory
        );
        CHECK_MESSAGE(asked.status == 422, asked.body);  // no ACTIVE version: nothing to start
        auto pending =
            http.rest("GET", "/api/v1/catalog/approvals?catalog_slug=payroll-admin", nullptr, root);
        REQUIRE_MESSAGE(pending.status == 200, pending.body);
        CHECK(pending.json().at("total_count") == 0);
        // Only one template ever carried the name.
        CHECK(
            db_query(d, "SELECT COUNT(*) FROM workflow_templates WHERE name_lower = 'payroll'")
                .at(0)
                .integer(0) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "the person a grant is for never approves it through a workflow vote",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const gina = make_person(http, d.api_key, "gina@acme.example", "member");
        auto const as_gina = bearer(gina.key);

        // Gina is herself one of the approvers, with the voter role on the gate.
        auto const gid = text(
            http.rest("POST", "/api/v1/groups", {{"name", "vpn-approvers"}}, root).json().at("id")
        );
        REQUIRE(
            http.rest(
                    "POST",
                    "/api/v1/groups/" + gid + "/entities",
                    members_body({d.user_id, gina.id}),
                    root
            )
                .status == 200
        );
        auto const sid =
            text(http.rest("POST", "/api/v1/spaces", {{"name", "it"}}, root).json().at("id"));
        REQUIRE(
            http.rest(
                    "POST",
                    "/api/v1/workflow-templates",
                    {{"name", "vpn-gate"}, {"approvalRule", one_of(gid)}, {"spaceId", sid}},
                    root
            )
                .status == 201
        );
        json::object voter{
            {"roles",
             json::array{json::object{
                 {"roleName", "WorkflowTemplateVoter"},
                 {"scope", {{"type", "workflow_template"}, {"templateName", "vpn-gate"}}}}}},
            {"concurrencyControl", {{"version", "1"}}}};
        auto bound = http.rest("PUT", "/api/v1/users/" + gina.id + "/roles", voter, root);
        REQUIRE_MESSAGE(bound.status == 204, bound.body);
        REQUIRE(
            http.rest(
                    "POST",
                    "/api/v1/catalog/rows",
                    {{"slug", "vpn"}, {"display_name", "VPN"}, {"workflow_template", "vpn-gate"}},
                    root
            )
                .status == 201
        );

        // She asks for access (spelling her address in capitals) and tries to
        // approve it herself.
        auto asked = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "vpn"}, {"email", "Gina@ACME.example"}, {"action", "request"}},
            as_gina
        );
        REQUIRE_MESSAGE(asked.status / 100 == 2, asked.body);
        auto const wid = text(asked.json().at("workflow_id"));
        auto can = http.rest("GET", "/api/v1/workflows/" + wid + "/canVote", nullptr, as_gina);
        REQUIRE_MESSAGE(can.status == 200, can.body);
        CHECK(can.json().at("canVote") == false);
        CHECK(can.json().at("cantVoteReason") == "ENTITY_IS_BENEFICIARY");
        for (auto const* type : {"APPROVE", "VETO"}) {
            check_refusal(
                http.rest("POST", "/api/v1/workflows/" + wid + "/vote", vote(type), as_gina),
                403,
                "permission_denied"
            );
        }
        CHECK(
            db_query(d, "SELECT COUNT(*) FROM workflow_votes WHERE workflow_id = $1", {wid})
                .at(0)
                .integer(0) == 0
        );
        // The direct path refuses her too.
        check_refusal(
            http.rest(
                "POST",
                "/api/v1/catalog/approvals",
                {{"catalog_slug", "vpn"}, {"email", "gina@acme.example"}, {"action", "approve"}},
                as_gina
            ),
            403,
            "permission_denied"
        );
        auto still = http.rest("GET", "/api/v1/catalog/approvals?catalog_slug=vpn", nullptr, root);
        REQUIRE(still.status == 200);
        CHECK(still.json().at("items").at(0).at("state") == "pending");

        // Another approver decides it, and is the one recorded.
        auto other = http.rest("GET", "/api/v1/workflows/" + wid + "/canVote", nullptr, root);
        CHECK(other.json().at("canVote") == true);
        auto voted = http.rest("POST", "/api/v1/workflows/" + wid + "/vote", vote("APPROVE"), root);
        REQUIRE_MESSAGE(voted.status == 200, voted.body);
        auto done = http.rest("GET", "/api/v1/catalog/approvals?catalog_slug=vpn", nullptr, root);
        CHECK(done.json().at("items").at(0).at("state") == "approved");
        CHECK(done.json().at("items").at(0).at("approver_id") == d.user_id.c_str());
    }

    TEST_CASE_TEMPLATE(
        "nobody mints, lists or revokes a credential of someone ranking above them",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const ada = make_person(http, d.api_key, "ada@acme.example", "admin");
        auto const abe = make_person(http, d.api_key, "abe@acme.example", "admin");
        auto const hal = make_person(http, d.api_key, "hal@acme.example", "hr_admin");
        auto const mo = make_person(http, d.api_key, "mo@acme.example", "member");
        auto const as_ada = bearer(ada.key);
        auto const keys_of = [](std::string const& id) {
            return "/api/v1/users/" + id + "/api-keys";
        };
        auto const before = db_count(d, "api_keys");

        // Upwards and sideways: refused, and nothing written.
        for (std::string const& target : {d.user_id, abe.id}) {
            check_refusal(
                http.rest("POST", keys_of(target), json::object{}, as_ada), 403, "permission_denied"
            );
            check_refusal(
                http.rest("GET", keys_of(target), nullptr, as_ada), 403, "permission_denied"
            );
        }
        for (Person const* who : {&hal, &mo}) {
            check_refusal(
                http.rest("POST", keys_of(d.user_id), json::object{}, bearer(who->key)),
                403,
                "permission_denied"
            );
            check_refusal(
                http.rest("POST", keys_of(ada.id), json::object{}, bearer(who->key)),
                403,
                "permission_denied"
            );
        }
        CHECK(db_count(d, "api_keys") == before);
        auto root_keys = http.rest("GET", keys_of(d.user_id), nullptr, bearer(d.api_key));
        REQUIRE_MESSAGE(root_keys.status == 200, root_keys.body);
        auto const root_key_id = text(root_keys.json().at("apiKeys").at(0).at("id"));
        CHECK(root_keys.json().at("apiKeys").at(0).at("issuedBy").is_null());  // bootstrap
        check_refusal(
            http.rest("DELETE", keys_of(d.user_id) + "/" + root_key_id, nullptr, as_ada),
            403,
            "permission_denied"
        );
        CHECK(http.rest("GET", "/api/v1/users", nullptr, bearer(d.api_key)).status == 200);

        // Downwards: an admin mints for members and hr_admins, and is recorded.
        for (Person const* target : {&mo, &hal}) {
            auto minted = http.rest(
                "POST", keys_of(target->id), {{"name", "laptop"}}, bearer(ada.key, {{"X-MCP", "1"}})
            );
            REQUIRE_MESSAGE(minted.status == 201, minted.body);
            CHECK(minted.json().at("issuedBy") == ada.id.c_str());
            CHECK(minted.json().at("name") == "laptop");
            auto const stored = db_query(
                d, "SELECT issued_by FROM api_keys WHERE id = $1", {text(minted.json().at("id"))}
            );
            CHECK(stored.at(0).text(0) == ada.id);
        }
        auto created = audit_entries(http, d.api_key, "identity.api_key.created");
        REQUIRE(!created.empty());
        CHECK(created.at(0).at("actor_id") == ada.id.c_str());
        CHECK(created.at(0).at("detail").at("issued_by") == ada.id.c_str());
        // The super_admin acts on anyone.
        auto for_abe = http.rest("POST", keys_of(abe.id), json::object{}, bearer(d.api_key));
        CHECK_MESSAGE(for_abe.status == 201, for_abe.body);

        // A listing never shows a secret; revoking one's own key ends it at once.
        auto mine = http.rest("GET", keys_of(mo.id), nullptr, bearer(mo.key));
        REQUIRE_MESSAGE(mine.status == 200, mine.body);
        CHECK(mine.body.find(mo.key) == std::string::npos);
        CHECK(mine.body.find(mo.key.substr(11)) == std::string::npos);
        auto const mine_json = mine.json();
        auto const& listed = mine_json.at("apiKeys").as_array();
        REQUIRE(listed.size() == 2);
        for (auto const& k : listed) {
            CHECK(!k.as_object().contains("apiKey"));
            CHECK(!k.as_object().contains("key_hash"));
        }
        auto const first_id = text(listed.at(0).at("id"));
        auto revoked =
            http.rest("DELETE", keys_of(mo.id) + "/" + first_id, nullptr, bearer(mo.key));
        REQUIRE_MESSAGE(revoked.status == 200, revoked.body);
        CHECK(revoked.json().at("revokedAt").is_string());
        check_refusal(
            http.rest("GET", "/api/v1/users", nullptr, bearer(mo.key)), 401, "unauthenticated"
        );
        // Another user's key id under one's own path is not found.
        check_refusal(
            http.rest("DELETE", keys_of(ada.id) + "/" + root_key_id, nullptr, as_ada),
            404,
            "not_found"
        );
    }

    TEST_CASE_TEMPLATE(
        "an e-mail address is plain or refused, and a case variant is still oneself",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const hr = make_person(http, d.api_key, "hr@acme.test", "hr_admin");
        REQUIRE(
            http.rest(
                    "POST",
                    "/api/v1/catalog/rows",
                    {{"slug", "aws-root"}, {"display_name", "AWS"}},
                    root
            )
                .status == 201
        );
        auto const before = db_count(d, "catalog_approvals");
        std::vector<std::string> const spellings{
            "\"hr\"@acme.test",
            "hr(x)@acme.test",
            "h\xE2\x80\x8Br@acme.test",  // zero-width space
            "hr\xE2\x80\xAE@acme.test",  // right-to-left override
            "hr@acme.test\xEF\xBB\xBF",  // byte-order mark
            "h r@acme.test",
            "hr..x@acme.test",
            "hr@acme..test",
            "hr@-acme.test",
            "hr@acme",
        };
        for (auto const& e : spellings) {
            CAPTURE(e);
            check_refusal(
                http.rest(
                    "POST",
                    "/api/v1/catalog/approvals",
                    {{"catalog_slug", "aws-root"}, {"email", e}, {"action", "assign"}},
                    bearer(hr.key)
                ),
                400,
                "invalid_argument"
            );
            check_refusal(
                http.rest("POST", "/api/v1/users", {{"email", e}}, root), 400, "invalid_argument"
            );
        }
        CHECK(db_count(d, "catalog_approvals") == before);
        // The whole address is compared case-folded: still herself.
        check_refusal(
            http.rest(
                "POST",
                "/api/v1/catalog/approvals",
                {{"catalog_slug", "aws-root"}, {"email", "HR@Acme.Test"}, {"action", "assign"}},
                bearer(hr.key)
            ),
            403,
            "permission_denied"
        );
        check_refusal(
            http.rest("POST", "/api/v1/users", {{"email", "Hr@ACME.test"}}, root),
            409,
            "already_exists"
        );
        // Plain but unusual addresses still pass.
        auto plus = http.rest(
            "POST",
            "/api/v1/catalog/approvals",
            {{"catalog_slug", "aws-root"},
             {"email", "o'brien+aws@acme.test"},
             {"action", "assign"}},
            bearer(hr.key)
        );
        CHECK_MESSAGE(plus.status / 100 == 2, plus.body);
    }

    TEST_CASE_TEMPLATE(
        "addresses stored before the rule are reported and audited once",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        {
            auto db = signoff::storage::open_db(d.db_url);
            REQUIRE(db.has_value());
            auto tx = (*db)->begin(signoff::storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto org = (*tx)->query("SELECT org_id FROM users WHERE id = $1", {d.user_id});
            REQUIRE(org.has_value());
            auto const org_id = org->at(0).text(0);
            auto ins = (*tx)->exec(
                "INSERT INTO users (id, org_id, email, email_lower, display_name, org_role, "
                "created_at, via_mcp) VALUES ('00000000-0000-7000-8000-0000000000aa', $1, $2, $2, "
                "'old', 'member', '2026-01-01T00:00:00Z', 0)",
                {org_id, std::string{"\"hr\"@acme.test"}}
            );
            REQUIRE_MESSAGE(ins.has_value(), ins.error().message);
            REQUIRE((*tx)->commit().has_value());
        }
        // Started twice: the first start reports and audits, the second is quiet.
        {
            ServerProcess server(d);
            CHECK(
                server.stderr_text().find("00000000-0000-7000-8000-0000000000aa") !=
                std::string::npos
            );
            CHECK(server.stderr_text().find("not plain") != std::string::npos);
            HttpClient http(server.port());
            auto found = audit_entries(http, d.api_key, "identity.email.not_plain");
            REQUIRE(found.size() == 1);
            CHECK(found.at(0).at("target_id") == "00000000-0000-7000-8000-0000000000aa");
            CHECK(found.at(0).at("actor_kind") == "system");
        }
        ServerProcess again(d);
        CHECK(again.stderr_text().find("not plain") == std::string::npos);
        HttpClient http(again.port());
        CHECK(audit_entries(http, d.api_key, "identity.email.not_plain").size() == 1);
        // Nothing was changed: the row is still there as it was.
        CHECK(
            db_query(d, "SELECT email FROM users WHERE id = '00000000-0000-7000-8000-0000000000aa'")
                .at(0)
                .text(0) == "\"hr\"@acme.test"
        );
    }
}
