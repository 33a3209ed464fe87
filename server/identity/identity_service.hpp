// Identity: orgs, users and API keys. Turns an API key into the Actor every
// domain call receives (the first step of every request), bootstraps an org,
// and manages users and keys under server/identity/authorize rules.
//
//   transport ──► IdentityService::authenticate(key) ──► Actor ──► tools ──► services
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "server/identity/agent_keys.hpp"
#include "storage/db.hpp"

namespace signoff::server::identity {

/// API keys are "sk-signoff-" followed by 64 lowercase hex characters.
inline constexpr std::string_view kApiKeyPrefix = "sk-signoff-";

struct Org {
    std::string id;
    std::string name;
    std::string created_at;
};

struct User {
    std::string id;
    std::string org_id;
    std::string email;
    std::string display_name;
    core::OrgRole org_role{core::OrgRole::kMember};
    std::string created_at;
    std::optional<std::string> deactivated_at{};
};

/// Told inside the deactivating transaction (ApprovalsService withdraws the
/// user's standing votes); an error rolls the deactivation back.
class DeactivationHook {
public:
    virtual ~DeactivationHook() = default;
    virtual core::Status on_user_deactivated(
        storage::Tx& tx, core::Actor const& actor, std::string const& user_id
    ) = 0;
};

/// Told after a deactivation committed (the HTTP transport ends the user's
/// sessions on this replica). Called with (org_id, user_id).
using DeactivationListener = std::function<void(std::string const&, std::string const&)>;

struct BootstrapResult {
    Org org;
    std::string user_id;
    std::string api_key;  // shown once; only its hash is stored
};

struct CreateUserInput {
    std::string email;
    std::string display_name;
    std::string org_role{"member"};
};

struct UserPage {
    std::vector<User> users;
    std::int64_t page{1};
    std::int64_t limit{20};
    std::int64_t total{0};
};

/// A key as listings show it: never the secret, never its hash.
struct ApiKeyInfo {
    std::string id;
    std::string user_id;
    std::string prefix;
    std::optional<std::string> name{};
    std::string created_at;
    std::optional<std::string> last_used_at{};
    std::optional<std::string> expires_at{};
    std::optional<std::string> revoked_at{};
    std::optional<std::string> issued_by{};  // none: minted by the operator (bootstrap)
};

struct NewApiKey {
    ApiKeyInfo info;
    std::string api_key;  // shown once
};

struct ApiKeyInput {
    std::string user_id;
    std::optional<std::string> name{};        // 1-100 characters
    std::optional<std::string> expires_at{};  // RFC 3339, in the future
};

/// A stored e-mail address that is not plain (roles.hpp is_plain_email).
struct EmailFinding {
    std::string table;  // users | catalog_approvals
    std::string id;
    std::string org_id;
    std::string email;
};

/// An agent as every reader sees it: never a private key.
struct Agent {
    std::string id;
    std::string name;
    std::string public_key_pem;
    std::string created_at;
    std::optional<std::string> revoked_at{};
};

struct AgentPage {
    std::vector<Agent> agents;
    std::int64_t page{1};
    std::int64_t limit{20};
    std::int64_t total{0};
};

/// The answer to a registration: the only time the private key exists
/// outside the caller's hands.
struct RegisteredAgent {
    Agent agent;
    std::string private_key_pem;
};

class IdentityService {
public:
    /// `keys` makes agents' key pairs (nullptr: fresh RSA kAgentKeyBits keys).
    IdentityService(
        storage::Db& db,
        core::Clock const& clock,
        core::IdSource& ids,
        KeyPairSource* keys = nullptr
    );

    /// Resolves an API key to its principal. Unknown, malformed or revoked →
    /// kUnauthenticated "invalid API key". One indexed read; last_used_at is
    /// written at most once a minute per key, best effort (a busy database
    /// never fails authentication). Thread-safe.
    core::Result<core::Actor> authenticate(std::string_view api_key, core::Channel channel);

    /// Creates the org and its super_admin user and mints their first key.
    /// An org that exists already is kAlreadyExists unless `new_key`: then a
    /// new key is minted for the user with `email` (created as super_admin if
    /// absent: the operator's recovery path), audited in the org as
    /// identity.api_key.created by the system. Invalid org name or email →
    /// kInvalidArgument.
    core::Result<BootstrapResult> bootstrap(
        std::string org_name, std::string email, bool new_key = false
    );
    /// The operator's listing (`signoff admin keys list`): every key of an
    /// org, metadata only, with its user's email. Unknown org → kNotFound.
    core::Result<std::vector<std::pair<ApiKeyInfo, std::string>>> operator_list_keys(
        std::string const& org_name
    );
    /// The operator's revocation (`signoff admin keys revoke`): a key by id
    /// or by its shown prefix (sk-signoff-xxxxxxxx), in any org; audited as
    /// identity.api_key.revoked by the system. A prefix that matches several
    /// keys is kInvalidArgument; none → kNotFound.
    core::Result<ApiKeyInfo> operator_revoke_key(std::string const& id_or_prefix);

