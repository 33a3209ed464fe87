// Dialect-neutral SQL text helpers shared by the two back ends: placeholder
// rewriting ($N → ?N for SQLite) and exact number formatting for text protocols.
// Sits under storage/sqlite/ and storage/postgres/; repositories never call these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace signoff::storage {

/// Rewrites PostgreSQL-style `$N` placeholders to SQLite's `?N`, leaving string
/// literals ('…', with '' escapes), quoted identifiers ("…"), and comments
/// (-- … and /* … */) untouched. A `$` not followed by a digit is kept as is.
/// Pure; never fails (unterminated quotes simply run to the end).
std::string rewrite_dollar_placeholders(std::string_view sql);

/// Shortest decimal text that reads back as exactly `v`; NaN and infinities as
/// PostgreSQL spells them ("NaN", "Infinity", "-Infinity").
std::string format_double(double v);

/// Decimal text of `v`.
std::string format_int(std::int64_t v);

}  // namespace signoff::storage
