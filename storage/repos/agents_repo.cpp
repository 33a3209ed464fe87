// Portable SQL for agents (see agents_repo.hpp).
#include "storage/repos/agents_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kAgentColumns =
    "id, org_id, name, name_key, public_key, created_by, created_at, updated_at, version, "
    "via_mcp";

/// An agents row in kAgentColumns order.
AgentRecord agent_from(Row const& r) {
    return AgentRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.text(5),
        r.text(6),
        r.text(7),
        r.integer(8),
        r.boolean(9),
    };
}

}  // namespace

constexpr std::string_view kInsertAgent =
    "INSERT INTO agents (id, org_id, name, name_key, public_key, created_by, created_at, "
    "updated_at, version, via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (org_id, name_key) DO NOTHING";

DbResult<std::int64_t> insert_agent(Tx& tx, AgentRecord const& a) {
    return tx.exec(
        kInsertAgent,
        {a.id,
         a.org_id,
         a.name,
         a.name_key,
         a.public_key,
         a.created_by,
         a.created_at,
         a.updated_at,
         a.version,
         std::int64_t{a.via_mcp ? 1 : 0}}
    );
}

DbResult<std::optional<AgentRecord>> find_agent_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    static std::string const sql =
        "SELECT " + std::string(kAgentColumns) + " FROM agents WHERE org_id = $1 AND id = $2";
    return first_row(tx.query(sql, {org_id, id}), agent_from);
}

DbResult<std::optional<AgentRecord>> find_agent_by_name_key(
    Tx& tx, std::string const& org_id, std::string const& name_key
) {
    static std::string const sql =
        "SELECT " + std::string(kAgentColumns) + " FROM agents WHERE org_id = $1 AND name_key = $2";
    return first_row(tx.query(sql, {org_id, name_key}), agent_from);
}

}  // namespace signoff::storage::repos
