// The scoped role catalogue and its coverage rule (wider scope covers
// narrower), and the authorize() decisions built on it: group permissions,
// role changes and org-admin management. Pure: no database.
#include "server/identity/role_catalog.hpp"

#include <set>

#include <doctest/doctest.h>

#include "server/identity/authorize.hpp"

using namespace signoff::server;
using core::ErrorKind;
using core::OrgRole;
using identity::Action;
using identity::Permission;
using identity::ResourceType;
using identity::RoleBinding;
using identity::ScopeType;
using identity::Target;

namespace {

core::Actor actor(OrgRole role, std::string kind = "user") {
    core::Actor a;
    a.org_id = "o1";
    a.principal_id = "u1";
    a.principal_kind = std::move(kind);
    a.role = role;
    return a;
}

Target group(std::string id) {
    return Target{ResourceType::kGroup, std::move(id)};
}

std::string denial(core::Status const& s) {
    REQUIRE(s.has_error());
    CHECK(s.error().kind == ErrorKind::kPermissionDenied);
    return s.error().message;
}

}  // namespace

TEST_SUITE("server/identity/role_catalog") {
    TEST_CASE("the catalogue holds the 35 roles of APPROVALS.md with their permissions") {
        auto roles = identity::role_catalog();
        CHECK(roles.size() == 35);
        std::set<std::string_view> names;
        for (auto const& r : roles) {
            names.insert(r.name);
            CHECK_FALSE(r.scopes.empty());
        }
        CHECK(names.size() == 35);
        auto const* manager = identity::find_role("GroupManager");
        REQUIRE(manager != nullptr);
        CHECK(
            identity::permission_names(manager->permissions) ==
            std::vector<std::string_view>{"read", "write", "manage"}
        );
        CHECK(manager->scopes == std::vector<ScopeType>{ScopeType::kGroup, ScopeType::kOrg});
        auto const* full = identity::find_role("SpaceWideWorkflowTemplateFullAccess");
        REQUIRE(full != nullptr);
        CHECK(full->scopes == std::vector<ScopeType>{ScopeType::kSpace});
        CHECK(
            identity::permission_names(full->permissions) ==
            std::vector<std::string_view>{"read", "write", "instantiate", "vote"}
        );
        auto const* cancel = identity::find_role("OrgWideWorkflowCancel");
        REQUIRE(cancel != nullptr);
        CHECK(
            identity::permission_names(cancel->permissions) ==
            std::vector<std::string_view>{"workflow_read", "workflow_cancel"}
        );
        CHECK(identity::find_role("AuditorViewer")->resource == ResourceType::kAudit);
        CHECK(identity::find_role("groupmanager") == nullptr);
        CHECK(identity::find_role("") == nullptr);
    }

    TEST_CASE("scope type names round-trip and unknown ones are refused") {
        for (auto t :
             {ScopeType::kOrg,
              ScopeType::kSpace,
              ScopeType::kGroup,
              ScopeType::kWorkflowTemplate}) {
            CHECK(identity::parse_scope_type(identity::scope_type_name(t)) == t);
        }
        CHECK_FALSE(identity::parse_scope_type("Org").has_value());
        CHECK_FALSE(identity::parse_scope_type("team").has_value());
    }

    TEST_CASE("a wider scope covers narrower ones and never a sibling") {
        CHECK(identity::covers({ScopeType::kOrg, ""}, group("g1")));
        CHECK(identity::covers({ScopeType::kGroup, "g1"}, group("g1")));
        CHECK_FALSE(identity::covers({ScopeType::kGroup, "g1"}, group("g2")));
        Target tmpl{ResourceType::kWorkflowTemplate, "", "s1", "deploy"};
        CHECK(identity::covers({ScopeType::kSpace, "s1"}, tmpl));
        CHECK_FALSE(identity::covers({ScopeType::kSpace, "s2"}, tmpl));
        CHECK(identity::covers({ScopeType::kWorkflowTemplate, "deploy"}, tmpl));
        CHECK_FALSE(identity::covers({ScopeType::kWorkflowTemplate, "other"}, tmpl));
        CHECK_FALSE(identity::covers({ScopeType::kSpace, "s1"}, group("g1")));
    }

    TEST_CASE("holds needs a role of the right resource with the permission at a covering scope") {
        std::vector<RoleBinding> b{{"GroupReadOnly", {ScopeType::kGroup, "g1"}}};
        CHECK(identity::holds(b, Permission::kRead, group("g1")));
        CHECK_FALSE(identity::holds(b, Permission::kWrite, group("g1")));
        CHECK_FALSE(identity::holds(b, Permission::kRead, group("g2")));
        std::vector<RoleBinding> org{{"GroupWrite", {ScopeType::kOrg, ""}}};
        CHECK(identity::holds(org, Permission::kWrite, group("g7")));
        CHECK_FALSE(identity::holds(org, Permission::kManage, group("g7")));
        // An org-wide template role grants nothing on groups.
        std::vector<RoleBinding> voter{{"OrgWideWorkflowTemplateVoter", {ScopeType::kOrg, ""}}};
        CHECK_FALSE(identity::holds(voter, Permission::kRead, group("g1")));
        CHECK(identity::holds(
            voter, Permission::kVote, Target{ResourceType::kWorkflowTemplate, "", "s1", "deploy"}
        ));
        std::vector<RoleBinding> unknown{{"NoSuchRole", {ScopeType::kOrg, ""}}};
        CHECK_FALSE(identity::holds(unknown, Permission::kRead, group("g1")));
    }
}

