// Catching an org's search index up with its search generation: a full load,
// page by page, the first time (or after a rebuild); the changed rows and the
// deletions since the index's generation otherwise.
#include "server/auths/search_cache.hpp"

#include "server/core/db_map.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;

constexpr std::int64_t kLoadPage = 1000;

/// The ids of a departments key (",id1,id2,"), as views into it.
void ids_of(std::string_view key, std::vector<std::string_view>& ids) {
    ids.clear();
    std::size_t start = 1;
    for (auto comma = key.find(',', start); comma != std::string_view::npos;
         comma = key.find(',', start)) {
        if (comma > start) {
            ids.push_back(key.substr(start, comma - start));
        }
        start = comma + 1;
    }
}

std::vector<IndexEntry> entries_of(std::vector<repos::SearchRow> rows) {
    std::vector<IndexEntry> out;
    out.reserve(rows.size());
    std::vector<std::string_view> ids;
    for (auto& r : rows) {
        ids_of(r.departments, ids);
        out.push_back(IndexEntry{
            std::move(r.auth_id),
            std::move(r.sort_name),
            std::move(r.document),
            {ids.begin(), ids.end()},
        });
    }
    return out;
}

/// Every search row of the org, a page at a time: the peak is the index
/// itself plus one page, not a copy of every row.
core::Result<SearchIndex> load(storage::Tx& tx, std::string const& org_id) {
    SearchIndex::Builder builder;
    std::vector<std::string_view> ids;
    std::string after_name;
    std::string after_id;
    for (;;) {
        auto page =
            core::from_db(repos::search_rows_page(tx, org_id, after_name, after_id, kLoadPage));
        if (!page) {
            return page.error();
        }
        for (auto const& r : *page) {
            ids_of(r.departments, ids);
            builder.add(r.auth_id, r.sort_name, r.document, ids);
        }
        if (static_cast<std::int64_t>(page->size()) < kLoadPage) {
            return std::move(builder).finish();
        }
        after_name = page->back().sort_name;
        after_id = page->back().auth_id;
    }
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
    if (!usable) {
        s->index.reset();  // stale: freed before the load, not kept beside it
        auto loaded = load(tx, org_id);
        if (!loaded) {
            return loaded.error();
        }
        s->index = std::make_shared<SearchIndex const>(std::move(*loaded));
    } else {
        auto rows = core::from_db(repos::search_rows_after(tx, org_id, s->gen));
        if (!rows) {
            return rows.error();
        }
        auto deleted = core::from_db(repos::search_deletions_after(tx, org_id, s->gen));
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
