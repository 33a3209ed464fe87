// Portable SQL for auth parts and departments (see auth_parts_repo.hpp).
// Optional filters use `CAST($n AS TEXT) IS NULL OR …`, which both dialects
// type the same way, so one statement serves every filter combination.
#include "storage/repos/auth_parts_repo.hpp"

#include <string_view>

#include "storage/repos/auth_common_repo.hpp"
#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

PartRecord part_from(Row const& r) {
    return PartRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.boolean(6),
    };
}

DepartmentRecord department_from(Row const& r) {
    return DepartmentRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.boolean(5),
    };
}

}  // namespace

// ---- parts -------------------------------------------------------------------

constexpr std::string_view kSelectPartById =
    "SELECT id, org_id, kind, value, value_lower, created_at, via_mcp FROM auth_parts "
    "WHERE org_id = $1 AND id = $2";

DbResult<std::optional<PartRecord>> find_part_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectPartById, {org_id, id}), part_from);
}

constexpr std::string_view kSelectPartByValue =
    "SELECT id, org_id, kind, value, value_lower, created_at, via_mcp FROM auth_parts "
    "WHERE org_id = $1 AND kind = $2 AND value_lower = $3";

DbResult<std::optional<PartRecord>> find_part_by_value(
    Tx& tx, std::string const& org_id, std::string const& kind, std::string const& value_lower
) {
    return first_row(tx.query(kSelectPartByValue, {org_id, kind, value_lower}), part_from);
}

constexpr std::string_view kInsertPartIfAbsent =
    "INSERT INTO auth_parts (id, org_id, kind, value, value_lower, created_at, via_mcp) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, kind, value_lower) DO NOTHING";

DbResult<std::int64_t> insert_part_if_absent(Tx& tx, PartRecord const& p) {
    return tx.exec(
        kInsertPartIfAbsent,
        {p.id, p.org_id, p.kind, p.value, p.value_lower, p.created_at, detail::flag(p.via_mcp)}
    );
}

DbResult<std::optional<EnsuredPart>> ensure_part(Tx& tx, PartRecord const& p) {
    // Read first: most values already exist, and a read takes no lock.
    auto found = find_part_by_value(tx, p.org_id, p.kind, p.value_lower);
    if (!found) {
        return found.error();
    }
    if (*found) {
        return std::optional<EnsuredPart>{EnsuredPart{**found, false}};
    }
    auto inserted = insert_part_if_absent(tx, p);
    if (!inserted) {
        return inserted.error();
    }
    if (*inserted == 1) {
        return std::optional<EnsuredPart>{EnsuredPart{p, true}};
    }
    auto again = find_part_by_value(tx, p.org_id, p.kind, p.value_lower);
    if (!again) {
        return again.error();
    }
    if (!*again) {
        return std::optional<EnsuredPart>{};
    }
    return std::optional<EnsuredPart>{EnsuredPart{**again, false}};
}

// Two statements, so that a given kind binds the (org_id, kind, value_lower)
// index by equality and the page is read in index order.
constexpr std::string_view kSelectPartsOfKind =
    "SELECT id, org_id, kind, value, value_lower, created_at, via_mcp FROM auth_parts "
    "WHERE org_id = $1 AND kind = $2 "
    "AND (CAST($3 AS TEXT) IS NULL OR value_lower LIKE $3 ESCAPE '\\') "
    "ORDER BY kind, value_lower LIMIT $4 OFFSET $5";
constexpr std::string_view kSelectParts =
    "SELECT id, org_id, kind, value, value_lower, created_at, via_mcp FROM auth_parts "
    "WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR value_lower LIKE $2 ESCAPE '\\') "
    "ORDER BY kind, value_lower LIMIT $3 OFFSET $4";

DbResult<std::vector<PartRecord>> list_parts(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& kind,
    std::optional<std::string> const& search_pattern,
    std::int64_t limit,
    std::int64_t offset
) {
    auto rows =
        kind
            ? tx.query(kSelectPartsOfKind, {org_id, *kind, opt_text(search_pattern), limit, offset})
            : tx.query(kSelectParts, {org_id, opt_text(search_pattern), limit, offset});
    return detail::all_rows(std::move(rows), part_from);
}

constexpr std::string_view kCountPartsOfKind =
    "SELECT COUNT(*) FROM auth_parts WHERE org_id = $1 AND kind = $2 "
    "AND (CAST($3 AS TEXT) IS NULL OR value_lower LIKE $3 ESCAPE '\\')";
constexpr std::string_view kCountParts =
    "SELECT COUNT(*) FROM auth_parts WHERE org_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR value_lower LIKE $2 ESCAPE '\\')";

DbResult<std::int64_t> count_parts(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& kind,
    std::optional<std::string> const& search_pattern
) {
    return count_of(
        kind ? tx.query(kCountPartsOfKind, {org_id, *kind, opt_text(search_pattern)})
             : tx.query(kCountParts, {org_id, opt_text(search_pattern)})
    );
}

// ---- departments -------------------------------------------------------------

constexpr std::string_view kSelectDepartmentById =
    "SELECT id, org_id, name, name_lower, created_at, via_mcp FROM departments "
    "WHERE org_id = $1 AND id = $2";

DbResult<std::optional<DepartmentRecord>> find_department_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectDepartmentById, {org_id, id}), department_from);
}

constexpr std::string_view kSelectDepartmentByName =
    "SELECT id, org_id, name, name_lower, created_at, via_mcp FROM departments "
    "WHERE org_id = $1 AND name_lower = $2";

DbResult<std::optional<DepartmentRecord>> find_department_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    return first_row(tx.query(kSelectDepartmentByName, {org_id, name_lower}), department_from);
}

constexpr std::string_view kInsertDepartmentIfAbsent =
    "INSERT INTO departments (id, org_id, name, name_lower, created_at, via_mcp) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, name_lower) DO NOTHING";

DbResult<std::int64_t> insert_department_if_absent(Tx& tx, DepartmentRecord const& d) {
    return tx.exec(
        kInsertDepartmentIfAbsent,
        {d.id, d.org_id, d.name, d.name_lower, d.created_at, detail::flag(d.via_mcp)}
    );
}

constexpr std::string_view kSelectDepartmentsPage =
    "SELECT id, org_id, name, name_lower, created_at, via_mcp FROM departments "
    "WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR name_lower LIKE $2 ESCAPE '\\') "
    "ORDER BY name_lower, id LIMIT $3 OFFSET $4";

DbResult<std::vector<DepartmentRecord>> list_departments(
    Tx& tx,
    std::string const& org_id,
    std::optional<std::string> const& search_pattern,
    std::int64_t limit,
    std::int64_t offset
) {
    return detail::all_rows(
        tx.query(kSelectDepartmentsPage, {org_id, opt_text(search_pattern), limit, offset}),
        department_from
    );
}

constexpr std::string_view kCountDepartments =
    "SELECT COUNT(*) FROM departments WHERE org_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR name_lower LIKE $2 ESCAPE '\\')";

DbResult<std::int64_t> count_departments(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& search_pattern
) {
    return count_of(tx.query(kCountDepartments, {org_id, opt_text(search_pattern)}));
}

// ---- shared text helper ------------------------------------------------------

std::string like_contains(std::string const& needle) {
    std::string out = "%";
    out.reserve(needle.size() + 2);
    for (char c : needle) {
        if (c == '%' || c == '_' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    out.push_back('%');
    return out;
}

}  // namespace signoff::storage::repos
