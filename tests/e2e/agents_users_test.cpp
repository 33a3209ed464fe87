// Users and agents through the real binary on both back ends, over REST (the
// seed's paths, verbs, shapes and statuses; errors {code, message, details})
// and over MCP stdio: users create/list/get; agents register (the private key
// answered once, a real RSA pair, found nowhere in the database), get by id
// or name (never the private key), role get/replace/remove, and agents as
// group members.
#include <memory>

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

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

std::string unbase64(std::string const& b64) {
    std::string out(b64.size(), '\0');
    int n = EVP_DecodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<unsigned char const*>(b64.data()),
        static_cast<int>(b64.size())
    );
    REQUIRE(n >= 0);
    auto len = static_cast<std::size_t>(n);
    for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) {
        --len;  // EVP_DecodeBlock counts the padding as zero bytes
    }
    out.resize(len);
    return out;
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

/// The private and public PEM texts parse, are RSA of `bits`, and are one pair.
void check_pair(std::string const& public_pem, std::string const& private_pem, int bits) {
    std::unique_ptr<BIO, decltype(&BIO_free)> pb{
        BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), &BIO_free};
    std::unique_ptr<BIO, decltype(&BIO_free)> sb{
        BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), &BIO_free};
    std::unique_ptr<EVP_PKEY, PkeyFree> pub{
        PEM_read_bio_PUBKEY(pb.get(), nullptr, nullptr, nullptr)};
    std::unique_ptr<EVP_PKEY, PkeyFree> priv{
        PEM_read_bio_PrivateKey(sb.get(), nullptr, nullptr, nullptr)};
    REQUIRE(pub);
    REQUIRE(priv);
    CHECK(EVP_PKEY_get_bits(pub.get()) == bits);
    CHECK(EVP_PKEY_eq(pub.get(), priv.get()) == 1);
}

/// Every text column of every agents and audit_log row, as one string.
std::string stored_text(Deployment const& d) {
    std::string all;
    auto agents = db_query(
        d,
        "SELECT id, org_id, name, name_key, public_key, created_by, created_at, updated_at "
        "FROM agents"
    );
    for (auto const& r : agents) {
        for (std::size_t i = 0; i < 8; ++i) {
            all += r.text(i) + "\n";
        }
    }
    for (auto const& r : db_query(d, "SELECT detail_json FROM audit_log")) {
        all += r.text(0) + "\n";
    }
    return all;
}

/// The private key appears nowhere in what was stored: not its PEM body's
/// lines, not its base64 wire form.
void check_not_stored(Deployment const& d, std::string const& private_b64) {
    auto const pem = unbase64(private_b64);
    auto const all = stored_text(d);
    CHECK(all.find("PRIVATE") == std::string::npos);
    CHECK(all.find(private_b64.substr(0, 64)) == std::string::npos);
    auto const first_line = pem.find('\n') + 1;
    CHECK(all.find(pem.substr(first_line, 64)) == std::string::npos);
    CHECK(all.find(pem.substr(pem.size() / 2, 48)) == std::string::npos);
}

std::string make_user_key(
    HttpClient& http, std::string const& admin_key, std::string const& email
) {
    auto made = http.rest("POST", "/api/v1/users", {{"email", email}}, bearer(admin_key));
    REQUIRE_MESSAGE(made.status == 201, made.body);
    auto id = str(made.json().at("id"));
    auto key =
        http.rest("POST", "/api/v1/users/" + id + "/api-keys", json::object{}, bearer(admin_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return str(key.json().at("apiKey"));
}

json::object voter_on(std::string const& template_name, std::string const& version) {
    return {
        {"roles",
         json::array{json::object{
             {"roleName", "WorkflowTemplateVoter"},
             {"scope", {{"type", "workflow_template"}, {"templateName", template_name}}}}}},
        {"concurrencyControl", {{"version", version}}}};
}

json::object ok(json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == false, json::serialize(result));
    return result.at("structuredContent").as_object();
}

std::string refused(json::object const& result) {
    REQUIRE_MESSAGE(result.at("isError") == true, json::serialize(result));
    return str(result.at("structuredContent").at("code"));
}

}  // namespace

