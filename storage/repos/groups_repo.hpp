// Repository of approval groups and their memberships: portable SQL over
// storage::Tx, plain records out, every statement scoped by org_id. Called by
// server/approvals (groups) and server/auths (an auth's owning group decides
// who may edit it); the rules live there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct GroupRecord {
    std::string id;
    std::string org_id;
    std::string name;
    std::string name_lower;
    std::string description;
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
};

DbStatus insert_group(Tx& tx, GroupRecord const& g);
DbResult<std::optional<GroupRecord>> find_group_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);

/// A group with the number of its members.
struct GroupSummary {
    GroupRecord group;
    std::int64_t entities_count{0};
};

struct MemberRecord {
    std::string org_id;
    std::string group_id;
    std::string entity_type;  // human | agent
    std::string entity_id;
    std::string added_at;
    bool via_mcp{false};
};

/// Which groups a listing shows: all of the org's, or only those the
/// principal is a member of or holds a group-scoped role on.
struct GroupVisibility {
    bool all{false};
    std::string principal_type{"human"};
    std::string principal_id;
    /// Only names containing this (lowercase; seed 001's `search`).
    std::optional<std::string> name_contains{};
};

/// By name, compared through name_lower (pass the lowercase name).
DbResult<std::optional<GroupRecord>> find_group_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
DbResult<std::optional<GroupSummary>> find_group_summary(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// Visible groups ordered by name_lower, id.
/// (id, name) of the groups `entity` is a member of that `visibility` shows,
/// by name.
DbResult<std::vector<std::pair<std::string, std::string>>> groups_of_entity(
    Tx& tx,
    std::string const& org_id,
    GroupVisibility const& visibility,
    std::string const& entity_type,
    std::string const& entity_id
);
DbResult<std::vector<GroupSummary>> list_groups(
    Tx& tx,
    std::string const& org_id,
    GroupVisibility const& visibility,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_groups(
    Tx& tx, std::string const& org_id, GroupVisibility const& visibility
);
/// Marks a change of the group: updated_at = now, version + 1.
DbStatus touch_group(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
);

/// Members ordered by added_at, entity type, entity id.
DbResult<std::vector<MemberRecord>> list_members(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_members(
    Tx& tx, std::string const& org_id, std::string const& group_id
);
/// Inserts unless the membership exists; answers rows inserted.
DbResult<std::int64_t> insert_member(Tx& tx, MemberRecord const& m);
/// Answers rows deleted.
DbResult<std::int64_t> delete_member(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::string const& entity_type,
    std::string const& entity_id
);

/// True when the entity (`human` user id or `agent` id) is a member of the group.
DbResult<bool> is_group_member(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::string const& entity_type,
    std::string const& entity_id
);

}  // namespace signoff::storage::repos
