// Signoff's own tokens (docs/identity.md): the agent key-pair flow of seed 001
// (challenge, RFC 7523 assertion, DPoP refresh), access tokens signed with a
// Signoff key published as a JWKS, refresh-token families with reuse
// detection, and the check that turns an access token into an Actor. All state
// a replica must check is in the database (migration 0018).
//
//   REST /api/v1/auth/agents/* ──► TokenService ──► jose + tokens_repo
//   Authorization: Bearer|DPoP  ──► TokenService::authenticate ──► Actor
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/core/json_doc.hpp"
#include "server/events/recorder.hpp"
#include "server/identity/jose.hpp"
#include "storage/db.hpp"

namespace signoff::server::identity {

inline constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
inline constexpr std::string_view kJwtBearerAssertion =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest issuer (public URL) accepted: with it, every agent name of at
/// most kMaxAgentNameChallengeBytes fits one RSA-OAEP block of a 3072-bit key.
inline constexpr std::size_t kMaxIssuerBytes = 80;

struct TokenConfig {
    std::string issuer;  // the public base URL, no trailing slash
    std::chrono::seconds access_ttl{600};
    std::chrono::seconds refresh_ttl{std::chrono::hours{24 * 30}};
    std::chrono::seconds challenge_ttl{600};
    std::chrono::seconds reuse_grace{30};
    std::chrono::seconds proof_window{300};
    std::chrono::seconds skew{30};
};

struct TokenPair {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in{0};
    std::string token_type{"Bearer"};  // "DPoP" when the access token is bound
};

/// A privileged (step-up) token: single use, bound to its user, operation
/// and resource (docs/identity.md "Step-up").
struct StepUpToken {
    std::string token;
    std::int64_t expires_in{0};
};

struct AgentTokenRequest {
    std::string grant_type;
    std::string client_assertion_type;
    std::string client_assertion;
};

/// What a request presents: `Authorization: <scheme> <token>`, its DPoP
/// header, and what a proof must name (method, URL without query).
struct PresentedToken {
    std::string scheme;  // "Bearer" or "DPoP" (as sent, compared case-insensitively)
    std::string token;
    std::optional<std::string> dpop_proof{};
    std::string method;
    std::string url;
};

class TokenService {
public:
    TokenService(
        storage::Db& db, core::Clock const& clock, core::IdSource& ids, TokenConfig config
    );

    TokenConfig const& config() const { return config_; }
    /// Sets the issuer (the public base URL) once the server knows its
    /// address; before any request is served (not thread-safe).
    void set_issuer(std::string issuer) { config_.issuer = std::move(issuer); }

    /// Makes sure a current signing key exists (first start generates one;
    /// of racing replicas one wins and the others read it).
    core::Status ensure_signing_key();
    /// Retires the current key (it verifies for `overlap` more) and makes a new one.
    core::Status rotate_signing_key(std::chrono::seconds overlap);
    /// {"keys":[…]}: every key that still verifies, public members only.
    core::json_doc::Object jwks();

    /// seed 001 POST /auth/agents/challenge: base64 of RSA-OAEP-SHA256, with the
    /// agent's key, of {"audience","expires_at","issuer","nonce"}. Unknown or
    /// revoked agent → kNotFound.
    core::Result<std::string> agent_challenge(std::string const& agent_name);
    /// seed 001 POST /auth/agents/token (RFC 7523). Any failed check of the
    /// assertion → kUnauthenticated saying which.
    core::Result<TokenPair> agent_token(AgentTokenRequest const& request);
    /// seed 001 POST /auth/agents/refresh with its DPoP proof; `url` is the
    /// request's URL (issuer + path). Answers a DPoP-bound access token.
    core::Result<TokenPair> agent_refresh(
        std::string const& refresh_token,
        std::optional<std::string> const& dpop_proof,
        std::string const& url
    );

    /// Starts a signed-in session for `who` inside `tx` and audits
    /// identity.{user|agent}.signed_in with `detail_json`; `jkt` binds the
    /// session's refreshes to that key (agents).
    core::Result<TokenPair> sign_in(
        storage::Tx& tx,
        core::Actor const& who,
        std::optional<std::string> const& jkt,
        std::string const& detail_json
    );
    /// Mints a step-up token for `user` inside `tx` and stores its jti.
    core::Result<StepUpToken> mint_step_up(
        storage::Tx& tx,
        core::Actor const& user,
        std::string const& operation,
        std::optional<std::string> const& resource_id,
        std::chrono::seconds ttl
    );
    /// Checks a step-up token presented by `caller` (not yet consumed): its
    /// signature, expiry, subject = the caller, and that it is unused.
    core::Result<core::StepUp> check_step_up(std::string const& token, core::Actor const& caller);
    /// seed 001 POST /auth/cli/refresh: rotates a user's refresh token.
    core::Result<TokenPair> user_refresh(std::string const& refresh_token);

    /// True when `token` has the shape of a JWT (three base64url parts), so
    /// that the caller asks authenticate() rather than the API-key check.
    static bool looks_like_jwt(std::string_view token);
    /// Checks an access token (signature, issuer, audience, expiry, session,
    /// principal still active, DPoP binding) → its principal.
    /// kUnauthenticated otherwise, with the reason.
    core::Result<core::Actor> authenticate(PresentedToken const& presented, core::Channel channel);

    /// Ends every session of a principal (agent revoked, user deactivated).
    core::Status end_sessions_of(
        storage::Tx& tx, std::string const& kind, std::string const& principal_id
    );

private:
    struct SigningKey {
        std::string kid;
        jose::Key key;
        std::optional<std::string> retires_at;
    };
    core::Status load_keys_locked();
    /// The cached keys were read more than a minute ago: another replica may
    /// have rotated since.
    bool keys_stale_locked() const;
    std::optional<SigningKey> key_for(std::string const& kid);
    std::optional<SigningKey> current_key();
    core::Result<std::string> mint_access(
        core::Actor const& who, std::string const& family_id, std::optional<std::string> const& jkt
    );
    core::Result<TokenPair> start_session(
        storage::Tx& tx,
        core::Actor const& who,
        std::optional<std::string> const& jkt,
        std::optional<std::string> const& family_id
    );
    /// The write half of every refresh: the token's state, reuse detection
    /// (revokes the session, committed, then refused), rotation.
    core::Result<TokenPair> rotate(
        std::string const& hash,
        std::string const& family_id,
        std::function<core::Result<core::Actor>(storage::Tx&)> const& principal
    );
    /// The user a step-up token names, with its StepUp (checked, unused);
    /// with `caller`, the token must name the caller.
    core::Result<core::Actor> step_up_actor(
        jose::Jws const& jws, std::optional<core::Actor> const& caller, core::Channel channel
    );
    struct ProofCheck {
        std::string method;
        std::string url;
        std::optional<std::string> access_token;  // then `ath` must match it
    };
    /// Verifies a DPoP proof; answers the thumbprint of its key.
    core::Result<std::string> check_proof(
        std::string const& proof, ProofCheck const& want, std::optional<jose::Key> const& registered
    );

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    TokenConfig config_;
    events::Recorder recorder_;
    std::mutex keys_mu_;
    std::vector<SigningKey> keys_;
    core::TimePoint keys_loaded_{};
};

}  // namespace signoff::server::identity
