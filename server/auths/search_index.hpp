// The in-memory search index of one org's auths: the auth_search rows held
// column-wise in a few flat buffers, plus their order by (sort name, auth id).
// A search is a substring scan of one buffer plus counting, with no database
// round trip per row; AuthsService keeps one per org and brings it up to date
// from the rows written since its generation (search_cache.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace signoff::server::auths {

/// One auth as the index takes it: the lowercase name it sorts by, the
/// lowercase document the text search scans, and its department ids.
struct IndexEntry {
    std::string auth_id;
    std::string sort_name;
    std::string document;
    std::vector<std::string> department_ids;
};

struct IndexQuery {
    /// Lowercase substring the document must contain; none: every auth.
    std::optional<std::string> text;
    /// Auths in any of these departments; empty: no department filter.
    std::vector<std::string> department_ids;
    std::int64_t offset{0};
    std::int64_t limit{20};
};

struct IndexAnswer {
    /// Auths matching the text and the department filter.
    std::int64_t total{0};
    /// The page, ordered by sort name, then id.
    std::vector<std::string> ids;
    /// Per department id: the auths matching the text in it (the department
    /// filter does not narrow these).
    std::unordered_map<std::string, std::int64_t> department_counts;
};

/// Immutable once built: readers share it without locks while a newer one is
/// built beside it. Entries sit in the buffers in the order they were added;
/// `order_` and `rank_` give their order by (sort name, auth id), so that a
/// load needs no second, sorted copy of the buffers.
class SearchIndex {
public:
    /// Appends entries one by one (a load page by page holds only the index
    /// and one page); finish() orders them.
    class Builder;

    SearchIndex() = default;
    /// `entries` in any order; one entry per auth id.
    static SearchIndex build(std::vector<IndexEntry> const& entries);

    /// A new index: this one with `upserts` written over (or added to) it and
    /// the auths in `deleted` removed. Linear in the index size, plus the
    /// sorting of the upserts.
    [[nodiscard]] SearchIndex with_changes(
        std::vector<IndexEntry> upserts, std::vector<std::string> const& deleted
    ) const;

    [[nodiscard]] IndexAnswer query(IndexQuery const& q) const;
    [[nodiscard]] std::size_t size() const { return id_end_.size(); }
    /// Bytes held by the buffers, for the memory figures in PERFORMANCE.md.
    [[nodiscard]] std::size_t footprint() const;

private:
    [[nodiscard]] std::string_view auth_id(std::size_t i) const;
    [[nodiscard]] std::string_view sort_name(std::size_t i) const;
    [[nodiscard]] bool before(std::uint32_t a, std::uint32_t b) const;
    /// Entry i's department indexes: departments_[first, last).
    [[nodiscard]] std::pair<std::size_t, std::size_t> departments_of(std::size_t i) const;
    /// Sets rank_ from order_.
    void rank_from_order();
    /// Calls `hit(i)` for each entry whose document contains `text`, in
    /// buffer order.
    template <typename Hit>
    void for_each_match(std::string const& text, Hit&& hit) const;

    // Entry i occupies [end[i-1], end[i]) of each buffer (0 for i = 0).
    std::string ids_;
    std::vector<std::size_t> id_end_;
    std::string names_;
    std::vector<std::size_t> name_end_;
    // Documents, each followed by a NUL so that no match spans two of them.
    std::string documents_;
    std::vector<std::size_t> document_end_;
    // Department ids once each; entry i's are departments_[department_end_[i-1]…].
    std::vector<std::string> department_ids_;
    std::vector<std::uint32_t> departments_;
    std::vector<std::size_t> department_end_;
    // Entries per department (the counts of a search without text).
    std::vector<std::int64_t> department_totals_;
    // order_[p]: the entry at position p by (sort name, id); rank_[i]: entry i's position.
    std::vector<std::uint32_t> order_;
    std::vector<std::uint32_t> rank_;
};

class SearchIndex::Builder {
public:
    void add(
        std::string_view auth_id,
        std::string_view sort_name,
        std::string_view document,
        std::vector<std::string_view> const& department_ids
    );
    /// Orders the entries (one sort of all of them).
    [[nodiscard]] SearchIndex finish() &&;

private:
    friend class SearchIndex;
    /// Looks strings up by string_view without making a string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    SearchIndex index_;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> interned_;
};

}  // namespace signoff::server::auths
