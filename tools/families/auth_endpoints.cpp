// The credential exchanges of seed 001 and the documents clients discover,
// reached without a credential (registry EndpointSpec): the agent key-pair
// flow (challenge, RFC 7523 token, DPoP refresh) and Signoff's JWKS.
// decode → one TokenService call → encode, like a tool row.
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

}  // namespace

void register_auth_endpoints(registry::Registry& registry) {
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
