// Identity: orgs, users and API keys. Turns an API key into the Actor every
// domain call receives (the first step of every request), bootstraps an org,
// and manages users and keys under server/identity/authorize rules.
//
//   transport ──► IdentityService::authenticate(key) ──► Actor ──► tools ──► services
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
};

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

struct NewApiKey {
    std::string id;
    std::string user_id;
    std::string prefix;
    std::string api_key;  // shown once
    std::string created_at;
};

/// An agent as every reader sees it: never a private key.
struct Agent {
    std::string id;
    std::string name;
    std::string public_key_pem;
    std::string created_at;
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

    /// Creates the org and its super_admin user when absent and always mints a
    /// new API key for that user. Running it twice answers the same org and
    /// user with a second key. Invalid org name or email → kInvalidArgument.
    core::Result<BootstrapResult> bootstrap(std::string org_name, std::string email);

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
    /// Admins for any user of the org, anyone for themselves. Answers the key once.
    core::Result<NewApiKey> create_api_key(core::Actor const& actor, std::string const& user_id);
    /// Revokes one key of the org (admins, or the key's own user).
    core::Status revoke_api_key(core::Actor const& actor, std::string const& key_id);

    // ---- agents (server/identity/agents.cpp) ----

    /// Any human of the org. `name`: 1–1024 characters (Unicode code points),
    /// no control characters, no leading or trailing white space, never shaped
    /// like a UUID; unique in the org case-insensitively (kAlreadyExists).
    /// Generates the key pair outside the transaction; stores only the public key.
    core::Result<RegisteredAgent> register_agent(core::Actor const& actor, std::string const& name);
    /// Any principal of the org; by id (a UUID) or by name (case-insensitive).
    core::Result<Agent> get_agent(core::Actor const& actor, std::string const& id_or_name);

private:
    std::string mint_key_material(std::string& hash_out, std::string& prefix_out) const;

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
    RsaKeyPairSource default_keys_;
    KeyPairSource& keys_;
};

}  // namespace signoff::server::identity
