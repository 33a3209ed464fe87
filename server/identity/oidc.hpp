// Sign-in through the configured OpenID Provider (docs/identity.md): seed
// 001's CLI login (authorization code + PKCE S256, state and nonce, a
// loopback redirect) and the step-up that issues a privileged token after a
// fresh login. The IdP's answers are checked here: the id_token's signature
// through the IdP's JWKS with an allow-list of algorithms, iss, aud, exp,
// nonce, and what came back (auth_time, acr), never what was asked.
//
//   REST /api/v1/auth/cli/* ──► OidcLogin ──► OidcFetch (IdP) ──► TokenService
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/core/json_doc.hpp"
#include "server/events/recorder.hpp"
#include "server/identity/jose.hpp"
#include "server/identity/token_service.hpp"
#include "storage/db.hpp"

namespace signoff::server::identity {

struct FetchAnswer {
    int status{0};
    std::string body;
};

/// Outbound HTTP to the IdP (discovery, JWKS, token endpoint): method, URL,
/// headers, body → status and body. Wired by the composition root; must be
/// thread-safe. kUnavailable when the IdP cannot be reached.
using OidcFetch = std::function<core::Result<FetchAnswer>(
    std::string const& method,
    std::string const& url,
    std::vector<std::pair<std::string, std::string>> const& headers,
    std::string const& body
)>;

/// What happens when a verified e-mail matches no user (docs/identity.md).
enum class Provisioning : std::uint8_t { kNone, kMember };

struct OidcConfig {
    std::string issuer;  // empty: no IdP configured
    std::string client_id;
    std::string client_secret;
    std::string scopes{"openid email profile"};
    /// The acr a step-up must come back with; empty: freshness alone.
    std::string step_up_acr;
    Provisioning provisioning{Provisioning::kNone};
    std::chrono::seconds request_ttl{600};
    std::chrono::seconds max_auth_age{30};
    std::chrono::seconds skew{30};
    std::chrono::seconds step_up_ttl{120};
};

/// True for http URLs whose host is 127.0.0.1, localhost or [::1] (any port,
/// any path, no user-info, no fragment): RFC 8252 §7.3 loopback redirects.
bool is_loopback_redirect(std::string_view uri);

class OidcLogin {
public:
    OidcLogin(
        storage::Db& db,
        core::Clock const& clock,
        core::IdSource& ids,
        TokenService& tokens,
        OidcConfig config,
        OidcFetch fetch
    );

    bool enabled() const { return !config_.issuer.empty(); }
    OidcConfig const& config() const { return config_; }

    /// seed 001 POST /auth/cli/initiate: the IdP's authorization URL for a
    /// loopback `redirect_uri`; `org` names the org to sign in to (needed
    /// when the e-mail belongs to users of several orgs, and to provision).
    core::Result<std::string> cli_initiate(
        std::string const& redirect_uri, std::optional<std::string> const& org
    );
    /// seed 001 POST /auth/cli/token: redeems the code, checks the id_token,
    /// maps the person to a user (docs/identity.md "Who signs in") and starts
    /// a session.
    core::Result<TokenPair> cli_token(std::string const& code, std::string const& state);

    /// Step-up, start: the authorization URL of a forced fresh login
    /// (prompt=login, max_age=0, the configured acr_values) for the caller.
    core::Result<std::string> step_up_initiate(
        core::Actor const& caller, std::string const& redirect_uri
    );
    /// Step-up, finish: a privileged token for `operation` on `resource_id`,
    /// issued only when the login came back fresh, with the required acr,
    /// as the caller.
    core::Result<StepUpToken> step_up_exchange(
        core::Actor const& caller,
        std::string const& code,
        std::string const& state,
        std::string const& operation,
        std::optional<std::string> const& resource_id
    );

private:
    struct Provider {
        std::string authorization_endpoint;
        std::string token_endpoint;
        std::string jwks_uri;
    };
    core::Result<Provider> provider();
    core::Result<jose::Key> idp_key(std::optional<std::string> const& kid, jose::Alg alg);
    core::Result<std::string> start(
        std::string const& kind,
        std::string const& redirect_uri,
        std::optional<std::string> const& org,
        core::Actor const* caller,
        std::string const& extra_params
    );
    /// Consumes the request of `state` (of `kind`), redeems the code and
    /// answers the verified id_token claims with the request.
    core::Result<std::pair<core::json_doc::Object, std::string>> redeem(
        std::string const& kind,
        std::string const& code,
        std::string const& state,
        core::Actor const* caller
    );

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    TokenService& tokens_;
    OidcConfig config_;
    OidcFetch fetch_;
    events::Recorder recorder_;
    std::mutex mu_;
    std::optional<Provider> provider_;
    std::vector<std::pair<std::string, jose::Key>> jwks_;  // (kid, key)
    core::TimePoint jwks_loaded_{};
};

}  // namespace signoff::server::identity
