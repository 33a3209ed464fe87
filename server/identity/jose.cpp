// JOSE on OpenSSL 3 EVP (see jose.hpp). Keys are built from their JWK members
// with EVP_PKEY_fromdata; ES256 signatures are R‖S on the wire and DER inside
// OpenSSL, converted both ways here.
#include "server/identity/jose.hpp"

#include <array>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

namespace signoff::server::identity::jose {
namespace {

using core::Error;
using core::Result;

constexpr std::size_t kMaxToken = 16 * 1024;
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256Coordinate = 32;
constexpr std::size_t kEd25519Key = 32;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int digit(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct BldFree {
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct SigFree {
    void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Key own(EVP_PKEY* raw) {
    return Key(std::shared_ptr<EVP_PKEY>(raw, PkeyFree{}));
}

Error bad_jwk(std::string msg) {
    return Error::invalid_field("jwk", std::move(msg));
}

Bn bn_from(std::string const& bytes) {
    return Bn(BN_bin2bn(
        reinterpret_cast<unsigned char const*>(bytes.data()),
        static_cast<int>(bytes.size()),
        nullptr
    ));
}

std::string bn_bytes(BIGNUM const* bn, std::size_t width = 0) {
    auto const n = static_cast<std::size_t>(BN_num_bytes(bn));
    std::string out(std::max(n, width), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
    return out;
}

std::optional<std::string> member(Object const& jwk, std::string_view name) {
    auto s = core::json_doc::string_at(jwk, name);
    if (!s) {
        return std::nullopt;
    }
    return b64url_decode(*s);
}

Result<Key> from_params(char const* type, OSSL_PARAM_BLD* bld) {
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
        return bad_jwk("the key's members do not make a valid key");
    }
    return own(raw);
}

Result<Key> rsa_from_jwk(Object const& jwk) {
    auto n = member(jwk, "n");
    auto e = member(jwk, "e");
    if (!n || !e || n->empty() || e->empty() || e->size() > 8) {
        return bad_jwk("an RSA JWK needs base64url members n and e");
    }
    Bn nb = bn_from(*n);
    Bn eb = bn_from(*e);
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!nb || !eb || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, nb.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, eb.get())) {
        return Error::internal("OpenSSL could not build an RSA key");
    }
    auto key = from_params("RSA", bld.get());
    if (key && EVP_PKEY_get_bits(key->get()) < kMinRsaBits) {
        return bad_jwk("RSA keys need at least 2048 bits");
    }
    return key;
}

Result<Key> ec_from_jwk(Object const& jwk) {
    if (core::json_doc::string_at(jwk, "crv") != "P-256") {
        return bad_jwk("only the P-256 curve is accepted for EC keys");
    }
    auto x = member(jwk, "x");
    auto y = member(jwk, "y");
    if (!x || !y || x->size() != kP256Coordinate || y->size() != kP256Coordinate) {
        return bad_jwk("a P-256 JWK needs 32-byte base64url members x and y");
    }
    std::string point = "\x04" + *x + *y;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(
            bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()
        )) {
        return Error::internal("OpenSSL could not build an EC key");
    }
    // EVP_PKEY_fromdata checks that the point lies on the curve.
    return from_params("EC", bld.get());
}

Result<Key> okp_from_jwk(Object const& jwk) {
    if (core::json_doc::string_at(jwk, "crv") != "Ed25519") {
        return bad_jwk("only the Ed25519 curve is accepted for OKP keys");
    }
    auto x = member(jwk, "x");
    if (!x || x->size() != kEd25519Key) {
        return bad_jwk("an Ed25519 JWK needs a 32-byte base64url member x");
    }
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<unsigned char const*>(x->data()), x->size()
    );
    if (raw == nullptr) {
        return bad_jwk("not a valid Ed25519 public key");
    }
    return own(raw);
}

bool is_p256(EVP_PKEY* pkey) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    return EVP_PKEY_get_utf8_string_param(
               pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &len
           ) == 1 &&
           std::string_view(group.data(), len) == "prime256v1";
}