TEST_SUITE("server/identity/authorize") {
    TEST_CASE("org admins hold every permission; members need a binding") {
        std::vector<RoleBinding> none;
        for (auto r : {OrgRole::kAdmin, OrgRole::kSuperAdmin}) {
            CHECK(identity::may(actor(r), none, Permission::kManage, group("g1")));
        }
        for (auto r : {OrgRole::kMember, OrgRole::kHrAdmin}) {
            CHECK_FALSE(identity::may(actor(r), none, Permission::kRead, group("g1")));
        }
    }

    TEST_CASE("group actions: read, members read (also by membership), members write") {
        std::vector<RoleBinding> reader{{"GroupReadOnly", {ScopeType::kGroup, "g1"}}};
        std::vector<RoleBinding> writer{{"GroupWrite", {ScopeType::kGroup, "g1"}}};
        std::vector<RoleBinding> none;
        auto const m = actor(OrgRole::kMember);
        identity::Subject as_reader{.bindings = &reader, .target = group("g1")};
        identity::Subject as_writer{.bindings = &writer, .target = group("g1")};
        identity::Subject as_member{.bindings = &none, .target = group("g1"), .is_member = true};
        identity::Subject as_nobody{.bindings = &none, .target = group("g1")};
        CHECK(identity::authorize(m, Action::kGroupRead, as_reader).has_value());
        CHECK(
            denial(identity::authorize(m, Action::kGroupRead, as_member)) ==
            "reading this group needs GroupReadOnly, GroupWrite or GroupManager"
        );
        CHECK(identity::authorize(m, Action::kGroupMembersRead, as_member).has_value());
        CHECK(identity::authorize(m, Action::kGroupMembersRead, as_reader).has_value());
        CHECK_FALSE(identity::authorize(m, Action::kGroupMembersRead, as_nobody).has_value());
        CHECK(identity::authorize(m, Action::kGroupMembersWrite, as_writer).has_value());
        CHECK(
            denial(identity::authorize(m, Action::kGroupMembersWrite, as_reader)) ==
            "changing this group's members needs GroupWrite or GroupManager"
        );
        CHECK(identity::authorize(actor(OrgRole::kAdmin), Action::kGroupMembersWrite, as_nobody)
                  .has_value());
        CHECK(
            denial(identity::authorize(actor(OrgRole::kAdmin, "agent"), Action::kGroupsCreate)) ==
            "only human users may use groups for now"
        );
    }

    TEST_CASE("role changes: humans only; org scope for admins; group scope for its managers") {
        std::vector<RoleBinding> mgr{{"GroupManager", {ScopeType::kGroup, "g1"}}};
        RoleBinding on_g1{"GroupReadOnly", {ScopeType::kGroup, "g1"}};
        RoleBinding on_g2{"GroupReadOnly", {ScopeType::kGroup, "g2"}};
        RoleBinding org_wide{"GroupReadOnly", {ScopeType::kOrg, ""}};
        auto const m = actor(OrgRole::kMember);
        CHECK(identity::authorize(m, Action::kRolesChange, {.bindings = &mgr, .binding = on_g1})
                  .has_value());
        CHECK(
            denial(
                identity::authorize(m, Action::kRolesChange, {.bindings = &mgr, .binding = on_g2})
            ) == "binding roles on this group needs GroupManager on it"
        );
        CHECK(
            denial(identity::authorize(
                m, Action::kRolesChange, {.bindings = &mgr, .binding = org_wide}
            )) == "binding roles at org scope needs the admin or super_admin role"
        );
        CHECK(
            identity::authorize(actor(OrgRole::kAdmin), Action::kRolesChange, {.binding = org_wide})
                .has_value()
        );
        CHECK(
            denial(identity::authorize(actor(OrgRole::kSuperAdmin, "agent"), Action::kRolesChange)
            ) == "only human users may change roles"
        );
    }

    TEST_CASE("role changes on spaces and templates need SpaceManager on the space") {
        std::vector<RoleBinding> mgr{{"SpaceManager", {ScopeType::kSpace, "s1"}}};
        auto const m = actor(OrgRole::kMember);
        RoleBinding on_s1{"SpaceReadOnly", {ScopeType::kSpace, "s1"}};
        RoleBinding on_s2{"SpaceReadOnly", {ScopeType::kSpace, "s2"}};
        RoleBinding voter{"WorkflowTemplateVoter", {ScopeType::kWorkflowTemplate, "deploy"}};
        Target in_s1{ResourceType::kWorkflowTemplate, "", "s1", "deploy"};
        Target in_s2{ResourceType::kWorkflowTemplate, "", "s2", "deploy"};
        CHECK(identity::authorize(m, Action::kRolesChange, {.bindings = &mgr, .binding = on_s1})
                  .has_value());
        CHECK(
            denial(
                identity::authorize(m, Action::kRolesChange, {.bindings = &mgr, .binding = on_s2})
            ) == "binding roles on this space needs SpaceManager on it"
        );
        CHECK(identity::authorize(
                  m, Action::kRolesChange, {.bindings = &mgr, .target = in_s1, .binding = voter}
        )
                  .has_value());
        CHECK(
            denial(identity::authorize(
                m, Action::kRolesChange, {.bindings = &mgr, .target = in_s2, .binding = voter}
            )) == "binding roles on this template needs SpaceManager on its space"
        );
        // Without the template's space (an unknown name) only admins may.
        CHECK_FALSE(
            identity::authorize(m, Action::kRolesChange, {.bindings = &mgr, .binding = voter})
                .has_value()
        );
        CHECK(identity::authorize(actor(OrgRole::kAdmin), Action::kRolesChange, {.binding = voter})
                  .has_value());
    }

    TEST_CASE("space and template access: reads through the space, writes through its manager") {
        auto const m = actor(OrgRole::kMember);
        Target tmpl{ResourceType::kWorkflowTemplate, "", "s1", "deploy"};
        Target space{ResourceType::kSpace, "", "s1"};
        std::vector<RoleBinding> none;
        std::vector<RoleBinding> space_reader{{"SpaceReadOnly", {ScopeType::kSpace, "s1"}}};
        std::vector<RoleBinding> space_mgr{{"SpaceManager", {ScopeType::kSpace, "s1"}}};
        std::vector<RoleBinding> voter{
            {"WorkflowTemplateVoter", {ScopeType::kWorkflowTemplate, "deploy"}}};
        std::vector<RoleBinding> writer{
            {"SpaceWideWorkflowTemplateWrite", {ScopeType::kSpace, "s1"}}};
        auto ok =
            [&](Action a, std::vector<RoleBinding> const& b, Target const& t, core::Actor const& who
            ) { return identity::authorize(who, a, {.bindings = &b, .target = t}).has_value(); };
        CHECK_FALSE(ok(Action::kSpaceRead, none, space, m));
        CHECK(ok(Action::kSpaceRead, space_reader, space, m));
        CHECK(ok(Action::kSpaceRead, none, space, actor(OrgRole::kAdmin)));
        CHECK_FALSE(ok(Action::kTemplateRead, none, tmpl, m));
        CHECK(ok(Action::kTemplateRead, space_reader, tmpl, m));
        CHECK(ok(Action::kTemplateRead, voter, tmpl, m));
        CHECK_FALSE(ok(Action::kTemplateWrite, voter, tmpl, m));
        CHECK_FALSE(ok(Action::kTemplateWrite, space_reader, tmpl, m));
        CHECK(ok(Action::kTemplateWrite, space_mgr, tmpl, m));
        CHECK(ok(Action::kTemplateWrite, writer, tmpl, m));
        CHECK_FALSE(ok(Action::kTemplateWrite, writer, tmpl, actor(OrgRole::kMember, "agent")));
        CHECK(ok(Action::kTemplateWrite, none, tmpl, actor(OrgRole::kSuperAdmin)));
        CHECK_FALSE(
            identity::authorize(actor(OrgRole::kAdmin, "agent"), Action::kSpacesCreate).has_value()
        );
        CHECK(identity::authorize(m, Action::kSpacesCreate).has_value());
    }

    TEST_CASE("agents may hold only template roles; listings find the scopes granting a permission"
    ) {
        for (auto const& r : identity::role_catalog()) {
            INFO(r.name);
            CHECK(identity::may_hold("human", r));
            CHECK(
                identity::may_hold("agent", r) == (r.resource == ResourceType::kWorkflowTemplate)
            );
        }
        std::vector<RoleBinding> b{
            {"SpaceReadOnly", {ScopeType::kSpace, "s1"}},
            {"SpaceWideWorkflowTemplateReadOnly", {ScopeType::kSpace, "s2"}},
            {"SpaceWideWorkflowReadOnly", {ScopeType::kSpace, "s3"}},
            {"WorkflowTemplateVoter", {ScopeType::kWorkflowTemplate, "deploy"}},
            {"WorkflowTemplateVoter", {ScopeType::kWorkflowTemplate, "deploy"}},
        };
        CHECK(
            identity::scope_ids_granting(
                b, Permission::kRead, ResourceType::kWorkflowTemplate, ScopeType::kSpace
            ) == std::vector<std::string>{"s2"}
        );
        CHECK(
            identity::scope_ids_granting(
                b, Permission::kRead, ResourceType::kSpace, ScopeType::kSpace
            ) == std::vector<std::string>{"s1"}
        );
        CHECK(
            identity::scope_ids_granting(
                b, Permission::kVote, ResourceType::kWorkflowTemplate, ScopeType::kWorkflowTemplate
            ) == std::vector<std::string>{"deploy"}
        );
    }

    TEST_CASE("org admins: admins manage; only a super_admin removes a super_admin") {
        CHECK(identity::authorize(actor(OrgRole::kAdmin), Action::kOrgAdminsRead).has_value());
        CHECK_FALSE(
            identity::authorize(actor(OrgRole::kHrAdmin), Action::kOrgAdminsRead).has_value()
        );
        CHECK_FALSE(
            identity::authorize(actor(OrgRole::kMember), Action::kOrgAdminsManage).has_value()
        );
        identity::Subject super{.target_role = OrgRole::kSuperAdmin};
        CHECK(
            denial(identity::authorize(actor(OrgRole::kAdmin), Action::kOrgAdminsManage, super)) ==
            "only a super_admin may remove a super_admin"
        );
        CHECK(identity::authorize(actor(OrgRole::kSuperAdmin), Action::kOrgAdminsManage, super)
                  .has_value());
    }
}
