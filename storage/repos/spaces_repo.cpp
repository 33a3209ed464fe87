// Portable SQL for approval spaces (see spaces_repo.hpp).
#include "storage/repos/spaces_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kSpaceColumns =
    "id, org_id, name, name_lower, description, created_at, updated_at, version, via_mcp";

/// A spaces row in kSpaceColumns order.
SpaceRecord space_from(Row const& r) {
    return SpaceRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.text(6),
        r.integer(7),
        r.boolean(8),
    };
}

// $1 org, $2 all (0/1), $3 principal type, $4 principal id, $5 name pattern or NULL.
constexpr std::string_view kVisibleSpaces =
    "org_id = $1 AND ($2 = 1 OR id IN (SELECT b.scope_id FROM role_bindings b "
    "WHERE b.org_id = $1 AND b.principal_type = $3 AND b.principal_id = $4 "
    "AND b.scope_type = 'space')) AND (CAST($5 AS TEXT) IS NULL OR name_lower LIKE CAST($5 AS "
    "TEXT) ESCAPE '\\')";

Params visibility_params(std::string const& org_id, SpaceVisibility const& v) {
    return {
        org_id,
        std::int64_t{v.all ? 1 : 0},
        v.principal_type,
        v.principal_id,
        contains_pattern(v.name_contains)};
}

}  // namespace

constexpr std::string_view kInsertSpace =
    "INSERT INTO spaces (id, org_id, name, name_lower, description, created_at, updated_at, "
    "version, via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

DbStatus insert_space(Tx& tx, SpaceRecord const& s) {
    return as_status(tx.exec(
        kInsertSpace,
        {s.id,
         s.org_id,
         s.name,
         s.name_lower,
         s.description,
         s.created_at,
         s.updated_at,
         s.version,
         std::int64_t{s.via_mcp ? 1 : 0}}
    ));
}

DbResult<std::optional<SpaceRecord>> find_space_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql =
        "SELECT " + std::string(kSpaceColumns) + " FROM spaces WHERE org_id = $1 AND id = $2";
    return first_row(tx.query(sql, {org_id, id}), space_from);
}

DbResult<std::optional<SpaceRecord>> find_space_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    static std::string const sql = "SELECT " + std::string(kSpaceColumns) +
                                   " FROM spaces WHERE org_id = $1 AND name_lower = $2";
    return first_row(tx.query(sql, {org_id, name_lower}), space_from);
}

DbResult<std::vector<SpaceRecord>> list_spaces(
    Tx& tx,
    std::string const& org_id,
    SpaceVisibility const& visibility,
    std::int64_t limit,
    std::int64_t offset
) {
    static std::string const sql = "SELECT " + std::string(kSpaceColumns) + " FROM spaces WHERE " +
                                   std::string(kVisibleSpaces) +
                                   " ORDER BY name_lower, id LIMIT $6 OFFSET $7";
    Params params = visibility_params(org_id, visibility);
    params.emplace_back(limit);
    params.emplace_back(offset);
    auto rows = tx.query(sql, params);
    if (!rows) {
        return rows.error();
    }
    std::vector<SpaceRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(space_from(r));
    }
    return out;
}

DbResult<std::int64_t> count_spaces(
    Tx& tx, std::string const& org_id, SpaceVisibility const& visibility
) {
    static std::string const sql =
        "SELECT COUNT(*) FROM spaces WHERE " + std::string(kVisibleSpaces);
    return count_of(tx.query(sql, visibility_params(org_id, visibility)));
}

}  // namespace signoff::storage::repos