/// R‖S (64 bytes) → DER ECDSA-Sig-Value; nullopt when the length is wrong.
std::optional<std::string> ecdsa_der(std::string_view raw) {
    if (raw.size() != 2 * kP256Coordinate) {
        return std::nullopt;
    }
    std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
    Bn r = bn_from(std::string(raw.substr(0, kP256Coordinate)));
    Bn s = bn_from(std::string(raw.substr(kP256Coordinate)));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        return std::nullopt;
    }
    (void)r.release();  // owned by sig now
    (void)s.release();
    unsigned char* der = nullptr;
    int const len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) {
        return std::nullopt;
    }
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

std::optional<std::string> ecdsa_raw(std::string const& der) {
    auto const* p = reinterpret_cast<unsigned char const*>(der.data());
    std::unique_ptr<ECDSA_SIG, SigFree> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()))
    );
    if (!sig) {
        return std::nullopt;
    }
    return bn_bytes(ECDSA_SIG_get0_r(sig.get()), kP256Coordinate) +
           bn_bytes(ECDSA_SIG_get0_s(sig.get()), kP256Coordinate);
}

EVP_MD const* digest_of(Alg alg) {
    return alg == Alg::kEdDSA ? nullptr : EVP_sha256();
}

bool set_pss(EVP_PKEY_CTX* pctx) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
}

std::string pem_of(Key const& key, bool priv) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        return {};
    }
    int const ok =
        priv ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
             : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1) {
        return {};
    }
    char* data = nullptr;
    long const len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Result<Key> key_from_pem(std::string_view pem, bool priv) {
    if (pem.size() > kMaxToken) {
        return Error::invalid("the PEM text is too large");
    }
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EVP_PKEY* raw = nullptr;
    if (bio) {
        raw = priv ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                   : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    }
    if (raw == nullptr) {
        return Error::invalid(priv ? "not a PKCS#8 private key" : "not a PEM public key");
    }
    return own(raw);
}

}  // namespace

// ---- encodings ----

std::string b64url(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8U) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> static_cast<unsigned>(bits)) & 0x3FU];
        }
    }
    if (bits > 0) {
        out += kAlphabet[(acc << static_cast<unsigned>(6 - bits)) & 0x3FU];
    }
    return out;
}

std::optional<std::string> b64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int const d = digit(c);
        if (d < 0) {
            return std::nullopt;
        }
        acc = (acc << 6U) | static_cast<std::uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU);
        }
    }
    // The leftover bits must be zero (one spelling per byte string).
    if (bits > 0 && (acc & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
        return std::nullopt;
    }
    return out;
}

std::string sha256(std::string_view bytes) {
    std::string out(32, '\0');
    unsigned int len = 0;
    EVP_Digest(
        bytes.data(),
        bytes.size(),
        reinterpret_cast<unsigned char*>(out.data()),
        &len,
        EVP_sha256(),
        nullptr
    );
    return out;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        // The generator failing is not a condition to serve through.
        std::abort();
    }
    return out;
}

std::string hex(std::string_view bytes) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kHex[c >> 4U];
        out += kHex[c & 0xFU];
    }
    return out;
}

