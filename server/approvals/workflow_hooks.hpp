// The narrow seam between workflows and the domains that use them (today the
// catalog: a catalog row naming a workflow template). Both interfaces live
// here, in approvals, so the dependency runs one way: server/catalog includes
// this header only; server/approvals never includes the catalog. The
// composition root wires a CatalogService in as the outcome hook and an
// ApprovalsService in as the catalog's starter.
//
//   catalog_request ─► WorkflowStarter::start_workflow_in (caller's tx)
//   workflow transition ─► WorkflowOutcomeHook::on_workflow_outcome (same tx)
#pragma once

#include <optional>
#include <string>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "storage/db.hpp"

namespace signoff::server::approvals {

/// A workflow reached a terminal status: APPROVED, REJECTED, EXPIRED or CANCELED.
struct WorkflowOutcome {
    std::string org_id;
    std::string workflow_id;
    std::string workflow_name;
    std::string status;
    std::optional<std::string> reason{};
    std::optional<std::string> actor_id{};  // who caused it; nullopt for the system
    std::string channel;                    // of the call that caused it ("system" for expiry)
};

/// Told about every terminal transition inside the transition's transaction;
/// an error rolls the transition back (and kConflict-style races retry it).
class WorkflowOutcomeHook {
public:
    virtual ~WorkflowOutcomeHook() = default;
    virtual core::Status on_workflow_outcome(storage::Tx& tx, WorkflowOutcome const& outcome) = 0;
};

struct WorkflowStart {
    std::string template_name_lower;  // the ACTIVE version of this name is used
    std::string name;
    std::string description;
    std::string metadata_json{"{}"};
    // The person the workflow decides for (lowercase e-mail): neither they nor
    // an agent they registered may vote on it, and no vote of theirs counts.
    std::optional<std::string> beneficiary_email{};
};

struct StartedWorkflow {
    std::string id;
    std::string name;
    std::string expires_at;
};

/// Starts workflows for another domain, in that domain's transaction.
class WorkflowStarter {
public:
    virtual ~WorkflowStarter() = default;
    /// Starts a workflow from the ACTIVE version of the template on behalf of
    /// `requester` (the other domain has authorized the request; no
    /// instantiate permission is asked). No ACTIVE version → kFailedPrecondition.
    virtual core::Result<StartedWorkflow> start_workflow_in(
        storage::Tx& tx, core::Actor const& requester, WorkflowStart const& start
    ) = 0;
    /// The lowercase name of a template of the org given by id or name
    /// (kNotFound naming `field` when there is none).
    virtual core::Result<std::string> template_name_of(
        storage::Tx& tx,
        std::string const& org_id,
        std::string const& id_or_name,
        std::string const& field
    ) = 0;
};

}  // namespace signoff::server::approvals
