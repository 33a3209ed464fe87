// Repository of auths: the auth rows, their ordered part links and
// departments, and the search view (auth_search) that every auth write
// rewrites in its own transaction. Portable SQL over storage::Tx, plain
// records out, every statement scoped by org_id. Called by server/auths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"
#include "storage/repos/auth_parts_repo.hpp"

namespace signoff::storage::repos {

struct AuthRecord {
    std::string id;
    std::string org_id;
    std::string name_part_id;
    std::optional<std::string> description_part_id;
    std::optional<std::string> flag_part_id;
    std::optional<std::string> group_id;
    std::string created_by;
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
};

/// An auth with the values of its single-valued parts joined in.
struct AuthView {
    AuthRecord auth;
    std::string name;
    std::optional<std::string> description;
    std::optional<std::string> flag;
};

/// One link of an auth or a draft to a many-valued part, with the part's value.
struct LinkView {
    std::string owner_id;  // the auth's or the draft's id
    std::string kind;      // protocol | slug | item
    std::int64_t position{0};
    std::string part_id;
    std::string value;
};

/// A department of an auth or a draft.
struct OwnedDepartment {
    std::string owner_id;
    DepartmentRecord department;
};

// ---- auths -------------------------------------------------------------------

DbStatus insert_auth(Tx& tx, AuthRecord const& a);
DbResult<std::optional<AuthView>> find_auth(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// Writes the part columns, group_id, updated_at and via_mcp when the stored
/// version is `expected_version`, setting version = expected_version + 1.
/// Answers rows changed (0: the version moved, or the auth is gone).
DbResult<std::int64_t> update_auth(Tx& tx, AuthRecord const& a, std::int64_t expected_version);
/// Deletes the auth with its links, departments, search row, and every draft
/// of it (with their links). Answers 1 when the auth existed, else 0.
DbResult<std::int64_t> delete_auth(Tx& tx, std::string const& org_id, std::string const& id);

/// Replaces the auth's links of `kind` by `part_ids`, in that order.
DbStatus replace_auth_links(
    Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    std::string const& kind,
    std::vector<std::string> const& part_ids
);
DbStatus replace_auth_departments(
    Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    std::vector<std::string> const& department_ids
);
/// Links of the given auths, ordered by auth, kind, position. One query.
DbResult<std::vector<LinkView>> list_auth_links(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& auth_ids
);
/// Departments of the given auths, ordered by auth, then department name. One query.
DbResult<std::vector<OwnedDepartment>> list_auth_departments(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& auth_ids
);

// ---- the search view -----------------------------------------------------------

/// sort_name: the lowercase name. document: the lowercase name, description,
/// slugs and protocols, one per line. ASCII case folding (the same the domain
/// applies to a search text).
std::string search_lower(std::string const& s);
std::string search_document(
    std::string const& name,
    std::optional<std::string> const& description,
    std::vector<std::string> const& slugs,
    std::vector<std::string> const& protocols
);

/// Rewrites the auth's auth_search row from its stored content (deletes it,
/// recording the deletion, when the auth is gone), at the org's next search
/// generation.
DbStatus refresh_search_row(Tx& tx, std::string const& org_id, std::string const& auth_id);
/// Deletes and rewrites every auth_search row of the org, in batches. Answers
/// the number of rows written.
DbResult<std::int64_t> rebuild_search_rows(Tx& tx, std::string const& org_id);

/// One auth_search row.
struct SearchRow {
    std::string auth_id;
    std::string sort_name;
    std::string document;
    std::string departments;  // departments_key()
};

/// The org's search generation: every write of one of its search rows (or a
/// deletion) takes the next one in its transaction. An in-memory index built
/// at generation g catches up by reading the rows and deletions after g,
/// unless g < reload_below (a full rebuild happened since): then it reloads.
struct SearchGeneration {
    std::int64_t gen{0};
    std::int64_t reload_below{0};
};

DbResult<SearchGeneration> search_generation(Tx& tx, std::string const& org_id);
/// A page of the org's search rows in (sort_name, auth_id) order, after the
/// row (after_name, after_id); ("", "") for the first page.
DbResult<std::vector<SearchRow>> search_rows_page(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_name,
    std::string const& after_id,
    std::int64_t limit
);
/// The org's search rows written after generation `after`, in no particular
/// order.
DbResult<std::vector<SearchRow>> search_rows_after(
    Tx& tx, std::string const& org_id, std::int64_t after
);
/// The auths whose search rows were deleted after generation `after`.
DbResult<std::vector<std::string>> search_deletions_after(
    Tx& tx, std::string const& org_id, std::int64_t after
);

/// The org's auths with these ids, in no particular order. One query.
DbResult<std::vector<AuthView>> find_auths(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& ids
);

/// The departments column of a search row: ",id1,id2," with the ids sorted
/// ("," for none).
std::string departments_key(std::vector<std::string> ids);

}  // namespace signoff::storage::repos
