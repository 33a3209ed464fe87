// Turns the fields of an input (create, update, patch_draft) into the parts,
// departments and group they name, inside the caller's transaction: free text finds or creates a
// part (case-insensitively), ids are checked against the org and the kind,
// department names are looked up, and a new owning group is checked (it must
// be the org's, and the actor a member of it or an org admin).
// Internal to server/auths; check_fields() has already run.
#pragma once

#include <string>
#include <vector>

#include "server/auths/auths_service.hpp"
#include "server/auths/content.hpp"
#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "storage/db.hpp"

namespace signoff::server::auths::detail {

struct Resolved {
    AuthContent content;  // with values: what the caller stores (ids_of) and answers
    ChangedLists changed;
    std::vector<Part> created;  // parts this input created
};

/// `base` with the given fields of `f` applied. Every unknown id or name is
/// one detail (`protocol_ids[1]: no protocol part with this id`) of a single
/// kInvalidArgument; a group the actor may not use is kPermissionDenied; a
/// lost insert race is core::retry_tx(). `now` stamps created parts.
core::Result<Resolved> resolve_fields(
    storage::Tx& tx,
    core::Actor const& actor,
    AuthFields const& f,
    AuthContent base,
    std::string const& now,
    core::IdSource& ids
);

/// Finds or creates the part (kind, trimmed value). `created` is true when this
/// call inserted it.
struct EnsuredPart {
    Part part;
    bool created{false};
};
core::Result<EnsuredPart> ensure_part(
    storage::Tx& tx,
    core::Actor const& actor,
    std::string const& kind,
    std::string const& value,
    std::string const& now,
    core::IdSource& ids
);

}  // namespace signoff::server::auths::detail
