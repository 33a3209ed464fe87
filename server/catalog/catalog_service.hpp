// The catalog domain: grantable resource rows and per-email approvals with the
// state machine pending → approved → revoked (DESIGN.md §4, seed 000). Every
// transition writes an audit row and, on entering approved or revoked, a
// team_support.* outbox event, in the same transaction as the change.
//
//   tools/families/catalog.cpp ──► CatalogService ──► authorize() ──► storage/repos/catalog_repo
//                                                 └─► events::Recorder (audit_log, outbox)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/approvals/workflow_hooks.hpp"
#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "storage/db.hpp"

namespace signoff::storage::repos {
struct ApprovalRecord;
struct CatalogRowRecord;
}  // namespace signoff::storage::repos

namespace signoff::server::catalog {

inline constexpr const char* kStatePending = "pending";
inline constexpr const char* kStateApproved = "approved";
inline constexpr const char* kStateRevoked = "revoked";
inline constexpr const char* kEventApproved = "team_support.approved";
inline constexpr const char* kEventRevoked = "team_support.revoked";
/// A pair entered pending (request); same data shape as approved/revoked.
inline constexpr const char* kEventRequested = "team_support.requested";
/// A grant reached its expiry (state revoked, reason "expired"); emitted
/// instead of team_support.revoked for that transition.
inline constexpr const char* kEventExpired = "team_support.expired";
/// Reason recorded when a time-bound grant runs out.
inline constexpr const char* kReasonExpired = "expired";

struct CatalogRow {
    std::string id;
    std::string slug;
    std::string display_name;
    std::string description;
    std::optional<std::string> owner_user_id;
    std::optional<std::string> category;  // machine slug or legacy free-form text
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    /// Lowercase name of the workflow template whose workflows decide requests.
    std::optional<std::string> workflow_template{};
};

struct Approval {
    std::string id;
    std::string catalog_slug;
    std::string email;  // normalised lowercase
    std::string state;  // pending | approved | revoked
    std::optional<std::string> note;
    std::optional<std::string> reason;
    std::optional<std::string> approver_id;
    std::optional<std::string> requested_by;
    std::optional<std::string> expires_at;
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    std::optional<std::string> category;       // the row's category
    std::optional<std::string> workflow_id{};  // the workflow deciding this request
};

struct RowInput {
    std::string slug;
    std::string display_name;
    std::string description;
    std::optional<std::string> owner_user_id;
    std::optional<std::string> category;
    /// A workflow template of the org, by id or name (stored as its name).
    std::optional<std::string> workflow_template{};
};

/// Fields left empty stay as they are; an inner nullopt clears the field.
struct RowPatch {
    std::optional<std::string> display_name;
    std::optional<std::string> description;
    std::optional<std::optional<std::string>> owner_user_id;
    std::optional<std::optional<std::string>> category;
    std::optional<std::int64_t> expected_version;
    std::optional<std::optional<std::string>> workflow_template{};
};

/// When a grant ends: an RFC 3339 instant or an ISO 8601 duration from now
/// (not both). Neither: the grant does not expire.
struct Expiry {
    std::optional<std::string> expires_at;
    std::optional<std::string> duration;
};

/// limit 1..100 (default 20); either `cursor` (from a previous page) or `offset`.
struct PageRequest {
    std::int64_t limit{20};
    std::optional<std::string> cursor;
    std::optional<std::int64_t> offset;
};

template <class T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next_cursor;  // absent on the last page
    std::int64_t total_count{0};
};

struct ApprovalFilter {
    std::optional<std::string> slug;
    std::optional<std::string> email;
    std::optional<std::string> state;
};

struct AssignOutcome {
    std::string slug;
    core::Result<Approval> result;
};

/// The catalog tie to workflows (approvals/workflow_hooks.hpp): a row naming
/// a workflow template has its requests decided by a workflow. The catalog
/// depends on that narrow header only, never on the approvals service, so
/// there is no cycle between server/catalog and server/approvals.
class CatalogService : public approvals::WorkflowOutcomeHook {
public:
    CatalogService(storage::Db& db, core::Clock const& clock, core::IdSource& ids);

    /// Who starts workflows for rows that name a template (nullptr: such rows
    /// cannot be created or requested; kFailedPrecondition).
    void set_workflow_starter(approvals::WorkflowStarter* starter) { workflows_ = starter; }
    /// A workflow ended: its pending request becomes approved (APPROVED) or
    /// revoked with the workflow's outcome and reason (REJECTED, EXPIRED,
    /// CANCELED), with the team_support.* event, in the transition's
    /// transaction. Requests no longer pending are left alone.
    core::Status on_workflow_outcome(storage::Tx& tx, approvals::WorkflowOutcome const& outcome)
        override;

