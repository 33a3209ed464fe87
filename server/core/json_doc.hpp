// The domain's one door to Boost.JSON (STYLE rule 7): documents the domain
// itself reads or writes (token headers and claims, key sets, the IdP's
// answers) are parsed here, under one set of limits, and printed here. The
// API's shapes stay in tools/codec; this is for documents, not for tool
// arguments.
//
//   server/identity/jose ──► core::json_doc::parse / print ──► Boost.JSON
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "server/core/error.hpp"

namespace signoff::server::core::json_doc {

using Object = boost::json::object;
using Value = boost::json::value;

/// Limits of a document read from outside (a token, an IdP's answer).
inline constexpr std::size_t kMaxDepth = 32;
inline constexpr std::size_t kMaxBytes = std::size_t{1} << 20;

/// Parses `text` as one JSON value: at most kMaxDepth deep and kMaxBytes
/// long, no comments, no trailing commas, valid UTF-8. kInvalidArgument
/// naming `what` otherwise.
Result<Value> parse(std::string_view text, std::string_view what);
/// parse(), and the value must be an object.
Result<Object> parse_object(std::string_view text, std::string_view what);

/// Compact JSON text.
std::string print(Value const& value);
std::string print(Object const& object);

/// Member `key` of `o` if it is a string / an integer (a JSON number with no
/// fraction that fits int64) / an array of strings; nullopt otherwise.
std::optional<std::string> string_at(Object const& o, std::string_view key);
std::optional<std::int64_t> integer_at(Object const& o, std::string_view key);

}  // namespace signoff::server::core::json_doc
