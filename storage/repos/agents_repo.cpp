// Portable SQL for agents (see agents_repo.hpp).
#include "storage/repos/agents_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::string_view kAgentColumns =
    "id, org_id, name, name_key, public_key, created_by, created_at, updated_at, version, "
    "via_mcp, revoked_at";

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
        r.opt_text(10),
    };
}

}  // namespace

constexpr std::string_view kInsertAgent =
    "INSERT INTO agents (id, org_id, name, name_key, public_key, created_by, created_at, "
    "updated_at, version, via_mcp, global_name_key) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $4) ON CONFLICT DO NOTHING";

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

DbResult<std::optional<AgentRecord>> find_agent_by_global_key(Tx& tx, std::string const& name_key) {
    static std::string const sql =
        "SELECT " + std::string(kAgentColumns) + " FROM agents WHERE global_name_key = $1";
    return first_row(tx.query(sql, {name_key}), agent_from);
}

DbResult<std::optional<AgentRecord>> find_agent_anywhere(Tx& tx, std::string const& id) {
    static std::string const sql =
        "SELECT " + std::string(kAgentColumns) + " FROM agents WHERE id = $1";
    return first_row(tx.query(sql, {id}), agent_from);
}

DbResult<std::vector<AgentRecord>> list_agents(
    Tx& tx, std::string const& org_id, std::int64_t limit, std::int64_t offset
) {
    static std::string const sql = "SELECT " + std::string(kAgentColumns) +
                                   " FROM agents WHERE org_id = $1 ORDER BY name, id "
                                   "LIMIT $2 OFFSET $3";
    return all_rows(tx.query(sql, {org_id, limit, offset}), agent_from);
}

DbResult<std::int64_t> count_agents(Tx& tx, std::string const& org_id) {
    return count_of(tx.query("SELECT COUNT(*) FROM agents WHERE org_id = $1", {org_id}));
}

DbResult<std::int64_t> revoke_agent(
    Tx& tx, std::string const& org_id, std::string const& id, std::string const& now
) {
    constexpr std::string_view sql =
        "UPDATE agents SET revoked_at = $3, updated_at = $3, version = version + 1 "
        "WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL";
    return tx.exec(sql, {org_id, id, now});
}

DbResult<std::vector<AgentRecord>> agents_without_global_name(Tx& tx) {
    static std::string const sql = "SELECT " + std::string(kAgentColumns) +
                                   " FROM agents WHERE global_name_key IS NULL "
                                   "ORDER BY created_at, id";
    return all_rows(tx.query(sql, {}), agent_from);
}

DbResult<std::int64_t> rename_agent(
    Tx& tx,
    std::string const& id,
    std::string const& name,
    std::string const& name_key,
    std::string const& now
) {
    constexpr std::string_view sql =
        "UPDATE agents SET name = $2, name_key = $3, global_name_key = $3, updated_at = $4, "
        "version = version + 1 WHERE id = $1 AND NOT EXISTS "
        "(SELECT 1 FROM agents AS other WHERE other.global_name_key = $3)";
    return tx.exec(sql, {id, name, name_key, now});
}

}  // namespace signoff::storage::repos
