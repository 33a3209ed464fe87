// Org roles and email addresses as the identity domain spells and compares
// them. Pure functions used by the identity and catalog services.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"

namespace signoff::server::identity {

/// "member", "hr_admin", "admin", "super_admin".
std::string_view role_name(core::OrgRole role);
std::optional<core::OrgRole> parse_role(std::string_view name);

/// A plain address: an ASCII dot-atom local part (RFC 5322 atext, no quoted
/// strings, comments, spaces, controls or non-ASCII, so nothing invisible or
/// bidirectional) and a host name of at least two labels.
bool is_plain_email(std::string_view email);
/// Trims, lowercases the whole address (local part included) and checks it is
/// plain; else kInvalidArgument naming `field`.
core::Result<std::string> normalize_email(std::string_view email, std::string const& field);

/// ASCII lowercase copy.
std::string lower(std::string_view s);
/// `s` without leading and trailing whitespace.
std::string_view trim(std::string_view s);

/// Org names: lowercase letters, digits and dashes, 1–63 characters.
bool valid_org_name(std::string_view name);

}  // namespace signoff::server::identity
