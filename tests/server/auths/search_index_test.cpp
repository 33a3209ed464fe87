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

namespace {

/// What a search must answer, computed the slow way from the entries.
IndexAnswer brute_force(std::vector<IndexEntry> entries, IndexQuery const& q) {
    std::sort(entries.begin(), entries.end(), [](auto const& a, auto const& b) {
        return a.sort_name != b.sort_name ? a.sort_name < b.sort_name : a.auth_id < b.auth_id;
    });
    IndexAnswer out;
    for (auto const& e : entries) {
        if (q.text && e.document.find(*q.text) == std::string::npos) {
            continue;
        }
        bool in = q.department_ids.empty();
        for (auto const& d : e.department_ids) {
            ++out.department_counts[d];
            in = in || std::find(q.department_ids.begin(), q.department_ids.end(), d) !=
                           q.department_ids.end();
        }
        if (in) {
            if (out.total >= q.offset && out.total < q.offset + q.limit) {
                out.ids.push_back(e.auth_id);
            }
            ++out.total;
        }
    }
    return out;
}

}  // namespace

TEST_SUITE("server/auths/search_index") {
    TEST_CASE("random entries and changes: every query answers what a brute force does") {
        std::uint32_t seed = 12345;
        auto next = [&seed](std::uint32_t n) {
            seed = seed * 1103515245U + 12345U;
            return (seed >> 16) % n;
        };
        char const* words[] = {"okta", "saml", "oidc", "vpn", "wiki", "mail"};
        auto make = [&](std::uint32_t id) {
            IndexEntry e;
            e.auth_id = "id" + std::to_string(id);
            e.sort_name = std::string(words[next(6)]) + " " + std::to_string(next(5));
            e.document = e.sort_name + "\n" + words[next(6)];
            for (std::uint32_t d = 0; d < next(3); ++d) {
                e.department_ids.push_back("d" + std::to_string(next(4)));
            }
            std::sort(e.department_ids.begin(), e.department_ids.end());
            e.department_ids.erase(
                std::unique(e.department_ids.begin(), e.department_ids.end()),
                e.department_ids.end()
            );
            return e;
        };
        std::vector<IndexEntry> truth;
        for (std::uint32_t i = 0; i < 300; ++i) {
            truth.push_back(make(i));
        }
        auto index = SearchIndex::build(truth);
        for (int round = 0; round < 20; ++round) {
            std::vector<IndexEntry> upserts;
            std::vector<std::string> deleted;
            for (int k = 0; k < 15; ++k) {
                auto victim = next(static_cast<std::uint32_t>(truth.size()));
                if (next(2) == 0) {
                    deleted.push_back(truth[victim].auth_id);
                    truth.erase(truth.begin() + victim);
                } else {
                    auto changed = make(next(400));  // an existing id or a new one
                    std::erase_if(truth, [&](auto const& e) {
                        return e.auth_id == changed.auth_id;
                    });
                    truth.push_back(changed);
                    upserts.push_back(changed);
                }
            }
            // A deleted id upserted later in the round is alive: drop it from the deletions.
            std::erase_if(deleted, [&](auto const& id) {
                return std::any_of(truth.begin(), truth.end(), [&](auto const& e) {
                    return e.auth_id == id;
                });
            });
            // An id deleted after its upsert in the round is gone: drop the upsert.
            std::erase_if(upserts, [&](auto const& u) {
                return std::none_of(truth.begin(), truth.end(), [&](auto const& e) {
                    return e.auth_id == u.auth_id && e.sort_name == u.sort_name &&
                           e.document == u.document;
                });
            });
            index = index.with_changes(upserts, deleted);
            REQUIRE(index.size() == truth.size());
            for (auto const* text : {"", "okta", "a", "saml\nvpn", "zzz"}) {
                for (auto const& departments : {Ids{}, Ids{"d1"}, Ids{"d0", "d3"}}) {
                    for (auto [offset, limit] :
                         {std::pair{0, 20}, std::pair{7, 5}, std::pair{50, 100}}) {
                        IndexQuery q{
                            *text ? std::optional<std::string>{text} : std::nullopt,
                            departments,
                            offset,
                            limit};
                        CAPTURE(round);
                        CAPTURE(text);
                        CAPTURE(offset);
                        auto want = brute_force(truth, q);
                        auto got = index.query(q);
                        CHECK(got.total == want.total);
                        CHECK(got.ids == want.ids);
                        CHECK(got.department_counts == want.department_counts);
                    }
                }
            }
        }
    }
}
