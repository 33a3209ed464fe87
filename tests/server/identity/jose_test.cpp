// JOSE against published vectors and hostile input: RFC 7515 A.2 (RS256) and
// A.3 (ES256), RFC 8037 A (Ed25519), RFC 7638 §3.1 (thumbprint), RFC 4648 §10
// (base64url); tokens and keys an attacker would send; round trips; RSA-OAEP
// decrypted by OpenSSL itself. Every vector below was first checked with the
// npm jose library pinned in tests/e2e/node (compactVerify,
// calculateJwkThumbprint); constants marked "node" are cross-language values
// computed there, not copied from an RFC.
#include "server/identity/jose.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "server/core/json_doc.hpp"

namespace jose = signoff::server::identity::jose;
namespace json_doc = signoff::server::core::json_doc;
using jose::Alg;

namespace {

// ---- RFC 7515 Appendix A.2: RS256 ----

// The RSA public key of A.2.1 (2048 bits).
constexpr std::string_view kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qP"
    "CJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47s"
    "oMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2"
    "R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoud"
    "F8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr std::string_view kA2E = "AQAB";

// The complete JWS of A.2.1. Its payload is the RFC's JSON with CR LF line
// breaks: {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
constexpr std::string_view kA2Header = "eyJhbGciOiJSUzI1NiJ9";
constexpr std::string_view kA2Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
    "cnVlfQ";
constexpr std::string_view kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
    "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb"
    "1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QO"
    "YEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// The same claims without the CR LF white space (node): a valid JSON payload
// the A.2 signature does not cover.
constexpr std::string_view kA2PayloadReserialised =
    "eyJpc3MiOiJqb2UiLCJleHAiOjEzMDA4MTkzODAsImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

// The A.2 key as SubjectPublicKeyInfo PEM (node's crypto export of the JWK).
constexpr std::string_view kA2Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\n"
    "NiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz\n"
    "P1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo\n"
    "9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB\n"
    "EMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX\n"
    "FvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp\n"
    "oQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// RFC 7638 thumbprint of the A.2 key (node calculateJwkThumbprint).
constexpr std::string_view kA2Thumbprint = "IsUn6_e04MaShXFIISMp4kG62LWzMIPy_MvSA5pJgX8";

// ---- RFC 7515 Appendix A.3: ES256 ----

constexpr std::string_view kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
// The private scalar of A.3.1: a JWK carrying it must be refused.
constexpr std::string_view kA3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr std::string_view kA3Header = "eyJhbGciOiJFUzI1NiJ9";
constexpr std::string_view kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
// RFC 7638 thumbprint of the A.3 key (node calculateJwkThumbprint).
constexpr std::string_view kA3Thumbprint = "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U";

// ---- RFC 7515 Appendix A.1: the HS256 symmetric key (kty "oct") ----

constexpr std::string_view kA1OctJwk =
    R"({"kty":"oct",)"
    R"("k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZ)"
    R"(r1Z9CAow"})";

// ---- RFC 8037 Appendix A: Ed25519 ----

// A.2: the public key. A.1: its private half.
constexpr std::string_view kEdX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view kEdD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
// A.3: its thumbprint.
constexpr std::string_view kEdThumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
// A.4: header {"alg":"EdDSA"}, payload the text "Example of Ed25519 signing".
constexpr std::string_view kEdSigningInput =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr std::string_view kEdSignature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// ---- RFC 7638 §3.1 ----

constexpr std::string_view kTpJwk =
    R"({"kty":"RSA",)"
    R"("n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1)"
    R"(L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65)"
    R"(YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-)"
    R"(bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",)"
    R"("e":"AQAB","alg":"RS256","kid":"2011-04-29"})";
constexpr std::string_view kTpThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// ---- hostile pieces (base64url of the JSON in the comment, from node) ----

constexpr std::string_view kHdrEs256 = "eyJhbGciOiJFUzI1NiJ9";  // {"alg":"ES256"}
constexpr std::string_view kHdrRs256 = "eyJhbGciOiJSUzI1NiJ9";  // {"alg":"RS256"}
constexpr std::string_view kHdrHs256 = "eyJhbGciOiJIUzI1NiJ9";  // {"alg":"HS256"}
constexpr std::string_view kHdrNone = "eyJhbGciOiJub25lIn0";    // {"alg":"none"}
constexpr std::string_view kHdrTypOnly = "eyJ0eXAiOiJKV1QifQ";  // {"typ":"JWT"}
constexpr std::string_view kHdrAlgNumber = "eyJhbGciOjI1Nn0";   // {"alg":256}
// {"alg":"ES256","crit":["exp"],"exp":1}
constexpr std::string_view kHdrCrit = "eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiZXhwIl0sImV4cCI6MX0";
constexpr std::string_view kNotJson = "bm90IGpzb24";       // not json
constexpr std::string_view kPaySub = "eyJzdWIiOiJ4In0";    // {"sub":"x"}
constexpr std::string_view kPayArray = "WyJzdWIiLCJ4Il0";  // ["sub","x"]
constexpr std::string_view kPayString = "Ingi";            // "x"
constexpr std::string_view kPayAdmin =
    "eyJpc3MiOiJqb2UiLCJzdWIiOiJhZG1pbiJ9";  // {"iss":"joe","sub":"admin"}

