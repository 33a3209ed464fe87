// Mcp-Session-Id minting and the principal-bound session map.
#include <set>
#include <vector>

#include <doctest/doctest.h>

#include "tools/registry/registry.hpp"
#include "transport/http/session_store.hpp"

using namespace signoff::transport;
using namespace signoff::transport::http;

namespace {

struct Fixture {
    signoff::tools::registry::Registry registry;
    signoff::tools::registry::Services services;
    mcp::Engine engine{registry, services, mcp::EngineOptions{}};
};

}  // namespace

TEST_SUITE("transport/http/session_store") {
    TEST_CASE("session ids are 64 visible ASCII characters and do not repeat") {
        std::set<std::string> seen;
        for (int i = 0; i < 100; ++i) {
            auto id = new_session_id();
            REQUIRE(id.size() == 64);
            for (char c : id) {
                CHECK((c >= 0x21 && c <= 0x7E));
            }
            CHECK(seen.insert(id).second);
        }
    }

    TEST_CASE("a session is found only by the principal it is bound to") {
        Fixture f;
        SessionStore store;
        signoff::server::core::Actor alice;
        alice.org_id = "o";
        alice.principal_id = "alice";
        auto bob = alice;
        bob.principal_id = "bob";
        auto s = f.engine.new_session();
        CHECK_FALSE(store.add("id-1", s, owner_key(alice)));
        CHECK(store.find("id-1", owner_key(alice)) == s);
        CHECK(store.find("id-1", owner_key(bob)) == nullptr);
        CHECK(store.find("id-2", owner_key(alice)) == nullptr);
        CHECK(store.remove("id-1", owner_key(bob)) == nullptr);
        CHECK(store.remove("id-1", owner_key(alice)) == s);
        CHECK(store.find("id-1", owner_key(alice)) == nullptr);
    }

    TEST_CASE("owner keys differ when org or principal differ") {
        signoff::server::core::Actor a;
        a.org_id = "o1";
        a.principal_id = "p";
        auto b = a;
        b.org_id = "o2";
        CHECK(owner_key(a) != owner_key(b));
    }

    TEST_CASE("beyond the cap the least recently used session is evicted") {
        Fixture f;
        SessionStore store({.total = 2});
        auto s1 = f.engine.new_session();
        auto s2 = f.engine.new_session();
        auto s3 = f.engine.new_session();
        store.add("1", s1, "o");
        store.add("2", s2, "o");
        CHECK(store.find("1", "o") == s1);  // 2 is now the least recently used
        CHECK(store.add("3", s3, "o") == s2);
        CHECK(store.size() == 2);
        CHECK(store.find("2", "o") == nullptr);
        CHECK(store.find("1", "o") == s1);
        CHECK(store.clear().size() == 2);
        CHECK(store.size() == 0);
    }

    TEST_CASE("a principal or an org over its share evicts only its own sessions") {
        Fixture f;
        SessionStore store({.total = 6, .per_org = 4, .per_principal = 2});
        auto const alice = owner_key("o1", "user", "alice");
        auto const bob = owner_key("o1", "user", "bob");
        auto const carol = owner_key("o1", "user", "carol");
        auto const dan = owner_key("o2", "user", "dan");
        auto const dan_s = f.engine.new_session();
        store.add("d1", dan_s, dan);
        auto const b1 = f.engine.new_session();
        store.add("b1", b1, bob);
        // Alice opens sessions in a loop: each one past two evicts her own oldest.
        std::vector<std::shared_ptr<signoff::transport::mcp::Session>> mine;
        for (int i = 0; i < 10; ++i) {
            mine.push_back(f.engine.new_session());
            auto evicted = store.add("a" + std::to_string(i), mine.back(), alice);
            if (i >= 2) {
                CHECK(evicted == mine[static_cast<std::size_t>(i) - 2]);
            } else {
                CHECK(evicted == nullptr);
            }
        }
        CHECK(store.find("d1", dan) == dan_s);
        CHECK(store.find("b1", bob) == b1);
        // Org o1 at its share (alice 2, bob 1, carol 1): carol's next evicts
        // the org's least recently used session, never dan's in o2.
        auto const c1 = f.engine.new_session();
        CHECK(store.add("c1", c1, carol) == nullptr);
        auto const c2 = f.engine.new_session();
        auto const evicted = store.add("c2", c2, carol);
        CHECK(evicted != nullptr);
        CHECK(evicted != dan_s);
        CHECK(store.find("d1", dan) == dan_s);
        CHECK(store.size() == 5);
        CHECK(store.remove_owner(alice).size() + store.size() == 5);
    }
}
