// List cursors and base64 for the session engine. A cursor is opaque to
// clients: base64url("o" + offset); anything else is an invalid cursor.
// Also the strict base64 of `=?base64?…?=` headers and MRTR's base64url.
#include <array>
#include <cstdint>

#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

namespace {

constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode(std::string_view bytes, std::string_view alphabet) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8u) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(acc >> static_cast<unsigned>(bits)) & 0x3Fu]);
        }
    }
    if (bits > 0) {
        out.push_back(alphabet[(acc << static_cast<unsigned>(6 - bits)) & 0x3Fu]);
    }
    return out;
}

/// Decodes unpadded text; nullopt on a character outside `alphabet` or on
/// leftover bits that are not zero (a non-canonical encoding).
std::optional<std::string> decode(std::string_view text, std::string_view alphabet) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        auto pos = alphabet.find(c);
        if (pos == std::string_view::npos) {
            return std::nullopt;
        }
        acc = ((acc << 6u) | static_cast<std::uint32_t>(pos)) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFu));
        }
    }
    if (bits >= 6 || (acc & ((1u << static_cast<unsigned>(bits)) - 1u)) != 0) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::string encode_cursor(std::size_t offset) {
    return encode("o" + std::to_string(offset), kUrlAlphabet);
}

std::optional<std::size_t> decode_cursor(std::string_view cursor) {
    if (cursor.empty() || cursor.size() > 32) {
        return std::nullopt;
    }
    auto text = decode(cursor, kUrlAlphabet);
    if (!text || text->size() < 2 || text->size() > 19 || (*text)[0] != 'o') {
        return std::nullopt;
    }
    std::size_t offset = 0;
    for (std::size_t i = 1; i < text->size(); ++i) {
        char c = (*text)[i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        offset = offset * 10 + static_cast<std::size_t>(c - '0');
    }
    return offset;
}

std::optional<std::string> decode_base64(std::string_view text) {
    // Padded form only (RFC 4648 §4): a length that is a multiple of four with
    // at most two '=' at the end. "SGVsbG8" (padding missing) is refused.
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) {
        text.remove_suffix(1);
    }
    return decode(text, kStdAlphabet);
}

std::string encode_base64url(std::string_view bytes) {
    return encode(bytes, kUrlAlphabet);
}

std::optional<std::string> decode_base64url(std::string_view text) {
    return decode(text, kUrlAlphabet);
}

}  // namespace signoff::transport::mcp::detail
