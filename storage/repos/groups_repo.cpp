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
