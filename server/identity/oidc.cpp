// Sign-in through the OpenID Provider (see oidc.hpp and docs/identity.md).
#include "server/identity/oidc.hpp"

#include <algorithm>

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/agent_keys.hpp"
#include "server/identity/principals.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/logins_repo.hpp"

namespace signoff::server::identity {
namespace {

namespace repos = storage::repos;
namespace json_doc = core::json_doc;
using core::Error;
using core::Result;
using std::chrono::seconds;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxRedirect = 2048;
constexpr std::chrono::seconds kJwksMinRefresh{10};

/// RFC 3986 unreserved characters kept, everything else %XX.
std::string url_encode(std::string_view s) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4U];
            out += kHex[c & 0xFU];
        }
    }
    return out;
}

std::string form(std::vector<std::pair<std::string, std::string>> const& fields) {
    std::string out;
    for (auto const& [k, v] : fields) {
        out += (out.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
    }
    return out;
}

Error idp_refused(std::string why) {
    return Error::unauthenticated("the sign-in was refused: " + std::move(why));
}

}  // namespace

bool is_loopback_redirect(std::string_view uri) {
    constexpr std::string_view kScheme = "http://";
    if (uri.size() > kMaxRedirect || uri.substr(0, kScheme.size()) != kScheme ||
        uri.find('#') != std::string_view::npos) {
        return false;
    }
    auto rest = uri.substr(kScheme.size());
    auto const end = rest.find_first_of("/?");
    auto authority = rest.substr(0, end);
    if (authority.find('@') != std::string_view::npos) {
        return false;
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with("[::1]")) {
        host = authority.substr(0, 5);
        port = authority.substr(5);
    } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon);
    }
    if (!port.empty()) {
        if (port.size() < 2 || port.size() > 6 || port.front() != ':' ||
            !std::all_of(port.begin() + 1, port.end(), [](char c) {
                return c >= '0' && c <= '9';
            })) {
            return false;
        }
    }
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

OidcLogin::OidcLogin(
    storage::Db& db,
    core::Clock const& clock,
    core::IdSource& ids,
    TokenService& tokens,
    OidcConfig config,
    OidcFetch fetch
)
    : db_(db),
      clock_(clock),
      ids_(ids),
      tokens_(tokens),
      config_(std::move(config)),
      fetch_(std::move(fetch)),
      recorder_(clock, ids) {}

