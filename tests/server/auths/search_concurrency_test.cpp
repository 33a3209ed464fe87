// The per-org search index under concurrent use, on both back ends: searches
// from several threads while another thread creates auths one by one. Each
// reader's counts never go backwards (an index only moves to newer
// generations), nothing fails, and once the writer is done every reader sees
// every auth. Under TSan this is also the race check of SearchCache.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "server/auths/auths_service.hpp"
#include "tests/server/auths/auths_fixture.hpp"

using namespace signoff;
using server::auths::AuthFields;
using server::auths::CreateItem;
using server::auths::SearchQuery;
using testing::PostgresBackend;
using testing::SqliteBackend;

TEST_SUITE("server/auths/search") {
    TEST_CASE_TEMPLATE(
        "searches racing creates: counts never go backwards and end complete",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        constexpr int kAuths = 30;
        constexpr int kReaders = 4;
        testing::AuthsWorld w{T::kBackend};
        SearchQuery q;
        q.search = "racer";
        std::atomic<bool> writing{true};
        std::atomic<int> failures{0};
        std::atomic<int> regressions{0};
        std::vector<std::thread> readers;
        for (int r = 0; r < kReaders; ++r) {
            readers.emplace_back([&] {
                std::int64_t last = 0;
                while (writing.load()) {
                    auto found = w.auths.search(w.bob, q);
                    if (!found) {
                        ++failures;
                        continue;
                    }
                    regressions += found->total_count < last ? 1 : 0;
                    last = found->total_count;
                }
            });
        }
        int created = 0;
        for (int i = 0; i < kAuths; ++i) {
            AuthFields fields;
            fields.name = "Racer " + std::to_string(i);
            auto out = w.auths.create(w.alice, {CreateItem{{}, fields}});
            created += out.size() == 1 && out[0].result.has_value() ? 1 : 0;
        }
        writing = false;
        for (auto& t : readers) {
            t.join();
        }
        CHECK(created == kAuths);
        CHECK(failures.load() == 0);
        CHECK(regressions.load() == 0);
        auto final_count = w.auths.search(w.bob, q);
        REQUIRE(final_count.has_value());
        CHECK(final_count->total_count == kAuths);
    }
}
