// Signoff's tokens (see token_service.hpp and docs/identity.md).
#include "server/identity/token_service.hpp"

#include <algorithm>

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/agent_keys.hpp"
#include "server/identity/agent_names.hpp"
#include "server/identity/principals.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/agents_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/logins_repo.hpp"
#include "storage/repos/tokens_repo.hpp"

namespace signoff::server::identity {
namespace {

namespace repos = storage::repos;
namespace json_doc = core::json_doc;
using core::Error;
using core::Result;
using core::TimePoint;
using std::chrono::seconds;
using storage::Tx;
using storage::TxMode;

constexpr std::string_view kAlg = "ES256";
constexpr std::string_view kAccessType = "at+jwt";
constexpr std::string_view kStepUpType = "stepup+jwt";
constexpr std::size_t kMaxJti = 256;
constexpr std::chrono::seconds kKeyCacheTtl{60};

Error refused(std::string why) {
    return Error::unauthenticated(std::move(why));
}

/// The URL a proof's htu is compared with: no query, no fragment.
std::string without_query(std::string_view url) {
    auto const cut = url.find_first_of("?#");
    return std::string(url.substr(0, cut));
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && lower(a) == lower(b);
}

}  // namespace

TokenService::TokenService(
    storage::Db& db, core::Clock const& clock, core::IdSource& ids, TokenConfig config
)
    : db_(db), clock_(clock), ids_(ids), config_(std::move(config)), recorder_(clock, ids) {}

// ---- signing keys ----

core::Status TokenService::load_keys_locked() {
    auto const now = clock_.now();
    auto rows = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::live_signing_keys(tx, core::to_rfc3339(now)));
    });
    if (!rows) {
        return rows.error();
    }
    std::vector<SigningKey> keys;
    for (auto const& r : *rows) {
        auto key = jose::private_key_from_pem(r.private_pem);
        if (!key || !key->fits(jose::Alg::kES256)) {
            return Error::internal("signing key " + r.kid + " cannot be read");
        }
        keys.push_back(SigningKey{r.kid, *key, r.retires_at});
    }
    keys_ = std::move(keys);
    keys_loaded_ = now;
    return {};
}

core::Status TokenService::ensure_signing_key() {
    std::lock_guard lock(keys_mu_);
    if (auto st = load_keys_locked(); !st) {
        return st;
    }
    if (!keys_.empty() && !keys_.front().retires_at) {
        return {};
    }
    auto key = jose::generate_p256();
    if (!key) {
        return key.error();
    }
    repos::SigningKeyRecord rec{
        jose::thumbprint(*key),
        std::string(kAlg),
        jose::private_pem(*key),
        core::to_rfc3339(clock_.now()),
        std::nullopt};
    auto inserted = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
        return core::from_db(repos::insert_signing_key(tx, rec));
    });
    if (!inserted) {
        return inserted.error();
    }
    return load_keys_locked();  // ours, or the one a racing replica stored
}

core::Status TokenService::rotate_signing_key(seconds overlap) {
    auto key = jose::generate_p256();
    if (!key) {
        return key.error();
    }
    auto const now = clock_.now();
    repos::SigningKeyRecord rec{
        jose::thumbprint(*key),
        std::string(kAlg),
        jose::private_pem(*key),
        core::to_rfc3339(now),
        std::nullopt};
    auto st = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> core::Status {
        auto retired =
            core::from_db(repos::retire_current_key(tx, rec.alg, core::to_rfc3339(now + overlap)));
        if (!retired) {
            return retired.error();
        }
        auto inserted = core::from_db(repos::insert_signing_key(tx, rec));
        if (!inserted) {
            return inserted.error();
        }
        return *inserted == 1 ? core::Status{} : Error::conflict("another rotation won; retry");
    });
    if (!st) {
        return st;
    }
    std::lock_guard lock(keys_mu_);
    return load_keys_locked();
}

bool TokenService::keys_stale_locked() const {
    return clock_.now() - keys_loaded_ >= kKeyCacheTtl;
}

std::optional<TokenService::SigningKey> TokenService::key_for(std::string const& kid) {
    std::lock_guard lock(keys_mu_);
    auto const now = clock_.now();
    auto find = [&]() -> std::optional<SigningKey> {
        for (auto const& k : keys_) {
            if (k.kid == kid && (!k.retires_at || *k.retires_at > core::to_rfc3339(now))) {
                return k;
            }
        }
        return std::nullopt;
    };
    if (auto k = find(); k && !keys_stale_locked()) {
        return k;
    }
    // Unknown kid or a stale cache: another replica may have rotated.
    if (!load_keys_locked()) {
        return std::nullopt;
    }
    return find();
}