Result<OidcLogin::Provider> OidcLogin::provider() {
    {
        std::lock_guard lock(mu_);
        if (provider_) {
            return *provider_;
        }
    }
    auto answer = fetch_("GET", config_.issuer + "/.well-known/openid-configuration", {}, "");
    if (!answer) {
        return Error::unavailable(
            "the OpenID Provider cannot be reached: " + answer.error().message
        );
    }
    if (answer->status != 200) {
        return Error::unavailable(
            "the OpenID Provider's discovery document answered " + std::to_string(answer->status)
        );
    }
    auto doc = json_doc::parse_object(answer->body, "the OpenID Provider's discovery document");
    if (!doc) {
        return Error::unavailable(doc.error().message);
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer asked.
    if (json_doc::string_at(*doc, "issuer") != config_.issuer) {
        return Error::unavailable("the OpenID Provider's discovery document names another issuer");
    }
    Provider p{
        json_doc::string_at(*doc, "authorization_endpoint").value_or(""),
        json_doc::string_at(*doc, "token_endpoint").value_or(""),
        json_doc::string_at(*doc, "jwks_uri").value_or("")};
    if (p.authorization_endpoint.empty() || p.token_endpoint.empty() || p.jwks_uri.empty()) {
        return Error::unavailable("the OpenID Provider's discovery document lacks endpoints");
    }
    std::lock_guard lock(mu_);
    provider_ = p;
    return p;
}

Result<jose::Key> OidcLogin::idp_key(std::optional<std::string> const& kid, jose::Alg alg) {
    auto pick = [&]() -> std::optional<jose::Key> {
        std::optional<jose::Key> only;
        int fitting = 0;
        for (auto const& [id, key] : jwks_) {
            if (!key.fits(alg)) {
                continue;
            }
            if (kid && id == *kid) {
                return key;
            }
            ++fitting;
            only = key;
        }
        if (!kid && fitting == 1) {
            return only;
        }
        return std::nullopt;
    };
    std::lock_guard lock(mu_);
    if (auto k = pick()) {
        return *k;
    }
    // An unknown kid: the IdP may have rotated; re-read its keys (not more
    // often than every 10 s, so that junk tokens cannot hammer it).
    if (clock_.now() - jwks_loaded_ < kJwksMinRefresh && !jwks_.empty()) {
        return idp_refused("the id_token names a key the IdP does not publish");
    }
    auto p = provider_;
    if (!p) {
        return Error::unavailable("the OpenID Provider was not discovered yet");
    }
    auto answer = fetch_("GET", p->jwks_uri, {}, "");
    if (!answer || answer->status != 200) {
        return Error::unavailable("the OpenID Provider's keys cannot be read");
    }
    auto doc = json_doc::parse_object(answer->body, "the OpenID Provider's JWKS");
    if (!doc || !doc->contains("keys") || !doc->at("keys").is_array()) {
        return Error::unavailable("the OpenID Provider's JWKS is not a key set");
    }
    std::vector<std::pair<std::string, jose::Key>> keys;
    for (auto const& k : doc->at("keys").as_array()) {
        if (!k.is_object()) {
            continue;
        }
        auto const& o = k.as_object();
        if (auto use = json_doc::string_at(o, "use"); use && *use != "sig") {
            continue;
        }
        auto key = jose::key_from_jwk(o);
        if (key) {
            keys.emplace_back(json_doc::string_at(o, "kid").value_or(""), *key);
        }
    }
    jwks_ = std::move(keys);
    jwks_loaded_ = clock_.now();
    if (auto k = pick()) {
        return *k;
    }
    return idp_refused("the id_token names a key the IdP does not publish");
}

Result<std::string> OidcLogin::start(
    std::string const& kind,
    std::string const& redirect_uri,
    std::optional<std::string> const& org,
    core::Actor const* caller,
    std::string const& extra_params
) {
    if (!enabled()) {
        return Error::failed_precondition("no OpenID Provider is configured (--oidc-issuer)");
    }
    if (redirect_uri.empty()) {
        return Error::invalid_field("redirectUri", "give the loopback URL the browser returns to");
    }
    if (!is_loopback_redirect(redirect_uri)) {
        return Error::invalid_field(
            "redirectUri",
            "must be an http URL on 127.0.0.1, localhost or [::1] (any port): RFC 8252 loopback"
        );
    }
    if (org && !valid_org_name(*org)) {
        return Error::invalid_field(
            "org", "org names are 1-63 lowercase letters, digits and dashes"
        );
    }
    auto p = provider();
    if (!p) {
        return p.error();
    }
    auto const now = clock_.now();
    std::string const state = jose::b64url(jose::random_bytes(32));
    std::string const nonce = jose::b64url(jose::random_bytes(32));
    std::string const verifier = jose::b64url(jose::random_bytes(32));
    repos::LoginRequestRecord rec{
        state,
        kind,
        verifier,
        nonce,
        redirect_uri,
        org,
        caller != nullptr ? std::optional(caller->org_id) : std::nullopt,
        caller != nullptr ? std::optional(caller->principal_id) : std::nullopt,
        core::to_rfc3339(now),
        core::to_rfc3339(now + config_.request_ttl),
        std::nullopt};
    auto stored = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
        return core::from_db(repos::insert_login_request(tx, rec, core::to_rfc3339(now)));
    });
    if (!stored) {
        return stored.error();
    }
    std::string const challenge = jose::b64url(jose::sha256(verifier));
    std::string url = p->authorization_endpoint;
    url += url.find('?') == std::string::npos ? "?" : "&";
    url += form({
        {"response_type", "code"},
        {"client_id", config_.client_id},
        {"redirect_uri", redirect_uri},
        {"scope", config_.scopes},
        {"state", state},
        {"nonce", nonce},
        {"code_challenge", challenge},
        {"code_challenge_method", "S256"},
    });
    return url + extra_params;
}

