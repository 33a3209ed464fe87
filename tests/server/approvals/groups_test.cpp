// Groups and memberships through ApprovalsService on both back ends: create
// with name rules, list with visibility and paging, get by id or name, member
// lists with addedAt, all-or-nothing batches, audit rows, provenance, and the
// authorization matrix (member without role, member with the role, org admin,
// another org's user) for every group operation.
#include <chrono>

#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::humans;
using testing::on_group;
using testing::on_org;
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

TEST_SUITE("server/approvals/groups") {
    TEST_CASE_TEMPLATE(
        "create checks the name, is unique case-insensitively and makes the creator manager",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example", Channel::kRestXMcp);
        auto bob = d.member(root, "bob@acme.example");
        auto g = d.approvals.create_group(root, "Release-Approvers", "ship it");
        REQUIRE_MESSAGE(g.has_value(), g.error().message);
        CHECK(g->name == "Release-Approvers");
        CHECK(g->description == "ship it");
        CHECK(g->entities_count == 0);
        CHECK(g->created_at == "2026-01-01T00:00:00.000Z");
        CHECK(d.count("SELECT COUNT(*) FROM approval_groups WHERE via_mcp = 1", {}) == 1);
        CHECK(d.audits("approvals.group.created") == 1);
        // An admin creator needs no binding; a member creator gets GroupManager.
        CHECK(d.count("SELECT COUNT(*) FROM role_bindings", {}) == 0);
        auto dup = d.approvals.create_group(bob, "release-APPROVERS", "");
        CHECK(kind_of(dup) == ErrorKind::kAlreadyExists);
        auto own = d.approvals.create_group(bob, "b", "");
        REQUIRE(own.has_value());
        auto bob_roles = d.approvals.user_roles(bob, bob.principal_id);
        REQUIRE(bob_roles.has_value());
        REQUIRE(bob_roles->roles.size() == 1);
        CHECK(bob_roles->roles[0].role_name == "GroupManager");
        CHECK(bob_roles->roles[0].scope.id == own->id);
        CHECK(bob_roles->version == 2);

        for (std::string bad : {"", "1team", "-team", "team-", "team_a", "a b", "é"}) {
            INFO(bad);
            CHECK(kind_of(d.approvals.create_group(root, bad, "")) == ErrorKind::kInvalidArgument);
        }
        CHECK(
            kind_of(d.approvals.create_group(root, std::string(256, 'a'), "")) ==
            ErrorKind::kInvalidArgument
        );
        CHECK(d.approvals.create_group(root, std::string(255, 'a'), "").has_value());
        CHECK(
            kind_of(d.approvals.create_group(root, "abcdef01-2345-7890-abcd-ef0123456789", "")) ==
            ErrorKind::kInvalidArgument
        );
        CHECK(
            kind_of(d.approvals.create_group(root, "long", std::string(2049, 'x'))) ==
            ErrorKind::kInvalidArgument
        );
    }

    TEST_CASE_TEMPLATE(
        "members: add and remove all or nothing, listed with addedAt and paged",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto a = d.member(root, "a@acme.example");
        auto b = d.member(root, "b@acme.example");
        auto c = d.member(root, "c@acme.example");
        auto g = d.group(root, "approvers");
        d.clock.advance(std::chrono::minutes{1});
        auto added = d.approvals.add_members(root, g.id, humans({a.principal_id, b.principal_id}));
        REQUIRE_MESSAGE(added.has_value(), added.error().message);
        CHECK(added->entities_count == 2);
        CHECK(added->updated_at == "2026-01-01T00:01:00.000Z");
        d.clock.advance(std::chrono::minutes{1});
        // One bad entity spoils the batch.
        auto partly = d.approvals.add_members(root, g.id, humans({c.principal_id, a.principal_id}));
        CHECK(kind_of(partly) == ErrorKind::kAlreadyExists);
        CHECK(partly.error().details.at(0).field == "entities[1].entity.entityId");
        CHECK(
            kind_of(d.approvals.add_members(root, g.id, humans({c.principal_id, kNoSuchId}))) ==
            ErrorKind::kNotFound
        );
        // A user's id is no agent's: agents are looked up among agents
        // (server/approvals/agent_roles_test.cpp adds real agents).
        auto agent = d.approvals.add_members(root, g.id, {{"agent", c.principal_id}});
        CHECK(kind_of(agent) == ErrorKind::kNotFound);
        CHECK(agent.error().message == "agent " + c.principal_id + " not found");
        CHECK(agent.error().details.at(0).field == "entities[0].entity.entityId");
        CHECK(
            kind_of(d.approvals.add_members(root, g.id, {{"robot", c.principal_id}})) ==
            ErrorKind::kInvalidArgument
        );
        CHECK(
            kind_of(d.approvals.add_members(root, g.id, humans({"nope"}))) ==
            ErrorKind::kInvalidArgument
        );
        CHECK(
            kind_of(d.approvals.add_members(root, g.id, humans({c.principal_id, c.principal_id}))
            ) == ErrorKind::kInvalidArgument
        );
        CHECK(kind_of(d.approvals.add_members(root, g.id, {})) == ErrorKind::kInvalidArgument);
        CHECK(
            kind_of(d.approvals.add_members(root, kNoSuchId, humans({c.principal_id}))) ==
            ErrorKind::kNotFound
        );
        CHECK(
            kind_of(d.approvals.add_members(root, "not-a-uuid", humans({c.principal_id}))) ==
            ErrorKind::kInvalidArgument
        );
        REQUIRE(d.approvals.add_members(root, g.id, humans({c.principal_id})).has_value());
        CHECK(d.audits("approvals.group.members_added") == 2);

        auto page1 = d.approvals.list_members(root, g.id, {1, 2});
        REQUIRE(page1.has_value());
        CHECK(page1->total == 3);
        REQUIRE(page1->items.size() == 2);
        CHECK(page1->items[0].added_at == "2026-01-01T00:01:00.000Z");
        CHECK(page1->items[0].entity.entity_type == "human");
        auto page2 = d.approvals.list_members(root, g.id, {2, 2});
        REQUIRE(page2.has_value());
        REQUIRE(page2->items.size() == 1);
        CHECK(page2->items[0].entity.entity_id == c.principal_id);
        CHECK(page2->items[0].added_at == "2026-01-01T00:02:00.000Z");

        auto not_member =
            d.approvals.remove_members(root, g.id, humans({a.principal_id, root.principal_id}));
        CHECK(kind_of(not_member) == ErrorKind::kConflict);  // as the original API: 409
        auto removed = d.approvals.remove_members(root, g.id, humans({a.principal_id}));
        REQUIRE(removed.has_value());
        CHECK(removed->entities_count == 2);
        CHECK(d.audits("approvals.group.members_removed") == 1);
        CHECK(d.count("SELECT COUNT(*) FROM group_members", {}) == 2);
    }

    TEST_CASE_TEMPLATE(
        "list shows admins every group and others only theirs; get by id or name",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto carol = d.member(root, "carol@acme.example");
        auto alpha = d.group(root, "alpha");
        auto beta = d.group(root, "Beta");
        auto gamma = d.group(root, "gamma");
        REQUIRE(d.approvals.add_members(root, beta.id, humans({bob.principal_id})).has_value());
        d.bind(root, bob.principal_id, {on_group("GroupReadOnly", gamma.id)});

        auto all = d.approvals.list_groups(root, {1, 2});
        REQUIRE(all.has_value());
        CHECK(all->total == 3);
        REQUIRE(all->items.size() == 2);
        CHECK(all->items[0].name == "alpha");
        CHECK(all->items[1].name == "Beta");
        CHECK(all->items[1].entities_count == 1);

        auto bobs = d.approvals.list_groups(bob, {});
        REQUIRE(bobs.has_value());
        CHECK(bobs->total == 2);
        REQUIRE(bobs->items.size() == 2);
        CHECK(bobs->items[0].id == beta.id);
        CHECK(bobs->items[1].id == gamma.id);
        CHECK(d.approvals.list_groups(carol, {}).value().total == 0);
        d.bind(root, carol.principal_id, {on_org("GroupReadOnly")});
        CHECK(d.approvals.list_groups(carol, {}).value().total == 3);

        CHECK(d.approvals.get_group(carol, "BETA").value().id == beta.id);
        CHECK(d.approvals.get_group(carol, alpha.id).value().name == "alpha");
        CHECK(kind_of(d.approvals.get_group(carol, "delta")) == ErrorKind::kNotFound);
        CHECK(kind_of(d.approvals.get_group(carol, kNoSuchId)) == ErrorKind::kNotFound);
        CHECK(kind_of(d.approvals.list_groups(root, {1, 0})) == ErrorKind::kInvalidArgument);
    }

    TEST_CASE_TEMPLATE(
        "authorization matrix: every group operation by each kind of caller",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto admin = d.member(root, "admin@acme.example", "admin");
        auto plain = d.member(root, "plain@acme.example");    // member of g, no role
        auto reader = d.member(root, "reader@acme.example");  // GroupReadOnly on g
        auto writer = d.member(root, "writer@acme.example");  // GroupWrite on g
        auto target = d.member(root, "target@acme.example");
        auto g = d.group(root, "approvers");
        REQUIRE(d.approvals.add_members(root, g.id, humans({plain.principal_id})).has_value());
        d.bind(root, reader.principal_id, {on_group("GroupReadOnly", g.id)});
        d.bind(root, writer.principal_id, {on_group("GroupWrite", g.id)});
        auto stranger = d.org_admin("other", "root@other.example");

        auto get = [&](auto const& who) { return d.approvals.get_group(who, g.id); };
        auto members = [&](auto const& who) { return d.approvals.list_members(who, g.id, {}); };
        auto add = [&](auto const& who) {
            return d.approvals.add_members(who, g.id, humans({target.principal_id}));
        };
        auto remove = [&](auto const& who) {
            return d.approvals.remove_members(who, g.id, humans({target.principal_id}));
        };

        // Member without a role.
        CHECK(kind_of(get(plain)) == ErrorKind::kPermissionDenied);
        CHECK(members(plain).has_value());
        CHECK(kind_of(add(plain)) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(remove(plain)) == ErrorKind::kPermissionDenied);
        // A non-member without a role may not even list the members.
        CHECK(kind_of(members(target)) == ErrorKind::kPermissionDenied);
        // GroupReadOnly reads but does not write.
        CHECK(get(reader).has_value());
        CHECK(members(reader).has_value());
        CHECK(kind_of(add(reader)) == ErrorKind::kPermissionDenied);
        // GroupWrite writes.
        CHECK(get(writer).has_value());
        REQUIRE(add(writer).has_value());
        REQUIRE(remove(writer).has_value());
        // An org admin (not the creator) does everything.
        CHECK(get(admin).has_value());
        CHECK(members(admin).has_value());
        REQUIRE(add(admin).has_value());
        REQUIRE(remove(admin).has_value());
        // Another org's admin sees nothing.
        CHECK(kind_of(get(stranger)) == ErrorKind::kNotFound);
        CHECK(kind_of(members(stranger)) == ErrorKind::kNotFound);
        CHECK(kind_of(add(stranger)) == ErrorKind::kNotFound);
        CHECK(kind_of(remove(stranger)) == ErrorKind::kNotFound);
        CHECK(d.approvals.list_groups(stranger, {}).value().total == 0);
        CHECK(kind_of(d.approvals.get_group(stranger, "approvers")) == ErrorKind::kNotFound);
        // Another org may reuse the name.
        CHECK(d.approvals.create_group(stranger, "approvers", "").has_value());
        // And the other org's user cannot be added to this org's group.
        CHECK(
            kind_of(d.approvals.add_members(root, g.id, humans({stranger.principal_id}))) ==
            ErrorKind::kNotFound
        );
        // Agents are refused everywhere.
        auto agent = root;
        agent.principal_kind = "agent";
        CHECK(kind_of(d.approvals.create_group(agent, "bots", "")) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(d.approvals.list_groups(agent, {})) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(get(agent)) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(add(agent)) == ErrorKind::kPermissionDenied);
    }
}