// The alg-confusion token (node): header {"alg":"HS256"}, payload
// {"iss":"joe","sub":"admin"}, HMAC-SHA256 keyed with the bytes of kA2Pem.
constexpr std::string_view kHs256WithPemToken =
    "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLCJzdWIiOiJhZG1pbiJ9."
    "uYx6oiX84yVWyyxxIqj0G0CmF_Ror-4CtBhwB9d6Q-E";

// A P-384 public key (node generateKeyPairSync): a valid point, wrong curve.
constexpr std::string_view kP384Jwk =
    R"({"kty":"EC","crv":"P-384",)"
    R"("x":"okXpibiItxIN-wn66CsPQ6T2WLl2LM3ulLP14tqWeMOuC7xdkwBo3amg2zHmrYFb",)"
    R"("y":"nTuOyb_ZQxwLfHGwwPpraeWpAnPxaoMWO1IPnQENzI25S2FSUhPCCWiCnaTeriHk"})";

// ---- helpers ----

std::string cat(std::string_view a, std::string_view b, std::string_view c) {
    std::string out(a);
    out += '.';
    out += b;
    out += '.';
    out += c;
    return out;
}

std::string a2_token() {
    return cat(kA2Header, kA2Payload, kA2Signature);
}

std::string a3_token() {
    return cat(kA3Header, kA2Payload, kA3Signature);  // A.3 signs the same payload as A.2
}

jose::Object must_object(std::string_view json) {
    auto object = json_doc::parse_object(json, "test JSON");
    REQUIRE_MESSAGE(object.has_value(), object.error().message);
    return *object;
}

jose::Key must_key(jose::Object const& jwk) {
    auto key = jose::key_from_jwk(jwk);
    REQUIRE_MESSAGE(key.has_value(), key.error().message);
    return *key;
}

jose::Jws must_parse(std::string_view token) {
    auto jws = jose::parse_compact(token);
    REQUIRE_MESSAGE(jws.has_value(), jws.error().message);
    return *jws;
}

jose::Object a2_jwk() {
    jose::Object jwk;
    jwk["kty"] = "RSA";
    jwk["n"] = kA2N;
    jwk["e"] = kA2E;
    return jwk;
}

jose::Object a3_jwk() {
    jose::Object jwk;
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = kA3X;
    jwk["y"] = kA3Y;
    return jwk;
}

jose::Object ed_jwk() {
    jose::Object jwk;
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = kEdX;
    return jwk;
}

/// RFC 8037 A.4's payload is text, not a JSON object, so parse_compact
/// rightly refuses it; verify only reads alg, signing_input and signature.
jose::Jws ed_jws() {
    jose::Jws jws;
    jws.header = must_object(R"({"alg":"EdDSA"})");
    jws.signing_input = std::string(kEdSigningInput);
    auto signature = jose::b64url_decode(kEdSignature);
    REQUIRE(signature.has_value());
    jws.signature = *signature;
    jws.alg = Alg::kEdDSA;
    return jws;
}

void flip_bit(std::string& bytes, std::size_t at) {
    REQUIRE(at < bytes.size());
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
}

/// verify must say no under every allowed list, including all four at once.
void check_refused_everywhere(jose::Jws const& jws, jose::Key const& key) {
    CHECK_FALSE(jose::verify(jws, key, {}));
    CHECK_FALSE(jose::verify(jws, key, {Alg::kRS256}));
    CHECK_FALSE(jose::verify(jws, key, {Alg::kPS256}));
    CHECK_FALSE(jose::verify(jws, key, {Alg::kES256}));
    CHECK_FALSE(jose::verify(jws, key, {Alg::kEdDSA}));
    CHECK_FALSE(jose::verify(jws, key, {Alg::kRS256, Alg::kPS256, Alg::kES256, Alg::kEdDSA}));
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

/// A fresh RSA key pair of `bits`, generated by OpenSSL directly.
jose::Key openssl_rsa(unsigned int bits) {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) > 0);
    EVP_PKEY* raw = nullptr;
    REQUIRE(EVP_PKEY_generate(ctx.get(), &raw) == 1);
    REQUIRE(raw != nullptr);
    return jose::Key(std::shared_ptr<EVP_PKEY>(raw, PkeyFree{}));
}

/// One RSA-3072 key for the whole binary: generating it is slow.
jose::Key const& rsa3072() {
    static jose::Key const key = openssl_rsa(3072);
    return key;
}

/// RSA-OAEP decryption by OpenSSL with the given label hash and MGF1 hash;
/// nullopt when OpenSSL refuses the ciphertext.
std::optional<std::string> oaep_decrypt(
    jose::Key const& key,
    std::string const& ciphertext,
    EVP_MD const* oaep_md,
    EVP_MD const* mgf1_md
) {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_decrypt_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), oaep_md) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1_md) > 0);
    auto const* in = reinterpret_cast<unsigned char const*>(ciphertext.data());
    std::size_t len = 0;
    if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, in, ciphertext.size()) != 1) {
        return std::nullopt;
    }
    std::string out(len, '\0');
    if (EVP_PKEY_decrypt(
            ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in, ciphertext.size()
        ) != 1) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::string mac(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    REQUIRE(
        HMAC(
            EVP_sha256(),
            key.data(),
            static_cast<int>(key.size()),
            reinterpret_cast<unsigned char const*>(data.data()),
            data.size(),
            reinterpret_cast<unsigned char*>(mac.data()),
            &len
        ) != nullptr
    );
    mac.resize(len);
    return mac;
}

}  // namespace