Result<std::string> OidcLogin::cli_initiate(
    std::string const& redirect_uri, std::optional<std::string> const& org
) {
    return start("cli", redirect_uri, org, nullptr, "");
}

Result<std::pair<json_doc::Object, std::string>> OidcLogin::redeem(
    std::string const& kind,
    std::string const& code,
    std::string const& state,
    core::Actor const* caller
) {
    if (!enabled()) {
        return Error::failed_precondition("no OpenID Provider is configured (--oidc-issuer)");
    }
    if (code.empty() || state.empty()) {
        return Error::invalid(code.empty() ? "give the code" : "give the state");
    }
    auto const now = clock_.now();
    // Consumed first: a code and state are tried once, whatever happens next.
    auto request =
        core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<repos::LoginRequestRecord> {
            auto r = core::from_db(repos::find_login_request(tx, state));
            if (!r) {
                return r.error();
            }
            if (!*r || (*r)->kind != kind) {
                return idp_refused("unknown state");
            }
            if (caller != nullptr && ((*r)->caller_user_id != caller->principal_id ||
                                      (*r)->caller_org_id != caller->org_id)) {
                return Error::permission_denied("this step-up was started by someone else");
            }
            if ((*r)->expires_at <= core::to_rfc3339(now)) {
                return idp_refused("the sign-in took longer than 10 minutes; start again");
            }
            auto used = core::from_db(repos::use_login_request(tx, state, core::to_rfc3339(now)));
            if (!used) {
                return used.error();
            }
            if (*used == 0) {
                return idp_refused("this state was used already; start again");
            }
            return **r;
        });
    if (!request) {
        return request.error();
    }
    auto p = provider();
    if (!p) {
        return p.error();
    }
    std::string const basic =
        base64(url_encode(config_.client_id) + ":" + url_encode(config_.client_secret));
    auto answer = fetch_(
        "POST",
        p->token_endpoint,
        {{"Authorization", "Basic " + basic},
         {"Content-Type", "application/x-www-form-urlencoded"},
         {"Accept", "application/json"}},
        form({
            {"grant_type", "authorization_code"},
            {"code", code},
            {"redirect_uri", request->redirect_uri},
            {"code_verifier", request->code_verifier},
        })
    );
    if (!answer) {
        return Error::unavailable(
            "the OpenID Provider cannot be reached: " + answer.error().message
        );
    }
    auto doc = json_doc::parse_object(answer->body, "the OpenID Provider's token answer");
    if (answer->status != 200 || !doc) {
        std::string why = doc ? json_doc::string_at(*doc, "error").value_or("error") : "error";
        return idp_refused("the IdP did not accept the code (" + why + ")");
    }
    auto const id_token = json_doc::string_at(*doc, "id_token");
    if (!id_token) {
        return idp_refused("the IdP answered no id_token");
    }
    auto jws = jose::parse_compact(*id_token);
    if (!jws || !jws->alg) {
        return idp_refused("the id_token is not a signed JWT");
    }
    using jose::Alg;
    auto key = idp_key(json_doc::string_at(jws->header, "kid"), *jws->alg);
    if (!key) {
        return key.error();
    }
    if (!jose::verify(*jws, *key, {Alg::kRS256, Alg::kPS256, Alg::kES256, Alg::kEdDSA})) {
        return idp_refused("the id_token's signature does not verify with the IdP's keys");
    }
    auto const& c = jws->payload;
    if (json_doc::string_at(c, "iss") != config_.issuer) {
        return idp_refused("the id_token's iss is not the configured IdP");
    }
    if (!jose::audience_has(c, config_.client_id)) {
        return idp_refused("the id_token's aud is not this client");
    }
    if (auto azp = json_doc::string_at(c, "azp"); azp && *azp != config_.client_id) {
        return idp_refused("the id_token's azp is not this client");
    }
    auto const exp = json_doc::integer_at(c, "exp");
    if (!exp || *exp <= jose::numeric_date(now - config_.skew)) {
        return idp_refused("the id_token has expired");
    }
    if (auto iat = json_doc::integer_at(c, "iat");
        iat && *iat > jose::numeric_date(now + config_.skew)) {
        return idp_refused("the id_token was issued in the future");
    }
    auto const nonce = json_doc::string_at(c, "nonce");
    if (!nonce || !jose::equal_ct(*nonce, request->nonce)) {
        return idp_refused("the id_token's nonce is not the one this sign-in sent");
    }
    if (!json_doc::string_at(c, "sub")) {
        return idp_refused("the id_token has no sub");
    }
    return std::make_pair(c, request->org_name.value_or(""));
}

