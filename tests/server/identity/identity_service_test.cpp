// IdentityService on both back ends: bootstrap, API-key authentication,
// users and keys, role checks and org isolation.
#include "server/identity/identity_service.hpp"

#include <chrono>

#include <doctest/doctest.h>

#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::core::Channel;
using server::core::ErrorKind;
using server::core::OrgRole;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

TEST_SUITE("server/identity/identity_service") {
    TEST_CASE_TEMPLATE(
        "bootstrap a second time refuses, unless asked for a new key (then audited)",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto first = d.identity.bootstrap("acme", "Root@Acme.example");
        REQUIRE(first.has_value());
        auto again = d.identity.bootstrap("acme", "root@acme.example");
        REQUIRE(again.has_error());
        CHECK(again.error().kind == ErrorKind::kAlreadyExists);
        CHECK(d.count("SELECT COUNT(*) FROM api_keys", {}) == 1);
        CHECK(d.count("SELECT COUNT(*) FROM audit_log", {}) == 0);
        auto second = d.identity.bootstrap("acme", "root@acme.example", true);
        REQUIRE(second.has_value());
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.api_key.created' AND "
                "actor_id IS NULL",
                {}
            ) == 1
        );
        CHECK(first->org.id == second->org.id);
        CHECK(first->user_id == second->user_id);
        CHECK(first->api_key != second->api_key);
        CHECK(first->api_key.starts_with("sk-signoff-"));
        CHECK(first->api_key.size() == 11 + 64);
        auto a = d.identity.authenticate(first->api_key, Channel::kMcpStdio);
        REQUIRE(a.has_value());
        CHECK(a->role == OrgRole::kSuperAdmin);
        CHECK(a->org_name == "acme");
        CHECK(a->email == "root@acme.example");
        CHECK(a->channel == Channel::kMcpStdio);
        CHECK(d.identity.authenticate(second->api_key, Channel::kRest).has_value());
        // Only the hash is stored.
        CHECK(d.count("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1", {first->api_key}) == 0);
    }

    TEST_CASE_TEMPLATE(
        "bootstrap refuses bad org names and emails", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        CHECK(
            d.identity.bootstrap("Acme", "a@b.example").error().kind == ErrorKind::kInvalidArgument
        );
        CHECK(d.identity.bootstrap(std::string(64, 'a'), "a@b.example").has_error());
        CHECK(
            d.identity.bootstrap("acme", "not-an-email").error().kind == ErrorKind::kInvalidArgument
        );
    }

    TEST_CASE_TEMPLATE(
        "unknown, malformed and revoked keys are unauthenticated", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto boot = d.identity.bootstrap("acme", "root@acme.example");
        REQUIRE(boot.has_value());
        auto admin = d.identity.authenticate(boot->api_key, Channel::kRest).value();
        std::string unknown = "sk-signoff-" + std::string(64, 'a');
        auto e = d.identity.authenticate(unknown, Channel::kRest);
        REQUIRE(e.has_error());
        CHECK(e.error().kind == ErrorKind::kUnauthenticated);
        CHECK(e.error().message == "invalid API key");
        CHECK(d.identity.authenticate("", Channel::kRest).has_error());
        CHECK(d.identity.authenticate("sk-signoff-xyz", Channel::kRest).has_error());
        auto key = d.identity.create_api_key(admin, {admin.principal_id});
        REQUIRE(key.has_value());
        REQUIRE(d.identity.authenticate(key->api_key, Channel::kRest).has_value());
        REQUIRE(d.identity.revoke_api_key(admin, key->info.user_id, key->info.id).has_value());
        CHECK(
            d.identity.authenticate(key->api_key, Channel::kRest).error().kind ==
            ErrorKind::kUnauthenticated
        );
        CHECK(d.identity.authenticate(boot->api_key, Channel::kRest).has_value());
    }

    TEST_CASE_TEMPLATE(
        "last_used_at is written at most once a minute", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto boot = d.identity.bootstrap("acme", "root@acme.example").value();
        auto const sql = "SELECT last_used_at FROM api_keys WHERE user_id = $1";
        REQUIRE(d.identity.authenticate(boot.api_key, Channel::kRest).has_value());
        std::string first = d.text(sql, {boot.user_id});
        CHECK(first == "2026-01-01T00:00:00.000Z");
        d.clock.advance(std::chrono::seconds{30});
        REQUIRE(d.identity.authenticate(boot.api_key, Channel::kRest).has_value());
        CHECK(d.text(sql, {boot.user_id}) == first);
        d.clock.advance(std::chrono::seconds{31});
        REQUIRE(d.identity.authenticate(boot.api_key, Channel::kRest).has_value());
        CHECK(d.text(sql, {boot.user_id}) == "2026-01-01T00:01:01.000Z");
    }

    TEST_CASE_TEMPLATE(
        "users: admins create, emails unique case-insensitively, roles enforced",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto made = d.identity.create_user(root, {"Alice@Acme.example", "Alice", "admin"});
        REQUIRE(made.has_value());
        CHECK(made->org_role == OrgRole::kAdmin);
        CHECK(made->email == "Alice@Acme.example");
        auto dup = d.identity.create_user(root, {"alice@ACME.example", "", "member"});
        REQUIRE(dup.has_error());
        CHECK(dup.error().kind == ErrorKind::kAlreadyExists);

        auto alice =
            d.identity
                .authenticate(
                    d.identity.create_api_key(root, {made->id}).value().api_key, Channel::kRest
                )
                .value();
        auto super = d.identity.create_user(alice, {"s@acme.example", "", "super_admin"});
        CHECK(super.error().kind == ErrorKind::kPermissionDenied);
        CHECK(d.identity.create_user(alice, {"m@acme.example", "", "member"}).has_value());
        auto bad_role = d.identity.create_user(root, {"x@acme.example", "", "owner"});
        CHECK(bad_role.error().kind == ErrorKind::kInvalidArgument);

        auto bob = d.member(root, "bob@acme.example");
        CHECK(
            d.identity.create_user(bob, {"c@acme.example", "", "member"}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            d.identity.create_api_key(bob, {made->id}).error().kind == ErrorKind::kPermissionDenied
        );
        CHECK(d.identity.create_api_key(bob, {bob.principal_id}).has_value());
    }

    TEST_CASE_TEMPLATE(
        "list and get users are paginated and confined to the org",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto other = d.org_admin("globex", "root@globex.example");
        for (int i = 0; i < 3; ++i) {
            REQUIRE(
                d.identity
                    .create_user(root, {"u" + std::to_string(i) + "@acme.example", "", "member"})
                    .has_value()
            );
        }
        auto page1 = d.identity.list_users(root, 1, 3).value();
        CHECK(page1.total == 4);
        CHECK(page1.users.size() == 3);
        auto page2 = d.identity.list_users(root, 2, 3).value();
        CHECK(page2.users.size() == 1);
        auto found = d.identity.list_users(root, 1, 20, std::string{" U1@"}).value();
        REQUIRE(found.users.size() == 1);
        CHECK(found.total == 1);
        CHECK(found.users[0].email == "u1@acme.example");
        CHECK(d.identity.list_users(root, 1, 20, std::string{"%"}).value().total == 0);
        CHECK(d.identity.list_users(root, 1, 20, std::string{"acme"}).value().total == 4);
        CHECK(d.identity.list_users(root, 0, 3).has_error());
        CHECK(d.identity.list_users(root, 1, 101).has_error());

        auto by_email = d.identity.get_user(root, "U1@acme.example");
        REQUIRE(by_email.has_value());
        auto by_id = d.identity.get_user(root, by_email->id);
        REQUIRE(by_id.has_value());
        CHECK(by_id->email == "u1@acme.example");
        CHECK(d.identity.get_user(other, by_email->id).error().kind == ErrorKind::kNotFound);
        CHECK(d.identity.get_user(other, "u1@acme.example").error().kind == ErrorKind::kNotFound);
        CHECK(d.identity.list_users(other, 1, 20).value().total == 1);
        CHECK(
            d.identity.create_api_key(other, {by_email->id}).error().kind == ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE(
        "a key with an expiry works until then; names and expiries are checked",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto const keys = d.count("SELECT COUNT(*) FROM api_keys", {});
        auto past = d.identity.create_api_key(
            root, {root.principal_id, std::nullopt, std::string{"2025-12-31T23:59:59Z"}}
        );
        REQUIRE(past.has_error());
        CHECK(past.error().details.at(0).field == "expiresAt");
        auto garbled =
            d.identity.create_api_key(root, {root.principal_id, std::nullopt, std::string{"soon"}});
        CHECK(garbled.error().details.at(0).field == "expiresAt");
        auto unnamed =
            d.identity.create_api_key(root, {root.principal_id, std::string{}, std::nullopt});
        CHECK(unnamed.error().details.at(0).field == "name");
        CHECK(d.count("SELECT COUNT(*) FROM api_keys", {}) == keys);

        auto key = d.identity.create_api_key(
            root, {root.principal_id, std::string{"ci"}, std::string{"2026-01-01T01:00:00Z"}}
        );
        REQUIRE_MESSAGE(key.has_value(), key.error().message);
        CHECK(key->info.expires_at == "2026-01-01T01:00:00.000Z");
        CHECK(key->info.issued_by == root.principal_id);
        CHECK(d.identity.authenticate(key->api_key, Channel::kRest).has_value());
        d.clock.advance(std::chrono::minutes(59));
        CHECK(d.identity.authenticate(key->api_key, Channel::kRest).has_value());
        d.clock.advance(std::chrono::minutes(1));
        auto expired = d.identity.authenticate(key->api_key, Channel::kRest);
        REQUIRE(expired.has_error());
        CHECK(expired.error().kind == ErrorKind::kUnauthenticated);
        auto listed = d.identity.list_api_keys(root, root.principal_id);
        REQUIRE(listed.has_value());
        CHECK(listed->back().name == "ci");
    }
}
