// Spaces through ApprovalsService on both back ends: create with name and
// description rules, uniqueness, the creator's SpaceManager, audit and
// provenance; list with visibility and paging; get; space-scoped role
// bindings (validated against existing spaces, granted by space managers);
// and the authorization matrix for every space operation.
#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::as_agent;
using testing::on_org;
using testing::on_space;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNoSuchId = "00000000-0000-7000-8000-00000000ffff";

template <class T>
ErrorKind kind_of(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error().kind;
}

}  // namespace

TEST_SUITE("server/approvals/spaces") {
    TEST_CASE_TEMPLATE(
        "create checks name and description, is unique case-insensitively and audits",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example", Channel::kMcpStdio);
        auto sp = d.approvals.create_space(root, "Engineering Team", "for engineers");
        REQUIRE_MESSAGE(sp.has_value(), sp.error().message);
        CHECK(sp->name == "Engineering Team");
        CHECK(sp->description == "for engineers");
        CHECK(sp->created_at == "2026-01-01T00:00:00.000Z");
        CHECK(sp->updated_at == sp->created_at);
        CHECK(d.count("SELECT COUNT(*) FROM spaces WHERE via_mcp = 1", {}) == 1);
        CHECK(d.audits("approvals.space.created") == 1);
        // An admin creator needs no binding.
        CHECK(d.count("SELECT COUNT(*) FROM role_bindings", {}) == 0);
        auto dup = d.approvals.create_space(root, "engineering TEAM", "");
        CHECK(kind_of(dup) == ErrorKind::kAlreadyExists);
        CHECK(dup.error().details.at(0).field == "name");

        for (std::string bad : {"", " lead", "trail ", "semi;colon", "é", "a/b"}) {
            INFO(bad);
            auto r = d.approvals.create_space(root, bad, "");
            CHECK(kind_of(r) == ErrorKind::kInvalidArgument);
            CHECK(r.error().details.at(0).field == "name");
        }
        CHECK(
            kind_of(d.approvals.create_space(root, std::string(256, 'a'), "")) ==
            ErrorKind::kInvalidArgument
        );
        CHECK(d.approvals.create_space(root, std::string(255, 'a'), "").has_value());
        CHECK(d.approvals.create_space(root, "ok_name-2", std::string(2048, 'x')).has_value());
        auto long_desc = d.approvals.create_space(root, "long", std::string(2049, 'x'));
        CHECK(kind_of(long_desc) == ErrorKind::kInvalidArgument);
        CHECK(long_desc.error().details.at(0).field == "description");
    }

    TEST_CASE_TEMPLATE(
        "a member who creates a space becomes its SpaceManager; agents may not create",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto sp = d.space(bob, "bobs");
        auto roles = d.approvals.user_roles(bob, bob.principal_id);
        REQUIRE(roles.has_value());
        REQUIRE(roles->roles.size() == 1);
        CHECK(roles->roles[0].role_name == "SpaceManager");
        CHECK(roles->roles[0].scope.type == server::identity::ScopeType::kSpace);
        CHECK(roles->roles[0].scope.id == sp.id);
        CHECK(roles->version == 2);
        CHECK(d.approvals.get_space(bob, sp.id).has_value());
        CHECK(
            kind_of(d.approvals.create_space(as_agent(bob), "robots", "")) ==
            ErrorKind::kPermissionDenied
        );
    }

    TEST_CASE_TEMPLATE(
        "list shows what the caller may see, by name, paged", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto carol = d.member(root, "carol@acme.example");
        auto beta = d.space(root, "beta");
        d.space(root, "Alpha");
        d.space(root, "gamma");
        auto all = d.approvals.list_spaces(root, {1, 2});
        REQUIRE(all.has_value());
        CHECK(all->total == 3);
        REQUIRE(all->items.size() == 2);
        CHECK(all->items[0].name == "Alpha");
        CHECK(all->items[1].name == "beta");
        auto page2 = d.approvals.list_spaces(root, {2, 2});
        REQUIRE(page2.has_value());
        REQUIRE(page2->items.size() == 1);
        CHECK(page2->items[0].name == "gamma");

        auto none = d.approvals.list_spaces(bob, {});
        REQUIRE(none.has_value());
        CHECK(none->total == 0);
        CHECK(none->items.empty());
        d.bind(root, bob.principal_id, {on_space("SpaceReadOnly", beta.id)});
        auto one = d.approvals.list_spaces(bob, {});
        REQUIRE(one.has_value());
        REQUIRE(one->items.size() == 1);
        CHECK(one->items[0].id == beta.id);
        d.bind(root, carol.principal_id, {on_org("OrgWideSpaceReadOnly")});
        CHECK(d.approvals.list_spaces(carol, {})->total == 3);

        auto other = d.org_admin("globex", "root@globex.example");
        CHECK(d.approvals.list_spaces(other, {})->total == 0);
        CHECK(kind_of(d.approvals.list_spaces(root, {0, 10})) == ErrorKind::kInvalidArgument);
        CHECK(kind_of(d.approvals.list_spaces(root, {1, 101})) == ErrorKind::kInvalidArgument);
        CHECK(kind_of(d.approvals.list_spaces(root, {1, 0})) == ErrorKind::kInvalidArgument);
    }

    TEST_CASE_TEMPLATE(
        "get: the authorization matrix and bad ids", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto none = d.member(root, "none@acme.example");
        auto reader = d.member(root, "reader@acme.example");
        auto org_reader = d.member(root, "org@acme.example");
        auto sp = d.space(root, "ops");
        d.bind(root, reader.principal_id, {on_space("SpaceReadOnly", sp.id)});
        d.bind(root, org_reader.principal_id, {on_org("OrgWideSpaceManager")});
        auto other = d.org_admin("globex", "root@globex.example");

        CHECK(kind_of(d.approvals.get_space(none, sp.id)) == ErrorKind::kPermissionDenied);
        CHECK(d.approvals.get_space(reader, sp.id)->name == "ops");
        CHECK(d.approvals.get_space(org_reader, sp.id).has_value());
        CHECK(d.approvals.get_space(root, sp.id).has_value());
        CHECK(kind_of(d.approvals.get_space(other, sp.id)) == ErrorKind::kNotFound);
        CHECK(kind_of(d.approvals.get_space(root, kNoSuchId)) == ErrorKind::kNotFound);
        auto bad = d.approvals.get_space(root, "not-a-uuid");
        CHECK(kind_of(bad) == ErrorKind::kInvalidArgument);
        CHECK(bad.error().details.at(0).field == "spaceId");
    }

    TEST_CASE_TEMPLATE(
        "space-scoped roles must name a space of the org and are bound by its managers",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto carol = d.member(root, "carol@acme.example");
        auto sp = d.space(root, "ops");
        auto other_org = d.org_admin("globex", "root@globex.example");
        auto foreign = d.space(other_org, "theirs");

        auto missing = d.approvals.replace_user_roles(
            root, bob.principal_id, {on_space("SpaceReadOnly", kNoSuchId)}, 1
        );
        CHECK(kind_of(missing) == ErrorKind::kNotFound);
        CHECK(missing.error().details.at(0).field == "roles.scope.spaceId");
        CHECK(
            kind_of(d.approvals.replace_user_roles(
                root, bob.principal_id, {on_space("SpaceReadOnly", foreign.id)}, 1
            )) == ErrorKind::kNotFound
        );
        auto bad_id = d.approvals.replace_user_roles(
            root, bob.principal_id, {on_space("SpaceReadOnly", "x")}, 1
        );
        CHECK(kind_of(bad_id) == ErrorKind::kInvalidArgument);
        CHECK(bad_id.error().details.at(0).field == "roles[0].scope.spaceId");
        // A space role pins the space scope type.
        CHECK(
            kind_of(
                d.approvals.replace_user_roles(root, bob.principal_id, {on_org("SpaceReadOnly")}, 1)
            ) == ErrorKind::kInvalidArgument
        );

        // bob manages the space, so he may bind roles on it, but not at org scope.
        d.bind(root, bob.principal_id, {on_space("SpaceManager", sp.id)});
        CHECK(
            d.approvals
                .replace_user_roles(bob, carol.principal_id, {on_space("SpaceReadOnly", sp.id)}, 1)
                .has_value()
        );
        CHECK(d.approvals.get_space(carol, sp.id).has_value());
        // carol reads but does not manage: she may not bind roles on it.
        CHECK(
            kind_of(d.approvals.replace_user_roles(
                carol, bob.principal_id, {on_space("SpaceReadOnly", sp.id)}, 2
            )) == ErrorKind::kPermissionDenied
        );
        CHECK(
            kind_of(d.approvals.replace_user_roles(
                bob, carol.principal_id, {on_org("OrgWideSpaceReadOnly")}, 2
            )) == ErrorKind::kPermissionDenied
        );
        // Removing the binding takes it away again.
        CHECK(d.approvals
                  .remove_user_roles(bob, carol.principal_id, {on_space("SpaceReadOnly", sp.id)}, 2)
                  .has_value());
        CHECK(kind_of(d.approvals.get_space(carol, sp.id)) == ErrorKind::kPermissionDenied);
    }
}
