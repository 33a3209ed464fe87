// Secrets of webhook endpoints (see secrets.hpp).
#include "server/webhooks/secrets.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include <openssl/rand.h>

namespace signoff::server::webhooks {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
std::string base64url(unsigned char const* data, std::size_t n) {
    std::string out;
    out.reserve((n * 4 + 2) / 3);
    for (std::size_t i = 0; i < n; i += 3) {
        std::uint32_t chunk = std::uint32_t{data[i]} << 16;
        std::size_t const have = std::min<std::size_t>(3, n - i);
        if (have > 1) {
            chunk |= std::uint32_t{data[i + 1]} << 8;
        }
        if (have > 2) {
            chunk |= std::uint32_t{data[i + 2]};
        }
        for (std::size_t k = 0; k < have + 1; ++k) {
            out.push_back(kBase64Url[(chunk >> (18 - 6 * k)) & 0x3f]);
        }
    }
    return out;
}

}  // namespace

std::string new_webhook_secret() {
    std::array<unsigned char, kSecretBytes> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");  // entropy source broken: a fatal bug
    }
    return std::string(kSecretPrefix) + base64url(raw.data(), raw.size());
}

std::string secret_hint(std::string_view secret) {
    std::string_view const tail = secret.size() > 4 ? secret.substr(secret.size() - 4) : "";
    return std::string(kSecretPrefix) + "…" + std::string(tail);
}

bool previous_secret_live(
    storage::repos::WebhookEndpointRecord const& endpoint, core::TimePoint now
) {
    if (!endpoint.previous_secret || !endpoint.previous_secret_expires_at) {
        return false;
    }
    auto const until = core::parse_rfc3339(*endpoint.previous_secret_expires_at);
    return until && now < *until;
}

std::vector<std::string> signing_secrets(
    storage::repos::WebhookEndpointRecord const& endpoint, core::TimePoint now
) {
    std::vector<std::string> out{endpoint.secret};
    if (previous_secret_live(endpoint, now)) {
        out.push_back(*endpoint.previous_secret);
    }
    return out;
}

}  // namespace signoff::server::webhooks
