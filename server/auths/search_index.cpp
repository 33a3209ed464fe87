// The in-memory search index: appending entries, ordering them, merging
// changes into a new index, and answering a query (substring scan with
// memmem over the NUL-separated documents, counting per department, then the
// page picked by rank).
#include "server/auths/search_index.hpp"

#include <algorithm>
#include <cstring>
#include <string.h>
#include <unordered_set>

namespace signoff::server::auths {
namespace {

std::string_view slice(
    std::string const& buf, std::vector<std::size_t> const& ends, std::size_t i
) {
    std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view{buf}.substr(begin, ends[i] - begin);
}

bool entry_before(IndexEntry const& a, IndexEntry const& b) {
    return a.sort_name != b.sort_name ? a.sort_name < b.sort_name : a.auth_id < b.auth_id;
}

}  // namespace

// ---- building ----------------------------------------------------------------------

void SearchIndex::Builder::add(
    std::string_view auth_id,
    std::string_view sort_name,
    std::string_view document,
    std::vector<std::string_view> const& department_ids
) {
    SearchIndex& x = index_;
    x.ids_ += auth_id;
    x.id_end_.push_back(x.ids_.size());
    x.names_ += sort_name;
    x.name_end_.push_back(x.names_.size());
    x.documents_ += document;
    x.documents_ += '\0';
    x.document_end_.push_back(x.documents_.size());
    for (auto d : department_ids) {
        auto it = interned_.find(d);
        if (it == interned_.end()) {
            auto next = static_cast<std::uint32_t>(x.department_ids_.size());
            it = interned_.emplace(std::string{d}, next).first;
            x.department_ids_.emplace_back(d);
            x.department_totals_.push_back(0);
        }
        x.departments_.push_back(it->second);
        ++x.department_totals_[it->second];
    }
    x.department_end_.push_back(x.departments_.size());
}

SearchIndex SearchIndex::Builder::finish() && {
    SearchIndex x = std::move(index_);
    x.order_.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x.order_[i] = static_cast<std::uint32_t>(i);
    }
    std::sort(x.order_.begin(), x.order_.end(), [&x](std::uint32_t a, std::uint32_t b) {
        return x.before(a, b);
    });
    x.rank_from_order();
    return x;
}

SearchIndex SearchIndex::build(std::vector<IndexEntry> const& entries) {
    Builder b;
    std::vector<std::string_view> departments;
    for (auto const& e : entries) {
        departments.assign(e.department_ids.begin(), e.department_ids.end());
        b.add(e.auth_id, e.sort_name, e.document, departments);
    }
    return std::move(b).finish();
}

SearchIndex SearchIndex::with_changes(
    std::vector<IndexEntry> upserts, std::vector<std::string> const& deleted
) const {
    // The last upsert of an id wins; a deletion beats any upsert.
    std::unordered_set<std::string_view> gone(deleted.begin(), deleted.end());
    std::vector<IndexEntry const*> added;
    added.reserve(upserts.size());
    for (auto it = upserts.rbegin(); it != upserts.rend(); ++it) {
        if (gone.insert(it->auth_id).second) {
            added.push_back(&*it);
        }
    }
    std::sort(added.begin(), added.end(), [](IndexEntry const* a, IndexEntry const* b) {
        return entry_before(*a, *b);
    });
    // The kept entries go in first, in their order: entries [0, kept) are
    // ordered, and so are [kept, n); one merge orders them all.
    Builder b;
    std::vector<std::string_view> departments;
    for (auto i : order_) {
        if (gone.count(auth_id(i)) != 0) {
            continue;
        }
        departments.clear();
        auto [first, last] = departments_of(i);
        for (auto d = first; d < last; ++d) {
            departments.push_back(department_ids_[departments_[d]]);
        }
        auto document = slice(documents_, document_end_, i);
        document.remove_suffix(1);  // the NUL separator
        b.add(auth_id(i), sort_name(i), document, departments);
    }
    std::size_t const kept = b.index_.size();
    for (auto const* e : added) {
        departments.assign(e->department_ids.begin(), e->department_ids.end());
        b.add(e->auth_id, e->sort_name, e->document, departments);
    }
    SearchIndex x = std::move(b.index_);
    x.order_.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x.order_[i] = static_cast<std::uint32_t>(i);
    }
    auto middle = x.order_.begin() + static_cast<std::ptrdiff_t>(kept);
    std::inplace_merge(
        x.order_.begin(),
        middle,
        x.order_.end(),
        [&x](std::uint32_t a, std::uint32_t c) { return x.before(a, c); }
    );
    x.rank_from_order();
    return x;
}

