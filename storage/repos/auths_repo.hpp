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

/// Rewrites the auth's auth_search row from its stored content.
DbStatus refresh_search_row(Tx& tx, std::string const& org_id, std::string const& auth_id);
/// Deletes and rewrites every auth_search row of the org, in batches. Answers
/// the number of rows written.
DbResult<std::int64_t> rebuild_search_rows(Tx& tx, std::string const& org_id);

struct SearchFilter {
    /// LIKE pattern over the document (like_contains of the lowercase text).
    std::optional<std::string> pattern;
    /// Auths in any of these departments; empty: no department filter.
    std::vector<std::string> department_ids;
};

/// A department with the number of auths whose document matches the text.
struct FacetRow {
    std::string id;
    std::string name;
    std::int64_t count{0};
};

struct SearchPage {
    std::int64_t total{0};         // auths matching the text and the department filter
    std::vector<std::string> ids;  // the page: ordered by sort_name, then id
    std::vector<FacetRow> facets;  // see search_auths
};

/// One search of the org's auth_search rows: the page of ids, the total,
/// and the facets: the departments whose lowercase name matches
/// `facet_pattern` (all when absent), ordered by name, at most `facet_limit`,
/// each with its number of auths matching the text (the department filter
/// does not narrow facets). With a text, one scan yields page, total and facet
/// counts (one statement over a materialised match set), plus one read of
/// department names; without one, three index-driven statements.
DbResult<SearchPage> search_auths(
    Tx& tx,
    std::string const& org_id,
    SearchFilter const& filter,
    std::int64_t limit,
    std::int64_t offset,
    std::optional<std::string> const& facet_pattern,
    std::int64_t facet_limit
);

/// The org's auths with these ids, in no particular order. One query.
DbResult<std::vector<AuthView>> find_auths(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& ids
);

/// The departments column of a search row: ",id1,id2," with the ids sorted
/// ("," for none).
std::string departments_key(std::vector<std::string> ids);

}  // namespace signoff::storage::repos