Result<TokenPair> OidcLogin::cli_token(std::string const& code, std::string const& state) {
    auto redeemed = redeem("cli", code, state, nullptr);
    if (!redeemed) {
        return redeemed.error();
    }
    auto const& [claims, org_name] = *redeemed;
    auto const sub = *json_doc::string_at(claims, "sub");
    auto const email = json_doc::string_at(claims, "email");
    auto const* verified = claims.if_contains("email_verified");
    if (!email || verified == nullptr || !verified->is_bool() || !verified->as_bool()) {
        return idp_refused("the IdP vouched for no verified e-mail address");
    }
    auto norm = normalize_email(*email, "email");
    if (!norm) {
        return idp_refused("the IdP's e-mail address is not a plain address");
    }
    std::string const display =
        json_doc::string_at(claims, "name").value_or(norm->substr(0, norm->find('@')));
    auto const now = core::to_rfc3339(clock_.now());
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<TokenPair> {
        std::optional<repos::OrgRecord> org;
        if (!org_name.empty()) {
            auto o = core::from_db(repos::find_org_by_name(tx, org_name));
            if (!o) {
                return o.error();
            }
            if (!*o) {
                return Error::not_found("org '" + org_name + "' does not exist");
            }
            org = **o;
        }
        auto candidates = core::from_db(repos::users_for_sign_in(
            tx, sub, lower(*norm), org ? std::optional(org->id) : std::nullopt
        ));
        if (!candidates) {
            return candidates.error();
        }
        std::vector<repos::UserRecord> users = std::move(*candidates);
        if (users.empty()) {
            if (!org || config_.provisioning != Provisioning::kMember) {
                return Error::permission_denied(
                    org ? "no user of org '" + org->name +
                              "' has this e-mail address; an admin must create the user first"
                        : "no Signoff user has this e-mail address; an admin must create the "
                          "user first (or name the org, where it provisions new members)"
                );
            }
            repos::UserRecord created;
            created.id = ids_.new_id();
            created.org_id = org->id;
            created.email = *norm;
            created.email_lower = lower(*norm);
            created.display_name = display.empty() ? *norm : display.substr(0, 255);
            created.org_role = "member";
            created.created_at = now;
            if (auto ins = core::from_db(repos::insert_user(tx, created)); !ins) {
                return ins.error();
            }
            core::Actor who = user_actor(created, org->name);
            who.channel = core::Channel::kRest;
            auto audited = recorder_.audit(
                tx,
                events::Recorder::by(
                    who,
                    "identity.user.provisioned",
                    "user",
                    created.id,
                    events::JsonObject{}.str("email", created.email).str("via", "oidc").text()
                )
            );
            if (!audited) {
                return audited.error();
            }
            users.push_back(created);
        }
        if (users.size() > 1) {
            return Error::invalid_field(
                "org",
                "this e-mail address belongs to users of several orgs: name the org to sign in to"
            );
        }
        auto const& user = users.front();
        if (user.deactivated_at) {
            return Error::permission_denied("this user is deactivated");
        }
        if (auto set = core::from_db(repos::set_idp_subject(tx, user.org_id, user.id, sub)); !set) {
            return set.error();
        }
        auto who = user_actor(tx, user);
        if (!who) {
            return who.error();
        }
        return tokens_.sign_in(
            tx, *who, std::nullopt, events::JsonObject{}.str("via", "oidc").text()
        );
    });
}