std::optional<TokenService::SigningKey> TokenService::current_key() {
    std::lock_guard lock(keys_mu_);
    if (keys_.empty() || keys_.front().retires_at || keys_stale_locked()) {
        if (!load_keys_locked()) {
            return std::nullopt;
        }
    }
    if (keys_.empty() || keys_.front().retires_at) {
        return std::nullopt;
    }
    return keys_.front();
}

json_doc::Object TokenService::jwks() {
    json_doc::Object out;
    boost::json::array keys;
    std::lock_guard lock(keys_mu_);
    if (keys_stale_locked()) {
        (void)load_keys_locked();
    }
    for (auto const& k : keys_) {
        json_doc::Object jwk = jose::public_jwk(k.key);
        jwk["kid"] = k.kid;
        jwk["alg"] = kAlg;
        jwk["use"] = "sig";
        keys.emplace_back(std::move(jwk));
    }
    out["keys"] = std::move(keys);
    return out;
}

// ---- minting ----

Result<std::string> TokenService::mint_access(
    core::Actor const& who, std::string const& family_id, std::optional<std::string> const& jkt
) {
    auto key = current_key();
    if (!key) {
        return Error::unavailable("no signing key is available");
    }
    auto const now = clock_.now();
    json_doc::Object header{{"typ", kAccessType}, {"kid", key->kid}};
    json_doc::Object claims{
        {"iss", config_.issuer},
        {"aud", config_.issuer},
        {"sub", who.principal_id},
        {"org", who.org_id},
        {"kind", who.principal_kind == "agent" ? "agent" : "human"},
        {"sid", family_id},
        {"iat", jose::numeric_date(now)},
        {"exp", jose::numeric_date(now + config_.access_ttl)},
        {"jti", ids_.new_id()},
    };
    if (who.principal_kind == "agent") {
        claims["name"] = who.display_name;
    }
    if (jkt) {
        claims["cnf"] = json_doc::Object{{"jkt", *jkt}};
    }
    return jose::sign_compact(std::move(header), claims, key->key, jose::Alg::kES256);
}

Result<TokenPair> TokenService::start_session(
    Tx& tx,
    core::Actor const& who,
    std::optional<std::string> const& jkt,
    std::optional<std::string> const& family_id
) {
    auto const now = clock_.now();
    std::string family = family_id.value_or(ids_.new_id());
    if (!family_id) {
        repos::FamilyRecord f{
            family,
            who.org_id,
            who.principal_kind == "agent" ? "agent" : "user",
            who.principal_id,
            jkt,
            core::to_rfc3339(now),
            std::nullopt};
        if (auto ins = core::from_db(repos::insert_family(tx, f)); !ins) {
            return ins.error();
        }
    }
    std::string refresh = "rt-" + jose::b64url(jose::random_bytes(32));
    repos::RefreshRecord r{
        core::sha256_hex(refresh),
        family,
        core::to_rfc3339(now),
        core::to_rfc3339(now + config_.refresh_ttl),
        std::nullopt};
    if (auto ins = core::from_db(repos::insert_refresh(tx, r)); !ins) {
        return ins.error();
    }
    // A new session's first access token is a bearer token (nothing proved a
    // key yet); tokens refreshed with a proof are bound to its key.
    auto access = mint_access(who, family, family_id ? jkt : std::nullopt);
    if (!access) {
        return access.error();
    }
    TokenPair pair;
    pair.access_token = std::move(*access);
    pair.refresh_token = std::move(refresh);
    pair.expires_in = config_.access_ttl.count();
    pair.token_type = family_id && jkt ? "DPoP" : "Bearer";
    return pair;
}

// ---- agents ----

