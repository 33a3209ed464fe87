// Request-target handling for the HTTP routes: splitting path and query,
// percent-decoding, and turning a query string into (name, value) pairs for
// Registry::args_from_query. Pure string rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace signoff::transport::http {

struct Target {
    std::string_view path;   // never empty for a valid origin-form target
    std::string_view query;  // after '?', without a '#' fragment
};

/// Splits an origin-form request target ("/a/b?x=1").
Target split_target(std::string_view target);

/// Decodes %XX escapes; with `plus_is_space` also '+' → ' ' (query strings).
/// Fails on a malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// "a=1&b=x%20y&c" → {("a","1"), ("b","x y"), ("c","")}. Empty items are
/// skipped; fails when any name or value is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

}  // namespace signoff::transport::http
