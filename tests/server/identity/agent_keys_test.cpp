// Agent key material: real RSA key pairs of kAgentKeyBits whose PEM texts
// parse back with OpenSSL, belong together (a signature by the private key
// verifies with the public key), differ per call; and base64 per RFC 4648.
#include "server/identity/agent_keys.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace signoff;
namespace core = server::core;
namespace identity = server::identity;
using server::identity::base64;
using server::identity::generate_rsa_key_pair;

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey read_key(std::string const& pem, bool is_private) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
    REQUIRE(bio);
    EVP_PKEY* k = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    return Pkey{k};
}

std::string sign(EVP_PKEY* key, std::string const& data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
    std::size_t len = 0;
    auto const* bytes = reinterpret_cast<unsigned char const*>(data.data());
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, bytes, data.size()) == 1);
    std::string sig(len, '\0');
    REQUIRE(
        EVP_DigestSign(
            ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes, data.size()
        ) == 1
    );
    sig.resize(len);
    return sig;
}

bool verify(EVP_PKEY* key, std::string const& data, std::string const& sig) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
    return EVP_DigestVerify(
               ctx.get(),
               reinterpret_cast<unsigned char const*>(sig.data()),
               sig.size(),
               reinterpret_cast<unsigned char const*>(data.data()),
               data.size()
           ) == 1;
}

}  // namespace

TEST_SUITE("server/identity/agent_keys") {
    TEST_CASE("a generated pair is RSA-3072, PKCS#8 and SPKI PEM, and signs and verifies") {
        server::identity::RsaKeyPairSource source;
        auto pair = source.generate();
        REQUIRE_MESSAGE(pair.has_value(), pair.error().message);
        CHECK(pair->public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        CHECK(pair->public_pem.ends_with("-----END PUBLIC KEY-----\n"));
        CHECK(pair->private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        CHECK(pair->private_pem.ends_with("-----END PRIVATE KEY-----\n"));
        auto pub = read_key(pair->public_pem, false);
        auto priv = read_key(pair->private_pem, true);
        REQUIRE(pub);
        REQUIRE(priv);
        CHECK(EVP_PKEY_is_a(pub.get(), "RSA") == 1);
        CHECK(EVP_PKEY_get_bits(pub.get()) == server::identity::kAgentKeyBits);
        CHECK(EVP_PKEY_get_bits(pub.get()) == 3072);
        CHECK(EVP_PKEY_eq(pub.get(), priv.get()) == 1);
        auto const sig = sign(priv.get(), "challenge nonce");
        CHECK(verify(pub.get(), "challenge nonce", sig));
        CHECK_FALSE(verify(pub.get(), "another nonce", sig));
        // The public PEM carries no private material.
        CHECK(read_key(pair->public_pem, true) == nullptr);
    }

    TEST_CASE("every call makes a new pair; keys under 2048 bits are refused") {
        auto a = generate_rsa_key_pair(2048);
        auto b = generate_rsa_key_pair(2048);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(a->public_pem != b->public_pem);
        CHECK(a->private_pem != b->private_pem);
        auto weak = generate_rsa_key_pair(1024);
        REQUIRE(weak.has_error());
        CHECK(weak.error().kind == server::core::ErrorKind::kInternal);
    }

    TEST_CASE("base64 follows RFC 4648 test vectors") {
        CHECK(base64("") == "");
        CHECK(base64("f") == "Zg==");
        CHECK(base64("fo") == "Zm8=");
        CHECK(base64("foo") == "Zm9v");
        CHECK(base64("foob") == "Zm9vYg==");
        CHECK(base64("fooba") == "Zm9vYmE=");
        CHECK(base64("foobar") == "Zm9vYmFy");
        CHECK(base64("-----BEGIN PUBLIC KEY-----").starts_with("LS0tLS1CRUdJTiBQVUJMSUMgS0VZ"));
        CHECK(base64(std::string("\0\xff", 2)) == "AP8=");
    }

    TEST_CASE("bounded generation: one at a time, a short queue, then refused at once") {
        // A source that blocks until released, counting the calls in flight.
        struct Gate final : identity::KeyPairSource {
            std::mutex mu;
            std::condition_variable cv;
            int inside{0};
            int most{0};
            bool open{false};
            core::Result<identity::KeyPair> generate() override {
                std::unique_lock lock(mu);
                most = std::max(most, ++inside);
                cv.notify_all();
                cv.wait(lock, [&] { return open; });
                --inside;
                return identity::KeyPair{"pub", "priv"};
            }
        } gate;
        identity::BoundedKeyPairSource bounded(gate, 1, 2);
        std::vector<std::thread> callers;
        std::atomic<int> ok{0};
        for (int i = 0; i < 3; ++i) {
            callers.emplace_back([&] {
                if (bounded.generate()) {
                    ++ok;
                }
            });
        }
        // One is inside and two wait behind it: a fourth caller is refused
        // without waiting.
        while (bounded.queued() < 2) {
            std::this_thread::yield();
        }
        auto refused = bounded.generate();
        REQUIRE(!refused);
        CHECK(refused.error().kind == core::ErrorKind::kResourceExhausted);
        {
            std::lock_guard lock(gate.mu);
            gate.open = true;
        }
        gate.cv.notify_all();
        for (auto& t : callers) {
            t.join();
        }
        CHECK(ok == 3);
        CHECK(gate.most == 1);
    }
}
