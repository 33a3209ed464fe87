// Repository of auth drafts: private working copies with an integer version,
// their ordered part links and departments. Portable SQL over storage::Tx,
// plain records out, scoped by org_id. Who may see a draft (its owner) is
// decided in server/auths; the version check is the UPDATE's WHERE clause.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::storage::repos {

struct DraftRecord {
    std::string id;
    std::string org_id;
    std::string owner_id;
    std::optional<std::string> auth_id;        // the auth it edits; null for a new auth
    std::optional<std::int64_t> base_version;  // that auth's version when the draft began
    std::int64_t version{1};
    std::optional<std::string> name_part_id;
    std::optional<std::string> description_part_id;
    std::optional<std::string> flag_part_id;
    std::optional<std::string> group_id;
    std::string created_at;
    std::string updated_at;
    bool via_mcp{false};
};

/// A draft with the values of its single-valued parts joined in.
struct DraftView {
    DraftRecord draft;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> flag;
};

DbStatus insert_draft(Tx& tx, DraftRecord const& d);
DbResult<std::optional<DraftView>> find_draft(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// The draft's current version, nullopt when it does not exist.
DbResult<std::optional<std::int64_t>> draft_version(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// The atomic optimistic step: writes the part columns, group_id, updated_at
/// and via_mcp and sets version = expected_version + 1, only where the stored
/// version is `expected_version` (`UPDATE … WHERE id = $ AND version = $`).
/// Answers rows changed: 0 means another writer got there first (or the
/// draft is gone), and nothing was written.
DbResult<std::int64_t> update_draft(Tx& tx, DraftRecord const& d, std::int64_t expected_version);
/// Deletes the draft with its links and departments. Answers 1 when it existed.
DbResult<std::int64_t> delete_draft(Tx& tx, std::string const& org_id, std::string const& id);

/// The owner's drafts, most recently changed first.
DbResult<std::vector<DraftView>> list_owner_drafts(
    Tx& tx, std::string const& org_id, std::string const& owner_id
);
/// The owner's most recently changed draft of `auth_id`, if any.
DbResult<std::optional<DraftRecord>> find_owner_draft_of_auth(
    Tx& tx, std::string const& org_id, std::string const& owner_id, std::string const& auth_id
);

DbStatus replace_draft_links(
    Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    std::string const& kind,
    std::vector<std::string> const& part_ids
);
DbStatus replace_draft_departments(
    Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    std::vector<std::string> const& department_ids
);
/// Links of the given drafts, ordered by draft, kind, position. One query.
DbResult<std::vector<LinkView>> list_draft_links(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& draft_ids
);
/// Departments of the given drafts, ordered by draft, then name. One query.
DbResult<std::vector<OwnedDepartment>> list_draft_departments(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& draft_ids
);

}  // namespace signoff::storage::repos
