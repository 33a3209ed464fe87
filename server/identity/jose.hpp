// JOSE for Signoff's tokens (docs/identity.md "JOSE"): compact JWS parse,
// verify and sign, JWK import and export, RFC 7638 thumbprints and RSA-OAEP
// for the agent challenge, on OpenSSL 3 EVP. No token header ever chooses the
// key or its type: every verification names the algorithms its use allows,
// and the key must be of the kind that algorithm needs.
//
//   token_service ──► parse_compact ──► verify(key, allowed algs) ──► claims
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/json_doc.hpp"

struct evp_pkey_st;

namespace signoff::server::identity::jose {

using core::json_doc::Object;

// ---- encodings ----

/// base64url without padding (RFC 7515 §2).
std::string b64url(std::string_view bytes);
/// Strict: the base64url alphabet only, no padding, no white space, no
/// non-zero trailing bits. nullopt otherwise.
std::optional<std::string> b64url_decode(std::string_view text);
/// SHA-256 of `bytes`, raw (32 bytes).
std::string sha256(std::string_view bytes);
/// `n` bytes from the operating system's generator (RAND_bytes).
std::string random_bytes(std::size_t n);
/// Lowercase hex of `bytes`.
std::string hex(std::string_view bytes);
/// Constant-time equality of two strings (lengths compared first).
bool equal_ct(std::string_view a, std::string_view b);

// ---- algorithms and keys ----

enum class Alg : std::uint8_t { kRS256, kPS256, kES256, kEdDSA };
std::optional<Alg> alg_from(std::string_view name);  // exact, case-sensitive
std::string_view alg_name(Alg alg);

/// An asymmetric key (public, or a private key with its public half).
/// Cheap to copy (shared, immutable).
class Key {
public:
    Key() = default;
    explicit Key(std::shared_ptr<evp_pkey_st> pkey) : pkey_(std::move(pkey)) {}
    bool empty() const { return !pkey_; }
    evp_pkey_st* get() const { return pkey_.get(); }
    /// "RSA", "EC" (P-256 only) or "OKP" (Ed25519 only); empty for others.
    std::string kty() const;
    /// True when `alg` may use this key: RS256/PS256 an RSA key of ≥ 2048
    /// bits, ES256 a P-256 key, EdDSA an Ed25519 key.
    bool fits(Alg alg) const;

private:
    std::shared_ptr<evp_pkey_st> pkey_;
};

/// A public key from its JWK (RFC 7517): kty RSA (n, e), EC with crv P-256
/// (x, y), OKP with crv Ed25519 (x). A JWK holding private members (d, p, …)
/// is refused: nobody should send one. kInvalidArgument otherwise.
core::Result<Key> key_from_jwk(Object const& jwk);
/// A public key from SubjectPublicKeyInfo PEM, or a private key from PKCS#8 PEM.
core::Result<Key> public_key_from_pem(std::string_view pem);
core::Result<Key> private_key_from_pem(std::string_view pem);
/// PEM texts of a key (the private one only for a private key).
std::string public_pem(Key const& key);
std::string private_pem(Key const& key);
/// A fresh P-256 key pair (Signoff's token signing key).
core::Result<Key> generate_p256();

/// The public JWK members in RFC 7638 order (kty and the required members).
Object public_jwk(Key const& key);
/// RFC 7638 SHA-256 thumbprint, base64url.
std::string thumbprint(Key const& key);

// ---- JWS ----

/// A compact JWS split and decoded. Not yet verified.
struct Jws {
    Object header;
    Object payload;
    std::string signing_input;  // "<b64 header>.<b64 payload>"
    std::string signature;      // raw bytes
    std::optional<Alg> alg;     // the header's alg when it is one we know
};

/// Three base64url parts, a JSON object header with a string `alg`, a JSON
/// object payload; no `crit` header (we honour no extension). Size ≤ 16 KiB.
core::Result<Jws> parse_compact(std::string_view token);

/// True when `jws.alg` is in `allowed`, `key` fits it, and the signature verifies.
bool verify(Jws const& jws, Key const& key, std::initializer_list<Alg> allowed);

/// Signs header.payload with `key` under `alg` (header gets alg set).
core::Result<std::string> sign_compact(
    Object header, Object const& payload, Key const& key, Alg alg
);

/// RFC 7519 NumericDate: whole seconds since the epoch.
std::int64_t numeric_date(core::TimePoint t);

/// RFC 7519 §4.1.3: `aud` is `want`, or an array holding it.
bool audience_has(Object const& claims, std::string_view want);

// ---- encryption ----

/// RSA-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1) of `plaintext`,
/// which must fit the key: at most modulus bytes − 66.
core::Result<std::string> rsa_oaep_sha256_encrypt(Key const& key, std::string_view plaintext);
/// The largest plaintext rsa_oaep_sha256_encrypt takes for this RSA key.
std::size_t rsa_oaep_sha256_capacity(Key const& key);

}  // namespace signoff::server::identity::jose
