// The approvals domain: scoped role bindings of users, org admins, groups
// with their memberships, spaces, and versioned workflow templates
// (APPROVALS.md "Roles", "Spaces and groups", "Workflow templates"). Every
// write runs in one transaction with its audit row; rows written carry
// via_mcp. Permission decisions go through identity::authorize.
//
//   tools/families/approvals.cpp ──► ApprovalsService ──► identity::authorize / permissions
//                                                     ├─► storage/repos/{groups,roles,
//                                                     │     spaces,templates}_repo
//                                                     └─► events::Recorder (audit_log)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/approvals/approval_rule.hpp"
#include "server/approvals/template_actions.hpp"
#include "server/approvals/workflow_hooks.hpp"
#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "server/identity/identity_service.hpp"
#include "server/identity/role_catalog.hpp"
#include "storage/db.hpp"

namespace signoff::server::approvals {

/// A role binding as the caller wrote it, before validation. Scope ids are
/// given by type: groupId, spaceId, templateName / workflowTemplateId.
struct RoleInput {
    std::string role_name;
    std::string scope_type;
    std::optional<std::string> group_id{};
    std::optional<std::string> space_id{};
    std::optional<std::string> template_name{};
    std::optional<std::string> workflow_template_id{};
};

struct UserRoles {
    std::string user_id;
    std::vector<identity::RoleBinding> roles;
    std::int64_t version{1};  // concurrencyControl.version
};

/// An agent's bindings (only workflow-template roles) and role version.
struct AgentRoles {
    std::string agent_id;
    std::vector<identity::RoleBinding> roles;
    std::int64_t version{1};  // concurrencyControl.version
};

struct OrgAdmin {
    std::string user_id;
    std::string email;
    std::string created_at;  // when the user became an admin
};

struct Group {
    std::string id;
    std::string name;
    std::string description;
    std::int64_t entities_count{0};
    std::string created_at;
    std::string updated_at;
};

/// A group member: entity_type "human" (a user id) or "agent" (an agent id).
struct EntityRef {
    std::string entity_type;
    std::string entity_id;
};

struct Member {
    EntityRef entity;
    std::string added_at;
};

/// page ≥ 1 (default 1), 1 ≤ limit ≤ 100 (default 20).
struct PageArgs {
    std::optional<std::int64_t> page{};
    std::optional<std::int64_t> limit{};
};

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total{0};
    std::int64_t page{1};
    std::int64_t limit{20};
};

struct Space {
    std::string id;
    std::string name;
    std::string description;
    std::string created_at;
    std::string updated_at;
};

enum class TemplateStatus : std::uint8_t { kActive, kPendingDeprecation, kDeprecated };
std::string_view template_status_name(TemplateStatus s);
std::optional<TemplateStatus> parse_template_status(std::string_view name);

/// One version of a workflow template, as readers see it (actions redacted).
struct WorkflowTemplate {
    std::string id;
    std::string name;
    std::int64_t version{1};
    std::string description;
    TemplateStatus status{TemplateStatus::kActive};
    bool allow_voting_on_deprecated{true};
    ApprovalRule approval_rule;
    std::string metadata_json{"{}"};  // a JSON object, as the tools layer wrote it
    std::vector<WorkflowAction> actions;
    std::optional<std::int64_t> default_expires_in_hours{};
    std::string space_id;
    std::string created_at;
    std::string updated_at;
    std::int64_t concurrency_version{1};  // concurrencyControl.version
};

struct TemplateCreate {
    std::string name;
    std::string description;
    std::string metadata_json{"{}"};
    ApprovalRule approval_rule;
    std::vector<WorkflowAction> actions;
    std::optional<std::int64_t> default_expires_in_hours{};
    std::string space_id;
};

/// A new version: absent fields are copied from the version it replaces.
struct TemplateUpdate {
    std::optional<std::string> description{};
    std::optional<std::string> metadata_json{};
    std::optional<ApprovalRule> approval_rule{};
    std::optional<std::vector<WorkflowAction>> actions{};
    std::optional<std::int64_t> default_expires_in_hours{};
    bool cancel_workflows{false};
    std::optional<std::int64_t> expected_version{};  // concurrencyControl.version (required)
};

struct TemplateListArgs {
    PageArgs page;
    std::optional<std::string> space_id{};
    std::optional<std::string> status{};  // default ACTIVE
};

// ---- workflows and votes (workflows.cpp, votes.cpp, expiry.cpp) ----

enum class WorkflowStatus : std::uint8_t { kInProgress, kApproved, kRejected, kExpired, kCanceled };
std::string_view workflow_status_name(WorkflowStatus s);
std::optional<WorkflowStatus> parse_workflow_status(std::string_view name);

