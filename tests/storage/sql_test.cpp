// Tests for storage/sql.hpp: $N → ?N placeholder rewriting (the SQLite back end
// prepares every repository statement through it) and exact number formatting.
#include "storage/sql.hpp"

#include <cmath>
#include <limits>

#include <doctest/doctest.h>

using signoff::storage::format_double;
using signoff::storage::format_int;
using signoff::storage::rewrite_dollar_placeholders;

TEST_SUITE("storage/sql") {
    TEST_CASE("placeholders become numbered question marks") {
        CHECK(
            rewrite_dollar_placeholders("SELECT a FROM t WHERE id = $1 AND v = $2") ==
            "SELECT a FROM t WHERE id = ?1 AND v = ?2"
        );
    }

    TEST_CASE("multi-digit placeholders keep every digit, so $10 is not $1 followed by 0") {
        CHECK(rewrite_dollar_placeholders("VALUES ($1, $10, $2)") == "VALUES (?1, ?10, ?2)");
        CHECK(rewrite_dollar_placeholders("$1") == "?1");
        CHECK(rewrite_dollar_placeholders("x=$123") == "x=?123");
    }

    TEST_CASE("placeholders inside string literals are left untouched") {
        CHECK(rewrite_dollar_placeholders("SELECT '$1', $1") == "SELECT '$1', ?1");
        SUBCASE("doubled quotes do not end the literal") {
            CHECK(
                rewrite_dollar_placeholders("SELECT 'it''s $2' || $3") == "SELECT 'it''s $2' || ?3"
            );
        }
        SUBCASE("quoted identifiers are literals too") {
            CHECK(
                rewrite_dollar_placeholders("SELECT \"col$1\" FROM t WHERE a = $1") ==
                "SELECT \"col$1\" FROM t WHERE a = ?1"
            );
        }
        SUBCASE("an unterminated literal runs to the end") {
            CHECK(rewrite_dollar_placeholders("SELECT 'open $1") == "SELECT 'open $1");
        }
    }

    TEST_CASE("placeholders inside comments are left untouched") {
        CHECK(
            rewrite_dollar_placeholders("SELECT $1 -- not $2\n, $3") == "SELECT ?1 -- not $2\n, ?3"
        );
        CHECK(rewrite_dollar_placeholders("SELECT /* $9 */ $1") == "SELECT /* $9 */ ?1");
        CHECK(rewrite_dollar_placeholders("SELECT 1 /* open $1") == "SELECT 1 /* open $1");
    }

    TEST_CASE("a dollar sign not followed by a digit is kept") {
        CHECK(rewrite_dollar_placeholders("SELECT $a, $, x$") == "SELECT $a, $, x$");
        CHECK(rewrite_dollar_placeholders("") == "");
    }

    TEST_CASE("doubles format to the shortest text that reads back exactly") {
        CHECK(format_double(0.1) == "0.1");
        CHECK(format_double(-2.5) == "-2.5");
        CHECK(std::stod(format_double(1.0 / 3.0)) == 1.0 / 3.0);
        CHECK(
            std::stod(format_double(std::numeric_limits<double>::max())) ==
            std::numeric_limits<double>::max()
        );
        CHECK(format_double(std::numeric_limits<double>::infinity()) == "Infinity");
        CHECK(format_double(-std::numeric_limits<double>::infinity()) == "-Infinity");
        CHECK(format_double(std::nan("")) == "NaN");
    }

    TEST_CASE("integers format in decimal across the whole range") {
        CHECK(format_int(0) == "0");
        CHECK(format_int(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
        CHECK(format_int(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    }
}