TEST_SUITE("server/identity/jose") {
    // ---- RFC 7515 A.2 ----

    TEST_CASE("RFC 7515 A.2: the RS256 example verifies with the RFC's RSA key") {
        jose::Key const key = must_key(a2_jwk());
        CHECK(key.kty() == "RSA");
        CHECK(key.fits(Alg::kRS256));
        CHECK(key.fits(Alg::kPS256));
        CHECK_FALSE(key.fits(Alg::kES256));
        CHECK_FALSE(key.fits(Alg::kEdDSA));

        std::string const token = a2_token();
        jose::Jws const jws = must_parse(token);
        REQUIRE(jws.alg.has_value());
        CHECK(*jws.alg == Alg::kRS256);
        CHECK(json_doc::string_at(jws.header, "alg") == "RS256");
        CHECK(json_doc::string_at(jws.payload, "iss") == "joe");
        CHECK(json_doc::integer_at(jws.payload, "exp") == 1300819380);
        CHECK(jws.signing_input == std::string(kA2Header) + "." + std::string(kA2Payload));
        CHECK(jws.signature.size() == 256);

        CHECK(jose::verify(jws, key, {Alg::kRS256}));
        CHECK(jose::verify(jws, key, {Alg::kES256, Alg::kRS256}));
    }

    TEST_CASE("RFC 7515 A.2: refused when RS256 is not among the allowed algorithms") {
        jose::Key const key = must_key(a2_jwk());
        jose::Jws const jws = must_parse(a2_token());
        CHECK_FALSE(jose::verify(jws, key, {Alg::kPS256}));
        CHECK_FALSE(jose::verify(jws, key, {Alg::kES256}));
        CHECK_FALSE(jose::verify(jws, key, {Alg::kEdDSA}));
        CHECK_FALSE(jose::verify(jws, key, {}));
    }

    TEST_CASE("RFC 7515 A.2: a flipped signature bit or a changed payload fails") {
        jose::Key const key = must_key(a2_jwk());

        for (std::size_t at : {std::size_t{0}, std::size_t{10}, std::size_t{255}}) {
            CAPTURE(at);
            jose::Jws jws = must_parse(a2_token());
            flip_bit(jws.signature, at);
            CHECK_FALSE(jose::verify(jws, key, {Alg::kRS256}));
        }

        // The flipped signature re-encoded as a token, parsed from scratch.
        auto signature = jose::b64url_decode(kA2Signature);
        REQUIRE(signature.has_value());
        flip_bit(*signature, 10);
        jose::Jws const flipped = must_parse(cat(kA2Header, kA2Payload, jose::b64url(*signature)));
        CHECK_FALSE(jose::verify(flipped, key, {Alg::kRS256}));

        // Same claims, different bytes: the signature covers the bytes.
        jose::Jws const reserialised =
            must_parse(cat(kA2Header, kA2PayloadReserialised, kA2Signature));
        CHECK(json_doc::string_at(reserialised.payload, "iss") == "joe");
        CHECK_FALSE(jose::verify(reserialised, key, {Alg::kRS256}));

        // A truncated or extended signature.
        jose::Jws shorter = must_parse(a2_token());
        shorter.signature.pop_back();
        CHECK_FALSE(jose::verify(shorter, key, {Alg::kRS256}));
        jose::Jws longer = must_parse(a2_token());
        longer.signature.push_back('\0');
        CHECK_FALSE(jose::verify(longer, key, {Alg::kRS256}));
    }

    TEST_CASE("RFC 7515 A.2: the key exports as the JWK, SPKI PEM and thumbprint node computes") {
        jose::Key const key = must_key(a2_jwk());
        jose::Object const jwk = jose::public_jwk(key);
        CHECK(json_doc::string_at(jwk, "kty") == "RSA");
        CHECK(json_doc::string_at(jwk, "n") == std::string(kA2N));
        CHECK(json_doc::string_at(jwk, "e") == std::string(kA2E));
        CHECK_FALSE(jwk.contains("d"));
        CHECK(jose::public_pem(key) == kA2Pem);
        CHECK(jose::thumbprint(key) == kA2Thumbprint);

        auto from_pem = jose::public_key_from_pem(kA2Pem);
        REQUIRE_MESSAGE(from_pem.has_value(), from_pem.error().message);
        CHECK(jose::verify(must_parse(a2_token()), *from_pem, {Alg::kRS256}));
        CHECK(jose::thumbprint(*from_pem) == kA2Thumbprint);
    }

    // ---- RFC 7515 A.3 ----

    TEST_CASE("RFC 7515 A.3: the ES256 example verifies with the RFC's P-256 key") {
        jose::Key const key = must_key(a3_jwk());
        CHECK(key.kty() == "EC");
        CHECK(key.fits(Alg::kES256));
        CHECK_FALSE(key.fits(Alg::kRS256));
        CHECK_FALSE(key.fits(Alg::kPS256));
        CHECK_FALSE(key.fits(Alg::kEdDSA));

        jose::Jws const jws = must_parse(a3_token());
        REQUIRE(jws.alg.has_value());
        CHECK(*jws.alg == Alg::kES256);
        CHECK(jws.signature.size() == 64);  // R‖S, not DER
        CHECK(jose::verify(jws, key, {Alg::kES256}));
        CHECK_FALSE(jose::verify(jws, key, {Alg::kRS256, Alg::kPS256, Alg::kEdDSA}));

        jose::Object const jwk = jose::public_jwk(key);
        CHECK(json_doc::string_at(jwk, "crv") == "P-256");
        CHECK(json_doc::string_at(jwk, "x") == std::string(kA3X));
        CHECK(json_doc::string_at(jwk, "y") == std::string(kA3Y));
        CHECK(jose::thumbprint(key) == kA3Thumbprint);
    }

    TEST_CASE("RFC 7515 A.3: tampered ES256 signatures fail") {
        jose::Key const key = must_key(a3_jwk());
        for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{40}}) {
            CAPTURE(at);
            jose::Jws jws = must_parse(a3_token());
            flip_bit(jws.signature, at);
            CHECK_FALSE(jose::verify(jws, key, {Alg::kES256}));
        }
        jose::Jws shorter = must_parse(a3_token());
        shorter.signature.pop_back();
        CHECK_FALSE(jose::verify(shorter, key, {Alg::kES256}));
        jose::Jws longer = must_parse(a3_token());
        longer.signature.push_back('\0');
        CHECK_FALSE(jose::verify(longer, key, {Alg::kES256}));
        jose::Jws zero = must_parse(a3_token());
        zero.signature.assign(64, '\0');
        CHECK_FALSE(jose::verify(zero, key, {Alg::kES256}));
    }

    TEST_CASE("a key of the wrong type never verifies, whatever the allowed list") {
        jose::Key const rsa = must_key(a2_jwk());
        jose::Key const ec = must_key(a3_jwk());
        jose::Key const ed = must_key(ed_jwk());
        jose::Jws const rs256 = must_parse(a2_token());
        jose::Jws const es256 = must_parse(a3_token());
        check_refused_everywhere(rs256, ec);
        check_refused_everywhere(rs256, ed);
        check_refused_everywhere(es256, rsa);
        check_refused_everywhere(es256, ed);
        check_refused_everywhere(ed_jws(), rsa);
        check_refused_everywhere(ed_jws(), ec);
        check_refused_everywhere(rs256, jose::Key{});
    }

    // ---- RFC 8037 A ----

    TEST_CASE("RFC 8037 A.4: the Ed25519 example verifies with the A.2 public key") {
        jose::Key const key = must_key(ed_jwk());
        CHECK(key.kty() == "OKP");
        CHECK(key.fits(Alg::kEdDSA));
        CHECK_FALSE(key.fits(Alg::kES256));
        CHECK_FALSE(key.fits(Alg::kRS256));

        // The signing input is the RFC's header and payload, base64url.
        CHECK(
            kEdSigningInput ==
            jose::b64url(R"({"alg":"EdDSA"})") + "." + jose::b64url("Example of Ed25519 signing")
        );
        jose::Jws const jws = ed_jws();
        CHECK(jws.signature.size() == 64);
        CHECK(jose::verify(jws, key, {Alg::kEdDSA}));
        CHECK_FALSE(jose::verify(jws, key, {Alg::kES256, Alg::kRS256, Alg::kPS256}));

        for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{63}}) {
            CAPTURE(at);
            jose::Jws tampered = ed_jws();
            flip_bit(tampered.signature, at);
            CHECK_FALSE(jose::verify(tampered, key, {Alg::kEdDSA}));
        }
        jose::Jws other_input = ed_jws();
        other_input.signing_input =
            std::string(kEdSigningInput.substr(0, kEdSigningInput.size() - 1)) + "Z";
        CHECK_FALSE(jose::verify(other_input, key, {Alg::kEdDSA}));

        // As a compact token the A.4 payload ("Example of Ed25519 signing") is
        // not a JSON object, which parse_compact refuses.
        std::string const token = std::string(kEdSigningInput) + "." + std::string(kEdSignature);
        CHECK_FALSE(jose::parse_compact(token).has_value());
    }

    TEST_CASE("RFC 8037 A.3: the Ed25519 key's thumbprint") {
        jose::Key const key = must_key(ed_jwk());
        CHECK(jose::thumbprint(key) == kEdThumbprint);
        jose::Object const jwk = jose::public_jwk(key);
        CHECK(json_doc::string_at(jwk, "kty") == "OKP");
        CHECK(json_doc::string_at(jwk, "crv") == "Ed25519");
        CHECK(json_doc::string_at(jwk, "x") == std::string(kEdX));
        CHECK_FALSE(jwk.contains("d"));
    }

    // ---- RFC 7638 ----

    TEST_CASE("RFC 7638 §3.1: the RSA key's thumbprint, with and without optional members") {
        jose::Object const full = must_object(kTpJwk);
        CHECK(jose::thumbprint(must_key(full)) == kTpThumbprint);

        jose::Object bare;
        bare["kty"] = full.at("kty");
        bare["n"] = full.at("n");
        bare["e"] = full.at("e");
        jose::Key const key = must_key(bare);
        CHECK(jose::thumbprint(key) == kTpThumbprint);
        CHECK(jose::thumbprint(must_key(jose::public_jwk(key))) == kTpThumbprint);
    }

    // ---- hostile keys ----

    TEST_CASE("key_from_jwk refuses private members, symmetric keys and other curves") {
        // RFC 7515 A.3's private JWK and RFC 8037 A.1's private JWK.
        jose::Object ec_private = a3_jwk();
        ec_private["d"] = kA3D;
        CHECK_FALSE(jose::key_from_jwk(ec_private).has_value());
        jose::Object ed_private = ed_jwk();
        ed_private["d"] = kEdD;
        CHECK_FALSE(jose::key_from_jwk(ed_private).has_value());
        for (char const* member : {"d", "p", "q", "dp", "dq", "qi"}) {
            CAPTURE(member);
            jose::Object rsa_private = a2_jwk();
            rsa_private[member] = "AQAB";
            auto refused = jose::key_from_jwk(rsa_private);
            REQUIRE_FALSE(refused.has_value());
            CHECK(refused.error().kind == signoff::server::core::ErrorKind::kInvalidArgument);
        }

        // RFC 7515 A.1's HS256 key, and a bare kty "oct".
        CHECK_FALSE(jose::key_from_jwk(must_object(kA1OctJwk)).has_value());
        CHECK_FALSE(jose::key_from_jwk(must_object(R"({"kty":"oct"})")).has_value());

        // A real P-384 point, and the RFC's P-256 point labelled P-384 or unlabelled.
        CHECK_FALSE(jose::key_from_jwk(must_object(kP384Jwk)).has_value());
        jose::Object relabelled = a3_jwk();
        relabelled["crv"] = "P-384";
        CHECK_FALSE(jose::key_from_jwk(relabelled).has_value());
        jose::Object unlabelled = a3_jwk();
        unlabelled.erase("crv");
        CHECK_FALSE(jose::key_from_jwk(unlabelled).has_value());

        // An Ed25519 x under another OKP curve, an unknown or missing kty.
        jose::Object x25519 = ed_jwk();
        x25519["crv"] = "X25519";
        CHECK_FALSE(jose::key_from_jwk(x25519).has_value());
        jose::Object unknown = a2_jwk();
        unknown["kty"] = "rsa";
        CHECK_FALSE(jose::key_from_jwk(unknown).has_value());
        jose::Object no_kty = a2_jwk();
        no_kty.erase("kty");
        CHECK_FALSE(jose::key_from_jwk(no_kty).has_value());
        CHECK_FALSE(jose::key_from_jwk(jose::Object{}).has_value());
    }

    TEST_CASE("key_from_jwk refuses malformed members") {
        // A point not on the curve: y of the RFC key with one bit changed.
        auto y = jose::b64url_decode(kA3Y);
        REQUIRE(y.has_value());
        flip_bit(*y, 31);
        jose::Object off_curve = a3_jwk();
        off_curve["y"] = jose::b64url(*y);
        CHECK_FALSE(jose::key_from_jwk(off_curve).has_value());

        // A coordinate of the wrong length, members that are not base64url.
        jose::Object short_x = a3_jwk();
        short_x["x"] = std::string(kA3X.substr(0, 42));
        CHECK_FALSE(jose::key_from_jwk(short_x).has_value());
        jose::Object padded_n = a2_jwk();
        padded_n["n"] = std::string(kA2N) + "=";
        CHECK_FALSE(jose::key_from_jwk(padded_n).has_value());
        jose::Object numeric_e = a2_jwk();
        numeric_e["e"] = 65537;
        CHECK_FALSE(jose::key_from_jwk(numeric_e).has_value());
        jose::Object short_ed = ed_jwk();
        short_ed["x"] = std::string(kEdX.substr(0, 40));
        CHECK_FALSE(jose::key_from_jwk(short_ed).has_value());
    }

    TEST_CASE("an RSA key under 2048 bits is refused for signatures") {
        jose::Key const small = openssl_rsa(1024);
        CHECK(small.kty() == "RSA");
        CHECK_FALSE(small.fits(Alg::kRS256));
        CHECK_FALSE(small.fits(Alg::kPS256));
        CHECK_FALSE(jose::key_from_jwk(jose::public_jwk(small)).has_value());
        jose::Object header;
        CHECK_FALSE(jose::sign_compact(header, must_object(R"({"sub":"x"})"), small, Alg::kRS256)
                        .has_value());
    }

    // ---- hostile tokens ----

    TEST_CASE("parse_compact refuses malformed compact serialisations") {
        // The baseline: a well-formed token with an empty signature parses.
        CHECK(jose::parse_compact(cat(kHdrEs256, kPaySub, "")).has_value());

        CHECK_FALSE(jose::parse_compact("").has_value());
        CHECK_FALSE(jose::parse_compact("a.b").has_value());
        CHECK_FALSE(jose::parse_compact("..").has_value());
        CHECK_FALSE(
            jose::parse_compact(std::string(kHdrEs256) + "." + std::string(kPaySub)).has_value()
        );
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kPaySub, "") + ".").has_value());
        CHECK_FALSE(jose::parse_compact(a3_token() + "." + std::string(kA3Signature)).has_value());

        // Padding, white space and the standard alphabet in a part.
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, "eyJzdWIiOiJ4In0=", "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kPaySub, "AA==")).has_value());
        CHECK_FALSE(jose::parse_compact(a3_token() + "\n").has_value());
        CHECK_FALSE(jose::parse_compact(" " + a3_token()).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kPaySub, "ab+/")).has_value());

        // Headers: not JSON, no alg, a non-string alg, critical extensions.
        CHECK_FALSE(jose::parse_compact(cat(kNotJson, kPaySub, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrTypOnly, kPaySub, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrAlgNumber, kPaySub, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrCrit, kPaySub, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kPayArray, kPaySub, "")).has_value());

        // Payloads that are not a JSON object.
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kPayArray, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kPayString, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, kNotJson, "")).has_value());
        CHECK_FALSE(jose::parse_compact(cat(kHdrEs256, "", "")).has_value());
    }

    TEST_CASE("parse_compact takes tokens up to 16 KiB and no larger") {
        std::string const prefix = cat(kHdrEs256, kPaySub, "");
        std::size_t const limit = std::size_t{16} * 1024;
        // 16384 − 37 = 16347 'A's: a valid base64url length of zero bits.
        std::string at_limit = prefix + std::string(limit - prefix.size(), 'A');
        REQUIRE(at_limit.size() == limit);
        CHECK(jose::parse_compact(at_limit).has_value());
        std::string over = prefix + std::string(limit - prefix.size() + 1, 'A');
        REQUIRE(over.size() == limit + 1);
        CHECK_FALSE(jose::parse_compact(over).has_value());
    }

    TEST_CASE("alg none parses to no algorithm and never verifies") {
        std::string const token = cat(kHdrNone, kPaySub, "");
        jose::Jws const jws = must_parse(token);
        CHECK_FALSE(jws.alg.has_value());
        CHECK(jws.signature.empty());
        CHECK(json_doc::string_at(jws.header, "alg") == "none");
        check_refused_everywhere(jws, must_key(a2_jwk()));
        check_refused_everywhere(jws, must_key(a3_jwk()));
        check_refused_everywhere(jws, must_key(ed_jwk()));
        auto generated = jose::generate_p256();
        REQUIRE(generated.has_value());
        check_refused_everywhere(jws, *generated);

        // "none" with the RFC's real RS256 signature attached changes nothing.
        check_refused_everywhere(
            must_parse(cat(kHdrNone, kA2Payload, kA2Signature)), must_key(a2_jwk())
        );

        // Other spellings are not algorithms either.
        for (std::string_view name : {"none", "None", "NONE", "rs256", "HS256", "ES256 ", ""}) {
            CAPTURE(name);
            CHECK_FALSE(jose::alg_from(name).has_value());
        }
    }

    TEST_CASE("HS256 keyed with the RSA public key's PEM (alg confusion) never verifies") {
        jose::Key const key = must_key(a2_jwk());

        // The token node built with kA2Pem as the HMAC secret.
        jose::Jws const from_node = must_parse(kHs256WithPemToken);
        CHECK_FALSE(from_node.alg.has_value());
        CHECK(json_doc::string_at(from_node.payload, "sub") == "admin");
        check_refused_everywhere(from_node, key);

        // The same attack built here, with the PEM exactly as this code prints it
        // and without its final newline.
        std::string const input = std::string(kHdrHs256) + "." + std::string(kPayAdmin);
        std::string const pem = jose::public_pem(key);
        REQUIRE_FALSE(pem.empty());
        for (std::string_view secret :
             {std::string_view(pem), std::string_view(pem).substr(0, pem.size() - 1), kA2Pem}) {
            std::string const token = input + "." + jose::b64url(hmac_sha256(secret, input));
            jose::Jws const jws = must_parse(token);
            check_refused_everywhere(jws, key);
        }
        // The node token's MAC is what OpenSSL computes over the same bytes.
        CHECK(
            std::string(kHs256WithPemToken) ==
            input + "." + jose::b64url(hmac_sha256(kA2Pem, input))
        );

        // The MAC relabelled RS256: the alg is known now, but the "signature"
        // is no RSA signature.
        std::string const rs_input = std::string(kHdrRs256) + "." + std::string(kPayAdmin);
        jose::Jws const relabelled =
            must_parse(rs_input + "." + jose::b64url(hmac_sha256(pem, rs_input)));
        REQUIRE(relabelled.alg.has_value());
        CHECK(*relabelled.alg == Alg::kRS256);
        CHECK_FALSE(jose::verify(relabelled, key, {Alg::kRS256}));
    }

    // ---- round trips ----

    TEST_CASE("sign_compact with a generated P-256 key verifies, through JWK and PEM too") {
        auto key = jose::generate_p256();
        REQUIRE_MESSAGE(key.has_value(), key.error().message);
        CHECK(key->kty() == "EC");
        CHECK(key->fits(Alg::kES256));

        jose::Object header;
        header["typ"] = "JWT";
        jose::Object payload;
        payload["sub"] = "x";
        auto token = jose::sign_compact(header, payload, *key, Alg::kES256);
        REQUIRE_MESSAGE(token.has_value(), token.error().message);

        jose::Jws const jws = must_parse(*token);
        REQUIRE(jws.alg.has_value());
        CHECK(*jws.alg == Alg::kES256);
        CHECK(json_doc::string_at(jws.header, "alg") == "ES256");
        CHECK(json_doc::string_at(jws.header, "typ") == "JWT");
        CHECK(json_doc::string_at(jws.payload, "sub") == "x");
        CHECK(jws.signature.size() == 64);
        CHECK(jose::verify(jws, *key, {Alg::kES256}));
        CHECK_FALSE(jose::verify(jws, *key, {Alg::kRS256, Alg::kPS256, Alg::kEdDSA}));

        // The public half alone, through PEM.
        std::string const pem = jose::public_pem(*key);
        CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        auto from_pem = jose::public_key_from_pem(pem);
        REQUIRE_MESSAGE(from_pem.has_value(), from_pem.error().message);
        CHECK(jose::verify(jws, *from_pem, {Alg::kES256}));

        // And through the JWK: same thumbprint, still verifies.
        jose::Object const jwk = jose::public_jwk(*key);
        CHECK_FALSE(jwk.contains("d"));
        jose::Key const from_jwk = must_key(jwk);
        CHECK(jose::thumbprint(*key) == jose::thumbprint(from_jwk));
        CHECK(jose::thumbprint(*from_pem) == jose::thumbprint(from_jwk));
        CHECK(jose::thumbprint(*key).size() == 43);
        CHECK(jose::verify(jws, from_jwk, {Alg::kES256}));

        // The private key through PKCS#8 PEM signs tokens the original verifies.
        auto reloaded = jose::private_key_from_pem(jose::private_pem(*key));
        REQUIRE_MESSAGE(reloaded.has_value(), reloaded.error().message);
        auto again = jose::sign_compact(header, payload, *reloaded, Alg::kES256);
        REQUIRE(again.has_value());
        CHECK(jose::verify(must_parse(*again), from_jwk, {Alg::kES256}));

        // Another key does not verify it.
        auto other = jose::generate_p256();
        REQUIRE(other.has_value());
        CHECK(jose::thumbprint(*other) != jose::thumbprint(*key));
        CHECK_FALSE(jose::verify(jws, *other, {Alg::kES256}));
    }

    TEST_CASE("sign_compact sets alg itself and refuses a key that does not fit") {
        auto key = jose::generate_p256();
        REQUIRE(key.has_value());
        jose::Object header = must_object(R"({"alg":"none","typ":"JWT"})");
        jose::Object const payload = must_object(R"({"sub":"x"})");
        auto token = jose::sign_compact(header, payload, *key, Alg::kES256);
        REQUIRE(token.has_value());
        jose::Jws const jws = must_parse(*token);
        CHECK(json_doc::string_at(jws.header, "alg") == "ES256");
        CHECK(jose::verify(jws, *key, {Alg::kES256}));

        CHECK_FALSE(jose::sign_compact(header, payload, *key, Alg::kRS256).has_value());
        CHECK_FALSE(jose::sign_compact(header, payload, *key, Alg::kPS256).has_value());
        CHECK_FALSE(jose::sign_compact(header, payload, *key, Alg::kEdDSA).has_value());
        CHECK_FALSE(jose::sign_compact(header, payload, jose::Key{}, Alg::kES256).has_value());
    }

    TEST_CASE("RS256 and PS256 round trips with an OpenSSL-generated RSA-3072 key") {
        jose::Key const& key = rsa3072();
        jose::Object const payload = must_object(R"({"sub":"x"})");
        auto pub = jose::public_key_from_pem(jose::public_pem(key));
        REQUIRE(pub.has_value());
        for (Alg alg : {Alg::kRS256, Alg::kPS256}) {
            CAPTURE(jose::alg_name(alg));
            auto token = jose::sign_compact(jose::Object{}, payload, key, alg);
            REQUIRE_MESSAGE(token.has_value(), token.error().message);
            jose::Jws jws = must_parse(*token);
            REQUIRE(jws.alg.has_value());
            CHECK(*jws.alg == alg);
            CHECK(jws.signature.size() == 384);
            CHECK(jose::verify(jws, *pub, {alg}));
            CHECK_FALSE(jose::verify(jws, *pub, {Alg::kES256, Alg::kEdDSA}));
            flip_bit(jws.signature, 100);
            CHECK_FALSE(jose::verify(jws, *pub, {alg}));
        }
        // A PS256 signature is no RS256 signature: swap the header's alg.
        auto ps = jose::sign_compact(jose::Object{}, payload, key, Alg::kPS256);
        REQUIRE(ps.has_value());
        jose::Jws swapped = must_parse(*ps);
        swapped.alg = Alg::kRS256;
        CHECK_FALSE(jose::verify(swapped, *pub, {Alg::kRS256}));
    }

    // ---- RSA-OAEP ----

    TEST_CASE("rsa_oaep_sha256_encrypt: 318 bytes fit RSA-3072, 319 do not, OpenSSL decrypts") {
        jose::Key const& key = rsa3072();
        REQUIRE(key.kty() == "RSA");
        CHECK(jose::rsa_oaep_sha256_capacity(key) == 318);  // 384 − 2·32 − 2

        std::string plaintext(318, '\0');
        for (std::size_t i = 0; i < plaintext.size(); ++i) {
            plaintext[i] = static_cast<char>(i * 7 + 3);
        }
        auto ciphertext = jose::rsa_oaep_sha256_encrypt(key, plaintext);
        REQUIRE_MESSAGE(ciphertext.has_value(), ciphertext.error().message);
        CHECK(ciphertext->size() == 384);
        CHECK(oaep_decrypt(key, *ciphertext, EVP_sha256(), EVP_sha256()) == plaintext);
        // The label hash and the MGF1 hash are both SHA-256, not OpenSSL's SHA-1 default.
        CHECK_FALSE(oaep_decrypt(key, *ciphertext, EVP_sha1(), EVP_sha1()).has_value());
        CHECK_FALSE(oaep_decrypt(key, *ciphertext, EVP_sha256(), EVP_sha1()).has_value());

        CHECK_FALSE(jose::rsa_oaep_sha256_encrypt(key, std::string(319, 'x')).has_value());

        // Through the public PEM alone; OAEP is randomised.
        auto pub = jose::public_key_from_pem(jose::public_pem(key));
        REQUIRE(pub.has_value());
        CHECK(jose::rsa_oaep_sha256_capacity(*pub) == 318);
        auto first = jose::rsa_oaep_sha256_encrypt(*pub, "challenge");
        auto second = jose::rsa_oaep_sha256_encrypt(*pub, "challenge");
        REQUIRE(first.has_value());
        REQUIRE(second.has_value());
        CHECK(*first != *second);
        CHECK(oaep_decrypt(key, *first, EVP_sha256(), EVP_sha256()) == "challenge");
        CHECK(oaep_decrypt(key, *second, EVP_sha256(), EVP_sha256()) == "challenge");
        auto empty = jose::rsa_oaep_sha256_encrypt(*pub, "");
        REQUIRE(empty.has_value());
        CHECK(oaep_decrypt(key, *empty, EVP_sha256(), EVP_sha256()) == "");
    }

    TEST_CASE("rsa_oaep_sha256_encrypt refuses keys that are not RSA") {
        auto ec = jose::generate_p256();
        REQUIRE(ec.has_value());
        CHECK(jose::rsa_oaep_sha256_capacity(*ec) == 0);
        CHECK_FALSE(jose::rsa_oaep_sha256_encrypt(*ec, "x").has_value());
        CHECK_FALSE(jose::rsa_oaep_sha256_encrypt(must_key(ed_jwk()), "x").has_value());
    }

    // ---- encodings ----

    TEST_CASE("b64url: RFC 4648 §10 vectors, base64url without padding") {
        struct Vector {
            std::string_view bytes;
            std::string_view text;
        };
        for (Vector const v :
             {Vector{"", ""},
              Vector{"f", "Zg"},
              Vector{"fo", "Zm8"},
              Vector{"foo", "Zm9v"},
              Vector{"foob", "Zm9vYg"},
              Vector{"fooba", "Zm9vYmE"},
              Vector{"foobar", "Zm9vYmFy"}}) {
            CAPTURE(v.bytes);
            CHECK(jose::b64url(v.bytes) == v.text);
            CHECK(jose::b64url_decode(v.text) == std::string(v.bytes));
        }
        // The URL-safe alphabet: 0xfb 0xff is "+/8" in base64, "-_8" here.
        CHECK(jose::b64url("\xfb\xff") == "-_8");
        CHECK(jose::b64url_decode("-_8") == std::string("\xfb\xff"));
        std::string all(256, '\0');
        for (std::size_t i = 0; i < all.size(); ++i) {
            all[i] = static_cast<char>(i);
        }
        CHECK(jose::b64url_decode(jose::b64url(all)) == all);
    }

    TEST_CASE("b64url_decode is strict") {
        for (std::string_view bad :
             {"Zg==",
              "Zg=",
              "Z",
              "Zh",
              "Zm9",
              "Zm9v+",
              "Zm9v/",
              "a b",
              "Zm9v\n",
              " Zm9v",
              "Zm9v.",
              "\xc3\xa9"}) {
            CAPTURE(bad);
            CHECK_FALSE(jose::b64url_decode(bad).has_value());
        }
        CHECK(jose::b64url_decode("Zm8") == std::string("fo"));
        CHECK(jose::b64url_decode("") == std::string());
    }

    TEST_CASE("sha256, hex, equal_ct and random_bytes") {
        // FIPS 180-2 appendix B.1.
        CHECK(
            jose::hex(jose::sha256("abc")) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        CHECK(jose::sha256("").size() == 32);
        CHECK(jose::hex(std::string("\x00\x0f\xf0\xff", 4)) == "000ff0ff");
        CHECK(jose::equal_ct("abc", "abc"));
        CHECK_FALSE(jose::equal_ct("abc", "abd"));
        CHECK_FALSE(jose::equal_ct("abc", "abcd"));
        CHECK(jose::equal_ct("", ""));
        CHECK(jose::random_bytes(32).size() == 32);
        CHECK(jose::random_bytes(32) != jose::random_bytes(32));
    }

    TEST_CASE("alg names round-trip exactly") {
        for (Alg alg : {Alg::kRS256, Alg::kPS256, Alg::kES256, Alg::kEdDSA}) {
            CAPTURE(jose::alg_name(alg));
            CHECK(jose::alg_from(jose::alg_name(alg)) == alg);
        }
        CHECK(jose::alg_name(Alg::kEdDSA) == "EdDSA");
        CHECK_FALSE(jose::alg_from("EDDSA").has_value());
        CHECK_FALSE(jose::alg_from("Ed25519").has_value());
        CHECK_FALSE(jose::alg_from("PS384").has_value());
    }
}