struct Workflow {
    std::string id;
    std::string name;
    std::string description;
    WorkflowStatus status{WorkflowStatus::kInProgress};
    std::optional<std::string> status_reason{};
    std::string workflow_template_id;
    std::string metadata_json{"{}"};
    std::string created_at;
    std::string updated_at;
    std::string expires_at;
    std::optional<WorkflowTemplate> workflow_template{};  // include=workflow-template
};

struct WorkflowCreate {
    std::string name;
    std::string description;
    std::string metadata_json{"{}"};
    std::string workflow_template_id;
};

struct WorkflowListArgs {
    PageArgs page;
    std::optional<std::string> status{};
    /// A template id (that version) or name (every version of it).
    std::optional<std::string> template_identifier{};
    bool include_template{false};
    /// seed 001's include-only-non-terminal-state: running workflows only.
    bool only_non_terminal{false};
};

/// vote_type APPROVE | VETO | WITHDRAW; voted_for_groups only with APPROVE.
struct VoteInput {
    std::string vote_type;
    std::vector<std::string> voted_for_groups{};
    std::optional<std::string> reason{};
};

struct VoteView {
    EntityRef voter;
    std::string vote_type;
    std::optional<std::string> reason{};
    std::string timestamp;
    std::vector<std::string> voted_for_groups{};
};

struct VoteResult {
    VoteView vote;
    Workflow workflow;  // its status after the vote
};

struct CanVote {
    bool can_vote{false};
    std::string vote_status{"VOTE_PENDING"};  // ALREADY_VOTED | VOTE_PENDING
    std::optional<std::string> cant_vote_reason{};
    bool require_high_privilege{false};
};

class ApprovalsService : public WorkflowStarter, public identity::DeactivationHook {
public:
    ApprovalsService(storage::Db& db, core::Clock const& clock, core::IdSource& ids);

    // ---- roles (server/approvals/roles.cpp) ----

    /// The whole role catalogue (any member).
    core::Result<std::span<identity::RoleDef const>> roles(core::Actor const& actor);
    /// A user's bindings and role version (any member). Unknown user → kNotFound.
    core::Result<UserRoles> user_roles(core::Actor const& actor, std::string const& user_id);
    /// (id, name) of the groups a user of the org belongs to, as far as the
    /// caller may see groups (all of them with an org-wide group role or as
    /// an admin; else those the caller is in or holds a group role on).
    core::Result<std::vector<std::pair<std::string, std::string>>> user_groups(
        core::Actor const& actor, std::string const& user_id
    );
    /// Replaces all of the user's bindings with `roles` (duplicates collapse).
    /// `expected_version` must equal the current role version (kConflict naming
    /// it otherwise). Only humans; every binding added or removed must be the
    /// caller's to change (org scope: admins; group scope: GroupManager there).
    /// A group scope's group must exist (kNotFound); space and template scopes
    /// are refused until spaces and templates exist. At most 128 bindings.
    core::Result<UserRoles> replace_user_roles(
        core::Actor const& actor,
        std::string const& user_id,
        std::vector<RoleInput> const& roles,
        std::optional<std::int64_t> expected_version
    );
    /// Removes the listed bindings that match name and scope exactly; absent
    /// ones are ignored. `expected_version`, when given, is checked as above.
    core::Result<UserRoles> remove_user_roles(
        core::Actor const& actor,
        std::string const& user_id,
        std::vector<RoleInput> const& roles,
        std::optional<std::int64_t> expected_version
    );

    /// An agent's bindings and role version (any member). `agent_id` must be
    /// a UUID (kInvalidArgument); an unknown agent → kNotFound.
    core::Result<AgentRoles> agent_roles(core::Actor const& actor, std::string const& agent_id);
    /// As replace_user_roles, for an agent: only workflow-template roles
    /// (kInvalidArgument on roleName otherwise); only humans change them.
    core::Result<AgentRoles> replace_agent_roles(
        core::Actor const& actor,
        std::string const& agent_id,
        std::vector<RoleInput> const& roles,
        std::optional<std::int64_t> expected_version
    );
    /// As remove_user_roles, for an agent.
    core::Result<AgentRoles> remove_agent_roles(
        core::Actor const& actor,
        std::string const& agent_id,
        std::vector<RoleInput> const& roles,
        std::optional<std::int64_t> expected_version
    );

    // ---- org admins (server/approvals/org_admins.cpp) ----
    // `org_name` must be the caller's org (anything else is kNotFound).