Result<std::string> TokenService::agent_challenge(std::string const& agent_name) {
    if (agent_name.empty() || agent_name.size() > 4 * kMaxAgentName) {
        return Error::invalid_field("agentName", "give the agent's name");
    }
    auto const now = clock_.now();
    // Whole seconds: "YYYY-MM-DDTHH:MM:SSZ" is the 20 bytes the name bound assumes.
    auto const expires = std::chrono::floor<seconds>(now + config_.challenge_ttl);
    std::string stamp = core::to_rfc3339(expires);
    stamp = stamp.substr(0, stamp.find('.')) + "Z";
    std::string const nonce = jose::hex(jose::random_bytes(32));
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<std::string> {
        auto agent = core::from_db(repos::find_agent_by_global_key(tx, agent_name_key(agent_name)));
        if (!agent) {
            return agent.error();
        }
        if (!*agent || (*agent)->revoked_at) {
            return Error::not_found("agent not found");
        }
        auto key = jose::public_key_from_pem((*agent)->public_key);
        if (!key) {
            return Error::internal("the agent's stored key cannot be read");
        }
        json_doc::Object doc{
            {"audience", (*agent)->name},
            {"expires_at", stamp},
            {"issuer", config_.issuer},
            {"nonce", nonce},
        };
        auto sealed = jose::rsa_oaep_sha256_encrypt(*key, json_doc::print(doc));
        if (!sealed) {
            return Error::failed_precondition(
                "this agent's name is too long for a challenge to fit its key; register the "
                "agent again under a shorter name"
            );
        }
        repos::ChallengeRecord c{nonce, (*agent)->id, core::to_rfc3339(expires), std::nullopt};
        if (auto ins = core::from_db(repos::insert_challenge(tx, c, core::to_rfc3339(now))); !ins) {
            return ins.error();
        }
        return base64(*sealed);
    });
}

Result<TokenPair> TokenService::agent_token(AgentTokenRequest const& request) {
    if (request.grant_type != kJwtBearerGrant) {
        return Error::invalid_field("grantType", "must be " + std::string(kJwtBearerGrant));
    }
    if (request.client_assertion_type != kJwtBearerAssertion) {
        return Error::invalid_field(
            "clientAssertionType", "must be " + std::string(kJwtBearerAssertion)
        );
    }
    auto jws = jose::parse_compact(request.client_assertion);
    if (!jws) {
        return Error::invalid_field("clientAssertion", jws.error().message);
    }
    auto const& claims = jws->payload;
    auto const iss = json_doc::string_at(claims, "iss");
    if (!iss || iss->empty()) {
        return refused("the assertion has no iss");
    }
    auto const now = clock_.now();
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<TokenPair> {
        auto agent = core::from_db(repos::find_agent_by_global_key(tx, agent_name_key(*iss)));
        if (!agent) {
            return agent.error();
        }
        if (!*agent || (*agent)->revoked_at) {
            return refused("no active agent has the assertion's iss as its name");
        }
        auto const& a = **agent;
        auto key = jose::public_key_from_pem(a.public_key);
        if (!key || !jose::verify(*jws, *key, {jose::Alg::kRS256})) {
            return refused("the assertion is not an RS256 signature by the agent's registered key");
        }
        auto const sub = json_doc::string_at(claims, "sub");
        auto const jti = json_doc::string_at(claims, "jti");
        auto const exp = json_doc::integer_at(claims, "exp");
        if (*iss != a.name || sub != a.name) {
            return refused("iss and sub must both be the agent's name");
        }
        if (!jose::audience_has(claims, config_.issuer)) {
            return refused("aud must be this server's issuer, " + config_.issuer);
        }
        if (!exp || *exp <= jose::numeric_date(now - config_.skew)) {
            return refused("the assertion has expired (or has no exp)");
        }
        if (*exp > jose::numeric_date(now + config_.challenge_ttl + config_.skew)) {
            return refused("the assertion's exp is too far ahead");
        }
        if (auto nbf = json_doc::integer_at(claims, "nbf");
            nbf && *nbf > jose::numeric_date(now + config_.skew)) {
            return refused("the assertion is not valid yet (nbf)");
        }
        if (!jti) {
            return refused("the assertion has no jti (the challenge nonce)");
        }
        auto challenge = core::from_db(repos::find_challenge(tx, *jti));
        if (!challenge) {
            return challenge.error();
        }
        if (!*challenge || (*challenge)->agent_id != a.id) {
            return refused("the jti is not a challenge issued to this agent");
        }
        if ((*challenge)->expires_at <= core::to_rfc3339(now)) {
            return refused("the challenge has expired; ask for a new one");
        }
        auto used = core::from_db(repos::use_challenge(tx, *jti, core::to_rfc3339(now)));
        if (!used) {
            return used.error();
        }
        if (*used == 0) {
            return refused("the challenge was already used; ask for a new one");
        }
        auto who = agent_actor(tx, a);
        if (!who) {
            return who.error();
        }
        return sign_in(
            tx, *who, jose::thumbprint(*key), events::JsonObject{}.str("agent_name", a.name).text()
        );
    });
}

