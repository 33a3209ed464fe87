// TokenService on both back ends with an injected clock: the agent challenge
// fits one RSA-OAEP block at the limits (an 80-byte issuer, a 100-byte name
// with a quote), signing keys are created once and rotate with an overlap,
// and an assertion signed here (jose) goes through the whole RFC 7523 check.
#include "server/identity/token_service.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "server/identity/identity_service.hpp"
#include "server/identity/jose.hpp"
#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::identity::TokenConfig;
using server::identity::TokenService;
namespace jose = server::identity::jose;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

/// An issuer of exactly kMaxIssuerBytes.
std::string longest_issuer() {
    std::string host(server::identity::kMaxIssuerBytes - std::string("https://").size(), 'a');
    return "https://" + host;
}

std::string decrypt(std::string const& private_pem, std::string const& sealed_b64) {
    auto key = jose::private_key_from_pem(private_pem);
    REQUIRE(key.has_value());
    // Standard base64 → bytes through OpenSSL's decoder.
    std::string raw((sealed_b64.size() / 4) * 3, '\0');
    int const n = EVP_DecodeBlock(
        reinterpret_cast<unsigned char*>(raw.data()),
        reinterpret_cast<unsigned char const*>(sealed_b64.data()),
        static_cast<int>(sealed_b64.size())
    );
    REQUIRE(n > 0);
    raw.resize(
        static_cast<std::size_t>(n) - (sealed_b64.ends_with("==")  ? 2
                                       : sealed_b64.ends_with("=") ? 1
                                                                   : 0)
    );
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr), EVP_PKEY_CTX_free
    );
    REQUIRE(EVP_PKEY_decrypt_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) > 0);
    std::size_t len = 0;
    auto const* in = reinterpret_cast<unsigned char const*>(raw.data());
    REQUIRE(EVP_PKEY_decrypt(ctx.get(), nullptr, &len, in, raw.size()) == 1);
    std::string out(len, '\0');
    REQUIRE(
        EVP_PKEY_decrypt(
            ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in, raw.size()
        ) == 1
    );
    out.resize(len);
    return out;
}

}  // namespace

TEST_SUITE("server/identity/token_service") {
    TEST_CASE_TEMPLATE(
        "a challenge fits one OAEP block at the limits and signs an agent in once",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        TokenConfig config;
        config.issuer = longest_issuer();
        TokenService tokens(*d.tdb.db, d.clock, d.ids, config);
        REQUIRE(tokens.ensure_signing_key().has_value());
        auto root = d.org_admin("acme", "root@acme.example");
        std::string const name = std::string(98, 'q') + "\"";  // 100 challenge bytes
        auto agent = d.identity.register_agent(root, name);
        REQUIRE_MESSAGE(agent.has_value(), agent.error().message);

        auto sealed = tokens.agent_challenge(name);
        REQUIRE_MESSAGE(sealed.has_value(), sealed.error().message);
        auto doc = server::core::json_doc::parse_object(
            decrypt(agent->private_key_pem, *sealed), "challenge"
        );
        REQUIRE(doc.has_value());
        CHECK(server::core::json_doc::string_at(*doc, "audience") == name);
        CHECK(server::core::json_doc::string_at(*doc, "issuer") == config.issuer);
        CHECK(server::core::json_doc::string_at(*doc, "expires_at") == "2026-01-01T00:10:00Z");
        auto nonce = server::core::json_doc::string_at(*doc, "nonce");
        REQUIRE(nonce.has_value());
        CHECK(nonce->size() == 64);

        auto key = jose::private_key_from_pem(agent->private_key_pem);
        REQUIRE(key.has_value());
        auto const now =
            std::chrono::duration_cast<std::chrono::seconds>(d.clock.now().time_since_epoch())
                .count();
        jose::Object claims{
            {"iss", name},
            {"sub", name},
            {"aud", config.issuer},
            {"exp", now + 60},
            {"jti", *nonce}};
        auto assertion = jose::sign_compact({{"typ", "JWT"}}, claims, *key, jose::Alg::kRS256);
        REQUIRE(assertion.has_value());
        server::identity::AgentTokenRequest request{
            std::string(server::identity::kJwtBearerGrant),
            std::string(server::identity::kJwtBearerAssertion),
            *assertion};
        auto pair = tokens.agent_token(request);
        REQUIRE_MESSAGE(pair.has_value(), pair.error().message);
        auto again = tokens.agent_token(request);
        REQUIRE(again.has_error());
        CHECK(again.error().kind == server::core::ErrorKind::kUnauthenticated);

        server::identity::PresentedToken presented{
            "Bearer", pair->access_token, std::nullopt, "GET", config.issuer + "/x"};
        auto actor = tokens.authenticate(presented, server::core::Channel::kRest);
        REQUIRE_MESSAGE(actor.has_value(), actor.error().message);
        CHECK(actor->principal_kind == "agent");
        CHECK(actor->principal_id == agent->agent.id);
        CHECK(actor->org_id == root.org_id);
        CHECK(actor->role == server::core::OrgRole::kMember);

        // Rotation: the old key keeps verifying through the overlap only.
        REQUIRE(tokens.rotate_signing_key(std::chrono::seconds{120}).has_value());
        CHECK(tokens.jwks().at("keys").as_array().size() == 2);
        CHECK(tokens.authenticate(presented, server::core::Channel::kRest).has_value());
        d.clock.advance(std::chrono::seconds{121});
        CHECK(tokens.jwks().at("keys").as_array().size() == 1);
        auto after = tokens.authenticate(presented, server::core::Channel::kRest);
        REQUIRE(after.has_error());
        CHECK(after.error().message == "the access token's signature does not verify");
    }

    TEST_CASE_TEMPLATE(
        "two replicas starting on one database share one signing key",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        TokenConfig config;
        config.issuer = "http://127.0.0.1:8080";
        TokenService one(*d.tdb.db, d.clock, d.ids, config);
        TokenService two(*d.tdb.db, d.clock, d.ids, config);
        REQUIRE(one.ensure_signing_key().has_value());
        REQUIRE(two.ensure_signing_key().has_value());
        CHECK(d.count("SELECT COUNT(*) FROM signing_keys", {}) == 1);
        CHECK(one.jwks() == two.jwks());
    }
}
