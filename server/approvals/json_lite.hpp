// A small JSON reader for the documents server/approvals stores as text (the
// approval rule tree, template actions). The domain may not use Boost.JSON
// (tools/ owns JSON mapping), and these documents are written by the domain
// itself, so a bounded reader of the JSON subset it writes is enough:
// objects, arrays, strings, integers, booleans and null. Internal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/error.hpp"

namespace signoff::server::approvals::detail {

struct JsonNode {
    enum class Kind : std::uint8_t { kNull, kBool, kInt, kString, kArray, kObject };
    Kind kind{Kind::kNull};
    bool boolean{false};
    std::int64_t integer{0};
    std::string text;
    std::vector<JsonNode> items;                            // kArray
    std::vector<std::pair<std::string, JsonNode>> members;  // kObject, in document order

    /// The member named `key` of an object, nullptr when absent (or not an object).
    JsonNode const* find(std::string_view key) const;
};

/// Parses one JSON value. Fractions, exponents and nesting deeper than
/// `max_depth` are refused (the writer never produces them). Errors are
/// kInternal: stored text that does not parse is a bug, not bad input.
core::Result<JsonNode> parse_json(std::string_view text, int max_depth = 16);

}  // namespace signoff::server::approvals::detail
