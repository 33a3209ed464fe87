// Id-list helpers of the auth repositories (see auth_common_repo.hpp).
#include "storage/repos/auth_common_repo.hpp"

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos::detail {

std::size_t padded_size(std::size_t n) {
    for (std::size_t bucket : {std::size_t{1}, 4UL, 16UL, 32UL, 64UL, 100UL}) {
        if (n <= bucket) {
            return bucket;
        }
    }
    return (n + 99) / 100 * 100;
}

std::string with_id_list(std::string_view sql, std::size_t first, std::size_t count) {
    constexpr std::string_view kMarker = "@IDS@";
    std::string out{sql};
    auto at = out.find(kMarker);
    if (at != std::string::npos) {
        out.replace(at, kMarker.size(), placeholder_list(first, count));
    }
    return out;
}

void append_padded(Params& params, std::vector<std::string> const& ids) {
    for (auto const& id : ids) {
        params.emplace_back(id);
    }
    for (std::size_t i = ids.size(); i < padded_size(ids.size()); ++i) {
        params.emplace_back(ids.back());
    }
}

DbResult<Rows> query_ids(
    Tx& tx, std::string_view sql, Params head, std::vector<std::string> const& ids
) {
    std::size_t first = head.size() + 1;
    append_padded(head, ids);
    return tx.query(with_id_list(sql, first, padded_size(ids.size())), head);
}

}  // namespace signoff::storage::repos::detail