TEST_SUITE("e2e/agents_users") {
    TEST_CASE_TEMPLATE(
        "users over REST on the seed's paths and shapes", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);

        auto made = http.rest(
            "POST",
            "/api/v1/users",
            {{"displayName", "Alex Chen"},
             {"email", "Alex.Chen@acme.example"},
             {"orgRole", "member"}},
            root
        );
        REQUIRE_MESSAGE(made.status == 201, made.body);
        auto const alex = made.json().as_object();
        CHECK(alex.at("displayName") == "Alex Chen");
        CHECK(alex.at("email") == "Alex.Chen@acme.example");
        CHECK(alex.at("orgRole") == "member");
        CHECK(alex.at("createdAt").is_string());
        auto const alex_id = str(alex.at("id"));
        check_error(
            http.rest("POST", "/api/v1/users", {{"email", "alex.chen@ACME.example"}}, root),
            409,
            "already_exists"
        );
        check_error(
            http.rest("POST", "/api/v1/users", {{"email", "nope"}}, root), 400, "invalid_argument"
        );
        check_error(
            http.rest(
                "POST", "/api/v1/users", {{"email", "o@acme.example"}, {"orgRole", "owner"}}, root
            ),
            400,
            "invalid_argument"
        );
        check_error(
            http.rest(
                "POST",
                "/api/v1/users",
                {{"email", "long@acme.example"}, {"displayName", std::string(256, 'n')}},
                root
            ),
            400,
            "invalid_argument"
        );
        auto const member = bearer(make_user_key(http, d.api_key, "bo@acme.example"));
        check_error(
            http.rest("POST", "/api/v1/users", {{"email", "x@acme.example"}}, member),
            403,
            "permission_denied"
        );

        auto list = http.rest("GET", "/api/v1/users?search=ALEX&page=1&limit=5", nullptr, member);
        REQUIRE_MESSAGE(list.status == 200, list.body);
        auto const listed = list.json().as_object();
        REQUIRE(listed.at("users").as_array().size() == 1);
        CHECK(listed.at("users").at(0).at("id") == alex_id.c_str());
        CHECK(listed.at("pagination") == json::parse(R"({"total":1,"page":1,"limit":5})"));
        auto all = http.rest("GET", "/api/v1/users", nullptr, member);
        REQUIRE(all.status == 200);
        CHECK(all.json().at("pagination") == json::parse(R"({"total":3,"page":1,"limit":20})"));
        check_error(
            http.rest("GET", "/api/v1/users?limit=101", nullptr, member), 400, "invalid_argument"
        );
        check_error(
            http.rest("GET", "/api/v1/users?page=0", nullptr, member), 400, "invalid_argument"
        );

        auto got = http.rest("GET", "/api/v1/users/" + alex_id, nullptr, member);
        REQUIRE_MESSAGE(got.status == 200, got.body);
        // The created user, plus what a client needs before changing roles.
        auto got_body = got.json().as_object();
        CHECK(got_body.at("groups").as_array().empty());
        CHECK(got_body.at("roles").as_array().empty());
        CHECK(got_body.at("concurrencyControl").at("version") == "1");
        got_body.erase("groups");
        got_body.erase("roles");
        got_body.erase("concurrencyControl");
        CHECK(json::value(got_body) == made.json());
        auto by_email = http.rest("GET", "/api/v1/users/alex.chen@acme.example", nullptr, member);
        REQUIRE(by_email.status == 200);
        CHECK(by_email.json().at("id") == alex_id.c_str());
        check_error(
            http.rest("GET", "/api/v1/users/nope", nullptr, member), 400, "invalid_argument"
        );
        check_error(
            http.rest("GET", "/api/v1/users/00000000-0000-7000-8000-00000000ffff", nullptr, member),
            404,
            "not_found"
        );
        // Another org of the same deployment sees none of this org's users.
        auto const outsider = bearer(bootstrap_org(d.db_url, "globex").api_key);
        check_error(
            http.rest("GET", "/api/v1/users/" + alex_id, nullptr, outsider), 404, "not_found"
        );
        CHECK(
            http.rest("GET", "/api/v1/users", nullptr, outsider)
                .json()
                .at("pagination")
                .at("total") == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "agents over REST: the private key once, never stored, roles and membership",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        ServerProcess server(d);
        HttpClient http(server.port());
        auto const root = bearer(d.api_key);
        auto const member = bearer(make_user_key(http, d.api_key, "bo@acme.example"));

        auto reg = http.rest(
            "POST",
            "/api/v1/agents/register",
            {{"agentName", "ci-deployment-agent"}},
            bearer(make_user_key(http, d.api_key, "reg@acme.example"), {{"X-MCP", "1"}})
        );
        REQUIRE_MESSAGE(reg.status == 201, reg.body);
        auto const agent = reg.json().as_object();
        CHECK(agent.size() == 5);
        CHECK(agent.at("agentName") == "ci-deployment-agent");
        CHECK(agent.at("createdAt").is_string());
        auto const agent_id = str(agent.at("agentId"));
        auto const public_pem = unbase64(str(agent.at("publicKey")));
        auto const private_b64 = str(agent.at("privateKey"));
        CHECK(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        CHECK(unbase64(private_b64).starts_with("-----BEGIN PRIVATE KEY-----"));
        check_pair(public_pem, unbase64(private_b64), 3072);
        check_not_stored(d, private_b64);
        CHECK(db_query(d, "SELECT public_key FROM agents").at(0).text(0) == public_pem);
        CHECK(db_query(d, "SELECT via_mcp FROM agents").at(0).integer(0) == 1);

        for (auto const& path : {agent_id, std::string("CI-Deployment-Agent")}) {
            auto got = http.rest("GET", "/api/v1/agents/" + path, nullptr, member);
            REQUIRE_MESSAGE(got.status == 200, got.body);
            auto const body = got.json().as_object();
            CHECK(body.size() == 4);
            CHECK(body.at("id") == agent_id.c_str());
            CHECK(body.at("agentName") == "ci-deployment-agent");
            CHECK(body.at("publicKey") == agent.at("publicKey"));
            CHECK(body.at("createdAt") == agent.at("createdAt"));
            CHECK(!body.contains("privateKey"));
            CHECK(got.body.find(private_b64.substr(0, 64)) == std::string::npos);
        }
        check_error(http.rest("GET", "/api/v1/agents/nobody", nullptr, member), 404, "not_found");
        check_error(
            http.rest(
                "POST", "/api/v1/agents/register", {{"agentName", "CI-DEPLOYMENT-AGENT"}}, member
            ),
            409,
            "already_exists"
        );
        for (auto const& bad : {std::string(), std::string(1025, 'a'), std::string(" x")}) {
            check_error(
                http.rest("POST", "/api/v1/agents/register", {{"agentName", bad}}, member),
                400,
                "invalid_argument"
            );
        }
        check_error(
            http.rest("POST", "/api/v1/agents/register", {{"name", "x"}}, member),
            400,
            "invalid_argument"
        );
        auto longest = http.rest(
            "POST", "/api/v1/agents/register", {{"agentName", std::string(100, 'a')}}, member
        );
        CHECK_MESSAGE(longest.status == 201, longest.body);
        check_not_stored(d, str(longest.json().at("privateKey")));

        // Roles: a template in a space, bound by name.
        auto space = http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root);
        REQUIRE_MESSAGE(space.status == 201, space.body);
        auto group = http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root);
        REQUIRE_MESSAGE(group.status == 201, group.body);
        auto const gid = str(group.json().at("id"));
        auto templ = http.rest(
            "POST",
            "/api/v1/workflow-templates",
            {{"name", "deploy"},
             {"spaceId", space.json().at("id")},
             {"approvalRule", {{"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", 1}}}},
            root
        );
        REQUIRE_MESSAGE(templ.status == 201, templ.body);

        auto const roles_path = "/api/v1/agents/" + agent_id + "/roles";
        auto before = http.rest("GET", roles_path, nullptr, member);
        REQUIRE_MESSAGE(before.status == 200, before.body);
        CHECK(
            before.json() ==
            json::value{
                {"agentId", agent_id},
                {"roles", json::array{}},
                {"concurrencyControl", {{"version", "1"}}}}
        );
        check_error(
            http.rest("PUT", roles_path, voter_on("deploy", "1"), member), 403, "permission_denied"
        );
        auto put = http.rest("PUT", roles_path, voter_on("deploy", "1"), root);
        CHECK_MESSAGE(put.status == 204, put.body);
        auto after = http.rest("GET", roles_path, nullptr, member).json();
        CHECK(after.at("concurrencyControl").at("version") == "2");
        CHECK(after.at("roles").at(0).at("scope").at("templateName") == "deploy");
        check_error(http.rest("PUT", roles_path, voter_on("deploy", "1"), root), 409, "conflict");
        auto group_role = voter_on("deploy", "2");
        group_role["roles"].as_array()[0] = json::object{
            {"roleName", "GroupReadOnly"}, {"scope", {{"type", "group"}, {"groupId", gid}}}};
        auto refused_role = http.rest("PUT", roles_path, group_role, root);
        check_error(refused_role, 400, "invalid_argument");
        CHECK(refused_role.json().at("details").at(0).at("field") == "roles[0].roleName");
        auto del = http.rest("DELETE", roles_path, voter_on("deploy", "2"), root);
        CHECK_MESSAGE(del.status == 204, del.body);
        CHECK(http.rest("GET", roles_path, nullptr, root).json().at("roles").as_array().empty());
        check_error(
            http.rest("GET", "/api/v1/agents/nope/roles", nullptr, root), 400, "invalid_argument"
        );
        check_error(
            http.rest(
                "PUT",
                "/api/v1/agents/00000000-0000-7000-8000-00000000ffff/roles",
                voter_on("deploy", "1"),
                root
            ),
            404,
            "not_found"
        );

        // Agents are group members.
        auto const entities = json::object{
            {"entities",
             json::array{
                 json::object{{"entity", {{"entityType", "agent"}, {"entityId", agent_id}}}}}}};
        auto added = http.rest("POST", "/api/v1/groups/" + gid + "/entities", entities, root);
        REQUIRE_MESSAGE(added.status == 200, added.body);
        CHECK(added.json().at("entitiesCount") == 1);
        auto members = http.rest("GET", "/api/v1/groups/" + gid + "/entities", nullptr, root);
        REQUIRE(members.status == 200);
        CHECK(
            members.json().at("entities").at(0).at("entity") ==
            json::value{{"entityType", "agent"}, {"entityId", agent_id}}
        );
        auto removed = http.rest("DELETE", "/api/v1/groups/" + gid + "/entities", entities, root);
        CHECK_MESSAGE(removed.status == 200, removed.body);
        CHECK(removed.json().at("entitiesCount") == 0);
    }

    TEST_CASE_TEMPLATE("users and agents over MCP stdio", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        StdioClient c(d);
        c.initialize();

        auto alex = ok(c.call(
            "identity_users_create",
            {{"displayName", "Alex Chen"}, {"email", "alex@acme.example"}, {"orgRole", "admin"}}
        ));
        CHECK(alex.at("orgRole") == "admin");
        auto const alex_id = str(alex.at("id"));
        auto listed = ok(c.call("identity_users_list", {{"search", "chen"}}));
        CHECK(listed.at("users").as_array().size() == 1);
        CHECK(listed.at("pagination") == json::parse(R"({"total":1,"page":1,"limit":20})"));
        CHECK(
            ok(c.call("identity_users_get", {{"userId", alex_id}})).at("email") ==
            "alex@acme.example"
        );
        CHECK(refused(c.call("identity_users_get", {{"userId", "nope"}})) == "invalid_argument");
        CHECK(refused(c.call("identity_users_list", {{"limit", 101}})) == "invalid_argument");

        auto reg = ok(c.call("identity_agents_register", {{"agentName", "mcp-bot"}}));
        auto const agent_id = str(reg.at("agentId"));
        auto const private_b64 = str(reg.at("privateKey"));
        check_pair(unbase64(str(reg.at("publicKey"))), unbase64(private_b64), 3072);
        check_not_stored(d, private_b64);
        CHECK(db_query(d, "SELECT via_mcp FROM agents").at(0).integer(0) == 1);
        for (int i = 0; i < 2; ++i) {
            auto got =
                ok(c.call("identity_agents_get", {{"agentIdOrName", i == 0 ? agent_id : "MCP-BOT"}})
                );
            CHECK(got.at("id") == agent_id.c_str());
            CHECK(!got.contains("privateKey"));
            CHECK(got.at("publicKey") == reg.at("publicKey"));
        }
        CHECK(
            refused(c.call("identity_agents_register", {{"agentName", "mcp-bot"}})) ==
            "already_exists"
        );
        CHECK(
            refused(c.call("identity_agents_register", {{"agentName", ""}})) == "invalid_argument"
        );
        CHECK(
            refused(c.call("identity_agents_register", {{"agentName", std::string(1025, 'b')}})) ==
            "invalid_argument"
        );
        CHECK(refused(c.call("identity_agents_get", {{"agentIdOrName", "ghost"}})) == "not_found");

        auto space = ok(c.call("approvals_spaces_create", {{"name", "ops"}}));
        auto group = ok(c.call("approvals_groups_create", {{"name", "approvers"}}));
        ok(c.call(
            "approvals_templates_create",
            {{"name", "deploy"},
             {"spaceId", space.at("id")},
             {"approvalRule",
              {{"type", "GROUP_REQUIREMENT"}, {"groupId", group.at("id")}, {"minCount", 1}}}}
        ));
        auto roles = ok(c.call("approvals_agent_roles_get", {{"agentId", agent_id}}));
        CHECK(roles.at("concurrencyControl").at("version") == "1");
        auto args = voter_on("deploy", "1");
        args["agentId"] = agent_id;
        auto replaced = ok(c.call("approvals_agent_roles_replace", args));
        CHECK(replaced.at("concurrencyControl").at("version") == "2");
        CHECK(replaced.at("roles").as_array().size() == 1);
        CHECK(refused(c.call("approvals_agent_roles_replace", args)) == "conflict");
        args["concurrencyControl"] = {{"version", "2"}};
        auto removed = ok(c.call("approvals_agent_roles_remove", args));
        CHECK(removed.at("roles").as_array().empty());
        CHECK(removed.at("concurrencyControl").at("version") == "3");
        args["agentId"] = "not-a-uuid";
        CHECK(refused(c.call("approvals_agent_roles_remove", args)) == "invalid_argument");
        CHECK(
            db_query(
                d,
                "SELECT COUNT(*) FROM audit_log WHERE target_type = 'agent' AND channel = "
                "'mcp-stdio'"
            )
                .at(0)
                .integer(0) == 3
        );
    }
}