void SearchIndex::rank_from_order() {
    rank_.resize(order_.size());
    for (std::size_t p = 0; p < order_.size(); ++p) {
        rank_[order_[p]] = static_cast<std::uint32_t>(p);
    }
}

// ---- reading -----------------------------------------------------------------------

std::string_view SearchIndex::auth_id(std::size_t i) const {
    return slice(ids_, id_end_, i);
}

std::string_view SearchIndex::sort_name(std::size_t i) const {
    return slice(names_, name_end_, i);
}

bool SearchIndex::before(std::uint32_t a, std::uint32_t b) const {
    auto na = sort_name(a);
    auto nb = sort_name(b);
    return na != nb ? na < nb : auth_id(a) < auth_id(b);
}

std::pair<std::size_t, std::size_t> SearchIndex::departments_of(std::size_t i) const {
    return {i == 0 ? 0 : department_end_[i - 1], department_end_[i]};
}

template <typename Hit>
void SearchIndex::for_each_match(std::string const& text, Hit&& hit) const {
    if (text.find('\0') != std::string::npos) {
        return;  // documents never hold a NUL (parts refuse control characters)
    }
    char const* base = documents_.data();
    std::size_t from = 0;
    std::size_t i = 0;
    while (from < documents_.size()) {
        void const* found =
            ::memmem(base + from, documents_.size() - from, text.data(), text.size());
        if (found == nullptr) {
            return;
        }
        auto at = static_cast<std::size_t>(static_cast<char const*>(found) - base);
        // The entry holding `at`: the first whose end lies beyond it.
        i = static_cast<std::size_t>(
            std::upper_bound(
                document_end_.begin() + static_cast<std::ptrdiff_t>(i), document_end_.end(), at
            ) -
            document_end_.begin()
        );
        hit(i);
        from = document_end_[i];
    }
}

IndexAnswer SearchIndex::query(IndexQuery const& q) const {
    IndexAnswer out;
    std::vector<char> wanted(department_ids_.size(), 0);
    for (std::size_t d = 0; d < department_ids_.size(); ++d) {
        auto const& chosen = q.department_ids;
        wanted[d] = std::find(chosen.begin(), chosen.end(), department_ids_[d]) != chosen.end();
    }
    bool const filtered = !q.department_ids.empty();
    auto in_filter = [&](std::size_t i) {
        auto [first, last] = departments_of(i);
        bool in = !filtered;
        for (auto d = first; d < last && !in; ++d) {
            in = wanted[departments_[d]] != 0;
        }
        return in;
    };
    auto const end = q.offset + q.limit;
    std::vector<std::int64_t> counts;
    if (!q.text || q.text->empty()) {
        counts = department_totals_;
        for (auto i : order_) {  // already in page order
            if (!in_filter(i)) {
                continue;
            }
            if (out.total >= q.offset && out.total < end) {
                out.ids.emplace_back(auth_id(i));
            }
            ++out.total;
        }
    } else {
        counts.assign(department_ids_.size(), 0);
        std::vector<std::uint32_t> ranks;  // of the matches in the filter
        for_each_match(*q.text, [&](std::size_t i) {
            auto [first, last] = departments_of(i);
            for (auto d = first; d < last; ++d) {
                ++counts[departments_[d]];
            }
            if (in_filter(i)) {
                ranks.push_back(rank_[i]);
            }
        });
        out.total = static_cast<std::int64_t>(ranks.size());
        auto const shown = static_cast<std::size_t>(std::clamp<std::int64_t>(end, 0, out.total));
        std::partial_sort(
            ranks.begin(), ranks.begin() + static_cast<std::ptrdiff_t>(shown), ranks.end()
        );
        for (auto p = static_cast<std::size_t>(std::max<std::int64_t>(q.offset, 0)); p < shown;
             ++p) {
            out.ids.emplace_back(auth_id(order_[ranks[p]]));
        }
    }
    for (std::size_t d = 0; d < department_ids_.size(); ++d) {
        if (counts[d] > 0) {
            out.department_counts.emplace(department_ids_[d], counts[d]);
        }
    }
    return out;
}

std::size_t SearchIndex::footprint() const {
    std::size_t bytes = ids_.capacity() + names_.capacity() + documents_.capacity();
    for (auto const* ends : {&id_end_, &name_end_, &document_end_, &department_end_}) {
        bytes += ends->capacity() * sizeof(std::size_t);
    }
    for (auto const* v : {&departments_, &order_, &rank_}) {
        bytes += v->capacity() * sizeof(std::uint32_t);
    }
    bytes += department_totals_.capacity() * sizeof(std::int64_t);
    for (auto const& d : department_ids_) {
        bytes += sizeof(d) + d.capacity();
    }
    return bytes;
}

}  // namespace signoff::server::auths
