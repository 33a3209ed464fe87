// Agent name rules and the UUID shape (see agent_names.hpp).
#include "server/identity/agent_names.hpp"

#include <cstdint>
#include <optional>

#include "server/core/ids.hpp"
#include "server/identity/roles.hpp"

namespace signoff::server::identity {
namespace {

using core::Error;

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// The code point starting at s[i], advancing i; nullopt for malformed,
/// overlong or surrogate encodings.
std::optional<std::uint32_t> next_code_point(std::string_view s, std::size_t& i) {
    auto const lead = static_cast<unsigned char>(s[i++]);
    if (lead < 0x80) {
        return lead;
    }
    // Continuation bytes, payload bits of the lead byte, smallest code point
    // that needs this length (anything below is an overlong encoding).
    struct Shape {
        unsigned mask;
        unsigned tag;
        std::size_t extra;
        std::uint32_t min;
    };
    static constexpr Shape kShapes[] = {
        {0xE0U, 0xC0U, 1, 0x80}, {0xF0U, 0xE0U, 2, 0x800}, {0xF8U, 0xF0U, 3, 0x10000}};
    Shape const* shape = nullptr;
    for (auto const& sh : kShapes) {
        if ((lead & sh.mask) == sh.tag) {
            shape = &sh;
        }
    }
    if (shape == nullptr) {
        return std::nullopt;
    }
    std::size_t const extra = shape->extra;
    std::uint32_t const min = shape->min;
    std::uint32_t cp = lead & ~shape->mask & 0xFFU;
    for (std::size_t k = 0; k < extra; ++k, ++i) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) {
            return std::nullopt;
        }
        cp = (cp << 6U) | (static_cast<unsigned char>(s[i]) & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return std::nullopt;
    }
    return cp;
}

bool is_control(std::uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

bool is_uuid_text(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool const dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

core::Status check_agent_name(std::string_view name, std::string const& field) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < name.size();) {
        auto cp = next_code_point(name, i);
        if (!cp) {
            return Error::invalid_field(field, "must be valid UTF-8");
        }
        if (is_control(*cp)) {
            return Error::invalid_field(field, "must not contain control characters");
        }
        ++count;
    }
    if (count == 0 || count > kMaxAgentName) {
        return Error::invalid_field(field, "must be 1-1024 characters");
    }
    if (challenge_bytes(name) > kMaxAgentNameChallengeBytes) {
        return Error::invalid_field(
            field,
            "must take at most 100 bytes in UTF-8 (a quote or backslash counts two), so that the "
            "agent's sign-in challenge fits its key"
        );
    }
    if (trim(name).size() != name.size()) {
        return Error::invalid_field(field, "must not start or end with white space");
    }
    if (is_uuid_text(name)) {
        return Error::invalid_field(
            field, "must not be a UUID (agents are looked up by id or name)"
        );
    }
    return {};
}

std::size_t challenge_bytes(std::string_view name) {
    std::size_t n = name.size();
    for (char c : name) {
        n += (c == '"' || c == '\\') ? 1 : 0;
    }
    return n;
}

std::string agent_name_key(std::string_view name) {
    return core::sha256_hex(lower(name));
}

}  // namespace signoff::server::identity
