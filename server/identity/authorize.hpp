// The ONE place that decides permissions. Domain services call authorize()
// before they change or reveal anything; transports and tools never decide.
// Org isolation is not decided here: every query is scoped by the actor's org.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "server/identity/role_catalog.hpp"

namespace signoff::server::identity {

enum class Action {
    kCatalogRead,        // list/get rows and approvals: any member
    kCatalogManageRows,  // create/update/delete rows: admin, super_admin
    kCatalogAssign,      // direct grant: admin, hr_admin, super_admin; never to oneself
    kCatalogRevoke,      // admin, hr_admin, super_admin
    kCatalogApprove,     // the row's owner or admin/super_admin; never the grantee
    kCatalogRequest,     // members for themselves; admins and hr_admins for anyone
    kUsersCreate,        // admin, super_admin; only super_admin creates super_admin
    kUsersRead,          // any member
    kCredentialsManage,  // mint, list, revoke a user's keys; deactivate/reactivate a user
                         // (subject.user_id, subject.target_role): anyone for their own
                         // keys; super_admin for anyone; admin for members and hr_admins
    // ---- approvals: roles, org admins, groups (APPROVALS.md) ----
    kRolesRead,          // the role catalogue and a user's bindings: any member
    kRolesChange,        // bind or unbind subject.binding: humans; org scope → admins;
                         // group scope → admins or `manage` on that group; space scope →
                         // admins or space `manage` on it; workflow_template scope →
                         // admins or space `manage` on the template's space (given as
                         // subject.target); without a binding only the humans-only rule
    kOrgAdminsRead,      // admin, super_admin
    kOrgAdminsManage,    // admin, super_admin; only super_admin demotes a super_admin
    kGroupsCreate,       // any human
    kGroupsList,         // any human (what they see is filtered by the service)
    kGroupRead,          // `read` on subject.target (a group), or admin
    kGroupMembersRead,   // `read` on the group, membership of it, or admin
    kGroupMembersWrite,  // `write` on the group, or admin
    // ---- approvals: spaces and workflow templates ----
    kSpacesCreate,   // humans
    kSpacesList,     // any principal (what they see is filtered by the service)
    kSpaceRead,      // space `read` on subject.target (a space), or admin
    kTemplatesList,  // any principal (what they see is filtered by the service)
    kTemplateRead,   // template `read` on subject.target (a template: its space and
                     // name), or space `read` on its space, or admin
    kTemplateWrite,  // create, update, deprecate: humans; template `write` on
                     // subject.target, or space `manage` on its space, or admin
    // ---- approvals: workflows and votes (subject.target = the template) ----
    kWorkflowCreate,  // template `instantiate` on subject.target, or admin
    kWorkflowsList,   // any principal (what they see is filtered by the service)
    kWorkflowRead,    // workflow `workflow_read` or template `vote` on subject.target, the
                      // workflow's starter (subject.owner_user_id), or admin
    kWorkflowVote,    // template `vote` on subject.target, or admin (membership of a rule
                      // group is the service's check)
    // ---- agents (machine principals) ----
    kAgentsRegister,  // humans, any org role
    kAgentsRead,      // get an agent: any principal of the org
    kAgentsManage,    // revoke an agent: its registrant or an org admin (humans)
    // ---- auths: export and uploads ----
    kAuthsExport,  // export the org's auths to CSV: any member
    kUploadRead,   // an upload (subject.owner_user_id = its owner): the owner or an org admin
    // ---- auths: parts, departments, auths, drafts (auths_service.hpp) ----
    kAuthsRead,               // get, search, list parts and departments: any member
    kAuthsCreatePart,         // find-or-create a part: any member
    kAuthsManageDepartments,  // create departments: admin, super_admin
    kAuthsRefresh,            // rebuild the search view (idempotent, shows nothing): any member
    kAuthsCreate,             // a new auth: any member; with subject.group_id as kAuthsSetGroup
    kAuthsSetGroup,           // own an auth by subject.group_id: its members (subject.is_member)
                              // and org admins
    kAuthsEdit,               // update, delete, duplicate-as-editor, draft of, publish: with
                              // subject.group_id its members and org admins; without, its
                              // creator (subject.owner_user_id) and org admins
    kAuthsUseDraft,           // see or change a draft: its owner (subject.owner_user_id) only,
                              // whatever the role; the service answers kNotFound otherwise
    // ---- audit log (docs/audit.md) ----
    kAuditRead,  // query and export the org's audit log: admin, super_admin, or a human holding
                 // AuditorViewer (org scope) among subject.bindings
    // ---- outbound webhooks (docs/webhooks.md) ----
    kWebhooksOwn,         // read and change one's own endpoint (/me/agent): any human member;
                          // agents have no personal endpoint
    kWebhooksManageOrg,   // org integrations (/admin/integrations): admin, super_admin (humans)
    kWebhooksDeliveries,  // read / redeliver a delivery: the owner of an employee hook
                          // (Subject::owner_user_id); admins for integrations and actions
};

/// What the decision may depend on besides the actor; fill what applies.
struct Subject {
    std::optional<std::string> owner_user_id{};  // catalog row owner; upload owner
    std::optional<std::string> grantee_email{};  // normalised (lowercase) grantee
    std::optional<std::string> user_id{};        // the user an API key is for
    std::optional<core::OrgRole> new_role{};     // role of a user being created
    // ---- scoped roles ----
    std::vector<RoleBinding> const* bindings{nullptr};  // the actor's bindings
    std::optional<Target> target{};                     // the resource asked about
    bool is_member{false};                              // the actor is in the group
    std::optional<RoleBinding> binding{};               // a binding being changed
    std::optional<core::OrgRole> target_role{};         // org role of the user acted on
    // ---- auths ----
    std::optional<std::string> group_id{};    // an auth's owning group
    std::optional<std::string> group_name{};  // its name, for the refusal's sentence
};

/// The scoped-permission rule: org admins hold every permission in their org;
/// anyone else needs a binding that grants `p` at a scope covering `target`.
bool may(
    core::Actor const& actor,
    std::vector<RoleBinding> const& bindings,
    Permission p,
    Target const& target
);

/// Ok, or kPermissionDenied with a message saying which role is needed.
core::Status authorize(core::Actor const& actor, Action action, Subject const& subject = {});

}  // namespace signoff::server::identity
