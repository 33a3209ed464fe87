// UUIDv7 ids are well-formed and ordered; hashing and random tokens behave.
#include "server/core/ids.hpp"

#include <regex>
#include <set>

#include <doctest/doctest.h>

#include "tests/support/fakes.hpp"

using namespace signoff::server::core;

TEST_SUITE("server/core/ids") {
    TEST_CASE("uuidv7 ids are well-formed, unique and ordered within one millisecond") {
        signoff::testing::FakeClock clock;
        UuidV7Ids ids(clock);
        std::regex const kUuid{
            "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
        std::string prev;
        std::set<std::string> seen;
        for (int i = 0; i < 5000; ++i) {
            auto id = ids.new_id();
            CHECK(std::regex_match(id, kUuid));
            CHECK(id > prev);
            seen.insert(id);
            prev = id;
        }
        CHECK(seen.size() == 5000);
        CHECK(prev.substr(0, 8) == "019b76da");  // 2026-01-01T00:00Z in ms
    }

    TEST_CASE("sha256 matches the FIPS test vector") {
        CHECK(
            sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    TEST_CASE("random tokens have the requested length and differ") {
        auto a = random_hex(32);
        CHECK(a.size() == 64);
        CHECK(a != random_hex(32));
    }
}
