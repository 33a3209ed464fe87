// Agents through IdentityService on both back ends: registration answers the
// private key once and stores only the public key, names are checked and
// unique per org ignoring case, gets by id or name, and who may do what
// (member without role, member with a role, org admin, another org's user,
// an agent principal).
#include <cctype>

#include <doctest/doctest.h>

#include "server/identity/identity_service.hpp"
#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::core::Channel;
using server::core::ErrorKind;
using server::identity::IdentityService;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNoSuchId = "00000000-0000-7000-8000-00000000ffff";

template <class T>
server::core::Error refusal(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error();
}

server::core::Actor as_agent(server::core::Actor a) {
    a.principal_kind = "agent";
    return a;
}

/// The lines of a PEM text between its BEGIN and END lines, joined.
std::string pem_body(std::string const& pem) {
    std::string body;
    std::size_t at = pem.find('\n');
    while (at != std::string::npos && at + 1 < pem.size()) {
        std::size_t const next = pem.find('\n', at + 1);
        std::string line = pem.substr(at + 1, next - at - 1);
        if (line.starts_with("-----")) {
            break;
        }
        body += line;
        at = next;
    }
    return body;
}

/// Every column of every agents row (and every audit detail), as one text.
std::string everything_stored(Domain& d) {
    auto tx = d.tdb.db->begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query(
        "SELECT id, org_id, name, name_key, public_key, created_by, created_at, updated_at, "
        "CAST(version AS TEXT), CAST(via_mcp AS TEXT) FROM agents",
        {}
    );
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    std::string all;
    for (auto const& r : *rows) {
        for (std::size_t i = 0; i < 10; ++i) {
            all += r.text(i) + "\n";
        }
    }
    auto audits = (*tx)->query("SELECT detail_json FROM audit_log", {});
    REQUIRE(audits.has_value());
    for (auto const& r : *audits) {
        all += r.text(0) + "\n";
    }
    return all;
}

/// A key source that always fails, as OpenSSL might.
class BrokenKeys final : public server::identity::KeyPairSource {
public:
    server::core::Result<server::identity::KeyPair> generate() override {
        return server::core::Error::internal("RSA key generation failed");
    }
};

}  // namespace

