// Repository of agents (machine principals): portable SQL over storage::Tx,
// plain records out, every statement scoped by org_id. Called by
// server/identity (register, get) and server/approvals (agent role bindings,
// agent group members); the rules live there. No private key ever passes here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
};

/// Inserts unless (org_id, name_key) exists; answers rows inserted (0 on a clash).
DbResult<std::int64_t> insert_agent(Tx& tx, AgentRecord const& a);
DbResult<std::optional<AgentRecord>> find_agent_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
DbResult<std::optional<AgentRecord>> find_agent_by_name_key(
    Tx& tx, std::string const& org_id, std::string const& name_key
);

}  // namespace signoff::storage::repos
