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

/// True when the entity (`human` user id or `agent` id) is a member of the group.
DbResult<bool> is_group_member(
    Tx& tx,
    std::string const& org_id,
    std::string const& group_id,
    std::string const& entity_type,
    std::string const& entity_id
);

}  // namespace signoff::storage::repos
