// Catching an org's search index up with its search generation: a full load
// the first time (or after a rebuild), the changed rows and the deletions
// since the index's generation otherwise.
#include "server/auths/search_cache.hpp"

#include "server/core/db_map.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;

/// The ids of a departments key (",id1,id2,").
std::vector<std::string> ids_of(std::string const& key) {
    std::vector<std::string> ids;
    std::size_t start = 1;
    for (auto comma = key.find(',', start); comma != std::string::npos;
         comma = key.find(',', start)) {
        if (comma > start) {
            ids.push_back(key.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return ids;
}

std::vector<IndexEntry> entries_of(std::vector<repos::SearchRow> rows) {
    std::vector<IndexEntry> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
        out.push_back(IndexEntry{
            std::move(r.auth_id),
            std::move(r.sort_name),
            std::move(r.document),
            ids_of(r.departments),
        });
    }
    return out;
}

}  // namespace

std::shared_ptr<SearchCache::Slot> SearchCache::slot(std::string const& org_id) {
    std::lock_guard lock(mu_);
    auto& s = slots_[org_id];
    if (!s) {
        s = std::make_shared<Slot>();
    }
    return s;
}

bool SearchCache::drop(std::string const& org_id) {
    std::lock_guard lock(mu_);
    return slots_.erase(org_id) > 0;
}

core::Result<std::shared_ptr<SearchIndex const>> SearchCache::current(
    storage::Tx& tx, std::string const& org_id
) {
    auto seen = core::from_db(repos::search_generation(tx, org_id));
    if (!seen) {
        return seen.error();
    }
    auto s = slot(org_id);
    std::lock_guard lock(s->mu);
    bool const usable = s->index && s->gen >= seen->reload_below;
    if (usable && s->gen >= seen->gen) {
        return s->index;
    }
    std::int64_t const after = usable ? s->gen : -1;
    auto rows = core::from_db(repos::search_rows_after(tx, org_id, after));
    if (!rows) {
        return rows.error();
    }
    if (!usable) {
        s->index =
            std::make_shared<SearchIndex const>(SearchIndex::build(entries_of(std::move(*rows))));
    } else {
        auto deleted = core::from_db(repos::search_deletions_after(tx, org_id, after));
        if (!deleted) {
            return deleted.error();
        }
        s->index = std::make_shared<SearchIndex const>(
            s->index->with_changes(entries_of(std::move(*rows)), *deleted)
        );
    }
    s->gen = seen->gen;
    return s->index;
}

}  // namespace signoff::server::auths
