// Retry scheduling: the exponential ceiling and its cap, both jitter kinds at
// the extremes of the injected random source and along a seeded sequence, and
// the 24-hour give-up horizon counted from the first attempt.
#include "server/delivery/backoff.hpp"

#include <cstdint>
#include <limits>

#include <doctest/doctest.h>

using namespace signoff::server;
using delivery::BackoffPolicy;
using delivery::Jitter;
using delivery::RetryState;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// Always the same draw: 0 gives the low end of a range, the maximum the high end.
class FixedRandom final : public delivery::RandomSource {
public:
    explicit FixedRandom(std::uint64_t v) : v_(v) {}
    std::uint64_t next_u64() override { return v_; }

private:
    std::uint64_t v_;
};

/// SplitMix64 from a fixed seed: spread-out but reproducible draws.
class SeededRandom final : public delivery::RandomSource {
public:
    std::uint64_t next_u64() override {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_{42};
};

constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
core::TimePoint const kT0{milliseconds{1767225600000}};

RetryState after(std::int64_t attempts, milliseconds since_first, milliseconds previous = {}) {
    return RetryState{kT0, kT0 + since_first, attempts, previous};
}

}  // namespace

TEST_SUITE("server/delivery/backoff") {
    TEST_CASE("the ceiling doubles from 10 s and stops at 1 h") {
        BackoffPolicy p;
        CHECK(delivery::ceiling(p, 1) == seconds{10});
        CHECK(delivery::ceiling(p, 2) == seconds{20});
        CHECK(delivery::ceiling(p, 3) == seconds{40});
        CHECK(delivery::ceiling(p, 9) == seconds{2560});
        CHECK(delivery::ceiling(p, 10) == hours{1});
        CHECK(delivery::ceiling(p, 0) == seconds{10});
        CHECK(delivery::ceiling(p, -5) == seconds{10});
        CHECK(delivery::ceiling(p, std::numeric_limits<std::int64_t>::max()) == hours{1});
    }

    TEST_CASE("the ceiling never falls and never passes the cap") {
        BackoffPolicy p;
        milliseconds previous{0};
        for (std::int64_t n = 1; n <= 10000; ++n) {
            auto const c = delivery::ceiling(p, n);
            REQUIRE(c >= previous);
            REQUIRE(c <= p.cap);
            previous = c;
        }
        BackoffPolicy odd{milliseconds{7}, milliseconds{1000}, hours{24}, Jitter::kFull};
        CHECK(delivery::ceiling(odd, 8) == milliseconds{896});
        CHECK(delivery::ceiling(odd, 9) == milliseconds{1000});
    }

    TEST_CASE("a draw maps onto the whole inclusive range") {
        FixedRandom low{0};
        FixedRandom high{kMax};
        FixedRandom half{std::uint64_t{1} << 63};
        CHECK(delivery::uniform_between(low, milliseconds{5}, milliseconds{9}) == milliseconds{5});
        CHECK(delivery::uniform_between(high, milliseconds{5}, milliseconds{9}) == milliseconds{9});
        CHECK(
            delivery::uniform_between(half, milliseconds{0}, milliseconds{99}) == milliseconds{50}
        );
        CHECK(delivery::uniform_between(high, milliseconds{9}, milliseconds{5}) == milliseconds{9});
        SeededRandom seeded;
        bool saw_low_half = false;
        bool saw_high_half = false;
        for (int i = 0; i < 1000; ++i) {
            auto const d = delivery::uniform_between(seeded, milliseconds{0}, milliseconds{999});
            REQUIRE(d >= milliseconds{0});
            REQUIRE(d <= milliseconds{999});
            saw_low_half = saw_low_half || d < milliseconds{500};
            saw_high_half = saw_high_half || d >= milliseconds{500};
        }
        CHECK(saw_low_half);
        CHECK(saw_high_half);
    }

    TEST_CASE("full jitter stays within [0, ceiling] and reaches both ends") {
        BackoffPolicy p;
        FixedRandom low{0};
        FixedRandom high{kMax};
        SeededRandom seeded;
        for (std::int64_t n = 1; n <= 40; ++n) {
            INFO("attempts " << n);
            auto const at_low = delivery::next_attempt(p, after(n, seconds{1}), low);
            REQUIRE(at_low.has_value());
            CHECK(at_low->delay == milliseconds{0});
            CHECK(at_low->at == kT0 + seconds{1});
            auto const at_high = delivery::next_attempt(p, after(n, seconds{1}), high);
            REQUIRE(at_high.has_value());
            CHECK(at_high->delay == delivery::ceiling(p, n));
            auto const mid = delivery::next_attempt(p, after(n, seconds{1}), seeded);
            REQUIRE(mid.has_value());
            CHECK(mid->delay <= delivery::ceiling(p, n));
            CHECK(mid->at == kT0 + seconds{1} + mid->delay);
        }
    }

    TEST_CASE("decorrelated jitter grows from the previous delay, between base and the cap") {
        BackoffPolicy p;
        p.jitter = Jitter::kDecorrelated;
        FixedRandom high{kMax};
        FixedRandom low{0};
        milliseconds previous{0};
        milliseconds expected = seconds{30};  // 3 × base on the first retry
        for (std::int64_t n = 1; n <= 12; ++n) {
            auto const next = delivery::next_attempt(p, after(n, {}, previous), high);
            REQUIRE(next.has_value());
            CHECK(next->delay == std::min(expected, milliseconds{hours{1}}));
            previous = next->delay;
            expected = previous * 3;
        }
        CHECK(previous == hours{1});
        auto const floor = delivery::next_attempt(p, after(5, {}, hours{1}), low);
        REQUIRE(floor.has_value());
        CHECK(floor->delay == seconds{10});
        SeededRandom seeded;
        for (int i = 0; i < 500; ++i) {
            auto const next = delivery::next_attempt(p, after(3, {}, previous), seeded);
            REQUIRE(next.has_value());
            REQUIRE(next->delay >= seconds{10});
            REQUIRE(next->delay <= std::min(previous * 3, milliseconds{hours{1}}));
            previous = next->delay;
        }
    }

    TEST_CASE("no attempt is scheduled past 24 hours after the first one") {
        BackoffPolicy p;
        FixedRandom high{kMax};
        FixedRandom low{0};
        CHECK(
            delivery::next_attempt(p, after(30, hours{23} + seconds{3599}), high) == std::nullopt
        );
        auto const edge = delivery::next_attempt(p, after(30, hours{23}), high);
        REQUIRE(edge.has_value());
        CHECK(edge->at == kT0 + hours{24});  // exactly at the horizon still runs
        CHECK(delivery::next_attempt(p, after(30, hours{24}), low).has_value());
        CHECK_FALSE(delivery::next_attempt(p, after(30, hours{24} + milliseconds{1}), low));
    }

    TEST_CASE("with the longest delays a delivery gets 32 attempts, then is failed") {
        BackoffPolicy p;
        FixedRandom high{kMax};
        RetryState s{kT0, kT0, 1, {}};
        for (;;) {
            auto const next = delivery::next_attempt(p, s, high);
            if (!next) {
                break;
            }
            s.last_attempt_at = next->at;
            s.previous_delay = next->delay;
            ++s.attempts;
            REQUIRE(s.attempts < 1000);
        }
        // 10 s doubling to 2560 s (5110 s in all), then hourly until 24 h.
        CHECK(s.attempts == 32);
        CHECK(s.last_attempt_at == kT0 + seconds{5110} + hours{22});
    }
}
