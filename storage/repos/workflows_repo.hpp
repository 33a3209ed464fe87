// Repository of workflows and their votes: portable SQL over storage::Tx,
// plain records out, every statement scoped by org_id (except the expiry
// sweep, which crosses orgs by design). Called by server/approvals
// (workflows.cpp, votes.cpp, expiry.cpp), which owns every rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct WorkflowRecord {
    std::string id;
    std::string org_id;
    std::string template_id;
    std::string template_name_lower;
    std::string space_id;
    std::string name;
    std::string name_lower;
    std::string description;
    std::string metadata;  // JSON object text
    std::string status;
    std::optional<std::string> status_reason{};
    std::string expires_at;
    std::string created_by_type;  // human | agent
    std::string created_by;
    std::string created_at;
    std::string updated_at;
    std::int64_t row_version{1};
    bool via_mcp{false};
    // lowercase e-mail of the person the workflow decides for (a catalog
    // grant's grantee): their votes never count toward it
    std::optional<std::string> beneficiary_email{};
};

struct VoteRecord {
    std::string id;
    std::string org_id;
    std::string workflow_id;
    std::string entity_type;  // human | agent
    std::string entity_id;
    std::string vote_type;  // APPROVE | VETO | WITHDRAW
    std::optional<std::string> reason{};
    std::string voted_for_groups{"[]"};  // JSON array text
    bool high_privilege{false};
    std::string created_at;
    bool via_mcp{false};
};

/// Which workflows a listing shows: all of the org's, or those of templates
/// in `space_ids` or named (lowercase) in `template_names`, or started by
/// `creator` (entity type and id).
struct WorkflowVisibility {
    bool all{false};
    std::vector<std::string> space_ids;
    std::vector<std::string> template_names;
    std::optional<std::string> creator_type{};
    std::optional<std::string> creator_id{};
};

struct WorkflowFilter {
    WorkflowVisibility visibility;
    std::optional<std::string> status{};
    std::optional<std::string> template_id{};          // one version
    std::optional<std::string> template_name_lower{};  // every version of a name
};

DbStatus insert_workflow(Tx& tx, WorkflowRecord const& w);
DbResult<std::optional<WorkflowRecord>> find_workflow_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<WorkflowRecord>> find_workflow_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
/// Bumps row_version and updated_at: the first write of a vote's
/// transaction, so that concurrent voters on one workflow queue on its row
/// (PostgreSQL row lock; SQLite's single writer) and every later read in
/// the transaction sees the votes committed before it. Only an in-progress
/// workflow is touched (terminal ones never change). Answers rows changed.
DbResult<std::int64_t> lock_workflow(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
);
/// EVALUATION_IN_PROGRESS → `status`, only if the row is still in progress.
/// Answers rows changed (0: another transition won).
DbResult<std::int64_t> finish_workflow(
    Tx& tx,
    std::string const& org_id,
    std::string const& id,
    std::string const& status,
    std::optional<std::string> const& reason,
    std::string const& now
);
/// Newest first (created_at, then id, descending).
DbResult<std::vector<WorkflowRecord>> list_workflows(
    Tx& tx,
    std::string const& org_id,
    WorkflowFilter const& filter,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_workflows(
    Tx& tx, std::string const& org_id, WorkflowFilter const& filter
);

struct DueWorkflow {
    std::string org_id;
    std::string id;
};
/// In-progress workflows whose expires_at <= now, in `org_id` or (nullopt)
/// in every org, soonest expiry first.
DbResult<std::vector<DueWorkflow>> list_due_workflows(
    Tx& tx, std::optional<std::string> const& org_id, std::string const& now, std::int64_t limit
);
/// Ids of the in-progress workflows started from any version of a template name.
DbResult<std::vector<std::string>> list_in_flight_by_template(
    Tx& tx, std::string const& org_id, std::string const& template_name_lower
);

/// Ids of the in-progress workflows on which the entity has cast any vote.
DbResult<std::vector<std::string>> list_open_voted_by(
    Tx& tx, std::string const& org_id, std::string const& entity_type, std::string const& entity_id
);

DbStatus insert_vote(Tx& tx, VoteRecord const& v);
/// Every vote on the workflow in cast order.
DbResult<std::vector<VoteRecord>> list_votes(
    Tx& tx, std::string const& org_id, std::string const& workflow_id
);

/// Every (group id, entity type, entity id) membership of the given groups.
struct MembershipRow {
    std::string group_id;
    std::string entity_type;
    std::string entity_id;
};
DbResult<std::vector<MembershipRow>> list_memberships_of(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& group_ids
);

}  // namespace signoff::storage::repos
