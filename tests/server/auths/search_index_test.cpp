// The in-memory search index behind auths_search: order, text matches that
// never span two documents, the department filter against the facet counts,
// paging, and merging changes into a new index without touching the old one.
#include "server/auths/search_index.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

using signoff::server::auths::IndexAnswer;
using signoff::server::auths::IndexEntry;
using signoff::server::auths::IndexQuery;
using signoff::server::auths::SearchIndex;

namespace {

using Ids = std::vector<std::string>;

SearchIndex sample() {
    return SearchIndex::build({
        {"a1", "zeta login", "zeta login\n\nzeta-login\noidc\nsaml", {"d1", "d2"}},
        {"a2", "alpha sso", "alpha sso\nsingle sign-on", {"d2"}},
        {"a3", "alpha sso", "alpha sso\nsecond of the name", {}},
        {"a0", "mid", "mid\nk", {"d1"}},
    });
}

IndexAnswer ask(
    SearchIndex const& index,
    std::optional<std::string> text,
    Ids departments = {},
    std::int64_t offset = 0,
    std::int64_t limit = 20
) {
    return index.query(IndexQuery{std::move(text), std::move(departments), offset, limit});
}

std::int64_t count_in(IndexAnswer const& a, std::string const& department) {
    auto it = a.department_counts.find(department);
    return it == a.department_counts.end() ? 0 : it->second;
}

}  // namespace

TEST_SUITE("server/auths/search_index") {
    TEST_CASE("without text: every auth by sort name then id, facets count every auth") {
        auto all = ask(sample(), std::nullopt);
        CHECK(all.ids == Ids{"a2", "a3", "a0", "a1"});
        CHECK(all.total == 4);
        CHECK(count_in(all, "d1") == 2);
        CHECK(count_in(all, "d2") == 2);
        CHECK(ask(sample(), std::string{}).total == 4);  // an empty text filters nothing
    }

    TEST_CASE("a text matches a substring of one document, never across two") {
        auto index = sample();
        CHECK(ask(index, "saml").ids == Ids{"a1"});
        CHECK(ask(index, "sso\n").ids == Ids{"a2", "a3"});  // a line break inside a document
        CHECK(ask(index, "namemid").total == 0);  // a3's end and a0's start: two documents
        CHECK(ask(index, std::string("k\0a", 3)).total == 0);
        CHECK(ask(index, "nothing").total == 0);
        CHECK(ask(index, "nothing").department_counts.empty());
        auto o = ask(index, "o");  // every document but "mid\nk"
        CHECK(o.ids == Ids{"a2", "a3", "a1"});
        CHECK(count_in(o, "d1") == 1);  // facets count the text matches
        CHECK(count_in(o, "d2") == 2);
    }

    TEST_CASE("the department filter narrows total and page, not the facet counts") {
        auto index = sample();
        auto in_d1 = ask(index, std::nullopt, {"d1", "unknown"});
        CHECK(in_d1.ids == Ids{"a0", "a1"});
        CHECK(in_d1.total == 2);
        CHECK(count_in(in_d1, "d2") == 2);
        auto text_in_d2 = ask(index, "a", {"d2"});
        CHECK(text_in_d2.ids == Ids{"a2", "a1"});
        CHECK(text_in_d2.total == 2);
        CHECK(count_in(text_in_d2, "d1") == 1);
        CHECK(ask(index, std::nullopt, {"unknown"}).total == 0);
    }

    TEST_CASE("pages: offset and limit over the ordered matches, total unaffected") {
        auto index = sample();
        CHECK(ask(index, std::nullopt, {}, 1, 2).ids == Ids{"a3", "a0"});
        CHECK(ask(index, std::nullopt, {}, 1, 2).total == 4);
        CHECK(ask(index, "o", {}, 2, 5).ids == Ids{"a1"});
        CHECK(ask(index, "o", {}, 9, 5).ids.empty());
        CHECK(ask(index, "o", {}, 0, 0).ids.empty());
    }

    TEST_CASE("changes: upserts replace or add, deletions remove, the old index stays") {
        auto before = sample();
        auto after = before.with_changes(
            {
                {"a1", "aardvark", "aardvark", {"d3"}},  // renamed and moved
                {"a9", "new", "new\nsaml", {"d1"}},
                {"a9", "newer", "newer\nsaml", {"d1"}},  // the last upsert of an id wins
                {"a2", "ghost", "ghost", {}},            // deleted as well: the deletion wins
            },
            {"a2", "not-there"}
        );
        CHECK(after.size() == 4);
        CHECK(ask(after, std::nullopt).ids == Ids{"a1", "a3", "a0", "a9"});
        CHECK(ask(after, "saml").ids == Ids{"a9"});
        CHECK(ask(after, "ghost").total == 0);
        auto facets = ask(after, std::nullopt);
        CHECK(count_in(facets, "d1") == 2);
        CHECK(count_in(facets, "d2") == 0);
        CHECK(count_in(facets, "d3") == 1);
        CHECK(ask(before, std::nullopt).ids == Ids{"a2", "a3", "a0", "a1"});  // unchanged
        CHECK(SearchIndex{}.with_changes({}, {"x"}).size() == 0);
        CHECK(ask(SearchIndex{}, "x").total == 0);
    }

    TEST_CASE("the footprint counts the buffers") {
        CHECK(sample().footprint() > SearchIndex{}.footprint() + 100);
    }
}
