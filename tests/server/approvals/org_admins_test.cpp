// Org admins through ApprovalsService on both back ends: add by email, list in
// the order they became admins, remove by user id, never the last one; only
// admins manage them, and another org's name is unknown.
#include <array>
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::core::ErrorKind;
using server::core::OrgRole;
using testing::Approvals;
using testing::PostgresBackend;
using testing::SqliteBackend;

TEST_SUITE("server/approvals/org_admins") {
    TEST_CASE_TEMPLATE(
        "add by email, list, remove, and never the last admin", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        d.clock.advance(std::chrono::hours{1});
        auto added = d.approvals.add_org_admin(root, "acme", " Bob@ACME.example ");
        REQUIRE_MESSAGE(added.has_value(), added.error().message);
        CHECK(added->user_id == bob.principal_id);
        CHECK(added->email == "bob@acme.example");
        CHECK(added->created_at == "2026-01-01T01:00:00.000Z");
        CHECK(d.text("SELECT org_role FROM users WHERE id = $1", {bob.principal_id}) == "admin");
        CHECK(d.audits("identity.org_admin.added") == 1);

        auto dup = d.approvals.add_org_admin(root, "acme", "bob@acme.example");
        CHECK(dup.error().kind == ErrorKind::kAlreadyExists);
        auto unknown = d.approvals.add_org_admin(root, "acme", "nobody@acme.example");
        CHECK(unknown.error().kind == ErrorKind::kNotFound);
        CHECK(unknown.error().details.at(0).field == "email");
        CHECK(
            d.approvals.add_org_admin(root, "acme", "not-an-email").error().kind ==
            ErrorKind::kInvalidArgument
        );

        auto page = d.approvals.list_org_admins(root, "acme", {});
        REQUIRE(page.has_value());
        CHECK(page->total == 2);
        CHECK(page->limit == 20);
        REQUIRE(page->items.size() == 2);
        CHECK(page->items[0].user_id == root.principal_id);
        CHECK(page->items[1].user_id == bob.principal_id);
        auto second = d.approvals.list_org_admins(root, "acme", {2, 1});
        REQUIRE(second.has_value());
        REQUIRE(second->items.size() == 1);
        CHECK(second->items[0].email == "bob@acme.example");
        CHECK(
            d.approvals.list_org_admins(root, "acme", {0, 20}).error().kind ==
            ErrorKind::kInvalidArgument
        );
        CHECK(
            d.approvals.list_org_admins(root, "acme", {1, 101}).error().kind ==
            ErrorKind::kInvalidArgument
        );

        // bob (now admin, authenticated again) removes root? root is a super_admin.
        auto bob_admin = d.identity.authenticate(
            d.identity.create_api_key(root, {bob.principal_id}).value().api_key,
            server::core::Channel::kRest
        );
        REQUIRE(bob_admin.has_value());
        CHECK(bob_admin->role == OrgRole::kAdmin);
        auto super = d.approvals.remove_org_admin(*bob_admin, "acme", root.principal_id);
        CHECK(super.error().kind == ErrorKind::kPermissionDenied);

        auto removed = d.approvals.remove_org_admin(root, "acme", bob.principal_id);
        REQUIRE(removed.has_value());
        CHECK(*removed);
        CHECK(d.text("SELECT org_role FROM users WHERE id = $1", {bob.principal_id}) == "member");
        auto again = d.approvals.remove_org_admin(root, "acme", bob.principal_id);
        REQUIRE(again.has_value());
        CHECK_FALSE(*again);
        CHECK(d.audits("identity.org_admin.removed") == 1);

        auto last = d.approvals.remove_org_admin(root, "acme", root.principal_id);
        REQUIRE(last.has_error());
        CHECK(last.error().kind == ErrorKind::kFailedPrecondition);
        CHECK(
            last.error().message == "this is the organization's last admin; add another admin first"
        );
        CHECK(
            d.approvals.remove_org_admin(root, "acme", "00000000-0000-7000-8000-00000000ffff")
                .error()
                .kind == ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE(
        "only admins manage org admins, and only of their own org",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto hr = d.member(root, "hr@acme.example", "hr_admin");
        for (auto const& who : {bob, hr}) {
            CHECK(
                d.approvals.add_org_admin(who, "acme", "bob@acme.example").error().kind ==
                ErrorKind::kPermissionDenied
            );
            CHECK(
                d.approvals.list_org_admins(who, "acme", {}).error().kind ==
                ErrorKind::kPermissionDenied
            );
            CHECK(
                d.approvals.remove_org_admin(who, "acme", root.principal_id).error().kind ==
                ErrorKind::kPermissionDenied
            );
        }
        auto stranger = d.org_admin("other", "root@other.example");
        auto foreign = d.approvals.add_org_admin(stranger, "acme", "bob@acme.example");
        CHECK(foreign.error().kind == ErrorKind::kNotFound);
        CHECK(foreign.error().message == "organization 'acme' not found");
        CHECK(
            d.approvals.list_org_admins(stranger, "acme", {}).error().kind == ErrorKind::kNotFound
        );
        // Their own org's name works, and acme's users are not there.
        CHECK(
            d.approvals.add_org_admin(stranger, "other", "bob@acme.example").error().kind ==
            ErrorKind::kNotFound
        );
        CHECK(
            d.approvals.remove_org_admin(stranger, "other", bob.principal_id).error().kind ==
            ErrorKind::kNotFound
        );
        CHECK(d.text("SELECT org_role FROM users WHERE id = $1", {bob.principal_id}) == "member");
    }
}

TEST_SUITE("server/approvals/org_admins") {
    TEST_CASE_TEMPLATE(
        "two admins removing each other at once leave exactly one admin",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        for (int round = 0; round < 5; ++round) {
            INFO("round " << round);
            auto other =
                d.member(root, "s" + std::to_string(round) + "@acme.example", "super_admin");
            std::array<server::core::Result<bool>, 2> results{false, false};
            std::thread a([&] {
                results[0] = d.approvals.remove_org_admin(root, "acme", other.principal_id);
            });
            std::thread b([&] {
                results[1] = d.approvals.remove_org_admin(other, "acme", root.principal_id);
            });
            a.join();
            b.join();
            int removed = 0;
            for (auto const& r : results) {
                if (r.has_value()) {
                    removed += *r ? 1 : 0;
                } else {
                    CHECK(r.error().kind == ErrorKind::kFailedPrecondition);
                }
            }
            CHECK(removed == 1);
            CHECK(
                d.count(
                    "SELECT COUNT(*) FROM users WHERE org_role IN ('admin', 'super_admin')", {}
                ) == 1
            );
            if (results[1].has_value()) {
                root = other;  // root lost its role: carry on with the survivor
            }
        }
    }
}
