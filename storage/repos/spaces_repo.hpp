// Repository of approval spaces: portable SQL over storage::Tx, plain records
// out, every statement scoped by org_id. Called by server/approvals (spaces,
// templates and space-scoped role bindings); the rules live there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct SpaceRecord {
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

/// Which spaces a listing shows: all of the org's, or only those the
/// principal holds a space-scoped role binding on.
struct SpaceVisibility {
    bool all{false};
    std::string principal_type{"human"};
    std::string principal_id;
    /// Only names containing this (lowercase; seed 001's `search`).
    std::optional<std::string> name_contains{};
};

DbStatus insert_space(Tx& tx, SpaceRecord const& s);
DbResult<std::optional<SpaceRecord>> find_space_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// By name, compared through name_lower (pass the lowercase name).
DbResult<std::optional<SpaceRecord>> find_space_by_name(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
/// Visible spaces ordered by name_lower, id.
DbResult<std::vector<SpaceRecord>> list_spaces(
    Tx& tx,
    std::string const& org_id,
    SpaceVisibility const& visibility,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_spaces(
    Tx& tx, std::string const& org_id, SpaceVisibility const& visibility
);

}  // namespace signoff::storage::repos
