// Agent key material: the RSA key pair generated when an agent registers
// (OpenSSL 3 EVP), its PEM encodings, and the seed's wire form (base64 of the
// PEM text). The source is injected into IdentityService so that tests need
// not pay for a key generation per registration.
//
//   IdentityService::register_agent ──► KeyPairSource::generate ──► OpenSSL EVP
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "server/core/error.hpp"

namespace signoff::server::identity {

/// RSA modulus size of agent keys. 3072 bits give 128-bit security (NIST SP
/// 800-57 Part 1), matching SHA-256 in RS256 and RSA-OAEP-SHA256, and stay
/// acceptable after 2030, when 2048-bit keys (112-bit) are disallowed; 4096
/// bits cost two to five times the generation time for strength nothing else
/// in the chain matches. See docs/approvals.md "Agents".
inline constexpr int kAgentKeyBits = 3072;

struct KeyPair {
    std::string public_pem;   // SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"
    std::string private_pem;  // unencrypted PKCS#8, "-----BEGIN PRIVATE KEY-----"
};

/// Makes key pairs; must be safe to call from several threads at once.
class KeyPairSource {
public:
    virtual ~KeyPairSource() = default;
    virtual core::Result<KeyPair> generate() = 0;
};

/// Fresh RSA key pairs from OpenSSL's default provider.
class RsaKeyPairSource final : public KeyPairSource {
public:
    explicit RsaKeyPairSource(int bits = kAgentKeyBits) : bits_(bits) {}
    core::Result<KeyPair> generate() override;

private:
    int bits_;
};

/// Bounds the key generations of `inner` that run at once (each takes a core
/// for a sizeable fraction of a second): at most `concurrent` run, at most
/// `queued` more wait their turn, and any further caller is refused at once
/// with kResourceExhausted, so that registrations never take every core
/// from other requests. Thread-safe.
class BoundedKeyPairSource final : public KeyPairSource {
public:
    BoundedKeyPairSource(KeyPairSource& inner, std::size_t concurrent, std::size_t queued)
        : inner_(inner), concurrent_(concurrent), queued_(queued) {}
    core::Result<KeyPair> generate() override;
    /// Callers waiting for their turn now.
    std::size_t queued() const;

private:
    KeyPairSource& inner_;
    std::size_t const concurrent_;
    std::size_t const queued_;
    mutable std::mutex mu_;
    std::condition_variable turn_;
    std::size_t running_{0};
    std::size_t waiting_{0};
};

/// A new RSA key pair of `bits` (≥ 2048), PEM encoded. kInternal when OpenSSL fails.
core::Result<KeyPair> generate_rsa_key_pair(int bits);

/// Standard base64 (RFC 4648 §4, with padding): the seed answers keys as the
/// base64 of their PEM text.
std::string base64(std::string_view data);

}  // namespace signoff::server::identity
