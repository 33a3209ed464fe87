// Portable SQL for catalog rows and approvals (see catalog_repo.hpp). Optional
// filters use `CAST($n AS TEXT) IS NULL OR col = $n`, which both dialects type
// the same way, so one statement serves every filter combination.
#include "storage/repos/catalog_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

Value flag(bool b) {
    return std::int64_t{b ? 1 : 0};
}

CatalogRowRecord row_from(Row const& r) {
    return CatalogRowRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.opt_text(5),
        r.opt_text(6),
        r.text(7),
        r.text(8),
        r.integer(9),
        r.boolean(10),
        r.opt_text(11),
    };
}

ApprovalRecord approval_from(Row const& r) {
    return ApprovalRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.text(6),
        r.opt_text(7),
        r.opt_text(8),
        r.opt_text(9),
        r.opt_text(10),
        r.opt_text(11),
        r.text(12),
        r.text(13),
        r.integer(14),
        r.boolean(15),
        r.opt_text(16),
    };
}

DbResult<std::optional<ApprovalRecord>> one_approval(DbResult<Rows> rows) {
    return first_row(std::move(rows), approval_from);
}

}  // namespace

// ---- rows ----------------------------------------------------------------

constexpr std::string_view kInsertRow =
    "INSERT INTO catalog_rows (id, org_id, slug, display_name, description, owner_user_id, "
    "category, created_at, updated_at, version, via_mcp, workflow_template) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

DbStatus insert_row(Tx& tx, CatalogRowRecord const& w) {
    return as_status(tx.exec(
        kInsertRow,
        {w.id,
         w.org_id,
         w.slug,
         w.display_name,
         w.description,
         opt_text(w.owner_user_id),
         opt_text(w.category),
         w.created_at,
         w.updated_at,
         w.version,
         flag(w.via_mcp),
         opt_text(w.workflow_template)}
    ));
}

constexpr std::string_view kSelectRowBySlug =
    "SELECT id, org_id, slug, display_name, description, owner_user_id, category, created_at, "
    "updated_at, version, via_mcp, workflow_template FROM catalog_rows WHERE org_id = $1 AND slug "
    "= $2";

DbResult<std::optional<CatalogRowRecord>> find_row_by_slug(
    Tx& tx, std::string const& org_id, std::string const& slug
) {
    return first_row(tx.query(kSelectRowBySlug, {org_id, slug}), row_from);
}

constexpr std::string_view kSelectRowsPage =
    "SELECT id, org_id, slug, display_name, description, owner_user_id, category, created_at, "
    "updated_at, version, via_mcp, workflow_template FROM catalog_rows WHERE org_id = $1 AND slug "
    "> $2 "
    "ORDER BY slug LIMIT $3 OFFSET $4";

DbResult<std::vector<CatalogRowRecord>> list_rows(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_slug,
    std::int64_t limit,
    std::int64_t offset
) {
    auto rows = tx.query(kSelectRowsPage, {org_id, after_slug, limit, offset});
    if (!rows) {
        return rows.error();
    }
    std::vector<CatalogRowRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(row_from(r));
    }
    return out;
}

constexpr std::string_view kCountRows = "SELECT COUNT(*) FROM catalog_rows WHERE org_id = $1";

DbResult<std::int64_t> count_rows(Tx& tx, std::string const& org_id) {
    return count_of(tx.query(kCountRows, {org_id}));
}

constexpr std::string_view kUpdateRow =
    "UPDATE catalog_rows SET display_name = $3, description = $4, owner_user_id = $5, "
    "category = $6, updated_at = $7, via_mcp = $8, workflow_template = $10, "
    "version = version + 1 WHERE org_id = $1 AND id = $2 AND version = $9";

DbResult<std::int64_t> update_row(
    Tx& tx, CatalogRowRecord const& w, std::int64_t expected_version
) {
    return tx.exec(
        kUpdateRow,
        {w.org_id,
         w.id,
         w.display_name,
         w.description,
         opt_text(w.owner_user_id),
         opt_text(w.category),
         w.updated_at,
         flag(w.via_mcp),
         expected_version,
         opt_text(w.workflow_template)}
    );
}

constexpr std::string_view kDeleteRowApprovals =
    "DELETE FROM catalog_approvals WHERE org_id = $1 AND row_id = $2";
constexpr std::string_view kDeleteRow = "DELETE FROM catalog_rows WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> delete_row(Tx& tx, std::string const& org_id, std::string const& row_id) {
    auto a = tx.exec(kDeleteRowApprovals, {org_id, row_id});
    if (!a) {
        return a.error();
    }
    return tx.exec(kDeleteRow, {org_id, row_id});
}

// ---- approvals -----------------------------------------------------------

constexpr std::string_view kInsertApprovalIfAbsent =
    "INSERT INTO catalog_approvals (id, org_id, row_id, slug, email, email_lower, state, note, "
    "reason, requested_by, approver_id, expires_at, created_at, updated_at, version, via_mcp, "
    "workflow_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
    "$16, $17) "
    "ON CONFLICT (org_id, row_id, email_lower) DO NOTHING";

DbResult<std::int64_t> insert_approval_if_absent(Tx& tx, ApprovalRecord const& a) {
    return tx.exec(
        kInsertApprovalIfAbsent,
        {a.id,
         a.org_id,
         a.row_id,
         a.slug,
         a.email,
         a.email_lower,
         a.state,
         opt_text(a.note),
         opt_text(a.reason),
         opt_text(a.requested_by),
         opt_text(a.approver_id),
         opt_text(a.expires_at),
         a.created_at,
         a.updated_at,
         a.version,
         flag(a.via_mcp),
         opt_text(a.workflow_id)}
    );
}

