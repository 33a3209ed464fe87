// base64url (RFC 4648 §5, unpadded) of "<created_at>|<id>" (see cursor.hpp).
#include "server/audit/cursor.hpp"

#include <cstdint>

#include "server/core/clock.hpp"

namespace signoff::server::audit {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kSeparator = '|';
constexpr std::size_t kMaxCursor = 512;
constexpr std::size_t kMaxId = 128;

int sextet(char c) {
    auto const at = kAlphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

std::string encode(std::string_view data) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : data) {
        acc = (acc << 8U) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> static_cast<unsigned>(bits)) & 0x3FU]);
        }
    }
    if (bits > 0) {
        out.push_back(kAlphabet[(acc << static_cast<unsigned>(6 - bits)) & 0x3FU]);
    }
    return out;
}

std::optional<std::string> decode(std::string_view text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int const v = sextet(c);
        if (v < 0) {
            return std::nullopt;
        }
        acc = ((acc << 6U) | static_cast<std::uint32_t>(v)) & 0xFFFFFFU;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU));
        }
    }
    // Leftover bits must be padding zeros (a canonical encoding); 6 leftover
    // bits mean a dangling character.
    if (bits >= 6 || (acc & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::string encode_cursor(storage::repos::AuditKey const& key) {
    return encode(key.created_at + kSeparator + key.id);
}

std::optional<storage::repos::AuditKey> decode_cursor(std::string_view cursor) {
    if (cursor.empty() || cursor.size() > kMaxCursor) {
        return std::nullopt;
    }
    auto text = decode(cursor);
    if (!text) {
        return std::nullopt;
    }
    auto const sep = text->find(kSeparator);
    if (sep == std::string::npos) {
        return std::nullopt;
    }
    std::string created_at = text->substr(0, sep);
    std::string id = text->substr(sep + 1);
    auto t = core::parse_rfc3339(created_at);
    // Only the stored fixed-width form round-trips; anything else was not made here.
    if (!t || core::to_rfc3339(*t) != created_at || id.empty() || id.size() > kMaxId) {
        return std::nullopt;
    }
    return storage::repos::AuditKey{std::move(created_at), std::move(id)};
}

}  // namespace signoff::server::audit