TEST_SUITE("server/identity/agents") {
    TEST_CASE_TEMPLATE(
        "register answers the private key once and stores only the public key",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example", Channel::kMcpStdio);
        auto made = d.identity.register_agent(root, "ci-deployment-agent");
        REQUIRE_MESSAGE(made.has_value(), made.error().message);
        CHECK(d.keys.calls == 1);
        CHECK(made->agent.name == "ci-deployment-agent");
        CHECK(made->agent.created_at == "2026-01-01T00:00:00.000Z");
        CHECK(made->agent.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        CHECK(made->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));

        auto const stored = everything_stored(d);
        CHECK(stored.find(made->agent.public_key_pem) != std::string::npos);
        CHECK(stored.find("PRIVATE") == std::string::npos);
        auto const body = pem_body(made->private_key_pem);
        REQUIRE(body.size() > 1000);
        // No 64-character line of the private key, nor its whole body, is anywhere.
        CHECK(stored.find(body.substr(0, 64)) == std::string::npos);
        CHECK(stored.find(body.substr(body.size() / 2, 64)) == std::string::npos);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM agents WHERE id = $1 AND via_mcp = 1 AND created_by = $2",
                {made->agent.id, root.principal_id}
            ) == 1
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.agent.registered' AND "
                "target_type = 'agent' AND target_id = $1",
                {made->agent.id}
            ) == 1
        );

        // Reads answer the public key only (Agent has no private key field).
        auto by_id = d.identity.get_agent(root, made->agent.id);
        REQUIRE(by_id.has_value());
        CHECK(by_id->name == "ci-deployment-agent");
        CHECK(by_id->public_key_pem == made->agent.public_key_pem);
        CHECK(by_id->created_at == made->agent.created_at);
        auto by_name = d.identity.get_agent(root, "CI-Deployment-Agent");
        REQUIRE(by_name.has_value());
        CHECK(by_name->id == made->agent.id);
        std::string upper = made->agent.id;
        for (auto& c : upper) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        auto by_upper_id = d.identity.get_agent(root, upper);
        REQUIRE(by_upper_id.has_value());
        CHECK(by_upper_id->id == made->agent.id);
    }

    TEST_CASE_TEMPLATE(
        "agent names: 1-1024 characters and 100 challenge bytes, no control characters, not a "
        "UUID, unique ignoring case",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto const refused = [&](std::string const& name, std::string const& message) {
            auto r = d.identity.register_agent(root, name);
            auto e = refusal(r);
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            CHECK(e.message == message);
            REQUIRE(e.details.size() == 1);
            CHECK(e.details.at(0).field == "agentName");
        };
        refused("", "must be 1-1024 characters");
        refused(std::string(1025, 'a'), "must be 1-1024 characters");
        std::string const too_long =
            "must take at most 100 bytes in UTF-8 (a quote or backslash counts two), so that the "
            "agent's sign-in challenge fits its key";
        refused(std::string(101, 'a'), too_long);
        refused(std::string(99, 'a') + "\"", too_long);
        refused(std::string(99, 'a') + "\\", too_long);
        refused(" lead", "must not start or end with white space");
        refused("trail ", "must not start or end with white space");
        refused("   ", "must not start or end with white space");
        refused("tab\tinside", "must not contain control characters");
        refused("bell\x07", "must not contain control characters");
        refused("c1\xc2\x85", "must not contain control characters");
        refused("bad\xff", "must be valid UTF-8");
        refused("overlong\xc0\xaf", "must be valid UTF-8");
        refused(
            "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B",
            "must not be a UUID (agents are looked up by id or name)"
        );
        CHECK(d.keys.calls == 0);  // nothing refused cost a key generation
        CHECK(d.count("SELECT COUNT(*) FROM agents", {}) == 0);

        CHECK(d.identity.register_agent(root, std::string(100, 'a')).has_value());
        CHECK(d.identity.register_agent(root, std::string(98, 'b') + "\"").has_value());
        std::string wide;
        for (int i = 0; i < 50; ++i) {
            wide += "\xc3\xa9";  // é: 50 characters in 100 bytes
        }
        auto long_name = d.identity.register_agent(root, wide);
        REQUIRE_MESSAGE(long_name.has_value(), long_name.error().message);
        CHECK(d.identity.get_agent(root, wide).has_value());
        CHECK(
            refusal(d.identity.register_agent(root, wide + "\xc3\xa9")).kind ==
            ErrorKind::kInvalidArgument
        );
        CHECK(d.identity.register_agent(root, "ci/deploy: agent #1 (prod) ✓").has_value());
        CHECK(d.identity.register_agent(root, "x").has_value());

        auto dup = refusal(d.identity.register_agent(root, "CI/Deploy: Agent #1 (PROD) ✓"));
        CHECK(dup.kind == ErrorKind::kAlreadyExists);
        CHECK(dup.message == "an agent with this name already exists");
        CHECK(dup.details.at(0).field == "agentName");
        CHECK(d.count("SELECT COUNT(*) FROM agents", {}) == 5);

        // Names are unique across the system (seed 001): the name alone finds
        // the agent and its org when it signs in, so no other org may take it.
        auto other = d.org_admin("globex", "root@globex.example");
        CHECK(refusal(d.identity.register_agent(other, "X")).kind == ErrorKind::kAlreadyExists);
        CHECK(d.identity.register_agent(other, "y").has_value());
    }

    TEST_CASE_TEMPLATE("who may register and read agents", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto plain = d.member(root, "plain@acme.example");
        auto hr = d.member(root, "hr@acme.example", "hr_admin");
        auto admin = d.member(root, "admin@acme.example", "admin");
        auto outsider = d.org_admin("globex", "root@globex.example");

        SUBCASE("any human of the org registers") {
            CHECK(d.identity.register_agent(plain, "by-plain").has_value());
            CHECK(d.identity.register_agent(hr, "by-hr").has_value());
            CHECK(d.identity.register_agent(admin, "by-admin").has_value());
            CHECK(d.identity.register_agent(root, "by-root").has_value());
        }
        SUBCASE("an agent principal may not register") {
            auto e = refusal(d.identity.register_agent(as_agent(root), "by-agent"));
            CHECK(e.kind == ErrorKind::kPermissionDenied);
            CHECK(e.message == "only human users may register agents");
            CHECK(d.keys.calls == 0);
        }
        SUBCASE("any principal of the org reads; other orgs see nothing") {
            auto made = d.identity.register_agent(plain, "shared-bot");
            REQUIRE(made.has_value());
            CHECK(d.identity.get_agent(hr, made->agent.id).has_value());
            CHECK(d.identity.get_agent(admin, "shared-bot").has_value());
            CHECK(d.identity.get_agent(as_agent(plain), "shared-bot").has_value());
            auto by_id = refusal(d.identity.get_agent(outsider, made->agent.id));
            CHECK(by_id.kind == ErrorKind::kNotFound);
            CHECK(by_id.message == "agent not found");
            CHECK(
                refusal(d.identity.get_agent(outsider, "shared-bot")).kind == ErrorKind::kNotFound
            );
            // The name is taken across the system, yet the other org learns
            // nothing more than that.
            auto theirs = refusal(d.identity.register_agent(outsider, "shared-bot"));
            CHECK(theirs.kind == ErrorKind::kAlreadyExists);
            CHECK(d.identity.get_agent(plain, "shared-bot")->id == made->agent.id);
            CHECK(
                refusal(d.identity.get_agent(outsider, "shared-bot")).kind == ErrorKind::kNotFound
            );
        }
    }

    TEST_CASE_TEMPLATE(
        "get: unknown agents are not found, empty identifiers invalid",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        CHECK(refusal(d.identity.get_agent(root, kNoSuchId)).kind == ErrorKind::kNotFound);
        CHECK(refusal(d.identity.get_agent(root, "nobody")).kind == ErrorKind::kNotFound);
        auto empty = refusal(d.identity.get_agent(root, ""));
        CHECK(empty.kind == ErrorKind::kInvalidArgument);
        CHECK(empty.details.at(0).field == "agentIdOrName");
    }

    TEST_CASE_TEMPLATE(
        "a failed key generation registers nothing", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        BrokenKeys broken;
        IdentityService svc{*d.tdb.db, d.clock, d.ids, &broken};
        auto e = refusal(svc.register_agent(root, "unlucky"));
        CHECK(e.kind == ErrorKind::kInternal);
        CHECK(d.count("SELECT COUNT(*) FROM agents", {}) == 0);
        CHECK(d.count("SELECT COUNT(*) FROM audit_log", {}) == 0);
    }
}

