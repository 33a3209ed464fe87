// Portable SQL for workflow templates (see templates_repo.hpp).
#include "storage/repos/templates_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kColumns =
    "id, org_id, space_id, name, name_lower, version, status, allow_voting_on_deprecated, "
    "description, metadata, approval_rule, actions, default_expires_in_hours, created_at, "
    "updated_at, row_version, via_mcp";

/// A workflow_templates row in kColumns order.
TemplateRecord template_from(Row const& r) {
    TemplateRecord t;
    t.id = r.text(0);
    t.org_id = r.text(1);
    t.space_id = r.text(2);
    t.name = r.text(3);
    t.name_lower = r.text(4);
    t.version = r.integer(5);
    t.status = r.text(6);
    t.allow_voting_on_deprecated = r.boolean(7);
    t.description = r.text(8);
    t.metadata = r.text(9);
    t.approval_rule = r.text(10);
    t.actions = r.text(11);
    if (!r.is_null(12)) {
        t.default_expires_in_hours = r.integer(12);
    }
    t.created_at = r.text(13);
    t.updated_at = r.text(14);
    t.row_version = r.integer(15);
    t.via_mcp = r.boolean(16);
    return t;
}

std::string select_where(std::string_view where) {
    return "SELECT " + std::string(kColumns) + " FROM workflow_templates WHERE " +
           std::string(where);
}

/// The WHERE clause of a filtered listing and its parameters ($1 is the org).
std::string filter_clause(std::string const& org_id, TemplateFilter const& f, Params& params) {
    params = {org_id};
    std::string where = "org_id = $1";
    if (f.space_id) {
        params.emplace_back(*f.space_id);
        where += " AND space_id = $" + std::to_string(params.size());
    }
    if (f.status) {
        params.emplace_back(*f.status);
        where += " AND status = $" + std::to_string(params.size());
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
    if (!v.names.empty()) {
        any += " OR name_lower IN (" + placeholder_list(params.size() + 1, v.names.size()) + ")";
        params.insert(params.end(), v.names.begin(), v.names.end());
    }
    return where + " AND (" + any + ")";
}

}  // namespace

constexpr std::string_view kInsertTemplate =
    "INSERT INTO workflow_templates (id, org_id, space_id, name, name_lower, version, status, "
    "allow_voting_on_deprecated, description, metadata, approval_rule, actions, "
    "default_expires_in_hours, created_at, updated_at, row_version, via_mcp) VALUES ($1, $2, $3, "
    "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

DbStatus insert_template(Tx& tx, TemplateRecord const& t) {
    Value hours = t.default_expires_in_hours ? Value{*t.default_expires_in_hours} : null_value();
    return as_status(tx.exec(
        kInsertTemplate,
        {t.id,
         t.org_id,
         t.space_id,
         t.name,
         t.name_lower,
         t.version,
         t.status,
         std::int64_t{t.allow_voting_on_deprecated ? 1 : 0},
         t.description,
         t.metadata,
         t.approval_rule,
         t.actions,
         hours,
         t.created_at,
         t.updated_at,
         t.row_version,
         std::int64_t{t.via_mcp ? 1 : 0}}
    ));
}

DbResult<std::optional<TemplateRecord>> find_template_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql = select_where("org_id = $1 AND id = $2");
    return first_row(tx.query(sql, {org_id, id}), template_from);
}

DbResult<std::optional<TemplateRecord>> find_latest_template(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    static std::string const sql = select_where(
        "org_id = $1 AND name_lower = $2 ORDER BY CASE WHEN status = 'ACTIVE' THEN 0 ELSE 1 END, "
        "version DESC LIMIT 1"
    );
    return first_row(tx.query(sql, {org_id, name_lower}), template_from);
}

constexpr std::string_view kMaxVersion =
    "SELECT COALESCE(MAX(version), 0) FROM workflow_templates WHERE org_id = $1 AND "
    "name_lower = $2";

DbResult<std::int64_t> max_template_version(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    return count_of(tx.query(kMaxVersion, {org_id, name_lower}));
}

constexpr std::string_view kSetStatus =
    "UPDATE workflow_templates SET status = $3, allow_voting_on_deprecated = $4, updated_at = $6, "
    "row_version = row_version + 1 WHERE org_id = $1 AND id = $2 AND row_version = $5";

DbResult<std::int64_t> set_template_status(
    Tx& tx,
    std::string const& org_id,
    std::string const& id,
    std::string const& status,
    bool allow_voting_on_deprecated,
    std::int64_t expected,
    std::string const& now
) {
    return tx.exec(
        kSetStatus,
        {org_id, id, status, std::int64_t{allow_voting_on_deprecated ? 1 : 0}, expected, now}
    );
}

constexpr std::string_view kDisableVoting =
    "UPDATE workflow_templates SET allow_voting_on_deprecated = 0, updated_at = $3, "
    "row_version = row_version + 1 WHERE org_id = $1 AND name_lower = $2 AND "
    "status <> 'ACTIVE' AND allow_voting_on_deprecated = 1";

DbResult<std::int64_t> disable_voting_on_old_versions(
    Tx& tx, std::string const& org_id, std::string const& name_lower, std::string const& now
) {
    return tx.exec(kDisableVoting, {org_id, name_lower, now});
}

DbResult<std::vector<TemplateRecord>> list_templates(
    Tx& tx,
    std::string const& org_id,
    TemplateFilter const& filter,
    std::int64_t limit,
    std::int64_t offset
) {
    Params params;
    std::string const where = filter_clause(org_id, filter, params);
    std::string const sql = select_where(where) + " ORDER BY name_lower, version DESC LIMIT $" +
                            std::to_string(params.size() + 1) + " OFFSET $" +
                            std::to_string(params.size() + 2);
    params.emplace_back(limit);
    params.emplace_back(offset);
    auto rows = tx.query(sql, params);
    if (!rows) {
        return rows.error();
    }
    std::vector<TemplateRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(template_from(r));
    }
    return out;
}

DbResult<std::int64_t> count_templates(
    Tx& tx, std::string const& org_id, TemplateFilter const& filter
) {
    Params params;
    std::string const where = filter_clause(org_id, filter, params);
    return count_of(tx.query("SELECT COUNT(*) FROM workflow_templates WHERE " + where, params));
}

}  // namespace signoff::storage::repos
