// RFC 3339 and ISO 8601 duration text: what grants' expires_at and duration accept.
#include "server/core/clock.hpp"

#include <doctest/doctest.h>

using namespace signoff::server::core;
using std::chrono::milliseconds;

TEST_SUITE("server/core/clock") {
    TEST_CASE("timestamps format as fixed-width UTC with milliseconds and parse back") {
        TimePoint const t{milliseconds{1767225600123}};
        CHECK(to_rfc3339(t) == "2026-01-01T00:00:00.123Z");
        CHECK(parse_rfc3339("2026-01-01T00:00:00.123Z") == t);
        CHECK(parse_rfc3339(to_rfc3339(t)) == t);
    }

    TEST_CASE("offsets are normalised to UTC and fractions are optional") {
        auto const utc = parse_rfc3339("2026-03-01T10:00:00Z");
        REQUIRE(utc.has_value());
        CHECK(parse_rfc3339("2026-03-01T12:30:00+02:30") == utc);
        CHECK(parse_rfc3339("2026-03-01T05:00:00-05:00") == utc);
        CHECK(to_rfc3339(*parse_rfc3339("2026-03-01T10:00:00.5Z")) == "2026-03-01T10:00:00.500Z");
    }

    TEST_CASE("malformed timestamps are refused") {
        for (auto const* bad :
             {"",
              "2026-01-01",
              "2026-01-01T00:00:00",
              "2026-13-01T00:00:00Z",
              "2026-02-30T00:00:00Z",
              "2026-01-01T24:00:00Z",
              "2026-01-01T00:00:00.Z",
              "2026-01-01T00:00:00Zjunk",
              "yesterday"}) {
            INFO(bad);
            CHECK_FALSE(parse_rfc3339(bad).has_value());
        }
    }

    TEST_CASE("durations in days, weeks and time parts") {
        CHECK(parse_iso_duration("P30D") == milliseconds{30LL * 86400 * 1000});
        CHECK(parse_iso_duration("P2W") == milliseconds{14LL * 86400 * 1000});
        CHECK(parse_iso_duration("PT12H") == milliseconds{12LL * 3600 * 1000});
        CHECK(
            parse_iso_duration("P1DT1H30M5S") == milliseconds{(86400LL + 3600 + 1800 + 5) * 1000}
        );
        for (auto const* bad :
             {"", "P", "PT", "30D", "P0D", "PT5D", "P5H", "P1Y", "P-1D", "P99999999999D"}) {
            INFO(bad);
            CHECK_FALSE(parse_iso_duration(bad).has_value());
        }
    }
}
