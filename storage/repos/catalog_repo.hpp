// Repository of catalog rows and catalog approvals: portable SQL over
// storage::Tx, plain records out. Called by server/catalog, which owns every
// rule (states, permissions, expiry); this file only reads and writes rows,
// always scoped by org_id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct CatalogRowRecord {
    std::string id;
    std::string org_id;
    std::string slug;
    std::string display_name;
    std::string description;
    std::optional<std::string> owner_user_id;
    std::optional<std::string> category;
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
    /// Lowercase name of the workflow template whose workflows decide requests.
    std::optional<std::string> workflow_template{};
};

struct ApprovalRecord {
    std::string id;
    std::string org_id;
    std::string row_id;
    std::string slug;
    std::string email;
    std::string email_lower;
    std::string state;  // pending | approved | revoked
    std::optional<std::string> note;
    std::optional<std::string> reason;
    std::optional<std::string> requested_by;
    std::optional<std::string> approver_id;
    std::optional<std::string> expires_at;
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
    /// The workflow deciding this request, when the row names a template.
    std::optional<std::string> workflow_id{};
};

/// An approval joined with its row's category (answers show both).
struct ApprovalView {
    ApprovalRecord approval;
    std::optional<std::string> category;
};

// ---- rows ----------------------------------------------------------------

DbStatus insert_row(Tx& tx, CatalogRowRecord const& row);
DbResult<std::optional<CatalogRowRecord>> find_row_by_slug(
    Tx& tx, std::string const& org_id, std::string const& slug
);
/// Rows with slug > after_slug, ordered by slug.
DbResult<std::vector<CatalogRowRecord>> list_rows(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_slug,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_rows(Tx& tx, std::string const& org_id);
/// Writes every mutable column of `row` when the stored version is
/// `expected_version`, setting version = expected_version + 1. Answers rows changed.
DbResult<std::int64_t> update_row(
    Tx& tx, CatalogRowRecord const& row, std::int64_t expected_version
);
/// Deletes the row and its (by then revoked) approvals. Answers rows deleted.
DbResult<std::int64_t> delete_row(Tx& tx, std::string const& org_id, std::string const& row_id);

// ---- approvals -----------------------------------------------------------

/// Inserts unless (org_id, row_id, email_lower) exists. Answers rows inserted
/// (0 when a concurrent or earlier insert holds the pair).
DbResult<std::int64_t> insert_approval_if_absent(Tx& tx, ApprovalRecord const& a);
DbResult<std::optional<ApprovalRecord>> find_approval(
    Tx& tx, std::string const& org_id, std::string const& row_id, std::string const& email_lower
);
DbResult<std::optional<ApprovalRecord>> find_approval_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// Writes state, note, reason, requested_by, approver_id, expires_at,
/// updated_at and via_mcp when the stored version is `expected_version`,
/// setting version = expected_version + 1. Answers rows changed (0: lost a race).
DbResult<std::int64_t> update_approval(
    Tx& tx, ApprovalRecord const& a, std::int64_t expected_version
);
/// Approvals of the row in state pending or approved.
DbResult<std::int64_t> count_live_approvals(
    Tx& tx, std::string const& org_id, std::string const& row_id
);

struct ApprovalFilter {
    std::optional<std::string> slug;
    std::optional<std::string> email_lower;
    std::optional<std::string> state;
};

/// Approvals matching the filter with id > after_id, ordered by id.
DbResult<std::vector<ApprovalView>> list_approvals(
    Tx& tx,
    std::string const& org_id,
    ApprovalFilter const& filter,
    std::string const& after_id,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_approvals(
    Tx& tx, std::string const& org_id, ApprovalFilter const& filter
);

/// The approval a workflow decides (nullopt when none names it).
DbResult<std::optional<ApprovalRecord>> find_approval_by_workflow(
    Tx& tx, std::string const& org_id, std::string const& workflow_id
);

struct DueApproval {
    std::string org_id;
    std::string id;
};
/// Approved grants whose expires_at <= now, oldest expiry first, any org.
DbResult<std::vector<DueApproval>> list_due_approvals(
    Tx& tx, std::string const& now, std::int64_t limit
);

}  // namespace signoff::storage::repos
