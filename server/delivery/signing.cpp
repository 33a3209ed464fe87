// HMAC-SHA256 signing and verification of webhook bodies (see signing.hpp).
// OpenSSL's one-shot HMAC() and CRYPTO_memcmp are the only primitives used.
#include "server/delivery/signing.hpp"

#include <array>
#include <charconv>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace signoff::server::delivery {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string to_hex(unsigned char const* data, std::size_t size) {
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kHexDigits[data[i] >> 4]);
        out.push_back(kHexDigits[data[i] & 0x0f]);
    }
    return out;
}

std::string join_signatures(std::string prefix, std::vector<std::string> const& hexes) {
    for (std::size_t i = 0; i < hexes.size(); ++i) {
        prefix += (i == 0 && prefix.empty() ? "v1=" : ",v1=") + hexes[i];
    }
    return prefix;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// The t= text and the v1= values of a signature header.
struct Parsed {
    std::string_view t;
    std::vector<std::string_view> v1;
};

Parsed parse_entries(std::string_view header) {
    Parsed out;
    while (!header.empty()) {
        auto const comma = header.find(',');
        std::string_view entry = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        auto const eq = entry.find('=');
        if (eq == std::string_view::npos) {
            continue;  // unknown shapes are ignored, as new schemes may add them
        }
        std::string_view const key = entry.substr(0, eq);
        if (key == "t") {
            out.t = entry.substr(eq + 1);
        } else if (key == "v1") {
            out.v1.push_back(entry.substr(eq + 1));
        }
    }
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Verdict match_any(std::vector<std::string_view> const& given, std::string const& expected) {
    bool matched = false;
    for (auto const v : given) {
        matched = equal_constant_time(v, expected) || matched;  // no early exit
    }
    return matched ? Verdict::kValid : Verdict::kMismatch;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    // An empty key still needs a valid pointer.
    static unsigned char const kNoKey = 0;
    void const* key_data = key.empty() ? &kNoKey : static_cast<void const*>(key.data());
    HMAC(
        EVP_sha256(),
        key_data,
        static_cast<int>(key.size()),
        reinterpret_cast<unsigned char const*>(message.data()),
        message.size(),
        mac.data(),
        &size
    );
    return to_hex(mac.data(), size);
}

Headers signature_headers(SigningInput const& in, std::string_view body) {
    std::vector<std::string> hexes;
    std::string const t = std::to_string(in.unix_seconds);
    for (auto const& secret : in.secrets) {
        if (in.scheme == Scheme::kSignoff) {
            hexes.push_back(hmac_sha256_hex(secret, t + "." + std::string{body}));
        } else {
            hexes.push_back(hmac_sha256_hex(secret, body));
        }
    }
    Headers out;
    if (in.scheme == Scheme::kSignoff) {
        out.push_back({"X-Signoff-Event", in.event_type});
        out.push_back({"X-Signoff-Delivery", in.event_id});
        if (!hexes.empty()) {
            out.push_back({"X-Signoff-Signature", join_signatures("t=" + t, hexes)});
        }
    } else {
        out.push_back({"X-FluxDesk-Event-Type", in.event_type});
        out.push_back({"X-FluxDesk-Delivery-Id", in.event_id});
        if (!hexes.empty()) {
            out.push_back({"X-FluxDesk-Signature", join_signatures("", hexes)});
        }
    }
    return out;
}

Verdict verify_signoff(
    std::string_view header,
    std::string_view body,
    std::string_view secret,
    std::int64_t now_unix,
    std::int64_t tolerance_seconds
) {
    Parsed const p = parse_entries(header);
    std::int64_t t = 0;
    auto const [end, ec] = std::from_chars(p.t.data(), p.t.data() + p.t.size(), t);
    if (p.t.empty() || ec != std::errc{} || end != p.t.data() + p.t.size() || p.v1.empty()) {
        return Verdict::kMalformed;
    }
    // Compared without subtracting first, so no t can overflow the difference.
    if (t > now_unix + tolerance_seconds || t < now_unix - tolerance_seconds) {
        return Verdict::kStale;
    }
    std::string signed_text{p.t};
    signed_text += '.';
    signed_text += body;
    return match_any(p.v1, hmac_sha256_hex(secret, signed_text));
}

Verdict verify_fluxdesk(std::string_view header, std::string_view body, std::string_view secret) {
    Parsed const p = parse_entries(header);
    if (p.v1.empty()) {
        return Verdict::kMalformed;
    }
    return match_any(p.v1, hmac_sha256_hex(secret, body));
}

}  // namespace signoff::server::delivery