TEST_SUITE("server/identity/agents (names across orgs)") {
    TEST_CASE_TEMPLATE(
        "namesakes in other orgs from before migration 0018 are renamed once, audited",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto acme = d.org_admin("acme", "root@acme.example");
        auto globex = d.org_admin("globex", "root@globex.example");
        auto first = d.identity.register_agent(acme, "deploy-bot");
        REQUIRE(first.has_value());
        auto second = d.identity.register_agent(globex, "other-bot");
        REQUIRE(second.has_value());
        // The state 0018 leaves behind: globex's agent was "Deploy-Bot" in its
        // own org and lost the name to acme's earlier agent.
        {
            auto tx = d.tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto changed = (*tx)->exec(
                "UPDATE agents SET name = 'Deploy-Bot', name_key = (SELECT name_key FROM agents "
                "WHERE id = $1), global_name_key = NULL WHERE id = $2",
                {first->agent.id, second->agent.id}
            );
            REQUIRE_MESSAGE(changed.has_value(), changed.error().message);
            REQUIRE((*tx)->commit().has_value());
        }
        auto renamed = d.identity.resolve_agent_name_collisions();
        REQUIRE_MESSAGE(renamed.has_value(), renamed.error().message);
        REQUIRE(renamed->size() == 1);
        auto const& [org, old_name, new_name] = renamed->front();
        CHECK(org == globex.org_id);
        CHECK(old_name == "Deploy-Bot");
        CHECK(new_name == "Deploy-Bot-" + second->agent.id.substr(second->agent.id.size() - 12));
        CHECK(d.identity.get_agent(globex, new_name)->id == second->agent.id);
        CHECK(d.identity.get_agent(acme, "deploy-bot")->id == first->agent.id);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.agent.renamed' AND "
                "org_id = $1 AND target_id = $2",
                {globex.org_id, second->agent.id}
            ) == 1
        );
        CHECK(d.count("SELECT COUNT(*) FROM agents WHERE global_name_key IS NULL", {}) == 0);
        // Once per database.
        auto again = d.identity.resolve_agent_name_collisions();
        REQUIRE(again.has_value());
        CHECK(again->empty());
    }
}