Result<std::string> TokenService::check_proof(
    std::string const& proof, ProofCheck const& want, std::optional<jose::Key> const& registered
) {
    auto jws = jose::parse_compact(proof);
    if (!jws) {
        return refused("the DPoP proof is not a JWS: " + jws.error().message);
    }
    if (json_doc::string_at(jws->header, "typ") != "dpop+jwt") {
        return refused("the DPoP proof's typ must be dpop+jwt");
    }
    jose::Key key;
    if (auto const* jwk = jws->header.if_contains("jwk"); jwk != nullptr) {
        if (!jwk->is_object()) {
            return refused("the DPoP proof's jwk header is not a JWK");
        }
        auto k = jose::key_from_jwk(jwk->as_object());
        if (!k) {
            return refused("the DPoP proof's jwk header is not an acceptable public key");
        }
        key = *k;
    } else if (registered) {
        key = *registered;  // seed 001's agents sign proofs with their registered key
    } else {
        return refused("the DPoP proof has no jwk header");
    }
    using jose::Alg;
    if (!jose::verify(*jws, key, {Alg::kRS256, Alg::kPS256, Alg::kES256, Alg::kEdDSA})) {
        return refused("the DPoP proof's signature does not verify with its key");
    }
    auto const& c = jws->payload;
    auto const jti = json_doc::string_at(c, "jti");
    auto const iat = json_doc::integer_at(c, "iat");
    if (!jti || jti->empty() || jti->size() > kMaxJti) {
        return refused("the DPoP proof needs a jti");
    }
    if (json_doc::string_at(c, "htm") != want.method) {
        return refused("the DPoP proof's htm is not this request's method, " + want.method);
    }
    auto const htu = json_doc::string_at(c, "htu");
    if (!htu || without_query(*htu) != without_query(want.url)) {
        return refused(
            "the DPoP proof's htu is not this request's URL, " + without_query(want.url)
        );
    }
    auto const now = clock_.now();
    if (!iat || *iat < jose::numeric_date(now - config_.proof_window - config_.skew) ||
        *iat > jose::numeric_date(now + config_.skew)) {
        return refused("the DPoP proof's iat is outside the accepted window");
    }
    if (want.access_token) {
        auto const ath = json_doc::string_at(c, "ath");
        if (!ath || !jose::equal_ct(*ath, jose::b64url(jose::sha256(*want.access_token)))) {
            return refused("the DPoP proof's ath does not match the access token");
        }
    }
    std::string const jkt = jose::thumbprint(key);
    auto fresh = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
        return core::from_db(repos::remember_proof(
            tx,
            core::sha256_hex(jkt + "." + *jti),
            core::to_rfc3339(now + config_.proof_window + 2 * config_.skew),
            core::to_rfc3339(now)
        ));
    });
    if (!fresh) {
        return fresh.error();
    }
    if (*fresh == 0) {
        return refused("the DPoP proof was used before (jti replayed)");
    }
    return jkt;
}

