// How agent names are checked and compared, and the UUID shape that decides
// whether a path value is an id or a name. Pure functions used by
// IdentityService (agents, users) and the approvals services.
#pragma once

#include <string>
#include <string_view>

#include "server/core/error.hpp"

namespace signoff::server::identity {

inline constexpr std::size_t kMaxAgentName = 1024;

/// 8-4-4-4-12 hexadecimal digits (any version), either case.
bool is_uuid_text(std::string_view s);

/// Ok when `name` may name an agent: valid UTF-8 of 1–1024 code points, no
/// control characters, no leading or trailing space, not UUID-shaped (agents
/// are looked up by id or by name). kInvalidArgument naming `field` otherwise.
core::Status check_agent_name(std::string_view name, std::string const& field);

/// The uniqueness key of a name: the SHA-256 hex of its ASCII lowercase form,
/// so that names differing only in ASCII case clash and any length indexes.
std::string agent_name_key(std::string_view name);

}  // namespace signoff::server::identity