    /// Makes the user with this email an admin (admins only). Unknown email →
    /// kNotFound; already an admin or super_admin → kAlreadyExists.
    core::Result<OrgAdmin> add_org_admin(
        core::Actor const& actor, std::string const& org_name, std::string const& email
    );
    /// Admins and super_admins ordered by when they became admins (admins only).
    core::Result<Page<OrgAdmin>> list_org_admins(
        core::Actor const& actor, std::string const& org_name, PageArgs const& page
    );
    /// Turns an admin back into a member; answers false (and changes nothing)
    /// when the user is not an admin. The org's last admin → kFailedPrecondition;
    /// a super_admin only by a super_admin.
    core::Result<bool> remove_org_admin(
        core::Actor const& actor, std::string const& org_name, std::string const& user_id
    );

    // ---- groups (server/approvals/groups.cpp) ----

    /// Any human. `name` unique in the org case-insensitively (kAlreadyExists).
    /// A creator who is not an org admin receives GroupManager on the group.
    core::Result<Group> create_group(
        core::Actor const& actor, std::string const& name, std::string const& description
    );
    /// Admins and org-wide group readers see every group; others the groups they
    /// are members of or hold a group role on. Ordered by name.
    /// `search`: only groups whose name contains it, ignoring case.
    core::Result<Page<Group>> list_groups(
        core::Actor const& actor,
        PageArgs const& page,
        std::optional<std::string> const& search = std::nullopt
    );
    /// By id (a UUID) or by name (case-insensitive). Needs group `read`.
    core::Result<Group> get_group(core::Actor const& actor, std::string const& id_or_name);
    /// Needs group `read` or membership. Ordered by addedAt.
    core::Result<Page<Member>> list_members(
        core::Actor const& actor, std::string const& group_id, PageArgs const& page
    );
    /// Needs group `write`. All or nothing: every entity must be an existing
    /// user (`human`) or agent (`agent`) of the org (kNotFound) and not yet a
    /// member (kAlreadyExists).
    core::Result<Group> add_members(
        core::Actor const& actor,
        std::string const& group_id,
        std::vector<EntityRef> const& entities
    );
    /// Needs group `write`. All or nothing: every entity must be a member (kNotFound).
    core::Result<Group> remove_members(
        core::Actor const& actor,
        std::string const& group_id,
        std::vector<EntityRef> const& entities
    );

    // ---- spaces (server/approvals/spaces.cpp) ----

    /// Any human. `name` 1–255 characters (letters, digits, spaces, '_' and
    /// '-'), unique in the org case-insensitively (kAlreadyExists);
    /// description at most 2048. A creator who is not an org admin receives
    /// SpaceManager on the space.
    core::Result<Space> create_space(
        core::Actor const& actor, std::string const& name, std::string const& description
    );
    /// Admins and org-wide space readers see every space; others the spaces
    /// they hold a space-scoped role on. Ordered by name.
    /// `search`: only spaces whose name contains it, ignoring case.
    core::Result<Page<Space>> list_spaces(
        core::Actor const& actor,
        PageArgs const& page,
        std::optional<std::string> const& search = std::nullopt
    );
    /// Needs space `read` (SpaceReadOnly, SpaceManager; space or org scope).
    core::Result<Space> get_space(core::Actor const& actor, std::string const& space_id);

    // ---- workflow templates (server/approvals/templates.cpp) ----

    /// Version 1 (or the next number of a name whose versions are all
    /// deprecated) in an existing space of the org. Needs template `write`
    /// covering (space, name) or SpaceManager on the space. The name must not
    /// be live (ACTIVE or PENDING_DEPRECATION) in the org (kAlreadyExists);
    /// every group the rule names must exist in the org (kNotFound).
    core::Result<WorkflowTemplate> create_template(
        core::Actor const& actor, TemplateCreate const& in
    );
    /// Templates the actor may read, by name then newest version first;
    /// status defaults to ACTIVE.
    core::Result<Page<WorkflowTemplate>> list_templates(
        core::Actor const& actor, TemplateListArgs const& args
    );
    /// By id (that version) or by name (the ACTIVE version, else the highest).
    core::Result<WorkflowTemplate> get_template(
        core::Actor const& actor, std::string const& id_or_name
    );
    /// Writes a new ACTIVE version of the template (by name, or by the id of
    /// its ACTIVE version) and leaves the old one PENDING_DEPRECATION; with
    /// cancel_workflows, in-flight workflows of earlier versions are canceled
    /// and voting on them is disabled. A stale expected_version is kConflict;
    /// no ACTIVE version is kFailedPrecondition.
    core::Result<WorkflowTemplate> update_template(
        core::Actor const& actor, std::string const& id_or_name, TemplateUpdate const& in
    );
    /// Marks the ACTIVE version DEPRECATED (cancel_workflows as above); no new
    /// workflow starts from it. `expected_version` is checked when given.
    core::Result<WorkflowTemplate> deprecate_template(
        core::Actor const& actor,
        std::string const& id_or_name,
        bool cancel_workflows,
        std::optional<std::int64_t> expected_version
    );

    // ---- workflows (server/approvals/workflows.cpp) ----