Result<TokenPair> TokenService::agent_refresh(
    std::string const& refresh_token,
    std::optional<std::string> const& dpop_proof,
    std::string const& url
) {
    if (refresh_token.empty() || refresh_token.size() > 512) {
        return Error::invalid_field("refreshToken", "give the refresh token");
    }
    if (!dpop_proof || dpop_proof->empty()) {
        return refused("an agent's refresh needs a DPoP proof header");
    }
    std::string const hash = core::sha256_hex(refresh_token);
    // Read first: a proof is checked (and its jti spent) before the token is.
    auto found = core::run_tx(
        db_,
        TxMode::kRead,
        [&](Tx& tx) -> Result<std::optional<std::pair<repos::FamilyRecord, repos::AgentRecord>>> {
            auto r = core::from_db(repos::find_refresh(tx, hash));
            if (!r) {
                return r.error();
            }
            if (!*r) {
                return std::optional<std::pair<repos::FamilyRecord, repos::AgentRecord>>{};
            }
            auto f = core::from_db(repos::find_family(tx, (*r)->family_id));
            if (!f) {
                return f.error();
            }
            if (!*f || (*f)->principal_kind != "agent") {
                return std::optional<std::pair<repos::FamilyRecord, repos::AgentRecord>>{};
            }
            auto a = core::from_db(repos::find_agent_anywhere(tx, (*f)->principal_id));
            if (!a) {
                return a.error();
            }
            if (!*a) {
                return std::optional<std::pair<repos::FamilyRecord, repos::AgentRecord>>{};
            }
            return std::make_optional(std::make_pair(**f, **a));
        }
    );
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return refused("unknown refresh token (or not an agent's)");
    }
    auto const& [family, agent] = **found;
    auto registered = jose::public_key_from_pem(agent.public_key);
    if (!registered) {
        return Error::internal("the agent's stored key cannot be read");
    }
    auto jkt = check_proof(*dpop_proof, ProofCheck{"POST", url, std::nullopt}, *registered);
    if (!jkt) {
        return jkt.error();
    }
    if (!family.dpop_jkt || !jose::equal_ct(*jkt, *family.dpop_jkt)) {
        return refused("the DPoP proof's key is not the key this session is bound to");
    }
    std::string const agent_id = agent.id;
    return rotate(hash, family.id, [&](Tx& tx) -> Result<core::Actor> {
        auto a = core::from_db(repos::find_agent_anywhere(tx, agent_id));
        if (!a) {
            return a.error();
        }
        if (!*a || (*a)->revoked_at) {
            return refused("this agent has been revoked");
        }
        return agent_actor(tx, **a);
    });
}

Result<TokenPair> TokenService::rotate(
    std::string const& hash,
    std::string const& family_id,
    std::function<Result<core::Actor>(Tx&)> const& principal
) {
    auto const now = clock_.now();
    bool reuse = false;
    auto pair = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<TokenPair> {
        auto r = core::from_db(repos::find_refresh(tx, hash));
        auto f = core::from_db(repos::find_family(tx, family_id));
        if (!r || !f) {
            return !r ? r.error() : f.error();
        }
        if (!*r || !*f || (*r)->family_id != family_id || (*f)->revoked_at) {
            return refused("this session was revoked; sign in again");
        }
        if ((*r)->expires_at <= core::to_rfc3339(now)) {
            return refused("the refresh token has expired; sign in again");
        }
        if ((*r)->used_at) {
            if (*(*r)->used_at < core::to_rfc3339(now - config_.reuse_grace)) {
                reuse = true;
                auto revoked =
                    core::from_db(repos::revoke_family(tx, family_id, core::to_rfc3339(now)));
                if (!revoked) {
                    return revoked.error();
                }
                return TokenPair{};  // committed, then refused below
            }
        } else if (auto used = core::from_db(repos::use_refresh(tx, hash, core::to_rfc3339(now)));
                   !used) {
            return used.error();
        }
        auto who = principal(tx);
        if (!who) {
            return who.error();
        }
        return start_session(tx, *who, (*f)->dpop_jkt, family_id);
    });
    if (!pair) {
        return pair.error();
    }
    if (reuse) {
        return refused("the refresh token was used before: the whole session is revoked");
    }
    return pair;
}

Result<TokenPair> TokenService::sign_in(
    Tx& tx,
    core::Actor const& who,
    std::optional<std::string> const& jkt,
    std::string const& detail_json
) {
    auto pair = start_session(tx, who, jkt, std::nullopt);
    if (!pair) {
        return pair.error();
    }
    bool const agent = who.principal_kind == "agent";
    auto audited = recorder_.audit(
        tx,
        events::Recorder::by(
            who,
            agent ? "identity.agent.signed_in" : "identity.user.signed_in",
            agent ? "agent" : "user",
            who.principal_id,
            detail_json
        )
    );
    if (!audited) {
        return audited.error();
    }
    return pair;
}

Result<TokenPair> TokenService::user_refresh(std::string const& refresh_token) {
    if (refresh_token.empty() || refresh_token.size() > 512) {
        return Error::invalid_field("refreshToken", "give the refresh token");
    }
    std::string const hash = core::sha256_hex(refresh_token);
    auto family =
        core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::optional<repos::FamilyRecord>> {
            auto r = core::from_db(repos::find_refresh(tx, hash));
            if (!r) {
                return r.error();
            }
            if (!*r) {
                return std::optional<repos::FamilyRecord>{};
            }
            return core::from_db(repos::find_family(tx, (*r)->family_id));
        });
    if (!family) {
        return family.error();
    }
    if (!*family || (*family)->principal_kind != "user") {
        return refused("unknown refresh token (or not a user's)");
    }
    auto const f = **family;
    return rotate(hash, f.id, [&](Tx& tx) -> Result<core::Actor> {
        auto u = core::from_db(repos::find_user_by_id(tx, f.org_id, f.principal_id));
        if (!u) {
            return u.error();
        }
        if (!*u || (*u)->deactivated_at) {
            return refused("this user is deactivated");
        }
        return user_actor(tx, **u);
    });
}

