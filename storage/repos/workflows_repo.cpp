// Portable SQL for workflows and votes (see workflows_repo.hpp).
#include "storage/repos/workflows_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kColumns =
    "id, org_id, template_id, template_name_lower, space_id, name, name_lower, description, "
    "metadata, status, status_reason, expires_at, created_by_type, created_by, created_at, "
    "updated_at, row_version, via_mcp, beneficiary_email";

/// A workflows row in kColumns order.
WorkflowRecord workflow_from(Row const& r) {
    WorkflowRecord w;
    w.id = r.text(0);
    w.org_id = r.text(1);
    w.template_id = r.text(2);
    w.template_name_lower = r.text(3);
    w.space_id = r.text(4);
    w.name = r.text(5);
    w.name_lower = r.text(6);
    w.description = r.text(7);
    w.metadata = r.text(8);
    w.status = r.text(9);
    w.status_reason = r.opt_text(10);
    w.expires_at = r.text(11);
    w.created_by_type = r.text(12);
    w.created_by = r.text(13);
    w.created_at = r.text(14);
    w.updated_at = r.text(15);
    w.row_version = r.integer(16);
    w.via_mcp = r.boolean(17);
    w.beneficiary_email = r.opt_text(18);
    return w;
}

std::string select_where(std::string_view where) {
    return "SELECT " + std::string(kColumns) + " FROM workflows WHERE " + std::string(where);
}

std::string next_param(Params& params, Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
}

/// The WHERE clause of a filtered listing and its parameters ($1 is the org).
std::string filter_clause(std::string const& org_id, WorkflowFilter const& f, Params& params) {
    params = {org_id};
    std::string where = "org_id = $1";
    if (f.status) {
        where += " AND status = " + next_param(params, *f.status);
    }
    if (f.template_id) {
        where += " AND template_id = " + next_param(params, *f.template_id);
    }
    if (f.template_name_lower) {
        where += " AND template_name_lower = " + next_param(params, *f.template_name_lower);
    }
    auto const& v = f.visibility;
    if (v.all) {
        return where;
    }
    // An IN () list may not be empty: a visibility with nothing shows nothing.
    std::string any = "1 = 0";
    if (!v.space_ids.empty()) {
        any += " OR space_id IN (" + placeholder_list(params.size() + 1, v.space_ids.size()) + ")";
        params.insert(params.end(), v.space_ids.begin(), v.space_ids.end());
    }
    if (!v.template_names.empty()) {
        any += " OR template_name_lower IN (" +
               placeholder_list(params.size() + 1, v.template_names.size()) + ")";
        params.insert(params.end(), v.template_names.begin(), v.template_names.end());
    }
    if (v.creator_type && v.creator_id) {
        any += " OR (created_by_type = " + next_param(params, *v.creator_type) +
               " AND created_by = " + next_param(params, *v.creator_id) + ")";
    }
    return where + " AND (" + any + ")";
}

template <class T, class Decode>
DbResult<std::vector<T>> all_rows(DbResult<Rows> rows, Decode decode) {
    if (!rows) {
        return rows.error();
    }
    std::vector<T> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(decode(r));
    }
    return out;
}

}  // namespace

constexpr std::string_view kInsertWorkflow =
    "INSERT INTO workflows (id, org_id, template_id, template_name_lower, space_id, name, "
    "name_lower, description, metadata, status, status_reason, expires_at, created_by_type, "
    "created_by, created_at, updated_at, row_version, via_mcp, beneficiary_email) VALUES ($1, $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

DbStatus insert_workflow(Tx& tx, WorkflowRecord const& w) {
    return as_status(tx.exec(
        kInsertWorkflow,
        {w.id,
         w.org_id,
         w.template_id,
         w.template_name_lower,
         w.space_id,
         w.name,
         w.name_lower,
         w.description,
         w.metadata,
         w.status,
         opt_text(w.status_reason),
         w.expires_at,
         w.created_by_type,
         w.created_by,
         w.created_at,
         w.updated_at,
         w.row_version,
         std::int64_t{w.via_mcp ? 1 : 0},
         opt_text(w.beneficiary_email)}
    ));
}

DbResult<std::optional<WorkflowRecord>> find_workflow_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql = select_where("org_id = $1 AND id = $2");
    return first_row(tx.query(sql, {org_id, id}), workflow_from);
}

DbResult<std::optional<WorkflowRecord>> find_workflow_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    static std::string const sql = select_where("org_id = $1 AND name_lower = $2");
    return first_row(tx.query(sql, {org_id, name_lower}), workflow_from);
}

constexpr std::string_view kLockWorkflow =
    "UPDATE workflows SET row_version = row_version + 1, updated_at = $3 WHERE org_id = $1 AND "
    "id = $2 AND status = 'EVALUATION_IN_PROGRESS'";

DbResult<std::int64_t> lock_workflow(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
) {
    return tx.exec(kLockWorkflow, {org_id, id, now});
}

constexpr std::string_view kFinishWorkflow =
    "UPDATE workflows SET status = $3, status_reason = $4, updated_at = $5, "
    "row_version = row_version + 1 WHERE org_id = $1 AND id = $2 AND "
    "status = 'EVALUATION_IN_PROGRESS'";

DbResult<std::int64_t> finish_workflow(
    Tx& tx,
    std::string const& org_id,
    std::string const& id,
    std::string const& status,
    std::optional<std::string> const& reason,
    std::string const& now
) {
    return tx.exec(kFinishWorkflow, {org_id, id, status, opt_text(reason), now});
}

