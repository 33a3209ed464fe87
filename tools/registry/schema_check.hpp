// Argument checks that run before the general JSON Schema validator: required
// fields, unknown fields, declared types and string lengths, each reported as a
// field-level detail with a specific message. Running them first also bounds
// string lengths before any `pattern` (std::regex) sees the value.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/core/error.hpp"

namespace signoff::tools::registry::detail {

/// Appends one FieldError per problem found in `value` against `schema`
/// (walking `properties` and `items`); `path` is the dotted field path so far.
void precheck(
    boost::json::value const& schema,
    boost::json::value const& value,
    std::string const& path,
    std::vector<server::core::FieldError>& out
);

/// Appends one FieldError per string (or member name) in `value` that holds
/// U+0000 or is not valid UTF-8: text no store accepts (PostgreSQL refuses
/// both) and no JSON answer may echo. Messages never quote the value.
void check_strings(
    boost::json::value const& value,
    std::string const& path,
    std::vector<server::core::FieldError>& out
);

/// Every JSON Schema keyword the schemas in schemas/ may use; validation fails
/// closed on any other (checked by tests/arch).
bool is_supported_keyword(std::string_view keyword);

}  // namespace signoff::tools::registry::detail