    /// Needs admin/super_admin (super_admin to create a super_admin). Email is
    /// unique per org, case-insensitively → kAlreadyExists.
    core::Result<User> create_user(core::Actor const& actor, CreateUserInput const& in);
    /// Any member. page ≥ 1, 1 ≤ limit ≤ 100; `search` keeps users whose email
    /// or display name contains it (case-insensitive).
    core::Result<UserPage> list_users(
        core::Actor const& actor,
        std::int64_t page,
        std::int64_t limit,
        std::optional<std::string> const& search = std::nullopt
    );
    /// By id, or by email when the argument contains '@'. Other orgs' users →
    /// kNotFound; neither a UUID nor an email → kInvalidArgument (field userId).
    core::Result<User> get_user(core::Actor const& actor, std::string const& id_or_email);
    /// Anyone for themselves; for someone else, a super_admin (anyone) or an
    /// admin (members and hr_admins): nobody mints a credential of a principal
    /// ranking above them. Records the issuer. Answers the key once.
    core::Result<NewApiKey> create_api_key(core::Actor const& actor, ApiKeyInput const& in);
    /// A user's keys, metadata only (same rank rule as minting).
    core::Result<std::vector<ApiKeyInfo>> list_api_keys(
        core::Actor const& actor, std::string const& user_id
    );
    /// Revokes one key of a user (same rank rule); revoking a revoked key
    /// answers it unchanged. Takes effect on the next request.
    core::Result<ApiKeyInfo> revoke_api_key(
        core::Actor const& actor, std::string const& user_id, std::string const& key_id
    );

    /// Finds addresses stored before only plain ones were accepted. Runs once
    /// per database (the first start after the upgrade; later calls answer
    /// nothing): each finding is audited in its org as
    /// identity.email.not_plain and answered; no row is changed, since only a
    /// person can tell which account an odd spelling was meant for.
    core::Result<std::vector<EmailFinding>> check_stored_emails();

    // ---- off-boarding ----

    /// Deactivates a user of the org (same rank rule as keys; never oneself,
    /// never the last active admin or super_admin): revokes every key, so they
    /// stop working on the next request, withdraws their standing votes on
    /// open workflows (the hook), and after commit tells the listener. Their
    /// grants stay until revoked. Deactivating a deactivated user answers it.
    core::Result<User> deactivate_user(core::Actor const& actor, std::string const& user_id);
    /// Lets a deactivated user be active again; restores no key and no vote.
    core::Result<User> reactivate_user(core::Actor const& actor, std::string const& user_id);
    void set_deactivation_hook(DeactivationHook* hook) { deactivation_hook_ = hook; }
    void set_deactivation_listener(DeactivationListener listener) {
        deactivation_listener_ = std::move(listener);
    }

    // ---- agents (server/identity/agents.cpp) ----

    /// Any human of the org. `name`: 1–1024 characters (Unicode code points),
    /// no control characters, no leading or trailing white space, never shaped
    /// like a UUID; unique in the org case-insensitively (kAlreadyExists).
    /// Generates the key pair outside the transaction; stores only the public key.
    core::Result<RegisteredAgent> register_agent(core::Actor const& actor, std::string const& name);
    /// Any principal of the org; by id (a UUID) or by name (case-insensitive).
    core::Result<Agent> get_agent(core::Actor const& actor, std::string const& id_or_name);
    /// Any principal of the org: the org's agents by name, revoked ones too.
    /// page ≥ 1, 1 ≤ limit ≤ 100.
    core::Result<AgentPage> list_agents(
        core::Actor const& actor, std::int64_t page, std::int64_t limit
    );
    /// Its registrant or an org admin (humans): the agent can no longer sign
    /// in, every session it holds ends (its access tokens stop working on the
    /// next request, on every replica), and after commit the listener ends
    /// its MCP sessions here. Revoking a revoked agent answers it unchanged.
    core::Result<Agent> revoke_agent(core::Actor const& actor, std::string const& id_or_name);
    /// Told after an agent's revocation committed: (org_id, agent_id).
    void set_agent_revocation_listener(DeactivationListener listener) {
        agent_revocation_listener_ = std::move(listener);
    }
    /// Renames agents that lost their name to an earlier agent of another org
    /// when names became unique across the system (migration 0018): each gets
    /// "<name>-<last 12 hex digits of its id>", audited in its org as
    /// identity.agent.renamed. Runs once per database; answers the renames
    /// as (org_id, old name, new name).
    core::Result<std::vector<std::tuple<std::string, std::string, std::string>>>
    resolve_agent_name_collisions();

private:
    std::string mint_key_material(std::string& hash_out, std::string& prefix_out) const;

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
    RsaKeyPairSource default_keys_;
    BoundedKeyPairSource bounded_keys_;
    KeyPairSource& keys_;
    DeactivationHook* deactivation_hook_{nullptr};
    DeactivationListener deactivation_listener_;
    DeactivationListener agent_revocation_listener_;
};

}  // namespace signoff::server::identity
