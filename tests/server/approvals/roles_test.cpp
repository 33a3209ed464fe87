// Role bindings of users through ApprovalsService on both back ends: replace
// with the optimistic version, remove by exact match, validation of names and
// scopes, who may change what, audit rows and provenance.
#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::approvals::RoleInput;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::on_group;
using testing::on_org;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kMissingGroup = "00000000-0000-7000-8000-00000000ffff";

server::core::Error refusal(server::core::Result<server::approvals::UserRoles> const& r) {
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_SUITE("server/approvals/roles") {
    TEST_CASE_TEMPLATE(
        "replace binds roles, bumps the version and refuses a stale one",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example", Channel::kMcpStdio);
        auto bob = d.member(root, "bob@acme.example");
        auto g = d.group(root, "approvers");
        auto before = d.approvals.user_roles(bob, bob.principal_id);
        REQUIRE(before.has_value());
        CHECK(before->roles.empty());
        CHECK(before->version == 1);

        auto r = d.approvals.replace_user_roles(
            root,
            bob.principal_id,
            {on_group("GroupReadOnly", g.id),
             on_org("GroupWrite"),
             on_group("GroupReadOnly", g.id)},
            1
        );
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        CHECK(r->version == 2);
        REQUIRE(r->roles.size() == 2);  // the duplicate collapsed
        CHECK(d.audits("identity.roles.replaced") == 1);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM role_bindings WHERE principal_id = $1 AND via_mcp = 1",
                {bob.principal_id}
            ) == 2
        );

        auto stale = refusal(d.approvals.replace_user_roles(root, bob.principal_id, {}, 1));
        CHECK(stale.kind == ErrorKind::kConflict);
        CHECK(stale.message == "the user's roles changed meanwhile: current version is 2");
        CHECK(stale.details.at(0).field == "concurrencyControl.version");

        auto cleared = d.approvals.replace_user_roles(root, bob.principal_id, {}, 2);
        REQUIRE(cleared.has_value());
        CHECK(cleared->roles.empty());
        CHECK(cleared->version == 3);
        // Replacing with what is held changes nothing, not even the version.
        auto same = d.approvals.replace_user_roles(root, bob.principal_id, {}, 3);
        REQUIRE(same.has_value());
        CHECK(same->version == 3);
        CHECK(d.audits("identity.roles.replaced") == 2);
        // Without a version (seed 001 has none) the change applies to the
        // current roles.
        auto blind = d.approvals.replace_user_roles(root, bob.principal_id, {}, {});
        REQUIRE(blind.has_value());
        CHECK(blind->roles.empty());
        CHECK(blind->version == 3);  // nothing changed
    }

    TEST_CASE_TEMPLATE(
        "remove deletes exact name and scope matches and ignores the rest",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto g = d.group(root, "approvers");
        d.bind(root, bob.principal_id, {on_group("GroupWrite", g.id), on_org("GroupReadOnly")});
        // Same name, other scope; and an absent binding: both ignored.
        auto none = d.approvals.remove_user_roles(
            root, bob.principal_id, {on_org("GroupWrite"), on_group("GroupReadOnly", g.id)}, {}
        );
        REQUIRE(none.has_value());
        CHECK(none->roles.size() == 2);
        CHECK(none->version == 2);
        CHECK(d.audits("identity.roles.removed") == 0);
        auto stale = refusal(
            d.approvals.remove_user_roles(root, bob.principal_id, {on_org("GroupReadOnly")}, 1)
        );
        CHECK(stale.kind == ErrorKind::kConflict);
        auto one =
            d.approvals.remove_user_roles(root, bob.principal_id, {on_org("GroupReadOnly")}, 2);
        REQUIRE(one.has_value());
        REQUIRE(one->roles.size() == 1);
        CHECK(one->roles[0].role_name == "GroupWrite");
        CHECK(one->version == 3);
        CHECK(d.audits("identity.roles.removed") == 1);
    }

    TEST_CASE_TEMPLATE(
        "bad role names, scopes and ids are refused with the field named",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto g = d.group(root, "approvers");
        auto try_one = [&](RoleInput const& in) {
            return refusal(d.approvals.replace_user_roles(root, bob.principal_id, {in}, 1));
        };
        auto unknown = try_one(on_org("Overlord"));
        CHECK(unknown.kind == ErrorKind::kInvalidArgument);
        CHECK(unknown.details.at(0).field == "roles[0].roleName");
        auto wrong_scope = try_one(on_org("SpaceReadOnly"));
        CHECK(wrong_scope.details.at(0).field == "roles[0].scope.type");
        CHECK(wrong_scope.message == "SpaceReadOnly may be bound only at space scope");
        CHECK(
            try_one(on_group("AuditorViewer", g.id)).message ==
            "AuditorViewer may be bound only at org scope"
        );
        CHECK(try_one({"GroupReadOnly", "team"}).details.at(0).field == "roles[0].scope.type");
        // Space and template scopes name things that must exist (spaces_test.cpp,
        // templates_test.cpp cover them in full).
        auto space = try_one({"SpaceReadOnly", "space", {}, kMissingGroup});
        CHECK(space.kind == ErrorKind::kNotFound);
        CHECK(space.details.at(0).field == "roles.scope.spaceId");
        auto tmpl = try_one({"WorkflowTemplateVoter", "workflow_template", {}, {}, "deploy"});
        CHECK(tmpl.kind == ErrorKind::kNotFound);
        CHECK(tmpl.details.at(0).field == "roles.scope.templateName");
        CHECK(
            try_one(on_group("GroupReadOnly", "not-a-uuid")).details.at(0).field ==
            "roles[0].scope.groupId"
        );
        CHECK(try_one({"GroupReadOnly", "group"}).kind == ErrorKind::kInvalidArgument);
        CHECK(try_one({"GroupReadOnly", "org", g.id}).message == "an org scope takes no id");
        auto missing = try_one(on_group("GroupReadOnly", kMissingGroup));
        CHECK(missing.kind == ErrorKind::kNotFound);
        std::vector<RoleInput> many;
        for (int i = 0; i < 129; ++i) {
            many.push_back(on_org("GroupReadOnly"));
        }
        CHECK(
            refusal(d.approvals.replace_user_roles(root, bob.principal_id, many, 1)).kind ==
            ErrorKind::kInvalidArgument
        );
        CHECK(
            refusal(d.approvals.replace_user_roles(root, kMissingGroup, {}, 1)).kind ==
            ErrorKind::kNotFound
        );
        CHECK(d.count("SELECT COUNT(*) FROM role_bindings", {}) == 0);
    }

    TEST_CASE_TEMPLATE(
        "who may change roles: admins anything, group managers their group, agents nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto mgr = d.member(root, "mgr@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto mine = d.group(mgr, "mine");  // mgr becomes its GroupManager
        auto theirs = d.group(root, "theirs");
        auto ok = d.approvals.replace_user_roles(
            mgr, bob.principal_id, {on_group("GroupReadOnly", mine.id)}, 1
        );
        REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
        auto other = refusal(d.approvals.replace_user_roles(
            mgr, bob.principal_id, {on_group("GroupReadOnly", theirs.id)}, 2
        ));
        CHECK(other.kind == ErrorKind::kPermissionDenied);
        CHECK(other.message == "binding roles on this group needs GroupManager on it");
        auto org = refusal(
            d.approvals.replace_user_roles(mgr, bob.principal_id, {on_org("GroupReadOnly")}, 2)
        );
        CHECK(org.message == "binding roles at org scope needs the admin or super_admin role");
        // Replacing would also remove a binding the manager does not control.
        d.bind(
            root, bob.principal_id, {on_group("GroupReadOnly", mine.id), on_org("GroupReadOnly")}
        );
        CHECK(
            refusal(d.approvals.replace_user_roles(mgr, bob.principal_id, {}, 3)).kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            refusal(d.approvals.remove_user_roles(
                        bob, bob.principal_id, {on_group("GroupReadOnly", mine.id)}, {}
                    ))
                .kind == ErrorKind::kPermissionDenied
        );
        auto agent = root;
        agent.principal_kind = "agent";
        auto by_agent = refusal(d.approvals.replace_user_roles(agent, bob.principal_id, {}, 3));
        CHECK(by_agent.message == "only human users may change roles");
        // Another org's admin does not see the user.
        auto stranger = d.org_admin("other", "root@other.example");
        CHECK(
            refusal(d.approvals.user_roles(stranger, bob.principal_id)).kind == ErrorKind::kNotFound
        );
        CHECK(
            refusal(d.approvals.replace_user_roles(stranger, bob.principal_id, {}, 3)).kind ==
            ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE("the catalogue is listed to any member", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto roles = d.approvals.roles(bob);
        REQUIRE(roles.has_value());
        CHECK(roles->size() == 35);
    }
}