bool equal_ct(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- algorithms and keys ----

std::optional<Alg> alg_from(std::string_view name) {
    if (name == "RS256") {
        return Alg::kRS256;
    }
    if (name == "PS256") {
        return Alg::kPS256;
    }
    if (name == "ES256") {
        return Alg::kES256;
    }
    if (name == "EdDSA") {
        return Alg::kEdDSA;
    }
    return std::nullopt;
}

std::string_view alg_name(Alg alg) {
    switch (alg) {
        case Alg::kRS256:
            return "RS256";
        case Alg::kPS256:
            return "PS256";
        case Alg::kES256:
            return "ES256";
        case Alg::kEdDSA:
            return "EdDSA";
    }
    return "";
}

std::string Key::kty() const {
    if (!pkey_) {
        return {};
    }
    if (EVP_PKEY_is_a(pkey_.get(), "RSA")) {
        return "RSA";
    }
    if (EVP_PKEY_is_a(pkey_.get(), "EC") && is_p256(pkey_.get())) {
        return "EC";
    }
    if (EVP_PKEY_is_a(pkey_.get(), "ED25519")) {
        return "OKP";
    }
    return {};
}

bool Key::fits(Alg alg) const {
    auto const type = kty();
    switch (alg) {
        case Alg::kRS256:
        case Alg::kPS256:
            return type == "RSA" && EVP_PKEY_get_bits(pkey_.get()) >= kMinRsaBits;
        case Alg::kES256:
            return type == "EC";
        case Alg::kEdDSA:
            return type == "OKP";
    }
    return false;
}

Result<Key> key_from_jwk(Object const& jwk) {
    for (char const* secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
        if (jwk.contains(secret)) {
            return bad_jwk("a public JWK must not carry private or secret members");
        }
    }
    auto const kty = core::json_doc::string_at(jwk, "kty");
    if (kty == "RSA") {
        return rsa_from_jwk(jwk);
    }
    if (kty == "EC") {
        return ec_from_jwk(jwk);
    }
    if (kty == "OKP") {
        return okp_from_jwk(jwk);
    }
    return bad_jwk("kty must be RSA, EC or OKP");
}

Result<Key> public_key_from_pem(std::string_view pem) {
    return key_from_pem(pem, false);
}

Result<Key> private_key_from_pem(std::string_view pem) {
    return key_from_pem(pem, true);
}

std::string public_pem(Key const& key) {
    return pem_of(key, false);
}

std::string private_pem(Key const& key) {
    return pem_of(key, true);
}

Result<Key> generate_p256() {
    EVP_PKEY* raw = EVP_EC_gen("P-256");
    if (raw == nullptr) {
        return Error::internal("OpenSSL could not generate a P-256 key");
    }
    return own(raw);
}

Object public_jwk(Key const& key) {
    Object jwk;
    auto const type = key.kty();
    if (type == "RSA") {
        BIGNUM* n = nullptr;
        BIGNUM* e = nullptr;
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e);
        Bn nb(n);
        Bn eb(e);
        if (nb && eb) {
            jwk["e"] = b64url(bn_bytes(eb.get()));
            jwk["kty"] = "RSA";
            jwk["n"] = b64url(bn_bytes(nb.get()));
        }
    } else if (type == "EC") {
        BIGNUM* x = nullptr;
        BIGNUM* y = nullptr;
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x);
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y);
        Bn xb(x);
        Bn yb(y);
        if (xb && yb) {
            jwk["crv"] = "P-256";
            jwk["kty"] = "EC";
            jwk["x"] = b64url(bn_bytes(xb.get(), kP256Coordinate));
            jwk["y"] = b64url(bn_bytes(yb.get(), kP256Coordinate));
        }
    } else if (type == "OKP") {
        std::string raw(kEd25519Key, '\0');
        std::size_t len = raw.size();
        if (EVP_PKEY_get_raw_public_key(
                key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len
            ) == 1) {
            raw.resize(len);
            jwk["crv"] = "Ed25519";
            jwk["kty"] = "OKP";
            jwk["x"] = b64url(raw);
        }
    }
    return jwk;
}

std::string thumbprint(Key const& key) {
    // public_jwk answers exactly the required members in lexicographic order,
    // and its values need no escaping: printed compactly it is RFC 7638's input.
    return b64url(sha256(core::json_doc::print(public_jwk(key))));
}

// ---- JWS ----

Result<Jws> parse_compact(std::string_view token) {
    if (token.size() > kMaxToken) {
        return Error::invalid("the token is too large");
    }
    auto const first = token.find('.');
    auto const second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return Error::invalid("a compact JWS has three dot-separated parts");
    }
    auto header_text = b64url_decode(token.substr(0, first));
    auto payload_text = b64url_decode(token.substr(first + 1, second - first - 1));
    auto signature = b64url_decode(token.substr(second + 1));
    if (!header_text || !payload_text || !signature) {
        return Error::invalid("every part of a compact JWS is unpadded base64url");
    }
    auto header = core::json_doc::parse_object(*header_text, "the JWS header");
    if (!header) {
        return header.error();
    }
    auto payload = core::json_doc::parse_object(*payload_text, "the JWS payload");
    if (!payload) {
        return payload.error();
    }
    auto const alg = core::json_doc::string_at(*header, "alg");
    if (!alg) {
        return Error::invalid("the JWS header has no alg");
    }
    if (header->contains("crit")) {
        return Error::invalid("the JWS header names critical extensions, which are not supported");
    }
    Jws jws;
    jws.alg = alg_from(*alg);
    jws.header = std::move(*header);
    jws.payload = std::move(*payload);
    jws.signing_input = std::string(token.substr(0, second));
    jws.signature = std::move(*signature);
    return jws;
}

