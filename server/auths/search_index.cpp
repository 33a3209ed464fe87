// The in-memory search index: building it from rows, merging changes into a
// new one, and answering a query (substring scan with memmem over the NUL-
// separated documents, then counting per department).
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

template <typename View>
bool before(View const& a, View const& b) {
    return a.sort_name != b.sort_name ? a.sort_name < b.sort_name : a.auth_id < b.auth_id;
}

}  // namespace

SearchIndex SearchIndex::build(std::vector<IndexEntry> entries) {
    return SearchIndex{}.with_changes(std::move(entries), {});
}

SearchIndex::View SearchIndex::view(std::size_t i) const {
    View v{
        slice(ids_, id_end_, i),
        slice(names_, name_end_, i),
        slice(documents_, document_end_, i),
        {},
    };
    v.document.remove_suffix(1);  // the NUL separator
    std::size_t begin = i == 0 ? 0 : department_end_[i - 1];
    for (std::size_t d = begin; d < department_end_[i]; ++d) {
        v.department_ids.push_back(department_ids_[departments_[d]]);
    }
    return v;
}

SearchIndex SearchIndex::with_changes(
    std::vector<IndexEntry> upserts, std::vector<std::string> const& deleted
) const {
    // The last upsert of an id wins; a deletion beats any upsert.
    std::unordered_set<std::string_view> gone(deleted.begin(), deleted.end());
    std::vector<View> added;
    added.reserve(upserts.size());
    for (auto it = upserts.rbegin(); it != upserts.rend(); ++it) {
        if (!gone.insert(it->auth_id).second) {
            continue;
        }
        View v{it->auth_id, it->sort_name, it->document, {}};
        v.department_ids.assign(it->department_ids.begin(), it->department_ids.end());
        added.push_back(std::move(v));
    }
    std::sort(added.begin(), added.end(), before<View>);
    std::vector<View> kept;
    kept.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
        if (gone.count(slice(ids_, id_end_, i)) == 0) {
            kept.push_back(view(i));
        }
    }
    std::vector<View> merged;
    merged.reserve(kept.size() + added.size());
    std::merge(
        std::make_move_iterator(kept.begin()),
        std::make_move_iterator(kept.end()),
        std::make_move_iterator(added.begin()),
        std::make_move_iterator(added.end()),
        std::back_inserter(merged),
        before<View>
    );
    return from_sorted(merged);
}

SearchIndex SearchIndex::from_sorted(std::vector<View> const& rows) {
    SearchIndex out;
    std::size_t id_bytes = 0;
    std::size_t name_bytes = 0;
    std::size_t document_bytes = 0;
    for (auto const& r : rows) {
        id_bytes += r.auth_id.size();
        name_bytes += r.sort_name.size();
        document_bytes += r.document.size() + 1;
    }
    out.ids_.reserve(id_bytes);
    out.names_.reserve(name_bytes);
    out.documents_.reserve(document_bytes);
    for (auto* ends : {&out.id_end_, &out.name_end_, &out.document_end_, &out.department_end_}) {
        ends->reserve(rows.size());
    }
    std::unordered_map<std::string_view, std::uint32_t> interned;
    for (auto const& r : rows) {
        out.ids_ += r.auth_id;
        out.id_end_.push_back(out.ids_.size());
        out.names_ += r.sort_name;
        out.name_end_.push_back(out.names_.size());
        out.documents_ += r.document;
        out.documents_ += '\0';
        out.document_end_.push_back(out.documents_.size());
        for (auto d : r.department_ids) {
            auto [it, fresh] =
                interned.emplace(d, static_cast<std::uint32_t>(out.department_ids_.size()));
            if (fresh) {
                out.department_ids_.emplace_back(d);
                out.department_totals_.push_back(0);
            }
            out.departments_.push_back(it->second);
            ++out.department_totals_[it->second];
        }
        out.department_end_.push_back(out.departments_.size());
    }
    return out;
}

template <typename Hit>
void SearchIndex::for_each_match(std::optional<std::string> const& text, Hit&& hit) const {
    if (!text || text->empty()) {
        for (std::size_t i = 0; i < size(); ++i) {
            hit(i);
        }
        return;
    }
    if (text->find('\0') != std::string::npos) {
        return;  // documents never hold a NUL (parts refuse control characters)
    }
    char const* base = documents_.data();
    std::size_t from = 0;
    std::size_t i = 0;
    while (from < documents_.size()) {
        void const* found =
            ::memmem(base + from, documents_.size() - from, text->data(), text->size());
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
        wanted[d] =
            std::find(q.department_ids.begin(), q.department_ids.end(), department_ids_[d]) !=
                    q.department_ids.end()
                ? 1
                : 0;
    }
    bool const filtered = !q.department_ids.empty();
    bool const texted = q.text && !q.text->empty();
    std::vector<std::int64_t> counts =
        texted ? std::vector<std::int64_t>(department_ids_.size()) : department_totals_;
    for_each_match(q.text, [&](std::size_t i) {
        bool in = !filtered;
        std::size_t begin = i == 0 ? 0 : department_end_[i - 1];
        for (std::size_t d = begin; d < department_end_[i]; ++d) {
            counts[departments_[d]] += texted ? 1 : 0;
            in = in || wanted[departments_[d]] != 0;
        }
        if (!in) {
            return;
        }
        if (out.total >= q.offset && out.total < q.offset + q.limit) {
            out.ids.emplace_back(slice(ids_, id_end_, i));
        }
        ++out.total;
    });
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
    bytes += departments_.capacity() * sizeof(std::uint32_t);
    bytes += department_totals_.capacity() * sizeof(std::int64_t);
    for (auto const& d : department_ids_) {
        bytes += sizeof(d) + d.capacity();
    }
    return bytes;
}

}  // namespace signoff::server::auths