// ---- checking access tokens ----

bool TokenService::looks_like_jwt(std::string_view token) {
    return std::count(token.begin(), token.end(), '.') == 2 && token.size() > 20 &&
           token.substr(0, 2) == "ey";
}

Result<core::Actor> TokenService::authenticate(
    PresentedToken const& presented, core::Channel channel
) {
    auto jws = jose::parse_compact(presented.token);
    if (!jws) {
        return refused("the access token is malformed");
    }
    auto const typ = json_doc::string_at(jws->header, "typ");
    if (typ == kStepUpType) {
        if (!iequals(presented.scheme, "Bearer")) {
            return refused("a privileged token is a bearer token: send Authorization: Bearer");
        }
        return step_up_actor(*jws, std::nullopt, channel);
    }
    if (typ != kAccessType) {
        return refused("not a Signoff access token (typ)");
    }
    auto const kid = json_doc::string_at(jws->header, "kid");
    auto key = kid ? key_for(*kid) : std::nullopt;
    if (!key || !jose::verify(*jws, key->key, {jose::Alg::kES256})) {
        return refused("the access token's signature does not verify");
    }
    auto const& c = jws->payload;
    auto const now = clock_.now();
    auto const exp = json_doc::integer_at(c, "exp");
    if (json_doc::string_at(c, "iss") != config_.issuer || !jose::audience_has(c, config_.issuer)) {
        return refused("the access token was not issued for this server");
    }
    if (!exp || *exp <= jose::numeric_date(now)) {
        return refused("the access token has expired");
    }
    auto const sub = json_doc::string_at(c, "sub");
    auto const org = json_doc::string_at(c, "org");
    auto const kind = json_doc::string_at(c, "kind");
    auto const sid = json_doc::string_at(c, "sid");
    if (!sub || !org || !sid || (kind != "agent" && kind != "human")) {
        return refused("the access token lacks its subject claims");
    }
    std::optional<std::string> bound;
    if (auto const* cnf = c.if_contains("cnf"); cnf != nullptr && cnf->is_object()) {
        bound = json_doc::string_at(cnf->as_object(), "jkt");
    }
    if (bound) {
        if (!iequals(presented.scheme, "DPoP") || !presented.dpop_proof) {
            return refused(
                "this access token is DPoP-bound: send Authorization: DPoP with a DPoP proof"
            );
        }
        auto jkt = check_proof(
            *presented.dpop_proof,
            ProofCheck{presented.method, presented.url, presented.token},
            std::nullopt
        );
        if (!jkt) {
            return jkt.error();
        }
        if (!jose::equal_ct(*jkt, *bound)) {
            return refused("the DPoP proof's key is not the key the token is bound to");
        }
    } else if (!iequals(presented.scheme, "Bearer")) {
        return refused("this access token is a bearer token: send Authorization: Bearer");
    }
    auto actor = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<core::Actor> {
        auto f = core::from_db(repos::find_family(tx, *sid));
        if (!f) {
            return f.error();
        }
        if (!*f || (*f)->revoked_at || (*f)->principal_id != *sub || (*f)->org_id != *org) {
            return refused("this session has ended");
        }
        if (kind == "agent") {
            auto a = core::from_db(repos::find_agent_anywhere(tx, *sub));
            if (!a) {
                return a.error();
            }
            if (!*a || (*a)->revoked_at || (*a)->org_id != *org) {
                return refused("this agent has been revoked");
            }
            return agent_actor(tx, **a);
        }
        auto u = core::from_db(repos::find_user_by_id(tx, *org, *sub));
        if (!u) {
            return u.error();
        }
        if (!*u || (*u)->deactivated_at) {
            return refused("this user is deactivated");
        }
        return user_actor(tx, **u);
    });
    if (actor) {
        actor->channel = channel;
    }
    return actor;
}