DbResult<std::vector<WorkflowRecord>> list_workflows(
    Tx& tx,
    std::string const& org_id,
    WorkflowFilter const& filter,
    std::int64_t limit,
    std::int64_t offset
) {
    Params params;
    std::string const where = filter_clause(org_id, filter, params);
    std::string const sql = select_where(where) + " ORDER BY created_at DESC, id DESC LIMIT $" +
                            std::to_string(params.size() + 1) + " OFFSET $" +
                            std::to_string(params.size() + 2);
    params.emplace_back(limit);
    params.emplace_back(offset);
    return all_rows<WorkflowRecord>(tx.query(sql, params), workflow_from);
}

DbResult<std::int64_t> count_workflows(
    Tx& tx, std::string const& org_id, WorkflowFilter const& filter
) {
    Params params;
    std::string const where = filter_clause(org_id, filter, params);
    return count_of(tx.query("SELECT COUNT(*) FROM workflows WHERE " + where, params));
}

DbResult<std::vector<DueWorkflow>> list_due_workflows(
    Tx& tx, std::optional<std::string> const& org_id, std::string const& now, std::int64_t limit
) {
    std::string sql =
        "SELECT org_id, id FROM workflows WHERE status = 'EVALUATION_IN_PROGRESS' AND "
        "expires_at <= $1";
    Params params{now};
    if (org_id) {
        sql += " AND org_id = " + next_param(params, *org_id);
    }
    sql += " ORDER BY expires_at, id LIMIT " + next_param(params, limit);
    return all_rows<DueWorkflow>(tx.query(sql, params), [](Row const& r) {
        return DueWorkflow{r.text(0), r.text(1)};
    });
}

constexpr std::string_view kInFlightByTemplate =
    "SELECT id FROM workflows WHERE org_id = $1 AND template_name_lower = $2 AND "
    "status = 'EVALUATION_IN_PROGRESS' ORDER BY created_at, id";

DbResult<std::vector<std::string>> list_in_flight_by_template(
    Tx& tx, std::string const& org_id, std::string const& template_name_lower
) {
    return all_rows<std::string>(
        tx.query(kInFlightByTemplate, {org_id, template_name_lower}),
        [](Row const& r) { return r.text(0); }
    );
}

constexpr std::string_view kOpenVotedBy =
    "SELECT DISTINCT w.id FROM workflows w JOIN workflow_votes v ON v.workflow_id = w.id "
    "WHERE w.org_id = $1 AND w.status = 'EVALUATION_IN_PROGRESS' AND v.entity_type = $2 AND "
    "v.entity_id = $3 ORDER BY w.id";

DbResult<std::vector<std::string>> list_open_voted_by(
    Tx& tx, std::string const& org_id, std::string const& entity_type, std::string const& entity_id
) {
    return all_rows(tx.query(kOpenVotedBy, {org_id, entity_type, entity_id}), [](Row const& r) {
        return r.text(0);
    });
}

constexpr std::string_view kInsertVote =
    "INSERT INTO workflow_votes (id, org_id, workflow_id, entity_type, entity_id, vote_type, "
    "reason, voted_for_groups, high_privilege, created_at, via_mcp) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $11)";

DbStatus insert_vote(Tx& tx, VoteRecord const& v) {
    return as_status(tx.exec(
        kInsertVote,
        {v.id,
         v.org_id,
         v.workflow_id,
         v.entity_type,
         v.entity_id,
         v.vote_type,
         opt_text(v.reason),
         v.voted_for_groups,
         std::int64_t{v.high_privilege ? 1 : 0},
         v.created_at,
         std::int64_t{v.via_mcp ? 1 : 0}}
    ));
}

constexpr std::string_view kListVotes =
    "SELECT id, org_id, workflow_id, entity_type, entity_id, vote_type, reason, "
    "voted_for_groups, high_privilege, created_at, via_mcp FROM workflow_votes WHERE "
    "org_id = $1 AND workflow_id = $2 ORDER BY created_at, id";

DbResult<std::vector<VoteRecord>> list_votes(
    Tx& tx, std::string const& org_id, std::string const& workflow_id
) {
    return all_rows<VoteRecord>(tx.query(kListVotes, {org_id, workflow_id}), [](Row const& r) {
        VoteRecord v;
        v.id = r.text(0);
        v.org_id = r.text(1);
        v.workflow_id = r.text(2);
        v.entity_type = r.text(3);
        v.entity_id = r.text(4);
        v.vote_type = r.text(5);
        v.reason = r.opt_text(6);
        v.voted_for_groups = r.text(7);
        v.high_privilege = r.boolean(8);
        v.created_at = r.text(9);
        v.via_mcp = r.boolean(10);
        return v;
    });
}

DbResult<std::vector<MembershipRow>> list_memberships_of(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& group_ids
) {
    if (group_ids.empty()) {
        return std::vector<MembershipRow>{};
    }
    Params params{org_id};
    params.insert(params.end(), group_ids.begin(), group_ids.end());
    std::string const sql =
        "SELECT group_id, entity_type, entity_id FROM group_members WHERE org_id = $1 AND "
        "group_id IN (" +
        placeholder_list(2, group_ids.size()) + ")";
    return all_rows<MembershipRow>(tx.query(sql, params), [](Row const& r) {
        return MembershipRow{r.text(0), r.text(1), r.text(2)};
    });
}

}  // namespace signoff::storage::repos
