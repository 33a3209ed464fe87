// RSA key generation and PEM/base64 encoding on OpenSSL 3 (see agent_keys.hpp).
// The private key's PEM buffer is wiped by OpenSSL when freed; the copy the
// caller receives is answered once and never stored.
#include "server/identity/agent_keys.hpp"

#include <memory>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace signoff::server::identity {
namespace {

using core::Error;
using core::Result;

constexpr int kMinBits = 2048;

struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EncoderFree {
    void operator()(OSSL_ENCODER_CTX* p) const { OSSL_ENCODER_CTX_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using EncoderCtx = std::unique_ptr<OSSL_ENCODER_CTX, EncoderFree>;

Result<Pkey> make_key(int bits) {
    PkeyCtx ctx{EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)};
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) <= 0) {
        return Error::internal("RSA key generation could not start");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) <= 0 || raw == nullptr) {
        return Error::internal("RSA key generation failed");
    }
    return Pkey{raw};
}

/// PEM text of `selection` of the key in `structure` ("PrivateKeyInfo",
/// "SubjectPublicKeyInfo"). The encoder's buffer is cleared before it is freed.
Result<std::string> to_pem(EVP_PKEY const* key, int selection, char const* structure) {
    EncoderCtx enc{OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", structure, nullptr)};
    if (!enc || OSSL_ENCODER_CTX_get_num_encoders(enc.get()) == 0) {
        return Error::internal("no PEM encoder for the key");
    }
    unsigned char* data = nullptr;
    std::size_t len = 0;
    if (OSSL_ENCODER_to_data(enc.get(), &data, &len) != 1 || data == nullptr) {
        return Error::internal("PEM encoding of the key failed");
    }
    std::string out(reinterpret_cast<char const*>(data), len);
    OPENSSL_clear_free(data, len);
    return out;
}

}  // namespace

Result<KeyPair> generate_rsa_key_pair(int bits) {
    if (bits < kMinBits) {
        return Error::internal("RSA keys shorter than 2048 bits are refused");
    }
    auto key = make_key(bits);
    if (!key) {
        return key.error();
    }
    auto pub = to_pem(key->get(), OSSL_KEYMGMT_SELECT_PUBLIC_KEY, "SubjectPublicKeyInfo");
    if (!pub) {
        return pub.error();
    }
    auto priv = to_pem(key->get(), OSSL_KEYMGMT_SELECT_KEYPAIR, "PrivateKeyInfo");
    if (!priv) {
        return priv.error();
    }
    return KeyPair{std::move(*pub), std::move(*priv)};
}

Result<KeyPair> RsaKeyPairSource::generate() {
    return generate_rsa_key_pair(bits_);
}

std::size_t BoundedKeyPairSource::queued() const {
    std::lock_guard lock(mu_);
    return waiting_;
}

Result<KeyPair> BoundedKeyPairSource::generate() {
    {
        std::unique_lock lock(mu_);
        if (running_ >= concurrent_) {
            if (waiting_ >= queued_) {
                return core::Error::exhausted(
                    "agent key generation is busy; try again in a few seconds"
                );
            }
            ++waiting_;
            turn_.wait(lock, [&] { return running_ < concurrent_; });
            --waiting_;
        }
        ++running_;
    }
    auto out = inner_.generate();
    {
        std::lock_guard lock(mu_);
        --running_;
    }
    turn_.notify_one();
    return out;
}

std::string base64(std::string_view data) {
    // EVP_EncodeBlock writes 4 characters per started 3 bytes, plus a NUL.
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int const n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<unsigned char const*>(data.data()),
        static_cast<int>(data.size())
    );
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

}  // namespace signoff::server::identity
