// System clock and RFC 3339 / ISO 8601 duration text, on std::chrono's civil
// calendar (no time-zone database: everything is UTC).
#include "server/core/clock.hpp"

#include <cctype>
#include <cstdio>

namespace signoff::server::core {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;

/// Reads exactly `n` digits at `pos`; advances pos. -1 on failure.
int read_digits(std::string_view s, std::size_t& pos, std::size_t n) {
    if (pos + n > s.size()) {
        return -1;
    }
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') {
            return -1;
        }
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos < s.size() && (s[pos] == c || (c == 'T' && s[pos] == 't'))) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

TimePoint SystemClock::now() const {
    return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

TimePoint AdjustableClock::now() const {
    return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) +
           milliseconds{offset_ms_.load()};
}

std::string to_rfc3339(TimePoint t) {
    auto const day = std::chrono::floor<days>(t);
    std::chrono::year_month_day const ymd{day};
    std::chrono::hh_mm_ss const hms{t - day};
    char buf[32];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day()),
        static_cast<int>(hms.hours().count()),
        static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count()),
        static_cast<int>(hms.subseconds().count())
    );
    return buf;
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
    std::size_t pos = 0;
    int const y = read_digits(s, pos, 4);
    if (y < 0 || !expect(s, pos, '-')) {
        return std::nullopt;
    }
    int const mo = read_digits(s, pos, 2);
    if (mo < 0 || !expect(s, pos, '-')) {
        return std::nullopt;
    }
    int const d = read_digits(s, pos, 2);
    if (d < 0 || !expect(s, pos, 'T')) {
        return std::nullopt;
    }
    int const h = read_digits(s, pos, 2);
    if (h < 0 || !expect(s, pos, ':')) {
        return std::nullopt;
    }
    int const mi = read_digits(s, pos, 2);
    if (mi < 0 || !expect(s, pos, ':')) {
        return std::nullopt;
    }
    int const sec = read_digits(s, pos, 2);
    if (sec < 0 || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    long long ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        long long scale = 100;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0) {
            ms += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++digits;
        }
        if (digits == 0) {
            return std::nullopt;
        }
    }
    long long offset_min = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int const sign = s[pos] == '+' ? 1 : -1;
        ++pos;
        int const oh = read_digits(s, pos, 2);
        if (oh < 0 || !expect(s, pos, ':')) {
            return std::nullopt;
        }
        int const om = read_digits(s, pos, 2);
        if (om < 0 || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_min = sign * (oh * 60LL + om);
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) {
        return std::nullopt;
    }
    std::chrono::year_month_day const ymd{
        std::chrono::year{y},
        std::chrono::month{static_cast<unsigned>(mo)},
        std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    auto const base = std::chrono::sys_days{ymd};
    auto const total = milliseconds{
        ((h * 60LL + mi) * 60LL + std::min(sec, 59)) * 1000LL + ms - offset_min * 60'000LL};
    return TimePoint{std::chrono::duration_cast<milliseconds>(base.time_since_epoch()) + total};
}

std::optional<std::chrono::milliseconds> parse_iso_duration(std::string_view s) {
    if (s.size() < 3 || (s[0] != 'P' && s[0] != 'p')) {
        return std::nullopt;
    }
    long long total_s = 0;
    bool in_time = false;
    bool any = false;
    std::size_t pos = 1;
    while (pos < s.size()) {
        if (s[pos] == 'T' || s[pos] == 't') {
            if (in_time) {
                return std::nullopt;
            }
            in_time = true;
            ++pos;
            continue;
        }
        long long n = 0;
        std::size_t digits = 0;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0) {
            if (n > 100'000'000) {
                return std::nullopt;  // absurdly long; refuse rather than overflow
            }
            n = n * 10 + (s[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || pos >= s.size()) {
            return std::nullopt;
        }
        char const unit = static_cast<char>(std::toupper(static_cast<unsigned char>(s[pos++])));
        if (!in_time && unit == 'W') {
            total_s += n * 7 * 86400;
        } else if (!in_time && unit == 'D') {
            total_s += n * 86400;
        } else if (in_time && unit == 'H') {
            total_s += n * 3600;
        } else if (in_time && unit == 'M') {
            total_s += n * 60;
        } else if (in_time && unit == 'S') {
            total_s += n;
        } else {
            return std::nullopt;
        }
        any = true;
    }
    if (!any || total_s <= 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{total_s * 1000};
}

}  // namespace signoff::server::core
