// Agents in the approvals domain on both back ends: their role bindings
// (only workflow-template roles, replaced with the optimistic version,
// removed by exact match, changed only by humans with authority over each
// binding) and their membership of groups.
#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::approvals::AgentRoles;
using server::approvals::EntityRef;
using server::core::Actor;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::as_agent;
using testing::on_group;
using testing::on_org;
using testing::on_space;
using testing::on_template;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNoSuchId = "00000000-0000-7000-8000-00000000ffff";

template <class T>
server::core::Error refusal(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error();
}

std::string agent(Approvals& d, Actor const& by, std::string const& name) {
    auto r = d.identity.register_agent(by, name);
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    return r->agent.id;
}

/// An org with a space "ops" holding template "deploy" (rule: one approval
/// from group "approvers"), all made by its super_admin.
struct Org {
    explicit Org(Approvals& d)
        : root(d.org_admin("acme", "root@acme.example", Channel::kMcpHttp)),
          space(d.space(root, "ops")),
          group(d.group(root, "approvers")),
          templ(d.templ(root, space.id, "deploy", group.id)) {}
    Actor root;
    server::approvals::Space space;
    server::approvals::Group group;
    server::approvals::WorkflowTemplate templ;
};

}  // namespace

TEST_SUITE("server/approvals/agent_roles") {
    TEST_CASE_TEMPLATE(
        "agents hold template roles, replaced with the version and removed by exact match",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Org o{d};
        auto bot = agent(d, o.root, "deploy-bot");
        auto before = d.approvals.agent_roles(o.root, bot);
        REQUIRE(before.has_value());
        CHECK(before->agent_id == bot);
        CHECK(before->roles.empty());
        CHECK(before->version == 1);

        auto r = d.approvals.replace_agent_roles(
            o.root,
            bot,
            {on_template("WorkflowTemplateVoter", "Deploy"),
             on_space("SpaceWideWorkflowTemplateReadOnly", o.space.id),
             on_org("OrgWideWorkflowTemplateInstantiator")},
            1
        );
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        CHECK(r->version == 2);
        REQUIRE(r->roles.size() == 3);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM role_bindings WHERE principal_type = 'agent' AND "
                "principal_id = $1 AND via_mcp = 1",
                {bot}
            ) == 3
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.roles.replaced' AND "
                "target_type = 'agent' AND target_id = $1",
                {bot}
            ) == 1
        );
        // The binding is to the template's lowercase name.
        auto held = d.approvals.agent_roles(o.root, bot);
        REQUIRE(held.has_value());
        CHECK(held->version == 2);
        bool const by_name = std::any_of(held->roles.begin(), held->roles.end(), [](auto const& b) {
            return b.role_name == "WorkflowTemplateVoter" && b.scope.id == "deploy";
        });
        CHECK(by_name);

        auto stale = refusal(d.approvals.replace_agent_roles(o.root, bot, {}, 1));
        CHECK(stale.kind == ErrorKind::kConflict);
        CHECK(stale.message == "the agent's roles changed meanwhile: current version is 2");
        CHECK(stale.details.at(0).field == "concurrencyControl.version");

        auto removed = d.approvals.remove_agent_roles(
            o.root,
            bot,
            {on_template("WorkflowTemplateVoter", "deploy"),
             on_template("WorkflowTemplateVoter", o.templ.name + "-other-name")},
            {}
        );
        REQUIRE_MESSAGE(removed.has_value(), removed.error().message);
        CHECK(removed->version == 3);
        CHECK(removed->roles.size() == 2);
        // Removing what is not held changes nothing.
        auto again = d.approvals.remove_agent_roles(
            o.root, bot, {on_template("WorkflowTemplateVoter", "deploy")}, 3
        );
        REQUIRE(again.has_value());
        CHECK(again->version == 3);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'identity.roles.removed' AND "
                "target_type = 'agent'",
                {}
            ) == 1
        );
        // A user's version and an agent's are kept apart.
        CHECK(d.approvals.user_roles(o.root, o.root.principal_id)->version == 1);
    }

    TEST_CASE_TEMPLATE(
        "agents may hold only workflow template roles", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Org o{d};
        auto bot = agent(d, o.root, "deploy-bot");
        std::vector<server::approvals::RoleInput> const refused{
            on_group("GroupReadOnly", o.group.id),
            on_group("GroupManager", o.group.id),
            on_space("SpaceReadOnly", o.space.id),
            on_org("OrgWideSpaceManager"),
            on_org("AuditorViewer"),
        };
        for (auto const& role : refused) {
            CAPTURE(role.role_name);
            auto e = refusal(d.approvals.replace_agent_roles(
                o.root, bot, {on_template("WorkflowTemplateVoter", "deploy"), role}, 1
            ));
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            CHECK(e.message == "agents may hold only workflow template roles");
            CHECK(e.details.at(0).field == "roles[1].roleName");
            CHECK(
                refusal(d.approvals.remove_agent_roles(o.root, bot, {role}, {})).kind ==
                ErrorKind::kInvalidArgument
            );
        }
        CHECK(d.count("SELECT COUNT(*) FROM role_bindings WHERE principal_id = $1", {bot}) == 0);
        // Unknown roles and enum values are refused as for users.
        auto unknown =
            refusal(d.approvals.replace_agent_roles(o.root, bot, {on_org("Superuser")}, 1));
        CHECK(unknown.details.at(0).field == "roles[0].roleName");
        auto bad_scope = refusal(d.approvals.replace_agent_roles(
            o.root,
            bot,
            {{"WorkflowTemplateVoter", "galaxy", std::nullopt, std::nullopt, "deploy"}},
            1
        ));
        CHECK(bad_scope.kind == ErrorKind::kInvalidArgument);
        CHECK(bad_scope.details.at(0).field == "roles[0].scope.type");
        auto missing = refusal(d.approvals.replace_agent_roles(
            o.root, bot, {on_template("WorkflowTemplateVoter", "no-such-template")}, 1
        ));
        CHECK(missing.kind == ErrorKind::kNotFound);
    }

    TEST_CASE_TEMPLATE(
        "who may read and change an agent's roles", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Org o{d};
        auto plain = d.member(o.root, "plain@acme.example");
        auto admin = d.member(o.root, "admin@acme.example", "admin");
        // mgr runs a space of their own (its creator holds SpaceManager on it).
        auto mgr = d.member(o.root, "mgr@acme.example");
        auto mgr_space = d.space(mgr, "mgr-space");
        auto mgr_group = d.group(mgr, "mgr-approvers");
        d.templ(mgr, mgr_space.id, "mgr-deploy", mgr_group.id);
        auto bot = agent(d, plain, "deploy-bot");
        auto const voter_on = [](std::string const& name) {
            return std::vector{on_template("WorkflowTemplateVoter", name)};
        };

        SUBCASE("any member reads the bindings") {
            CHECK(d.approvals.agent_roles(plain, bot).has_value());
            CHECK(d.approvals.agent_roles(as_agent(plain), bot).has_value());
        }
        SUBCASE("a member without a role changes nothing") {
            auto e = refusal(d.approvals.replace_agent_roles(plain, bot, voter_on("deploy"), 1));
            CHECK(e.kind == ErrorKind::kPermissionDenied);
            CHECK(e.message == "binding roles on this template needs SpaceManager on its space");
            CHECK(
                refusal(d.approvals.remove_agent_roles(plain, bot, voter_on("deploy"), {})).kind ==
                ErrorKind::kPermissionDenied
            );
            auto org_wide = refusal(d.approvals.replace_agent_roles(
                plain, bot, {on_org("OrgWideWorkflowTemplateVoter")}, 1
            ));
            CHECK(
                org_wide.message == "binding roles at org scope needs the admin or super_admin role"
            );
        }
        SUBCASE("SpaceManager binds on its space's templates only") {
            auto ok = d.approvals.replace_agent_roles(mgr, bot, voter_on("mgr-deploy"), 1);
            REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
            CHECK(d.approvals
                      .replace_agent_roles(
                          mgr, bot, {on_space("SpaceWideWorkflowTemplateVoter", mgr_space.id)}, 2
                      )
                      .has_value());
            CHECK(
                refusal(d.approvals.replace_agent_roles(mgr, bot, voter_on("deploy"), 3)).kind ==
                ErrorKind::kPermissionDenied
            );
            CHECK(d.approvals
                      .remove_agent_roles(
                          mgr, bot, {on_space("SpaceWideWorkflowTemplateVoter", mgr_space.id)}, 3
                      )
                      .has_value());
        }
        SUBCASE("org admins bind anything an agent may hold") {
            CHECK(d.approvals
                      .replace_agent_roles(
                          admin,
                          bot,
                          {on_template("WorkflowTemplateFullAccess", "mgr-deploy"),
                           on_org("OrgWideWorkflowTemplateVoter")},
                          1
                      )
                      .has_value());
            CHECK(d.approvals.remove_agent_roles(o.root, bot, voter_on("deploy"), 2).has_value());
        }
        SUBCASE("an agent principal changes no roles, even an admin's twin") {
            auto e = refusal(d.approvals.replace_agent_roles(as_agent(o.root), bot, {}, 1));
            CHECK(e.kind == ErrorKind::kPermissionDenied);
            CHECK(e.message == "only human users may change roles");
            CHECK(
                refusal(d.approvals.remove_agent_roles(as_agent(o.root), bot, {}, {})).kind ==
                ErrorKind::kPermissionDenied
            );
        }
        SUBCASE("another org's admin does not see the agent") {
            auto stranger = d.org_admin("globex", "root@globex.example");
            auto e = refusal(d.approvals.agent_roles(stranger, bot));
            CHECK(e.kind == ErrorKind::kNotFound);
            CHECK(e.message == "agent not found");
            CHECK(
                refusal(d.approvals.replace_agent_roles(stranger, bot, {}, 1)).kind ==
                ErrorKind::kNotFound
            );
            CHECK(
                refusal(d.approvals.remove_agent_roles(stranger, bot, {}, {})).kind ==
                ErrorKind::kNotFound
            );
        }
    }

    TEST_CASE_TEMPLATE(
        "agent ids must be UUIDs of the org's agents", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Org o{d};
        for (std::string bad : {"", "deploy-bot", "00000000-0000-7000-8000-00000000fffz"}) {
            CAPTURE(bad);
            auto e = refusal(d.approvals.agent_roles(o.root, bad));
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            CHECK(e.details.at(0).field == "agentId");
            CHECK(
                refusal(d.approvals.replace_agent_roles(o.root, bad, {}, 1)).kind ==
                ErrorKind::kInvalidArgument
            );
            CHECK(
                refusal(d.approvals.remove_agent_roles(o.root, bad, {}, {})).kind ==
                ErrorKind::kInvalidArgument
            );
        }
        CHECK(refusal(d.approvals.agent_roles(o.root, kNoSuchId)).kind == ErrorKind::kNotFound);
        // A user's id names no agent.
        CHECK(
            refusal(d.approvals.agent_roles(o.root, o.root.principal_id)).kind ==
            ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE(
        "agents join and leave groups and are listed among the members",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        Org o{d};
        auto bob = d.member(o.root, "bob@acme.example");
        auto bot = agent(d, o.root, "deploy-bot");
        auto added = d.approvals.add_members(
            o.root, o.group.id, {{"human", bob.principal_id}, {"agent", bot}}
        );
        REQUIRE_MESSAGE(added.has_value(), added.error().message);
        CHECK(added->entities_count == 2);
        auto members = d.approvals.list_members(o.root, o.group.id, {});
        REQUIRE(members.has_value());
        REQUIRE(members->items.size() == 2);
        CHECK(members->total == 2);
        bool const listed = std::any_of(members->items.begin(), members->items.end(), [&](auto m) {
            return m.entity.entity_type == "agent" && m.entity.entity_id == bot;
        });
        CHECK(listed);

        auto dup = refusal(d.approvals.add_members(o.root, o.group.id, {{"agent", bot}}));
        CHECK(dup.kind == ErrorKind::kAlreadyExists);
        CHECK(dup.message == "agent " + bot + " is already a member");
        auto unknown = refusal(d.approvals.add_members(o.root, o.group.id, {{"agent", kNoSuchId}}));
        CHECK(unknown.kind == ErrorKind::kNotFound);
        CHECK(unknown.details.at(0).field == "entities[0].entity.entityId");
        // An agent id is not a user's, and another org's agent is unknown here.
        CHECK(
            refusal(d.approvals.add_members(o.root, o.group.id, {{"human", bot}})).kind ==
            ErrorKind::kNotFound
        );
        auto stranger = d.org_admin("globex", "root@globex.example");
        auto theirs = agent(d, stranger, "their-bot");
        CHECK(
            refusal(d.approvals.add_members(o.root, o.group.id, {{"agent", theirs}})).kind ==
            ErrorKind::kNotFound
        );

        // Adding agents needs group write like adding users.
        CHECK(
            refusal(d.approvals.add_members(bob, o.group.id, {{"agent", bot}})).kind ==
            ErrorKind::kPermissionDenied
        );

        auto removed = d.approvals.remove_members(o.root, o.group.id, {{"agent", bot}});
        REQUIRE_MESSAGE(removed.has_value(), removed.error().message);
        CHECK(removed->entities_count == 1);
        CHECK(
            refusal(d.approvals.remove_members(o.root, o.group.id, {{"agent", bot}})).kind ==
            ErrorKind::kConflict
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'approvals.group.members_added' AND "
                "detail_json LIKE $1",
                {"%\"entityType\":\"agent\"%"}
            ) == 1
        );
    }
}