constexpr std::string_view kSelectApprovalByPair =
    "SELECT id, org_id, row_id, slug, email, email_lower, state, note, reason, requested_by, "
    "approver_id, expires_at, created_at, updated_at, version, via_mcp, workflow_id "
    "FROM catalog_approvals "
    "WHERE org_id = $1 AND row_id = $2 AND email_lower = $3";

DbResult<std::optional<ApprovalRecord>> find_approval(
    Tx& tx, std::string const& org_id, std::string const& row_id, std::string const& email_lower
) {
    return one_approval(tx.query(kSelectApprovalByPair, {org_id, row_id, email_lower}));
}

constexpr std::string_view kSelectApprovalById =
    "SELECT id, org_id, row_id, slug, email, email_lower, state, note, reason, requested_by, "
    "approver_id, expires_at, created_at, updated_at, version, via_mcp, workflow_id "
    "FROM catalog_approvals "
    "WHERE org_id = $1 AND id = $2";

DbResult<std::optional<ApprovalRecord>> find_approval_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return one_approval(tx.query(kSelectApprovalById, {org_id, id}));
}

constexpr std::string_view kUpdateApproval =
    "UPDATE catalog_approvals SET state = $3, note = $4, reason = $5, requested_by = $6, "
    "approver_id = $7, expires_at = $8, updated_at = $9, via_mcp = $10, workflow_id = $12, "
    "version = version + 1 WHERE org_id = $1 AND id = $2 AND version = $11";

DbResult<std::int64_t> update_approval(
    Tx& tx, ApprovalRecord const& a, std::int64_t expected_version
) {
    return tx.exec(
        kUpdateApproval,
        {a.org_id,
         a.id,
         a.state,
         opt_text(a.note),
         opt_text(a.reason),
         opt_text(a.requested_by),
         opt_text(a.approver_id),
         opt_text(a.expires_at),
         a.updated_at,
         flag(a.via_mcp),
         expected_version,
         opt_text(a.workflow_id)}
    );
}

constexpr std::string_view kCountLiveApprovals =
    "SELECT COUNT(*) FROM catalog_approvals WHERE org_id = $1 AND row_id = $2 "
    "AND state IN ('pending', 'approved')";

DbResult<std::int64_t> count_live_approvals(
    Tx& tx, std::string const& org_id, std::string const& row_id
) {
    return count_of(tx.query(kCountLiveApprovals, {org_id, row_id}));
}

constexpr std::string_view kSelectApprovalsPage =
    "SELECT a.id, a.org_id, a.row_id, a.slug, a.email, a.email_lower, a.state, a.note, "
    "a.reason, a.requested_by, a.approver_id, a.expires_at, a.created_at, a.updated_at, "
    "a.version, a.via_mcp, a.workflow_id, r.category FROM catalog_approvals a "
    "JOIN catalog_rows r ON r.id = a.row_id AND r.org_id = a.org_id "
    "WHERE a.org_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR a.slug = $2) "
    "AND (CAST($3 AS TEXT) IS NULL OR a.email_lower = $3) "
    "AND (CAST($4 AS TEXT) IS NULL OR a.state = $4) "
    "AND a.id > $5 ORDER BY a.id LIMIT $6 OFFSET $7";

DbResult<std::vector<ApprovalView>> list_approvals(
    Tx& tx,
    std::string const& org_id,
    ApprovalFilter const& f,
    std::string const& after_id,
    std::int64_t limit,
    std::int64_t offset
) {
    auto rows = tx.query(
        kSelectApprovalsPage,
        {org_id,
         opt_text(f.slug),
         opt_text(f.email_lower),
         opt_text(f.state),
         after_id,
         limit,
         offset}
    );
    if (!rows) {
        return rows.error();
    }
    std::vector<ApprovalView> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(ApprovalView{approval_from(r), r.opt_text(17)});
    }
    return out;
}

constexpr std::string_view kCountApprovals =
    "SELECT COUNT(*) FROM catalog_approvals a WHERE a.org_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR a.slug = $2) "
    "AND (CAST($3 AS TEXT) IS NULL OR a.email_lower = $3) "
    "AND (CAST($4 AS TEXT) IS NULL OR a.state = $4)";

DbResult<std::int64_t> count_approvals(Tx& tx, std::string const& org_id, ApprovalFilter const& f) {
    return count_of(tx.query(
        kCountApprovals, {org_id, opt_text(f.slug), opt_text(f.email_lower), opt_text(f.state)}
    ));
}

constexpr std::string_view kSelectApprovalByWorkflow =
    "SELECT id, org_id, row_id, slug, email, email_lower, state, note, reason, requested_by, "
    "approver_id, expires_at, created_at, updated_at, version, via_mcp, workflow_id "
    "FROM catalog_approvals WHERE org_id = $1 AND workflow_id = $2";

DbResult<std::optional<ApprovalRecord>> find_approval_by_workflow(
    Tx& tx, std::string const& org_id, std::string const& workflow_id
) {
    return one_approval(tx.query(kSelectApprovalByWorkflow, {org_id, workflow_id}));
}

constexpr std::string_view kSelectDueApprovals =
    "SELECT org_id, id FROM catalog_approvals WHERE state = 'approved' "
    "AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2";

DbResult<std::vector<DueApproval>> list_due_approvals(
    Tx& tx, std::string const& now, std::int64_t limit
) {
    auto rows = tx.query(kSelectDueApprovals, {now, limit});
    if (!rows) {
        return rows.error();
    }
    std::vector<DueApproval> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(DueApproval{r.text(0), r.text(1)});
    }
    return out;
}

}  // namespace signoff::storage::repos
