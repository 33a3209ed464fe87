// Pure input rules of the auth domain: text cleaning (trim, UTF-8, control
// characters, length in characters), id-shaped strings, list limits, paging.
// No storage, so unit-tested directly; the service calls these before it opens
// a transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auths/auths_service.hpp"
#include "server/core/error.hpp"

namespace signoff::server::auths {

inline constexpr std::size_t kMaxValueChars = 200;         // names and other part values
inline constexpr std::size_t kMaxDescriptionChars = 4000;  // description parts
inline constexpr std::size_t kMaxDepartmentChars = 100;
inline constexpr std::size_t kMaxSearchChars = 200;
inline constexpr std::size_t kMaxListEntries = 100;  // entries of one id list

/// Characters (code points) in valid UTF-8 text; nullopt when `s` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

/// Trimmed `s`, checked: valid UTF-8, no control characters (NUL included;
/// tab, CR and LF only when `multiline`), 1..max characters. Errors name `field`.
core::Result<std::string> clean_text(
    std::string_view s, std::string const& field, std::size_t max, bool multiline = false
);

/// The largest part value a kind allows (description: 4000, others: 200).
std::size_t max_chars_of(std::string_view kind);

/// True for the canonical 8-4-4-4-12 hexadecimal UUID shape: a list entry shaped
/// like this is taken as an id, never as free text.
bool looks_like_id(std::string_view s);

/// `value` if it fits in `max` characters, else its first characters followed
/// by `suffix`, cut on a character boundary, so the result fits.
std::string with_suffix(std::string const& value, std::string const& suffix, std::size_t max);

/// Static checks of an AuthFields: name with name_id (or description with
/// description_id) is invalid; text values are cleaned; list entries are
/// non-empty and at most kMaxListEntries per list. Every problem is one
/// detail of a single kInvalidArgument.
core::Status check_fields(AuthFields const& f);

/// page_size 1..100, page_offset >= 0, search and department_search at most
/// 200 characters without control characters.
core::Status check_search(SearchQuery const& q);

/// One kInvalidArgument carrying every detail; its message names the first.
core::Error invalid_fields(std::vector<core::FieldError> details);

/// kConflict for a stale expected_version: "<what> changed: current version
/// is N", with the detail {expected_version, "current version is N"}.
core::Error version_conflict(std::string const& what, std::int64_t current);

/// The distinct kinds of `parts`, in first-seen order.
std::vector<std::string> kinds_of(std::vector<Part> const& parts);

}  // namespace signoff::server::auths
