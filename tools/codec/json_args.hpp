// Reading tool arguments that the registry has already validated against the
// input schema: absent and null are told apart where a field can be cleared.
// Shared by the tool families' handlers (decode step).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace signoff::tools::codec {

/// The string at `key`; nullopt when absent, null or not a string.
std::optional<std::string> opt_string(boost::json::object const& o, std::string_view key);
/// The string at `key`, or `fallback`.
std::string string_or(
    boost::json::object const& o, std::string_view key, std::string fallback = {}
);
/// Absent → nullopt; null → an empty inner optional (clear); string → the value.
std::optional<std::optional<std::string>> nullable_string(
    boost::json::object const& o, std::string_view key
);
/// The integer at `key` (integral doubles accepted); nullopt when absent or null.
std::optional<std::int64_t> opt_int(boost::json::object const& o, std::string_view key);
/// The strings of the array at `key`; empty when absent.
std::vector<std::string> strings(boost::json::object const& o, std::string_view key);

/// A JSON string or null.
boost::json::value or_null(std::optional<std::string> const& s);

}  // namespace signoff::tools::codec
