// Helpers shared by the auth repositories (auth_parts_repo, auths_repo,
// auth_drafts_repo): decoding every row, booleans as 0/1, and id lists bound
// as `IN ($k, …)` placeholders padded to a few fixed sizes so that the
// statement caches see a handful of texts, not one per list length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos::detail {

inline Value flag(bool b) {
    return std::int64_t{b ? 1 : 0};
}

/// Every row of a query decoded with `decode`; the query's error passes through.
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

/// The list length `n` is padded to (1, 4, 16, 32, 64, 100, then multiples of 100).
std::size_t padded_size(std::size_t n);

/// `sql` with its one `@IDS@` marker replaced by `$first, …` for `count`
/// placeholders.
std::string with_id_list(std::string_view sql, std::size_t first, std::size_t count);

/// Appends `ids` to `params`, repeating the last id up to padded_size(ids.size())
/// (a repeated value changes nothing inside IN). `ids` must not be empty.
void append_padded(Params& params, std::vector<std::string> const& ids);

/// Runs `sql` (with an @IDS@ marker) with the `head` parameters, then `ids`
/// padded as above. `ids` must not be empty.
DbResult<Rows> query_ids(
    Tx& tx, std::string_view sql, Params head, std::vector<std::string> const& ids
);

}  // namespace signoff::storage::repos::detail
