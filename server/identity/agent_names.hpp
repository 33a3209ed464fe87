// How agent names are checked and compared, and the UUID shape that decides
// whether a path value is an id or a name. Pure functions used by
// IdentityService (agents, users) and the approvals services.
#pragma once

#include <string>
#include <string_view>

#include "server/core/error.hpp"

namespace signoff::server::identity {

inline constexpr std::size_t kMaxAgentName = 1024;
/// The most bytes a name may take as the agent challenge's JSON spells it
/// (UTF-8; a quote or backslash counts two): the challenge is one RSA-OAEP
/// block of a 3072-bit key (318 bytes), which must also hold the issuer (at
/// most kMaxIssuerBytes), the expiry and the nonce. docs/identity.md.
inline constexpr std::size_t kMaxAgentNameChallengeBytes = 100;

/// The bytes `name` takes inside a JSON string (see kMaxAgentNameChallengeBytes).
std::size_t challenge_bytes(std::string_view name);

/// 8-4-4-4-12 hexadecimal digits (any version), either case.
bool is_uuid_text(std::string_view s);

/// Ok when `name` may name an agent: valid UTF-8 of 1–1024 code points and
/// at most kMaxAgentNameChallengeBytes challenge bytes, no
/// control characters, no leading or trailing space, not UUID-shaped (agents
/// are looked up by id or by name). kInvalidArgument naming `field` otherwise.
core::Status check_agent_name(std::string_view name, std::string const& field);

/// The uniqueness key of a name: the SHA-256 hex of its ASCII lowercase form,
/// so that names differing only in ASCII case clash and any length indexes.
std::string agent_name_key(std::string_view name);

}  // namespace signoff::server::identity