Result<std::string> OidcLogin::step_up_initiate(
    core::Actor const& caller, std::string const& redirect_uri
) {
    if (caller.principal_kind != "user") {
        return Error::permission_denied("only human users step up; an agent's vote needs none");
    }
    std::string extra = "&prompt=login&max_age=0";
    if (!config_.step_up_acr.empty()) {
        extra += "&acr_values=" + url_encode(config_.step_up_acr);
    }
    if (!caller.email.empty()) {
        extra += "&login_hint=" + url_encode(caller.email);
    }
    return start("step_up", redirect_uri, std::nullopt, &caller, extra);
}

Result<StepUpToken> OidcLogin::step_up_exchange(
    core::Actor const& caller,
    std::string const& code,
    std::string const& state,
    std::string const& operation,
    std::optional<std::string> const& resource_id
) {
    if (caller.principal_kind != "user") {
        return Error::permission_denied("only human users step up; an agent's vote needs none");
    }
    if (operation != "vote") {
        return Error::invalid_field("operation", "the only privileged operation is vote");
    }
    if (resource_id && (resource_id->empty() || resource_id->size() > 255)) {
        return Error::invalid_field("resourceId", "give the workflow's id");
    }
    auto redeemed = redeem("step_up", code, state, &caller);
    if (!redeemed) {
        return redeemed.error();
    }
    auto const& claims = redeemed->first;
    auto const now = clock_.now();
    // What came back decides, never what was asked: a fresh authentication...
    auto const auth_time = json_doc::integer_at(claims, "auth_time");
    if (!auth_time || *auth_time < jose::numeric_date(now - config_.max_auth_age) ||
        *auth_time > jose::numeric_date(now + config_.skew)) {
        return Error::permission_denied(
            "the IdP's answer shows no fresh login (auth_time older than " +
            std::to_string(config_.max_auth_age.count()) + " s); step up again"
        );
    }
    // ...with the required assurance...
    if (!config_.step_up_acr.empty() && json_doc::string_at(claims, "acr") != config_.step_up_acr) {
        return Error::permission_denied(
            "the IdP's answer shows an authentication below the required acr " + config_.step_up_acr
        );
    }
    // ...by the caller, not by whoever was at the keyboard.
    auto const sub = *json_doc::string_at(claims, "sub");
    auto const email = json_doc::string_at(claims, "email");
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<StepUpToken> {
        auto linked = core::from_db(repos::idp_subject_of(tx, caller.org_id, caller.principal_id));
        if (!linked) {
            return linked.error();
        }
        bool const same = *linked ? **linked == sub : email && lower(*email) == lower(caller.email);
        if (!same) {
            return Error::permission_denied(
                "the fresh login was by someone else than the caller; step up as yourself"
            );
        }
        auto token = tokens_.mint_step_up(tx, caller, operation, resource_id, config_.step_up_ttl);
        if (!token) {
            return token.error();
        }
        auto audited = recorder_.audit(
            tx,
            events::Recorder::by(
                caller,
                "identity.user.stepped_up",
                "user",
                caller.principal_id,
                events::JsonObject{}
                    .str("operation", operation)
                    .opt_str("resource_id", resource_id)
                    .text()
            )
        );
        if (!audited) {
            return audited.error();
        }
        return token;
    });
}

}  // namespace signoff::server::identity
