// Retry scheduling for deliveries (see backoff.hpp).
#include "server/delivery/backoff.hpp"

#include <algorithm>

namespace signoff::server::delivery {

using std::chrono::milliseconds;

SystemRandom::SystemRandom() : engine_(std::random_device{}()) {}

std::uint64_t SystemRandom::next_u64() {
    std::lock_guard lock(mutex_);
    return engine_();
}

namespace {

/// The high 64 bits of a × b, from 32-bit halves (no __int128 in ISO C++).
std::uint64_t mul_high(std::uint64_t a, std::uint64_t b) {
    std::uint64_t const a_lo = a & 0xffffffffU;
    std::uint64_t const a_hi = a >> 32;
    std::uint64_t const b_lo = b & 0xffffffffU;
    std::uint64_t const b_hi = b >> 32;
    std::uint64_t const hi_lo = a_hi * b_lo;
    std::uint64_t const cross = ((a_lo * b_lo) >> 32) + (hi_lo & 0xffffffffU) + a_lo * b_hi;
    return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
}

}  // namespace

milliseconds uniform_between(RandomSource& random, milliseconds lo, milliseconds hi) {
    if (hi <= lo) {
        return lo;
    }
    // Scaling (not modulo) maps 0 to lo and the largest draw to hi, so tests
    // can pin both ends; the bias is below one part in 2^40 for any span here.
    auto const span = static_cast<std::uint64_t>((hi - lo).count()) + 1;
    return lo + milliseconds{static_cast<std::int64_t>(mul_high(random.next_u64(), span))};
}

milliseconds ceiling(BackoffPolicy const& policy, std::int64_t attempts) {
    milliseconds delay = policy.base;
    // Doubling stops at the cap, so no exponent can overflow.
    for (std::int64_t i = 1; i < attempts && delay < policy.cap && delay.count() > 0; ++i) {
        delay *= 2;
    }
    return std::min(delay, policy.cap);
}

std::optional<NextAttempt> next_attempt(
    BackoffPolicy const& policy, RetryState const& state, RandomSource& random
) {
    milliseconds delay{0};
    if (policy.jitter == Jitter::kFull) {
        delay = uniform_between(random, milliseconds{0}, ceiling(policy, state.attempts));
    } else {
        milliseconds const grown = std::max(state.previous_delay, policy.base) * 3;
        delay = std::min(policy.cap, uniform_between(random, policy.base, grown));
    }
    core::TimePoint const at = state.last_attempt_at + delay;
    if (at > state.first_attempt_at + policy.horizon) {
        return std::nullopt;
    }
    return NextAttempt{at, delay};
}

}  // namespace signoff::server::delivery
