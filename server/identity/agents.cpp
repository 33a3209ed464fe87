// Agents (see identity_service.hpp "agents"): registration generates an RSA
// key pair, stores only the public key and answers the private key once;
// reads answer the public key only. Names are unique per org through their
// case-insensitive key (storage/repos/agents_repo).
//
//   tools/families/agents.cpp ──► IdentityService::register_agent / get_agent
//                                  ├─► KeyPairSource (outside the transaction)
//                                  └─► agents_repo + audit row (one transaction)
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/agent_names.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/identity_service.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/agents_repo.hpp"

namespace signoff::server::identity {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using storage::Tx;
using storage::TxMode;

Agent agent_from(repos::AgentRecord const& r) {
    return Agent{r.id, r.name, r.public_key, r.created_at};
}

Error name_taken() {
    return Error{
        ErrorKind::kAlreadyExists,
        "an agent with this name already exists",
        {{"agentName", "already taken in this organization (names ignore case)"}}};
}

}  // namespace

Result<RegisteredAgent> IdentityService::register_agent(
    core::Actor const& actor, std::string const& name
) {
    if (auto ok = authorize(actor, Action::kAgentsRegister); !ok) {
        return ok.error();
    }
    if (auto ok = check_agent_name(name, "agentName"); !ok) {
        return ok.error();
    }
    // Key generation takes a sizeable fraction of a second: never inside the
    // write transaction, which would hold the database's write lock meanwhile.
    auto keys = keys_.generate();
    if (!keys) {
        return keys.error();
    }
    std::string const now = core::to_rfc3339(clock_.now());
    repos::AgentRecord rec{
        ids_.new_id(),
        actor.org_id,
        name,
        agent_name_key(name),
        keys->public_pem,
        actor.principal_id,
        now,
        now,
        1,
        core::via_mcp(actor.channel)};
    auto stored = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> core::Status {
        auto inserted = core::from_db(repos::insert_agent(tx, rec));
        if (!inserted) {
            return inserted.error();
        }
        if (*inserted == 0) {
            return name_taken();
        }
        return recorder_.audit(
            tx,
            events::Recorder::by(
                actor,
                "identity.agent.registered",
                "agent",
                rec.id,
                events::JsonObject{}.str("agent_name", rec.name).text()
            )
        );
    });
    if (!stored) {
        return stored.error();
    }
    return RegisteredAgent{agent_from(rec), std::move(keys->private_pem)};
}

Result<Agent> IdentityService::get_agent(core::Actor const& actor, std::string const& id_or_name) {
    if (auto ok = authorize(actor, Action::kAgentsRead); !ok) {
        return ok.error();
    }
    if (id_or_name.empty() || id_or_name.size() > 4 * kMaxAgentName) {
        return Error::invalid_field("agentIdOrName", "give an agent's id or name");
    }
    bool const by_id = is_uuid_text(id_or_name);
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Agent> {
        auto found = core::from_db(
            by_id ? repos::find_agent_by_id(tx, actor.org_id, lower(id_or_name))
                  : repos::find_agent_by_name_key(tx, actor.org_id, agent_name_key(id_or_name))
        );
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return Error::not_found("agent not found");
        }
        return agent_from(**found);
    });
}

}  // namespace signoff::server::identity
