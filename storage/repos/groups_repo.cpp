// Portable SQL for approval groups and memberships (see groups_repo.hpp).
#include "storage/repos/groups_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

/// An approval_groups row in its table's column order.
GroupRecord group_from(Row const& r) {
    return GroupRecord{
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

}  // namespace

constexpr std::string_view kInsertGroup =
    "INSERT INTO approval_groups (id, org_id, name, name_lower, description, created_at, "
    "updated_at, version, via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

DbStatus insert_group(Tx& tx, GroupRecord const& g) {
    return as_status(tx.exec(
        kInsertGroup,
        {g.id,
         g.org_id,
         g.name,
         g.name_lower,
         g.description,
         g.created_at,
         g.updated_at,
         g.version,
         std::int64_t{g.via_mcp ? 1 : 0}}
    ));
}

constexpr std::string_view kSelectGroupById =
    "SELECT id, org_id, name, name_lower, description, created_at, updated_at, version, "
    "via_mcp FROM approval_groups WHERE org_id = $1 AND id = $2";

DbResult<std::optional<GroupRecord>> find_group_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectGroupById, {org_id, id}), group_from);
}

constexpr std::string_view kSelectMembership =
    "SELECT COUNT(*) FROM group_members WHERE org_id = $1 AND group_id = $2 "
    "AND entity_type = $3 AND entity_id = $4";

DbResult<bool> is_group_member(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::string const& entity_type,
    std::string const& entity_id
) {
    auto n = count_of(tx.query(kSelectMembership, {org_id, group_id, entity_type, entity_id}));
    if (!n) {
        return n.error();
    }
    return *n > 0;
}

}  // namespace signoff::storage::repos

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kGroupColumns =
    "g.id, g.org_id, g.name, g.name_lower, g.description, g.created_at, g.updated_at, "
    "g.version, g.via_mcp";

GroupSummary summary_from(Row const& r) {
    return GroupSummary{group_from(r), r.integer(9)};
}

std::string summary_select(std::string_view where) {
    return "SELECT " + std::string(kGroupColumns) +
           ", (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) "
           "FROM approval_groups g WHERE " +
           std::string(where);
}

// $1 org, $2 all (0/1), $3 principal type, $4 principal id, $5 name pattern or NULL.
constexpr std::string_view kVisibleGroups =
    "g.org_id = $1 AND ($2 = 1 OR g.id IN (SELECT m.group_id FROM group_members m "
    "WHERE m.org_id = $1 AND m.entity_type = $3 AND m.entity_id = $4) OR g.id IN "
    "(SELECT b.scope_id FROM role_bindings b WHERE b.org_id = $1 AND b.principal_type = $3 "
    "AND b.principal_id = $4 AND b.scope_type = 'group')) "
    "AND (CAST($5 AS TEXT) IS NULL OR g.name_lower LIKE CAST($5 AS TEXT) ESCAPE '\\')";

Params visibility_params(std::string const& org_id, GroupVisibility const& v) {
    return {
        org_id,
        std::int64_t{v.all ? 1 : 0},
        v.principal_type,
        v.principal_id,
        contains_pattern(v.name_contains)};
}

MemberRecord member_from(Row const& r) {
    return MemberRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.boolean(5)};
}

}  // namespace

constexpr std::string_view kSelectGroupByName =
    "SELECT id, org_id, name, name_lower, description, created_at, updated_at, version, "
    "via_mcp FROM approval_groups WHERE org_id = $1 AND name_lower = $2";

DbResult<std::optional<GroupRecord>> find_group_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
) {
    return first_row(tx.query(kSelectGroupByName, {org_id, name_lower}), group_from);
}

DbResult<std::optional<GroupSummary>> find_group_summary(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql = summary_select("g.org_id = $1 AND g.id = $2");
    return first_row(tx.query(sql, {org_id, id}), summary_from);
}

