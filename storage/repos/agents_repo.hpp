// Repository of agents (machine principals): portable SQL over storage::Tx,
// plain records out, every statement scoped by org_id. Called by
// server/identity (register, get) and server/approvals (agent role bindings,
// agent group members); the rules live there. No private key ever passes here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct AgentRecord {
    std::string id;
    std::string org_id;
    std::string name;
    std::string name_key;    // sha256 hex of the lowercase name: the uniqueness key
    std::string public_key;  // SPKI PEM
    std::string created_by;  // the user who registered it
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
    bool via_mcp{false};
    std::optional<std::string> revoked_at{};
};

/// Inserts unless an agent of that name exists in any org (name_key is also
/// its global_name_key); answers rows inserted (0 on a clash).
DbResult<std::int64_t> insert_agent(Tx& tx, AgentRecord const& a);
/// The agent of a name across the system (by its key), revoked or not.
DbResult<std::optional<AgentRecord>> find_agent_by_global_key(Tx& tx, std::string const& name_key);
/// An agent by id in any org (token checks, which learn the org from it).
DbResult<std::optional<AgentRecord>> find_agent_anywhere(Tx& tx, std::string const& id);
/// A page of an org's agents by name; with the org's total.
DbResult<std::vector<AgentRecord>> list_agents(
    Tx& tx, std::string const& org_id, std::int64_t limit, std::int64_t offset
);
DbResult<std::int64_t> count_agents(Tx& tx, std::string const& org_id);
/// Marks an agent revoked (if not already); rows changed.
DbResult<std::int64_t> revoke_agent(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
);
/// Agents that lost their name to an earlier one in another org (migration 0018).
DbResult<std::vector<AgentRecord>> agents_without_global_name(Tx& tx);
/// Gives an agent a new name (and keys); 0 when the new name is taken.
DbResult<std::int64_t> rename_agent(
    Tx& tx,
    std::string const& id,
    std::string const& name,
    std::string const& name_key,
    std::string const& now
);
DbResult<std::optional<AgentRecord>> find_agent_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<AgentRecord>> find_agent_by_name_key(
    Tx& tx, std::string const& org_id, std::string const& name_key
);

}  // namespace signoff::storage::repos
