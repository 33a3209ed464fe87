// The credential exchanges of seed 001 and the documents clients discover,
// reached without a credential (registry EndpointSpec): the agent key-pair
// flow (challenge, RFC 7523 token, DPoP refresh) and Signoff's JWKS.
// decode → one TokenService call → encode, like a tool row.
#include "server/identity/oidc.hpp"
#include "server/identity/token_service.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
using registry::EndpointReply;
using registry::EndpointRequest;
using registry::Services;
using server::core::Result;
using server::identity::TokenPair;

json::object pair_body(TokenPair const& p) {
    return json::object{
        {"accessToken", p.access_token},
        {"refreshToken", p.refresh_token},
        {"tokenType", p.token_type},
        {"expiresIn", p.expires_in},
    };
}

Result<EndpointReply> tokens_reply(Result<TokenPair> const& pair) {
    if (!pair) {
        return pair.error();
    }
    // RFC 6749 §5.1: token answers are never cached.
    return EndpointReply{200, pair_body(*pair), {{"Cache-Control", "no-store"}}};
}

/// The privileged-token cookie the request authenticator reads
/// (docs/identity.md "Step-up").
constexpr std::string_view kPrivilegeCookie = "signoff_privilege";

Result<server::identity::StepUpToken> exchange(
    Services const& s, json::object const& args, EndpointRequest const& request
) {
    return s.oidc->step_up_exchange(
        *request.caller,
        codec::string_or(args, "code"),
        codec::string_or(args, "state"),
        codec::string_or(args, "operation"),
        codec::opt_string(args, "resourceId")
    );
}

}  // namespace

void register_auth_endpoints(registry::Registry& registry) {
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/cli/initiate",
        "seed 001: the IdP's authorization URL (code flow, PKCE S256, state, nonce) for a "
        "loopback redirectUri.",
        "auth/auth_cli_initiate.input",
        [](Services const& s, json::object const& args, EndpointRequest const&)
            -> Result<EndpointReply> {
            auto url = s.oidc->cli_initiate(
                codec::string_or(args, "redirectUri"), codec::opt_string(args, "org")
            );
            if (!url) {
                return url.error();
            }
            return EndpointReply{
                200, json::object{{"authorizationUrl", *url}}, {{"Cache-Control", "no-store"}}};
        },
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/cli/token",
        "seed 001: the code and state from the loopback redirect → access and refresh tokens.",
        "auth/auth_cli_token.input",
        [](Services const& s, json::object const& args, EndpointRequest const&) {
            return tokens_reply(
                s.oidc->cli_token(codec::string_or(args, "code"), codec::string_or(args, "state"))
            );
        },
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/cli/refresh",
        "seed 001: a user's refresh token → a new pair (the old token is spent).",
        "auth/auth_cli_refresh.input",
        [](Services const& s, json::object const& args, EndpointRequest const&) {
            return tokens_reply(s.tokens->user_refresh(codec::string_or(args, "refreshToken")));
        },
    });
    registry.add_endpoint({
        "GET",
        "/api/v1/auth/cli/initiatePrivilegedTokenExchange",
        "seed 001 step-up: redirects (302) to a forced fresh login at the IdP; the JSON body "
        "carries the same authorizationUrl.",
        "auth/auth_step_up_initiate.input",
        [](Services const& s, json::object const& args, EndpointRequest const& request
        ) -> Result<EndpointReply> {
            auto url =
                s.oidc->step_up_initiate(*request.caller, codec::string_or(args, "redirectUri"));
            if (!url) {
                return url.error();
            }
            return EndpointReply{
                302,
                json::object{{"authorizationUrl", *url}},
                {{"Location", *url}, {"Cache-Control", "no-store"}}};
        },
        true,
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/cli/exchangePrivilegedToken",
        "seed 001 step-up: the fresh login's code and state, the operation (vote) and its "
        "resource → a single-use privileged token (≤ 120 s) to send as the vote's bearer token.",
        "auth/auth_step_up_exchange.input",
        [](Services const& s, json::object const& args, EndpointRequest const& request
        ) -> Result<EndpointReply> {
            auto token = exchange(s, args, request);
            if (!token) {
                return token.error();
            }
            return EndpointReply{
                200,
                json::object{{"accessToken", token->token}, {"expiresIn", token->expires_in}},
                {{"Cache-Control", "no-store"}}};
        },
        true,
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/web/exchangePrivilegedToken",
        "seed 001 step-up for browsers: as the CLI exchange, answered as an HttpOnly, Secure, "
        "SameSite=Strict cookie that the vote's request carries.",
        "auth/auth_step_up_exchange.input",
        [](Services const& s, json::object const& args, EndpointRequest const& request
        ) -> Result<EndpointReply> {
            auto token = exchange(s, args, request);
            if (!token) {
                return token.error();
            }
            std::string cookie = std::string(kPrivilegeCookie) + "=" + token->token +
                                 "; Path=/api/v1; Max-Age=" + std::to_string(token->expires_in) +
                                 "; HttpOnly; Secure; SameSite=Strict";
            return EndpointReply{
                204, json::value{}, {{"Set-Cookie", cookie}, {"Cache-Control", "no-store"}}};
        },
        true,
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/agents/challenge",
        "seed 001: a nonce for the agent, encrypted to its registered key (RSA-OAEP-SHA256).",
        "auth/auth_agents_challenge.input",
        [](Services const& s, json::object const& args, EndpointRequest const&)
            -> Result<EndpointReply> {
            auto challenge = s.tokens->agent_challenge(codec::string_or(args, "agentName"));
            if (!challenge) {
                return challenge.error();
            }
            return EndpointReply{200, json::object{{"challenge", *challenge}}, {}};
        },
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/agents/token",
        "seed 001: an RS256 assertion over the challenge nonce (RFC 7523) → access and refresh "
        "tokens.",
        "auth/auth_agents_token.input",
        [](Services const& s, json::object const& args, EndpointRequest const&) {
            return tokens_reply(s.tokens->agent_token({
                codec::string_or(args, "grantType"),
                codec::string_or(args, "clientAssertionType"),
                codec::string_or(args, "clientAssertion"),
            }));
        },
    });
    registry.add_endpoint({
        "POST",
        "/api/v1/auth/agents/refresh",
        "seed 001: a refresh token and a DPoP proof (RFC 9449) → a new pair, the access token "
        "bound to the agent's key.",
        "auth/auth_agents_refresh.input",
        [](Services const& s, json::object const& args, EndpointRequest const& request) {
            return tokens_reply(s.tokens->agent_refresh(
                codec::string_or(args, "refreshToken"),
                request.dpop,
                s.tokens->config().issuer + request.path
            ));
        },
    });
    registry.add_endpoint({
        "GET",
        "/.well-known/jwks.json",
        "The public keys Signoff's access tokens are signed with (RFC 7517).",
        "",
        [](Services const& s, json::object const&, EndpointRequest const&)
            -> Result<EndpointReply> {
            return EndpointReply{200, s.tokens->jwks(), {{"Cache-Control", "max-age=60"}}};
        },
    });
}

}  // namespace signoff::tools::families
