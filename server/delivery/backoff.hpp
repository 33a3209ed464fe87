// When a failed webhook or e-mail delivery is tried again: exponential back-off
// with jitter, and the horizon after which the delivery is given up. Pure
// functions of the attempt history and an injected random source, so the
// delivery worker's schedule is tested without waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "server/core/clock.hpp"

namespace signoff::server::delivery {

/// Injected randomness for jitter.
class RandomSource {
public:
    virtual ~RandomSource() = default;
    /// A uniformly distributed 64-bit value.
    virtual std::uint64_t next_u64() = 0;
};

/// A Mersenne Twister seeded from std::random_device; thread-safe. Jitter only
/// spreads load, so it needs no cryptographic strength.
class SystemRandom final : public RandomSource {
public:
    SystemRandom();
    std::uint64_t next_u64() override;

private:
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

/// A value in [lo, hi] (inclusive) drawn from `random`; lo when hi <= lo.
std::chrono::milliseconds uniform_between(
    RandomSource& random, std::chrono::milliseconds lo, std::chrono::milliseconds hi
);

enum class Jitter : std::uint8_t {
    /// Delay drawn from [0, ceiling(attempts)] (AWS "full jitter").
    kFull,
    /// Delay drawn from [base, 3 × previous delay], capped (AWS "decorrelated").
    kDecorrelated,
};

struct BackoffPolicy {
    std::chrono::milliseconds base{std::chrono::seconds{10}};
    std::chrono::milliseconds cap{std::chrono::hours{1}};
    /// Counted from the first attempt; no attempt is scheduled after it.
    std::chrono::milliseconds horizon{std::chrono::hours{24}};
    Jitter jitter{Jitter::kFull};
};

/// The un-jittered delay after `attempts` failed attempts (1 or more):
/// base × 2^(attempts−1), never above cap (and never overflowing).
std::chrono::milliseconds ceiling(BackoffPolicy const& policy, std::int64_t attempts);

/// What the worker knows of a delivery after an attempt failed.
struct RetryState {
    core::TimePoint first_attempt_at;
    core::TimePoint last_attempt_at;
    std::int64_t attempts{1};  // attempts made so far, the failed one included
    /// The delay chosen before the failed attempt (0 for the first attempt);
    /// decorrelated jitter grows from it.
    std::chrono::milliseconds previous_delay{0};
};

struct NextAttempt {
    core::TimePoint at;
    std::chrono::milliseconds delay;  // store it as the next RetryState::previous_delay
};

/// When to try again after a failed attempt: last_attempt_at + a jittered
/// delay. nullopt once that time would fall after first_attempt_at + horizon:
/// the delivery is then failed for good.
std::optional<NextAttempt> next_attempt(
    BackoffPolicy const& policy, RetryState const& state, RandomSource& random
);

}  // namespace signoff::server::delivery