DbResult<std::vector<std::pair<std::string, std::string>>> groups_of_entity(
    Tx& tx,
    std::string const& org_id,
    GroupVisibility const& visibility,
    std::string const& entity_type,
    std::string const& entity_id
) {
    static std::string const sql =
        "SELECT g.id, g.name FROM approval_groups g JOIN group_members gm ON gm.group_id = g.id "
        "WHERE gm.org_id = $1 AND gm.entity_type = $6 AND gm.entity_id = $7 AND " +
        std::string(kVisibleGroups) + " ORDER BY g.name_lower, g.id";
    Params params = visibility_params(org_id, visibility);
    params.emplace_back(entity_type);
    params.emplace_back(entity_id);
    return all_rows(tx.query(sql, params), [](Row const& r) {
        return std::make_pair(r.text(0), r.text(1));
    });
}

DbResult<std::vector<GroupSummary>> list_groups(
    Tx& tx,
    std::string const& org_id,
    GroupVisibility const& visibility,
    std::int64_t limit,
    std::int64_t offset
) {
    static std::string const sql =
        summary_select(kVisibleGroups) + " ORDER BY g.name_lower, g.id LIMIT $6 OFFSET $7";
    Params params = visibility_params(org_id, visibility);
    params.emplace_back(limit);
    params.emplace_back(offset);
    auto rows = tx.query(sql, params);
    if (!rows) {
        return rows.error();
    }
    std::vector<GroupSummary> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(summary_from(r));
    }
    return out;
}

DbResult<std::int64_t> count_groups(
    Tx& tx, std::string const& org_id, GroupVisibility const& visibility
) {
    static std::string const sql =
        "SELECT COUNT(*) FROM approval_groups g WHERE " + std::string(kVisibleGroups);
    return count_of(tx.query(sql, visibility_params(org_id, visibility)));
}

constexpr std::string_view kTouchGroup =
    "UPDATE approval_groups SET updated_at = $3, version = version + 1 "
    "WHERE org_id = $1 AND id = $2";

DbStatus touch_group(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
) {
    return as_status(tx.exec(kTouchGroup, {org_id, id, now}));
}

constexpr std::string_view kSelectMembers =
    "SELECT org_id, group_id, entity_type, entity_id, added_at, via_mcp FROM group_members "
    "WHERE org_id = $1 AND group_id = $2 ORDER BY added_at, entity_type, entity_id "
    "LIMIT $3 OFFSET $4";

DbResult<std::vector<MemberRecord>> list_members(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::int64_t limit,
    std::int64_t offset
) {
    auto rows = tx.query(kSelectMembers, {org_id, group_id, limit, offset});
    if (!rows) {
        return rows.error();
    }
    std::vector<MemberRecord> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(member_from(r));
    }
    return out;
}

constexpr std::string_view kCountMembers =
    "SELECT COUNT(*) FROM group_members WHERE org_id = $1 AND group_id = $2";

DbResult<std::int64_t> count_members(
    Tx& tx, std::string const& org_id, std::string const& group_id
) {
    return count_of(tx.query(kCountMembers, {org_id, group_id}));
}

constexpr std::string_view kInsertMember =
    "INSERT INTO group_members (org_id, group_id, entity_type, entity_id, added_at, via_mcp) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (group_id, entity_type, entity_id) DO NOTHING";

DbResult<std::int64_t> insert_member(Tx& tx, MemberRecord const& m) {
    return tx.exec(
        kInsertMember,
        {m.org_id,
         m.group_id,
         m.entity_type,
         m.entity_id,
         m.added_at,
         std::int64_t{m.via_mcp ? 1 : 0}}
    );
}

constexpr std::string_view kDeleteMember =
    "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND entity_type = $3 "
    "AND entity_id = $4";

DbResult<std::int64_t> delete_member(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::string const& entity_type,
    std::string const& entity_id
) {
    return tx.exec(kDeleteMember, {org_id, group_id, entity_type, entity_id});
}

}  // namespace signoff::storage::repos