    // ---- rows: reads for every member; writes need admin/super_admin ----
    core::Result<CatalogRow> create_row(core::Actor const& actor, RowInput const& in);
    core::Result<Page<CatalogRow>> list_rows(core::Actor const& actor, PageRequest const& page);
    core::Result<CatalogRow> get_row(core::Actor const& actor, std::string const& slug);
    /// A stale expected_version → kConflict naming the current version.
    core::Result<CatalogRow> update_row(
        core::Actor const& actor, std::string const& slug, RowPatch const& patch
    );
    /// Refuses (kFailedPrecondition) while any grant of the row is pending or
    /// approved: deleting would silently end access that downstream systems
    /// still provision, with no revoke event. Revoke first; revoked history is
    /// deleted with the row (the audit log keeps it). Answers the deleted row.
    core::Result<CatalogRow> delete_row(core::Actor const& actor, std::string const& slug);

    // ---- approvals ----
    /// Direct grant (admin, hr_admin, super_admin; never to oneself). Idempotent:
    /// the same (slug, email) always answers the same approval id, re-approving
    /// a pending or revoked one. On an approved grant only a given expiry changes.
    core::Result<Approval> assign(
        core::Actor const& actor,
        std::string const& slug,
        std::string const& email,
        std::optional<std::string> note,
        Expiry const& expiry
    );
    /// Asks for access: email defaults to the caller's; members only for
    /// themselves. New or revoked → pending; pending/approved answer as they are.
    core::Result<Approval> request(
        core::Actor const& actor,
        std::string const& slug,
        std::optional<std::string> email,
        std::optional<std::string> note
    );
    /// pending → approved by the row's owner or an admin, never the grantee.
    /// Approved: idempotent success. Revoked: kFailedPrecondition.
    core::Result<Approval> approve(
        core::Actor const& actor,
        std::string const& slug,
        std::string const& email,
        std::optional<std::string> note,
        Expiry const& expiry
    );
    /// pending/approved → revoked with a non-empty reason. Already revoked:
    /// idempotent success, no new event.
    core::Result<Approval> revoke(
        core::Actor const& actor,
        std::string const& slug,
        std::string const& email,
        std::string const& reason
    );
    /// Expired grants seen by the read are revoked (reason "expired") first.
    core::Result<Page<Approval>> list_approvals(
        core::Actor const& actor, ApprovalFilter const& filter, PageRequest const& page
    );
    /// One assign per slug, each in its own transaction: one failure leaves
    /// the others in place.
    std::vector<AssignOutcome> assign_many(
        core::Actor const& actor,
        std::string const& email,
        std::vector<std::string> const& slugs,
        std::optional<std::string> note,
        Expiry const& expiry
    );
    /// Revokes every approved grant whose expires_at <= now, in every org.
    /// Called by a timer; answers how many grants it revoked.
    core::Result<std::int64_t> expire_due(core::TimePoint now);

private:
    struct Origin;
    core::Result<storage::repos::ApprovalRecord> expire_if_due(
        storage::Tx& tx, storage::repos::ApprovalRecord a, std::string const& now
    );
    core::Result<storage::repos::ApprovalRecord> transition(
        storage::Tx& tx,
        storage::repos::ApprovalRecord const& before,
        storage::repos::ApprovalRecord next,
        Origin const& who,
        char const* action
    );
    core::Result<storage::repos::ApprovalRecord> insert_approval(
        storage::Tx& tx,
        storage::repos::ApprovalRecord const& rec,
        Origin const& who,
        char const* action
    );
    core::Status record(
        storage::Tx& tx,
        std::optional<std::string> const& from,
        storage::repos::ApprovalRecord const& after,
        Origin const& who,
        char const* action
    );
    /// The org's row with this slug; kNotFound naming the slug when absent.
    static core::Result<storage::repos::CatalogRowRecord> require_row(
        storage::Tx& tx, std::string const& org_id, std::string const& slug
    );
    struct Loaded;
    /// The row by slug (kNotFound when absent) and the pair's approval, with
    /// lazy expiry already applied to it.
    core::Result<Loaded> load(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& slug,
        std::string const& email_lower
    );
    /// Starts the workflow deciding a request for `rec` on a row that names
    /// a template, and records its id on `rec`.
    core::Status start_workflow(
        storage::Tx& tx,
        core::Actor const& actor,
        storage::repos::CatalogRowRecord const& row,
        storage::repos::ApprovalRecord& rec
    );
    core::Result<bool> expire_by_id(
        std::string const& org_id, std::string const& id, std::string const& now
    );

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
    approvals::WorkflowStarter* workflows_{nullptr};
};

}  // namespace signoff::server::catalog
