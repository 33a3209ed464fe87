// Deterministic time and ids for tests: FakeClock moves only when told,
// SeqIds yields well-formed, time-ordered UUIDs from a counter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "server/core/clock.hpp"
#include "server/core/ids.hpp"

namespace signoff::testing {

class FakeClock final : public server::core::Clock {
public:
    /// Starts at 2026-01-01T00:00:00Z.
    FakeClock() : now_ms_(1767225600000) {}
    server::core::TimePoint now() const override {
        return server::core::TimePoint{std::chrono::milliseconds{now_ms_.load()}};
    }
    void advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }
    void set(server::core::TimePoint t) { now_ms_ = t.time_since_epoch().count(); }

private:
    std::atomic<long long> now_ms_;
};

class SeqIds final : public server::core::IdSource {
public:
    std::string new_id() override {
        unsigned long long n = ++next_;
        char buf[40];
        std::snprintf(buf, sizeof buf, "00000000-0000-7000-8000-%012llx", n);
        return buf;
    }

private:
    std::atomic<unsigned long long> next_{0};
};

}  // namespace signoff::testing