Result<StepUpToken> TokenService::mint_step_up(
    Tx& tx,
    core::Actor const& user,
    std::string const& operation,
    std::optional<std::string> const& resource_id,
    seconds ttl
) {
    auto key = current_key();
    if (!key) {
        return Error::unavailable("no signing key is available");
    }
    auto const now = clock_.now();
    std::string const jti = ids_.new_id();
    repos::StepUpRecord rec{
        jti,
        user.org_id,
        user.principal_id,
        operation,
        resource_id,
        core::to_rfc3339(now + ttl),
        std::nullopt};
    if (auto ins = core::from_db(repos::insert_step_up(tx, rec)); !ins) {
        return ins.error();
    }
    json_doc::Object claims{
        {"iss", config_.issuer},
        {"aud", config_.issuer},
        {"sub", user.principal_id},
        {"org", user.org_id},
        {"kind", "human"},
        {"op", operation},
        {"iat", jose::numeric_date(now)},
        {"exp", jose::numeric_date(now + ttl)},
        {"jti", jti},
    };
    if (resource_id) {
        claims["res"] = *resource_id;
    }
    auto token = jose::sign_compact(
        json_doc::Object{{"typ", kStepUpType}, {"kid", key->kid}},
        claims,
        key->key,
        jose::Alg::kES256
    );
    if (!token) {
        return token.error();
    }
    return StepUpToken{std::move(*token), ttl.count()};
}

Result<core::Actor> TokenService::step_up_actor(
    jose::Jws const& jws, std::optional<core::Actor> const& caller, core::Channel channel
) {
    auto const kid = json_doc::string_at(jws.header, "kid");
    auto key = kid ? key_for(*kid) : std::nullopt;
    if (!key || !jose::verify(jws, key->key, {jose::Alg::kES256})) {
        return refused("the privileged token's signature does not verify");
    }
    auto const& c = jws.payload;
    auto const now = clock_.now();
    auto const exp = json_doc::integer_at(c, "exp");
    if (json_doc::string_at(c, "iss") != config_.issuer || !jose::audience_has(c, config_.issuer)) {
        return refused("the privileged token was not issued for this server");
    }
    if (!exp || *exp <= jose::numeric_date(now)) {
        return refused("the privileged token has expired; step up again");
    }
    auto const sub = json_doc::string_at(c, "sub");
    auto const org = json_doc::string_at(c, "org");
    auto const op = json_doc::string_at(c, "op");
    auto const jti = json_doc::string_at(c, "jti");
    if (!sub || !org || !op || !jti) {
        return refused("the privileged token lacks its claims");
    }
    if (caller && (caller->principal_kind != "user" || caller->principal_id != *sub ||
                   caller->org_id != *org)) {
        return Error::permission_denied("this privileged token was issued to someone else");
    }
    auto actor = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<core::Actor> {
        auto row = core::from_db(repos::find_step_up(tx, *jti));
        if (!row) {
            return row.error();
        }
        if (!*row || (*row)->user_id != *sub || (*row)->org_id != *org) {
            return refused("unknown privileged token");
        }
        if ((*row)->used_at) {
            return refused("this privileged token was used already; step up again");
        }
        auto u = core::from_db(repos::find_user_by_id(tx, *org, *sub));
        if (!u) {
            return u.error();
        }
        if (!*u || (*u)->deactivated_at) {
            return refused("this user is deactivated");
        }
        auto a = user_actor(tx, **u);
        if (a) {
            a->step_up = core::StepUp{*jti, (*row)->operation, (*row)->resource_id};
        }
        return a;
    });
    if (actor) {
        actor->channel = channel;
    }
    return actor;
}

Result<core::StepUp> TokenService::check_step_up(
    std::string const& token, core::Actor const& caller
) {
    auto jws = jose::parse_compact(token);
    if (!jws || json_doc::string_at(jws->header, "typ") != kStepUpType) {
        return refused("privilegedToken is not a Signoff privileged token");
    }
    auto actor = step_up_actor(*jws, caller, caller.channel);
    if (!actor) {
        return actor.error();
    }
    return *actor->step_up;
}

core::Status TokenService::end_sessions_of(
    Tx& tx, std::string const& kind, std::string const& principal_id
) {
    auto n = core::from_db(
        repos::revoke_families_of(tx, kind, principal_id, core::to_rfc3339(clock_.now()))
    );
    if (!n) {
        return n.error();
    }
    return {};
}

}  // namespace signoff::server::identity