bool verify(Jws const& jws, Key const& key, std::initializer_list<Alg> allowed) {
    if (!jws.alg || key.empty()) {
        return false;
    }
    Alg const alg = *jws.alg;
    bool permitted = false;
    for (Alg a : allowed) {
        permitted = permitted || a == alg;
    }
    if (!permitted || !key.fits(alg)) {
        return false;
    }
    std::string signature = jws.signature;
    if (alg == Alg::kES256) {
        auto der = ecdsa_der(jws.signature);
        if (!der) {
            return false;
        }
        signature = std::move(*der);
    }
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!md || EVP_DigestVerifyInit(md.get(), &pctx, digest_of(alg), nullptr, key.get()) != 1) {
        return false;
    }
    if (alg == Alg::kPS256 && !set_pss(pctx)) {
        return false;
    }
    return EVP_DigestVerify(
               md.get(),
               reinterpret_cast<unsigned char const*>(signature.data()),
               signature.size(),
               reinterpret_cast<unsigned char const*>(jws.signing_input.data()),
               jws.signing_input.size()
           ) == 1;
}

Result<std::string> sign_compact(Object header, Object const& payload, Key const& key, Alg alg) {
    if (!key.fits(alg)) {
        return Error::internal("the signing key does not fit the algorithm");
    }
    header["alg"] = alg_name(alg);
    std::string input =
        b64url(core::json_doc::print(header)) + "." + b64url(core::json_doc::print(payload));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!md || EVP_DigestSignInit(md.get(), &pctx, digest_of(alg), nullptr, key.get()) != 1 ||
        (alg == Alg::kPS256 && !set_pss(pctx))) {
        return Error::internal("OpenSSL could not start a signature");
    }
    std::size_t len = 0;
    auto const* in = reinterpret_cast<unsigned char const*>(input.data());
    if (EVP_DigestSign(md.get(), nullptr, &len, in, input.size()) != 1) {
        return Error::internal("OpenSSL could not sign");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(
            md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()
        ) != 1) {
        return Error::internal("OpenSSL could not sign");
    }
    sig.resize(len);
    if (alg == Alg::kES256) {
        auto raw = ecdsa_raw(sig);
        if (!raw) {
            return Error::internal("OpenSSL answered a malformed ECDSA signature");
        }
        sig = std::move(*raw);
    }
    return input + "." + b64url(sig);
}

std::int64_t numeric_date(core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool audience_has(Object const& claims, std::string_view want) {
    auto const* aud = claims.if_contains("aud");
    if (aud == nullptr) {
        return false;
    }
    if (aud->is_string()) {
        return aud->as_string() == want;
    }
    if (aud->is_array()) {
        for (auto const& v : aud->as_array()) {
            if (v.is_string() && v.as_string() == want) {
                return true;
            }
        }
    }
    return false;
}

// ---- encryption ----

std::size_t rsa_oaep_sha256_capacity(Key const& key) {
    if (key.kty() != "RSA") {
        return 0;
    }
    auto const bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key.get()));
    return bytes > 66 ? bytes - 66 : 0;
}

Result<std::string> rsa_oaep_sha256_encrypt(Key const& key, std::string_view plaintext) {
    if (plaintext.size() > rsa_oaep_sha256_capacity(key)) {
        return Error::invalid("the message does not fit one RSA-OAEP block of this key");
    }
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr)
    );
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0) {
        return Error::internal("OpenSSL could not start RSA-OAEP");
    }
    auto const* in = reinterpret_cast<unsigned char const*>(plaintext.data());
    std::size_t len = 0;
    if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, plaintext.size()) != 1) {
        return Error::internal("OpenSSL could not encrypt");
    }
    std::string out(len, '\0');
    if (EVP_PKEY_encrypt(
            ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in, plaintext.size()
        ) != 1) {
        return Error::internal("OpenSSL could not encrypt");
    }
    out.resize(len);
    return out;
}

}  // namespace signoff::server::identity::jose
