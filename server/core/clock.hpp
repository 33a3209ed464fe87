// Injected time. Production wires SystemClock; tests wire FakeClock and move it
// by hand, so expiry and back-off are tested without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signoff::server::core {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override;
};

/// The system clock plus an offset that only a test build's test-only control
/// moves (`serve --test-clock`, refused by release builds): lets the real
/// binary see token expiry and replay windows pass without sleeping.
class AdjustableClock final : public Clock {
public:
    TimePoint now() const override;
    void advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }

private:
    std::atomic<std::int64_t> offset_ms_{0};
};

/// RFC 3339 UTC with millisecond precision: "2026-11-23T13:40:53.123Z".
/// Fixed width, so text comparison orders like time (used in SQL).
std::string to_rfc3339(TimePoint t);

/// Accepts "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)"; nullopt on anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view s);

/// ISO 8601 durations limited to what grants need: "PnDTnHnMnS" / "PnW" parts,
/// e.g. "P30D", "PT12H". nullopt on anything else or on zero length.
std::optional<std::chrono::milliseconds> parse_iso_duration(std::string_view s);

}  // namespace signoff::server::core
