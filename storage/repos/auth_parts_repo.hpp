// Repository of the auth domain's building blocks: reusable parts (name,
// description, flag, protocol, slug, item) and departments. Portable SQL over
// storage::Tx, plain records out, every statement scoped by org_id. Called by
// server/auths, which owns the rules (validation, who may create what).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct PartRecord {
    std::string id;
    std::string org_id;
    std::string kind;
    std::string value;
    std::string value_lower;  // what lookups and uniqueness compare
    std::string created_at;
    bool via_mcp{false};
};

struct DepartmentRecord {
    std::string id;
    std::string org_id;
    std::string name;
    std::string name_lower;
    std::string created_at;
    bool via_mcp{false};
};

// ---- parts -------------------------------------------------------------------

DbResult<std::optional<PartRecord>> find_part_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<PartRecord>> find_part_by_value(
    Tx& tx, std::string const& org_id, std::string const& kind, std::string const& value_lower
);
/// Inserts unless (org_id, kind, value_lower) exists; answers rows inserted
/// (0 when an earlier or concurrent insert holds the value).
DbResult<std::int64_t> insert_part_if_absent(Tx& tx, PartRecord const& p);

/// The stored part for (org, kind, value_lower): `p` when this call inserted it,
/// else the row that was there. Race-safe: INSERT … ON CONFLICT DO NOTHING, then
/// a fresh read (which, under READ COMMITTED, sees a concurrent winner once it
/// committed). nullopt only if the winner's row is invisible to this
/// transaction: the caller should retry the transaction.
struct EnsuredPart {
    PartRecord part;
    bool inserted{false};
};
DbResult<std::optional<EnsuredPart>> ensure_part(Tx& tx, PartRecord const& p);

/// Optional filters: `kind`, and `search_pattern` (a LIKE pattern over
/// value_lower, built with like_contains()). Ordered by kind, then value_lower
/// (unique within a kind).
DbResult<std::vector<PartRecord>> list_parts(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& kind,
    std::optional<std::string> const& search_pattern,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_parts(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& kind,
    std::optional<std::string> const& search_pattern
);

// ---- departments -------------------------------------------------------------

DbResult<std::optional<DepartmentRecord>> find_department_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<DepartmentRecord>> find_department_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
/// Inserts unless (org_id, name_lower) exists; answers rows inserted.
DbResult<std::int64_t> insert_department_if_absent(Tx& tx, DepartmentRecord const& d);
/// Ordered by name_lower, then id; `search_pattern` as in list_parts.
DbResult<std::vector<DepartmentRecord>> list_departments(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& search_pattern,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_departments(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& search_pattern
);

// ---- shared text helper ------------------------------------------------------

/// A LIKE pattern (used with ESCAPE '\') matching any text that contains
/// `needle` literally: `%`, `_` and `\` in it are escaped.
std::string like_contains(std::string const& needle);

}  // namespace signoff::storage::repos
