// Small shapes every repository repeats: "the first row, decoded, or nothing"
// and "the count in the first column". Portable: they only look at Rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

/// The first row of a query's result decoded with `decode`, nullopt when the
/// query found nothing; the query's error passes through.
template <class Decode>
auto first_row(DbResult<Rows> rows, Decode decode)
    -> DbResult<std::optional<std::invoke_result_t<Decode, Row const&>>> {
    using Record = std::invoke_result_t<Decode, Row const&>;
    if (!rows) {
        return rows.error();
    }
    if (rows->empty()) {
        return std::optional<Record>{};
    }
    return std::optional<Record>{decode(rows->front())};
}

/// Every row of a query's result decoded with `decode`; the error passes through.
template <class Decode>
auto all_rows(DbResult<Rows> rows, Decode decode)
    -> DbResult<std::vector<std::invoke_result_t<Decode, Row const&>>> {
    if (!rows) {
        return rows.error();
    }
    std::vector<std::invoke_result_t<Decode, Row const&>> out;
    out.reserve(rows->size());
    for (auto const& r : *rows) {
        out.push_back(decode(r));
    }
    return out;
}

/// The integer in the first column of the first row (0 for no row), as
/// `SELECT COUNT(*) …` answers it.
inline DbResult<std::int64_t> count_of(DbResult<Rows> rows) {
    if (!rows) {
        return rows.error();
    }
    return rows->empty() ? std::int64_t{0} : rows->front().integer(0);
}

/// A LIKE pattern (ESCAPE '\\') matching `s` anywhere, with LIKE's wildcards
/// escaped; NULL when there is no `s` (the filter is off).
inline Value contains_pattern(std::optional<std::string> const& s) {
    if (!s) {
        return null_value();
    }
    std::string p{"%"};
    for (char c : *s) {
        if (c == '%' || c == '_' || c == '\\') {
            p.push_back('\\');
        }
        p.push_back(c);
    }
    p.push_back('%');
    return p;
}

/// "$first, $first+1, …" for `count` parameters: the inside of an IN list.
inline std::string placeholder_list(std::size_t first, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out += (i == 0 ? "$" : ", $") + std::to_string(first + i);
    }
    return out;
}

/// A write whose row count nobody needs, as a plain status.
inline DbStatus as_status(DbResult<std::int64_t> changed) {
    if (!changed) {
        return changed.error();
    }
    return {};
}

}  // namespace signoff::storage::repos
