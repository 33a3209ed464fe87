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
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/tokens_repo.hpp"

namespace signoff::server::identity {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using storage::Tx;
using storage::TxMode;

Agent agent_from(repos::AgentRecord const& r) {
    return Agent{r.id, r.name, r.public_key, r.created_at, r.revoked_at};
}

Error name_taken() {
    return Error{
        ErrorKind::kAlreadyExists,
        "an agent with this name already exists",
        {{"agentName",
          "already taken (agent names are unique across the system and ignore case)"}}};
}

constexpr char const* kGlobalNamesCheck = "agent-names-global";

/// The agent of the org by id (a UUID) or by name; kNotFound when none.
Result<repos::AgentRecord> find_in_org(
    Tx& tx, std::string const& org_id, std::string const& id_or_name
) {
    bool const by_id = is_uuid_text(id_or_name);
    auto found = core::from_db(
        by_id ? repos::find_agent_by_id(tx, org_id, lower(id_or_name))
              : repos::find_agent_by_name_key(tx, org_id, agent_name_key(id_or_name))
    );
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return Error::not_found("agent not found");
    }
    return **found;
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

Result<AgentPage> IdentityService::list_agents(
    core::Actor const& actor, std::int64_t page, std::int64_t limit
) {
    if (page < 1) {
        return Error::invalid_field("page", "must be at least 1");
    }
    if (limit < 1 || limit > 100) {
        return Error::invalid_field("limit", "must be between 1 and 100");
    }
    if (auto ok = authorize(actor, Action::kAgentsRead); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<AgentPage> {
        auto rows = core::from_db(repos::list_agents(tx, actor.org_id, limit, (page - 1) * limit));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_agents(tx, actor.org_id));
        if (!total) {
            return total.error();
        }
        AgentPage out{{}, page, limit, *total};
        for (auto const& r : *rows) {
            out.agents.push_back(agent_from(r));
        }
        return out;
    });
}

Result<Agent> IdentityService::revoke_agent(
    core::Actor const& actor, std::string const& id_or_name
) {
    if (id_or_name.empty() || id_or_name.size() > 4 * kMaxAgentName) {
        return Error::invalid_field("agentIdOrName", "give an agent's id or name");
    }
    bool changed = false;
    auto revoked = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Agent> {
        auto agent = find_in_org(tx, actor.org_id, id_or_name);
        if (!agent) {
            return agent.error();
        }
        Subject s;
        s.owner_user_id = agent->created_by;
        if (auto ok = authorize(actor, Action::kAgentsManage, s); !ok) {
            return ok.error();
        }
        if (agent->revoked_at) {
            return agent_from(*agent);
        }
        std::string const now = core::to_rfc3339(clock_.now());
        auto n = core::from_db(repos::revoke_agent(tx, actor.org_id, agent->id, now));
        if (!n) {
            return n.error();
        }
        auto ended = core::from_db(repos::revoke_families_of(tx, "agent", agent->id, now));
        if (!ended) {
            return ended.error();
        }
        auto keys = core::from_db(repos::revoke_user_api_keys(tx, actor.org_id, agent->id, now));
        if (!keys) {
            return keys.error();
        }
        changed = true;
        agent->revoked_at = now;
        auto audited = recorder_.audit(
            tx,
            events::Recorder::by(
                actor,
                "identity.agent.revoked",
                "agent",
                agent->id,
                events::JsonObject{}
                    .str("agent_name", agent->name)
                    .integer("sessions_ended", *ended)
                    .integer("api_keys_revoked", *keys)
                    .text()
            )
        );
        if (!audited) {
            return audited.error();
        }
        return agent_from(*agent);
    });
    if (revoked && changed && agent_revocation_listener_) {
        agent_revocation_listener_(actor.org_id, revoked->id);
    }
    return revoked;
}

Result<std::vector<std::tuple<std::string, std::string, std::string>>>
IdentityService::resolve_agent_name_collisions() {
    using Renames = std::vector<std::tuple<std::string, std::string, std::string>>;
    std::string const now = core::to_rfc3339(clock_.now());
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Renames> {
        auto done = core::from_db(repos::data_check_done(tx, kGlobalNamesCheck));
        if (!done) {
            return done.error();
        }
        Renames out;
        if (*done) {
            return out;
        }
        auto lost = core::from_db(repos::agents_without_global_name(tx));
        if (!lost) {
            return lost.error();
        }
        for (auto const& a : *lost) {
            std::string const renamed = a.name + "-" + a.id.substr(a.id.size() - 12);
            auto n =
                core::from_db(repos::rename_agent(tx, a.id, renamed, agent_name_key(renamed), now));
            if (!n) {
                return n.error();
            }
            if (*n == 0) {
                return Error::internal(
                    "cannot rename agent " + a.id + ": " + renamed + " is taken"
                );
            }
            auto audited = recorder_.audit(
                tx,
                events::Recorder::by_system(
                    a.org_id,
                    "identity.agent.renamed",
                    "agent",
                    a.id,
                    events::JsonObject{}
                        .str("old_name", a.name)
                        .str("new_name", renamed)
                        .str("reason", "agent names became unique across the system")
                        .text()
                )
            );
            if (!audited) {
                return audited.error();
            }
            out.emplace_back(a.org_id, a.name, renamed);
        }
        auto claimed = core::from_db(repos::claim_data_check(
            tx, kGlobalNamesCheck, now, static_cast<std::int64_t>(out.size())
        ));
        if (!claimed) {
            return claimed.error();
        }
        if (!*claimed) {
            return Renames{};  // another replica resolved them first
        }
        return out;
    });
}

}  // namespace signoff::server::identity
