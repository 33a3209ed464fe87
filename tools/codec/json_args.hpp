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

#include "server/core/error.hpp"

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

// ---- documents stored as text (workflow and template metadata) ----

/// The deepest nesting a document may have to be stored: `{}` and `[]` are
/// depth 1, scalars 0. Boost.JSON's default parse depth, so any reader parses it.
inline constexpr std::size_t kMaxStoredDepth = 32;
/// The depth stored documents are read back with: the request limit
/// (jsonrpc::Limits::max_depth), so documents stored before kMaxStoredDepth
/// existed are read back too. Every write limit stays at or under it.
inline constexpr std::size_t kStoredReadDepth = 64;

/// Nesting depth of a value (see kMaxStoredDepth).
std::size_t depth_of(boost::json::value const& v);
/// The canonical text to store for `v`, or kInvalidArgument naming `field`
/// when it nests deeper than kMaxStoredDepth.
server::core::Result<std::string> storable(boost::json::value const& v, std::string const& field);
/// A stored document read back (up to kStoredReadDepth). A document that
/// still does not parse (a damaged row) is answered as {"unparsed": text}
/// instead of failing the whole read.
boost::json::value read_stored(std::string_view text);

}  // namespace signoff::tools::codec
