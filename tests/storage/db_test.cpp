// Tests for storage/db.hpp pieces that need no database: Row accessors and
// open_db's URL dispatch (rejections and unreachable servers).
#include "storage/db.hpp"

#include <string>

#include <doctest/doctest.h>

using signoff::storage::DbErrorKind;
using signoff::storage::Null;
using signoff::storage::Row;
using signoff::storage::Value;

TEST_SUITE("storage/db") {
    TEST_CASE("row text formats every value type, and NULL reads as empty") {
        Row row({Value{Null{}}, Value{std::int64_t{-42}}, Value{2.5}, Value{std::string("añb")}});
        CHECK(row.size() == 4);
        CHECK(row.text(0).empty());
        CHECK(row.text(1) == "-42");
        CHECK(row.text(2) == "2.5");
        CHECK(row.text(3) == "añb");
        CHECK_FALSE(row.opt_text(0).has_value());
        CHECK(row.opt_text(3) == "añb");
        CHECK(row.is_null(0));
        CHECK_FALSE(row.is_null(1));
    }

    TEST_CASE("row integer parses decimal text and reads NULL and garbage as zero") {
        Row row(
            {Value{std::string("123")},
             Value{std::string("12x")},
             Value{Null{}},
             Value{std::int64_t{7}},
             Value{3.9},
             Value{std::string("")},
             Value{1e300}}
        );
        CHECK(row.integer(0) == 123);
        CHECK(row.integer(1) == 0);
        CHECK(row.integer(2) == 0);
        CHECK(row.integer(3) == 7);
        CHECK(row.integer(4) == 3);
        CHECK(row.integer(5) == 0);
        CHECK(row.integer(6) == 0);
        CHECK(row.boolean(3));
        CHECK_FALSE(row.boolean(2));
    }

    TEST_CASE("reading past the last column is a bug and throws") {
        Row row({Value{Null{}}});
        CHECK_THROWS_AS((void)row.at(1), std::out_of_range);
    }

    TEST_CASE("an unknown URL scheme is refused without echoing the URL") {
        auto db = signoff::storage::open_db("mysql://user:secret@host/db");
        REQUIRE_FALSE(db.has_value());
        CHECK(db.error().kind == DbErrorKind::kOther);
        CHECK(db.error().message.find("secret") == std::string::npos);
    }

    TEST_CASE("sqlite: without a path is refused") {
        auto db = signoff::storage::open_db("sqlite:");
        REQUIRE_FALSE(db.has_value());
        CHECK(db.error().kind == DbErrorKind::kOther);
    }

    TEST_CASE("a sqlite file in a missing directory fails as a connection error") {
        auto db = signoff::storage::open_db("sqlite:/nonexistent-dir-for-signoff/x/y.db");
        REQUIRE_FALSE(db.has_value());
        CHECK(db.error().kind == DbErrorKind::kConnection);
    }

    TEST_CASE("an unreachable postgres server fails at open as a connection error") {
        SUBCASE("URL form") {
            auto db = signoff::storage::open_db("postgresql://nobody@127.0.0.1:1/none");
            REQUIRE_FALSE(db.has_value());
            CHECK(db.error().kind == DbErrorKind::kConnection);
        }
        SUBCASE("libpq key=value form") {
            auto db = signoff::storage::open_db("host=127.0.0.1 port=1 user=nobody dbname=none");
            REQUIRE_FALSE(db.has_value());
            CHECK(db.error().kind == DbErrorKind::kConnection);
        }
    }

    TEST_CASE("an unchecked storage error thrown from value() says what failed") {
        signoff::storage::DbResult<int> r =
            signoff::storage::DbError{DbErrorKind::kBusy, "locked", {}};
        CHECK_THROWS_WITH_AS((void)r.value(), "unchecked storage error: locked", std::logic_error);
    }
}