    /// From an ACTIVE template version (by id; kFailedPrecondition otherwise)
    /// with template `instantiate` (WorkflowTemplateInstantiator / FullAccess,
    /// template, space or org scope) or admin. Name unique in the org
    /// (kAlreadyExists); expiresAt = now + the template's default (30 days).
    core::Result<Workflow> create_workflow(core::Actor const& actor, WorkflowCreate const& in);
    /// Newest first, filtered by status and template; admins and holders of
    /// workflow `list` see all, others those of templates they may list and
    /// the ones they started. Due workflows are expired (and stored) first.
    core::Result<Page<Workflow>> list_workflows(
        core::Actor const& actor, WorkflowListArgs const& args
    );
    /// By id or name. Needs workflow `read`, template `vote`, or having
    /// started it. An expired workflow is stored EXPIRED before it is shown.
    core::Result<Workflow> get_workflow(
        core::Actor const& actor, std::string const& id_or_name, bool include_template
    );

    // ---- votes (server/approvals/votes.cpp) ----

    /// Casts a vote; the rule is evaluated in the same transaction, and the
    /// first time it holds (or on a VETO) the workflow ends, its events and
    /// actions are queued and the outcome hook runs. Ineligible →
    /// kPermissionDenied (no vote permission) or kFailedPrecondition (naming
    /// the cantVoteReason).
    core::Result<VoteResult> cast_vote(
        core::Actor const& actor, std::string const& workflow_id, VoteInput const& in
    );
    /// Every vote in cast order (same access as get_workflow).
    core::Result<std::vector<VoteView>> list_votes(
        core::Actor const& actor, std::string const& workflow_id
    );
    /// Whether the actor may vote now, and why not.
    core::Result<CanVote> can_vote(core::Actor const& actor, std::string const& workflow_id);

    // ---- expiry (server/approvals/expiry.cpp) ----

    /// Stores EXPIRED on every in-progress workflow whose expiresAt <= now,
    /// in every org (the timer's sweep). Answers how many it expired.
    core::Result<std::int64_t> expire_due_workflows(core::TimePoint now);

    // ---- the catalog tie (workflow_hooks.hpp) ----

    /// A deactivated user's standing votes on open workflows are withdrawn
    /// (a WITHDRAW vote each, audited as approvals.workflow.vote_withdrawn by
    /// the deactivating actor) and those workflows evaluated again, in the
    /// deactivation's transaction (votes.cpp).
    core::Status on_user_deactivated(
        storage::Tx& tx, core::Actor const& actor, std::string const& user_id
    ) override;

    /// The hook told about every terminal transition (nullptr: none).
    void set_outcome_hook(WorkflowOutcomeHook* hook) { outcome_hook_ = hook; }
    core::Result<StartedWorkflow> start_workflow_in(
        storage::Tx& tx, core::Actor const& requester, WorkflowStart const& start
    ) override;
    core::Result<std::string> template_name_of(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& id_or_name,
        std::string const& field
    ) override;

private:
    /// GroupManager on a new group for its creator (bumps their role version).
    core::Status grant_creator(
        storage::Tx& tx,
        core::Actor const& actor,
        std::string const& group_id,
        std::string const& now
    ) {
        return grant_creator_role(
            tx, actor, {"GroupManager", {identity::ScopeType::kGroup, group_id}}, now
        );
    }
    /// `binding` for the creator of a resource (bumps their role version);
    /// kResourceExhausted when they already hold 128 bindings.
    core::Status grant_creator_role(
        storage::Tx& tx,
        core::Actor const& actor,
        identity::RoleBinding const& binding,
        std::string const& now
    );
    /// Cancels the in-flight (EVALUATION_IN_PROGRESS) workflows started from
    /// any version of the template `name_lower` and answers how many it
    /// canceled, each with its audit row, workflow.canceled event and outcome
    /// hook call, in the caller's transaction (expiry.cpp).
    core::Result<std::int64_t> cancel_in_flight_workflows(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& name_lower,
        std::string const& now
    );
    /// Stops the versions of `name_lower` from being voted on
    /// (cancelWorkflows): voting disabled on every non-ACTIVE version and
    /// their in-flight workflows canceled. Answers the canceled count.
    core::Result<std::int64_t> stop_old_versions(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& name_lower,
        std::string const& now
    );
    /// Bumps the group's version, audits `action` with the batch, answers the group.
    core::Result<Group> finish_membership_change(
        storage::Tx& tx,
        core::Actor const& actor,
        std::string const& group_id,
        std::string const& action,
        std::vector<EntityRef> const& batch,
        std::string const& now,
        std::int64_t members_before
    );

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
    WorkflowOutcomeHook* outcome_hook_{nullptr};
};

}  // namespace signoff::server::approvals
