// Permission decisions for every action (see authorize.hpp). Rules are read
// top to bottom per action; anything not allowed is refused.
#include "server/identity/authorize.hpp"

#include "server/identity/roles.hpp"

namespace signoff::server::identity {
namespace {

using core::OrgRole;

bool is_admin(OrgRole r) {
    return r == OrgRole::kAdmin || r == OrgRole::kSuperAdmin;
}
bool is_grant_admin(OrgRole r) {
    return is_admin(r) || r == OrgRole::kHrAdmin;
}

bool is_self(core::Actor const& actor, Subject const& s) {
    return s.grantee_email && *s.grantee_email == lower(actor.email);
}

core::Status deny(std::string msg) {
    return core::Error::permission_denied(std::move(msg));
}

core::Status approve(core::Actor const& actor, Subject const& s) {
    if (is_self(actor, s)) {
        return deny("you cannot approve your own access; another approver must");
    }
    bool owner = s.owner_user_id && *s.owner_user_id == actor.principal_id;
    if (!owner && !is_admin(actor.role)) {
        return deny("only the catalog row's owner or an admin may approve");
    }
    return {};
}

core::Status users_create(core::Actor const& actor, Subject const& s) {
    if (!is_admin(actor.role)) {
        return deny("creating users needs the admin or super_admin role");
    }
    if (s.new_role == OrgRole::kSuperAdmin && actor.role != OrgRole::kSuperAdmin) {
        return deny("only a super_admin may create a super_admin");
    }
    return {};
}

bool is_human(core::Actor const& actor) {
    return actor.principal_kind == "user";
}

/// Nobody obtains or takes away a credential of a principal ranking above
/// them: super_admins act on anyone, admins on members and hr_admins, everyone
/// on their own keys. Fails closed without the target's role.
core::Status credentials(core::Actor const& actor, Subject const& s) {
    if (!is_human(actor)) {
        return deny("only human users manage API keys and users");
    }
    if (s.user_id && *s.user_id == actor.principal_id) {
        return {};
    }
    if (!s.target_role || !is_admin(actor.role)) {
        return deny("you may only manage your own API keys");
    }
    if (actor.role == OrgRole::kSuperAdmin) {
        return {};
    }
    if (*s.target_role == OrgRole::kMember || *s.target_role == OrgRole::kHrAdmin) {
        return {};
    }
    return deny(
        "an admin manages the keys and accounts of members and hr_admins only; an admin's or "
        "super_admin's need a super_admin"
    );
}

/// Org admins hold every permission in their org; others need a binding.
bool has(core::Actor const& actor, Subject const& s, Permission p) {
    static std::vector<RoleBinding> const kNone;
    return s.target && may(actor, s.bindings != nullptr ? *s.bindings : kNone, p, *s.target);
}

core::Status group_access(core::Actor const& actor, Action action, Subject const& s) {
    if (!is_human(actor)) {
        return deny("only human users may use groups for now");
    }
    switch (action) {
        case Action::kGroupRead:
            return has(actor, s, Permission::kRead)
                       ? core::Status{}
                       : deny("reading this group needs GroupReadOnly, GroupWrite or GroupManager");
        case Action::kGroupMembersRead:
            return has(actor, s, Permission::kRead) || s.is_member
                       ? core::Status{}
                       : deny(
                             "listing this group's members needs membership of it or a group "
                             "role (GroupReadOnly, GroupWrite, GroupManager)"
                         );
        case Action::kGroupMembersWrite:
            return has(actor, s, Permission::kWrite)
                       ? core::Status{}
                       : deny("changing this group's members needs GroupWrite or GroupManager");
        default:
            return {};  // create and list: any human
    }
}

core::Status roles_change(core::Actor const& actor, Subject const& s) {
    if (!is_human(actor)) {
        return deny("only human users may change roles");
    }
    if (is_admin(actor.role) || !s.binding) {
        return {};  // without a binding: only the humans-only rule is asked
    }
    Subject on = s;
    switch (s.binding->scope.type) {
        case ScopeType::kGroup:
            on.target = Target{ResourceType::kGroup, s.binding->scope.id};
            return has(actor, on, Permission::kManage)
                       ? core::Status{}
                       : deny("binding roles on this group needs GroupManager on it");
        case ScopeType::kSpace:
            on.target = Target{ResourceType::kSpace, "", s.binding->scope.id};
            return has(actor, on, Permission::kManage)
                       ? core::Status{}
                       : deny("binding roles on this space needs SpaceManager on it");
        case ScopeType::kWorkflowTemplate:
            // Template roles are granted by whoever manages the template's space.
            on.target = Target{ResourceType::kSpace, "", s.target ? s.target->space_id : ""};
            return s.target && has(actor, on, Permission::kManage)
                       ? core::Status{}
                       : deny("binding roles on this template needs SpaceManager on its space");
        case ScopeType::kOrg:
            break;
    }
    return deny("binding roles at org scope needs the admin or super_admin role");
}

core::Status space_access(core::Actor const& actor, Action action, Subject const& s) {
    switch (action) {
        case Action::kSpacesCreate:
            return is_human(actor) ? core::Status{} : deny("only human users may create spaces");
        case Action::kSpaceRead:
            return has(actor, s, Permission::kRead)
                       ? core::Status{}
                       : deny("reading this space needs SpaceReadOnly or SpaceManager");
        default:
            return {};  // list: filtered by the service
    }
}

/// Template permissions, with the template's space standing in: space
/// readers read its templates and space managers write them.
core::Status template_access(core::Actor const& actor, Action action, Subject const& s) {
    Subject space = s;
    if (s.target) {
        space.target = Target{ResourceType::kSpace, "", s.target->space_id};
    }
    switch (action) {
        case Action::kTemplateRead:
            return has(actor, s, Permission::kRead) || has(actor, space, Permission::kRead)
                       ? core::Status{}
                       : deny(
                             "reading this template needs a WorkflowTemplate role with read on "
                             "it (template, space or org scope) or SpaceReadOnly on its space"
                         );
        case Action::kTemplateWrite:
            if (!is_human(actor)) {
                return deny("only human users may change workflow templates");
            }
            return has(actor, s, Permission::kWrite) || has(actor, space, Permission::kManage)
                       ? core::Status{}
                       : deny(
                             "changing this template needs WorkflowTemplateWrite or "
                             "WorkflowTemplateFullAccess (template, space or org scope) or "
                             "SpaceManager on its space"
                         );
        default:
            return {};  // list: filtered by the service
    }
}

core::Status workflow_access(core::Actor const& actor, Action action, Subject const& s) {
    switch (action) {
        case Action::kWorkflowCreate:
            return has(actor, s, Permission::kInstantiate)
                       ? core::Status{}
                       : deny(
                             "starting a workflow needs WorkflowTemplateInstantiator or "
                             "WorkflowTemplateFullAccess on its template (template, space or org "
                             "scope)"
                         );
        case Action::kWorkflowRead:
            return has(actor, s, Permission::kWorkflowRead) || has(actor, s, Permission::kVote) ||
                           s.owner_user_id == actor.principal_id
                       ? core::Status{}
                       : deny(
                             "reading this workflow needs a Workflow role with read, or a voter "
                             "role, on its template (template, space or org scope)"
                         );
        case Action::kWorkflowVote:
            return has(actor, s, Permission::kVote)
                       ? core::Status{}
                       : deny(
                             "voting needs WorkflowTemplateVoter or WorkflowTemplateFullAccess "
                             "on the workflow's template (template, space or org scope)"
                         );
        default:
            return {};  // list: filtered by the service
    }
}

core::Status org_admins_manage(core::Actor const& actor, Subject const& s) {
    if (!is_admin(actor.role)) {
        return deny("managing org admins needs the admin or super_admin role");
    }
    if (s.target_role == OrgRole::kSuperAdmin && actor.role != OrgRole::kSuperAdmin) {
        return deny("only a super_admin may remove a super_admin");
    }
    return {};
}

/// The owning-group rule of auths (auths_service.hpp): a group's members and
/// org admins; without a group, the creator and org admins.
core::Status auths_edit(core::Actor const& actor, Subject const& s) {
    if (is_admin(actor.role)) {
        return {};
    }
    if (s.group_id) {
        std::string group = s.group_name.value_or(*s.group_id);
        return s.is_member
                   ? core::Status{}
                   : deny("only members of group " + group + " and org admins may edit this auth");
    }
    return s.owner_user_id == actor.principal_id
               ? core::Status{}
               : deny("only the auth's creator and org admins may edit this auth");
}

core::Status auths_set_group(core::Actor const& actor, Subject const& s) {
    if (is_admin(actor.role) || !s.group_id || s.is_member) {
        return {};
    }
    return deny(
        "only members of group " + s.group_name.value_or(*s.group_id) +
        " and org admins may give an auth to it"
    );
}

/// The log shows every principal's actions in the org, so it is the org
/// admins' and the auditors' (AuditorViewer, bound at org scope) only.
core::Status audit_read(core::Actor const& actor, Subject const& s) {
    Subject audit = s;
    audit.target = Target{ResourceType::kAudit};
    if (is_human(actor) && has(actor, audit, Permission::kRead)) {
        return {};
    }
    return deny("reading the audit log needs the admin or super_admin role, or AuditorViewer");
}

core::Status webhook_deliveries(core::Actor const& actor, Subject const& s) {
    if (!is_human(actor)) {
        return deny("only human users read delivery logs");
    }
    if (s.owner_user_id) {
        // An employee hook's log shows that person's events: theirs alone.
        return *s.owner_user_id == actor.principal_id
                   ? core::Status{}
                   : deny("these deliveries belong to someone else's webhook");
    }
    return is_admin(actor.role)
               ? core::Status{}
               : deny("integration and action deliveries need the admin or super_admin role");
}

}  // namespace

bool may(
    core::Actor const& actor,
    std::vector<RoleBinding> const& bindings,
    Permission p,
    Target const& target
) {
    return is_admin(actor.role) || holds(bindings, p, target);
}

core::Status authorize(core::Actor const& actor, Action action, Subject const& s) {
    switch (action) {
        case Action::kCatalogRead:
        case Action::kUsersRead:
            return {};
        case Action::kCatalogManageRows:
            return is_admin(actor.role)
                       ? core::Status{}
                       : deny("managing catalog rows needs the admin or super_admin role");
        case Action::kCatalogAssign:
            if (!is_grant_admin(actor.role)) {
                return deny("assigning access needs the admin, hr_admin or super_admin role");
            }
            // A direct grant to oneself would bypass the no-self-approval rule.
            return is_self(actor, s) ? deny("you cannot assign access to yourself")
                                     : core::Status{};
        case Action::kCatalogRevoke:
            return is_grant_admin(actor.role)
                       ? core::Status{}
                       : deny("revoking access needs the admin, hr_admin or super_admin role");
        case Action::kCatalogApprove:
            return approve(actor, s);
        case Action::kCatalogRequest:
            return is_self(actor, s) || is_grant_admin(actor.role)
                       ? core::Status{}
                       : deny("members may only request access for themselves");
        case Action::kUsersCreate:
            // Agents hold no org role; one presenting an admin's never creates users.
            return is_human(actor) ? users_create(actor, s)
                                   : deny("only human users may create users");
        case Action::kRolesRead:
            return {};
        case Action::kRolesChange:
            return roles_change(actor, s);
        case Action::kOrgAdminsRead:
            return is_admin(actor.role)
                       ? core::Status{}
                       : deny("listing org admins needs the admin or super_admin role");
        case Action::kOrgAdminsManage:
            return org_admins_manage(actor, s);
        case Action::kGroupsCreate:
        case Action::kGroupsList:
        case Action::kGroupRead:
        case Action::kGroupMembersRead:
        case Action::kGroupMembersWrite:
            return group_access(actor, action, s);
        case Action::kSpacesCreate:
        case Action::kSpacesList:
        case Action::kSpaceRead:
            return space_access(actor, action, s);
        case Action::kTemplatesList:
        case Action::kTemplateRead:
        case Action::kTemplateWrite:
            return template_access(actor, action, s);
        case Action::kWorkflowCreate:
        case Action::kWorkflowsList:
        case Action::kWorkflowRead:
        case Action::kWorkflowVote:
            return workflow_access(actor, action, s);
        case Action::kAgentsRegister:
            return is_human(actor) ? core::Status{} : deny("only human users may register agents");
        case Action::kAgentsManage:
            if (!is_human(actor)) {
                return deny("only human users manage agents");
            }
            return is_admin(actor.role) ||
                           (s.owner_user_id && *s.owner_user_id == actor.principal_id)
                       ? core::Status{}
                       : deny("only the agent's registrant or an org admin may manage it");
        case Action::kAgentsRead:
            return {};
        case Action::kAuthsExport:
            return {};
        case Action::kUploadRead:
            return is_admin(actor.role) || s.owner_user_id == actor.principal_id
                       ? core::Status{}
                       : deny("only the upload's owner or an org admin may read it");
        case Action::kAuthsRead:
        case Action::kAuthsCreatePart:
        case Action::kAuthsRefresh:
            return {};
        case Action::kAuthsManageDepartments:
            return is_admin(actor.role)
                       ? core::Status{}
                       : deny("creating departments needs the admin or super_admin role");
        case Action::kAuthsCreate:
        case Action::kAuthsSetGroup:
            return auths_set_group(actor, s);
        case Action::kAuthsEdit:
            return auths_edit(actor, s);
        case Action::kAuthsUseDraft:
            // Drafts are private: not even an org admin sees another's draft.
            return s.owner_user_id == actor.principal_id
                       ? core::Status{}
                       : deny("this draft belongs to someone else");
        case Action::kAuditRead:
            return audit_read(actor, s);
        case Action::kWebhooksOwn:
            return is_human(actor) ? core::Status{}
                                   : deny("only human users have a personal webhook");
        case Action::kWebhooksManageOrg:
            return is_human(actor) && is_admin(actor.role)
                       ? core::Status{}
                       : deny("managing org integrations needs the admin or super_admin role");
        case Action::kWebhooksDeliveries:
            return webhook_deliveries(actor, s);
        case Action::kCredentialsManage:
            return credentials(actor, s);
    }
    return deny("unknown action");
}

}  // namespace signoff::server::identity
