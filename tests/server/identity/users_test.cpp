// Users on seed 001's contract through IdentityService on both back ends:
// who may create, list and get (member without a role, member with a role,
// hr_admin, org admin, another org's user, an agent principal), bad input
// for every field, and the fuzzy search over name and email.
#include <cctype>

#include <doctest/doctest.h>

#include "server/approvals/approvals_service.hpp"
#include "server/identity/identity_service.hpp"
#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::core::ErrorKind;
using server::core::OrgRole;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

template <class T>
server::core::Error refusal(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_SUITE("server/identity/users") {
    TEST_CASE_TEMPLATE("who may create, list and get users", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto plain = d.member(root, "plain@acme.example");
        auto hr = d.member(root, "hr@acme.example", "hr_admin");
        auto admin = d.member(root, "admin@acme.example", "admin");
        // A member holding an org-wide scoped role is still no user admin.
        server::approvals::ApprovalsService approvals{*d.tdb.db, d.clock, d.ids};
        auto roled = d.member(root, "roled@acme.example");
        REQUIRE(
            approvals
                .replace_user_roles(root, roled.principal_id, {{"OrgWideSpaceManager", "org"}}, 1)
                .has_value()
        );
        auto outsider = d.org_admin("globex", "root@globex.example");
        auto agent = admin;
        agent.principal_kind = "agent";

        auto const create = [&](server::core::Actor const& by, std::string const& email) {
            return d.identity.create_user(by, {email, "New", "member"});
        };
        SUBCASE("create: admins and super_admins only") {
            auto e = refusal(create(plain, "n1@acme.example"));
            CHECK(e.kind == ErrorKind::kPermissionDenied);
            CHECK(e.message == "creating users needs the admin or super_admin role");
            CHECK(refusal(create(roled, "n2@acme.example")).kind == ErrorKind::kPermissionDenied);
            CHECK(refusal(create(hr, "n3@acme.example")).kind == ErrorKind::kPermissionDenied);
            auto by_agent = refusal(create(agent, "n4@acme.example"));
            CHECK(by_agent.kind == ErrorKind::kPermissionDenied);
            CHECK(by_agent.message == "only human users may create users");
            CHECK(create(admin, "n5@acme.example").has_value());
            CHECK(create(root, "n6@acme.example").has_value());
            // The outsider's user lands in their own org.
            auto theirs = create(outsider, "n7@acme.example");
            REQUIRE(theirs.has_value());
            CHECK(theirs->org_id != root.org_id);
            auto admin_made = d.identity.create_user(admin, {"n8@acme.example", "", "admin"});
            REQUIRE(admin_made.has_value());
            CHECK(admin_made->org_role == OrgRole::kAdmin);
        }
        SUBCASE("list and get: any member, confined to the org") {
            for (auto const& who : {plain, roled, hr, admin, root}) {
                auto page = d.identity.list_users(who, 1, 20);
                REQUIRE(page.has_value());
                CHECK(page->total == 5);
                CHECK(d.identity.get_user(who, hr.principal_id).has_value());
            }
            auto theirs = d.identity.list_users(outsider, 1, 20);
            REQUIRE(theirs.has_value());
            CHECK(theirs->total == 1);
            auto e = refusal(d.identity.get_user(outsider, plain.principal_id));
            CHECK(e.kind == ErrorKind::kNotFound);
            CHECK(e.message == "user not found");
            CHECK(
                refusal(d.identity.get_user(outsider, "plain@acme.example")).kind ==
                ErrorKind::kNotFound
            );
        }
    }

    TEST_CASE_TEMPLATE(
        "create refuses bad emails, names and org roles", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto const field_of = [&](std::string email, std::string name, std::string role) {
            auto e = refusal(d.identity.create_user(root, {email, name, role}));
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            REQUIRE(e.details.size() == 1);
            return e.details.at(0).field;
        };
        CHECK(field_of("", "A", "member") == "email");
        CHECK(field_of("no-at-sign", "A", "member") == "email");
        CHECK(field_of("a@b@c.example", "A", "member") == "email");
        CHECK(field_of("a@localhost", "A", "member") == "email");
        CHECK(field_of(std::string(243, 'a') + "@acme.example", "A", "member") == "email");
        CHECK(field_of("a@acme.example", std::string(256, 'n'), "member") == "displayName");
        CHECK(field_of("a@acme.example", "A", "owner") == "orgRole");
        CHECK(field_of("a@acme.example", "A", "MEMBER") == "orgRole");
        CHECK(d.count("SELECT COUNT(*) FROM users", {}) == 1);

        // The longest address: a 64-character local part (RFC 5321) and 254 in all.
        std::string const longest_email = std::string(64, 'a') + "@" + std::string(63, 'x') + "." +
                                          std::string(63, 'y') + "." + std::string(53, 'z') +
                                          ".example";
        REQUIRE(longest_email.size() == 254);
        CHECK(field_of(std::string(65, 'a') + "@acme.example", "A", "member") == "email");
        auto longest =
            d.identity.create_user(root, {longest_email, std::string(255, 'n'), "member"});
        REQUIRE_MESSAGE(longest.has_value(), longest.error().message);
        CHECK(longest->display_name.size() == 255);
        // A blank displayName takes the email's local part.
        auto plain = d.identity.create_user(root, {"Alex.Chen@acme.example", "  ", "member"});
        REQUIRE(plain.has_value());
        CHECK(plain->display_name == "alex.chen");
        CHECK(plain->created_at == "2026-01-01T00:00:00.000Z");
        auto dup = refusal(d.identity.create_user(root, {"ALEX.chen@ACME.example", "X", "member"}));
        CHECK(dup.kind == ErrorKind::kAlreadyExists);
    }

    TEST_CASE_TEMPLATE(
        "get takes a UUID or an email; list pages and searches name and email",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        REQUIRE(d.identity.create_user(root, {"alex.chen@acme.example", "Alex Chen", "member"})
                    .has_value());
        REQUIRE(
            d.identity.create_user(root, {"bo@acme.example", "Bo Alexander", "member"}).has_value()
        );
        REQUIRE(d.identity.create_user(root, {"carol@acme.example", "Carol", "member"}).has_value()
        );

        for (std::string bad : {"nope", "12", "00000000-0000-7000-8000-00000000000g"}) {
            CAPTURE(bad);
            auto e = refusal(d.identity.get_user(root, bad));
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            CHECK(e.details.at(0).field == "userId");
        }
        CHECK(
            refusal(d.identity.get_user(root, "00000000-0000-7000-8000-00000000ffff")).kind ==
            ErrorKind::kNotFound
        );
        auto by_email = d.identity.get_user(root, " Alex.Chen@ACME.example ");
        REQUIRE(by_email.has_value());
        CHECK(by_email->display_name == "Alex Chen");
        std::string upper = by_email->id;
        for (auto& c : upper) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        CHECK(d.identity.get_user(root, upper)->id == by_email->id);

        auto alex = d.identity.list_users(root, 1, 20, std::string("ALEX"));
        REQUIRE(alex.has_value());
        CHECK(alex->total == 2);  // "alex.chen@…" by email, "Bo Alexander" by name
        auto by_domain = d.identity.list_users(root, 1, 2, std::string("@acme.example"));
        REQUIRE(by_domain.has_value());
        CHECK(by_domain->total == 4);
        CHECK(by_domain->users.size() == 2);
        CHECK(by_domain->limit == 2);
        auto second = d.identity.list_users(root, 2, 2, std::string("@acme.example"));
        REQUIRE(second.has_value());
        CHECK(second->users.size() == 2);
        CHECK(second->users.front().email != by_domain->users.front().email);
        CHECK(d.identity.list_users(root, 1, 20, std::string("zzz"))->total == 0);
        CHECK(d.identity.list_users(root, 1, 20, std::string("   "))->total == 4);

        CHECK(refusal(d.identity.list_users(root, 0, 20)).details.at(0).field == "page");
        CHECK(refusal(d.identity.list_users(root, 1, 0)).details.at(0).field == "limit");
        CHECK(refusal(d.identity.list_users(root, 1, 101)).details.at(0).field == "limit");
        CHECK(d.identity.list_users(root, 1, 100).has_value());
    }
}
