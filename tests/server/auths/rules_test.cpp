// The pure input rules of the auth domain: text cleaning, UTF-8, id shapes,
// copy names, field and search checks.
#include "server/auths/rules.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace signoff::server;
using auths::AuthFields;
using core::ErrorKind;

TEST_SUITE("server/auths/rules") {
    TEST_CASE("clean_text trims, counts characters, and refuses control characters and bad UTF-8") {
        CHECK(auths::clean_text("  Okta  ", "name", 200).value() == "Okta");
        auto empty = auths::clean_text(" \t ", "name", 200);
        CHECK(empty.error().details.at(0).message == "must not be empty");
        CHECK(empty.error().message == "name: must not be empty");
        CHECK(auths::clean_text(std::string{"a\0b", 3}, "name", 200).has_error());
        CHECK(auths::clean_text("a\nb", "name", 200).has_error());
        CHECK(auths::clean_text("a\nb", "description", 200, true).has_value());
        CHECK(auths::clean_text("a\x7f", "name", 200).has_error());
        CHECK(auths::clean_text("\xc3\x28", "name", 200).has_error());      // broken sequence
        CHECK(auths::clean_text("\xc0\xaf", "name", 200).has_error());      // overlong
        CHECK(auths::clean_text("\xed\xa0\x80", "name", 200).has_error());  // surrogate
        std::string two_hundred_umlauts;
        for (int i = 0; i < 200; ++i) {
            two_hundred_umlauts += "\xc3\xa4";
        }
        CHECK(auths::clean_text(two_hundred_umlauts, "name", 200).has_value());
        CHECK(auths::clean_text(two_hundred_umlauts + "a", "name", 200).has_error());
        CHECK(auths::utf8_length("h\xc3\xa9llo \xf0\x9f\x94\x91") == 7);
    }

    TEST_CASE("only the canonical UUID shape is taken as an id") {
        CHECK(auths::looks_like_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
        CHECK_FALSE(auths::looks_like_id("SAML"));
        CHECK_FALSE(auths::looks_like_id("0190a1b2c3d47e5f8a9b0c1d2e3f4a5b0000"));
        CHECK_FALSE(auths::looks_like_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g"));
    }

    TEST_CASE("a copy's name keeps within the limit, cut on a character boundary") {
        CHECK(auths::with_suffix("Okta", " (copy)", 200) == "Okta (copy)");
        std::string long_name(199, 'x');
        CHECK(auths::with_suffix(long_name, " (copy)", 200) == std::string(193, 'x') + " (copy)");
        std::string umlauts;
        for (int i = 0; i < 200; ++i) {
            umlauts += "\xc3\xa4";
        }
        auto cut = auths::with_suffix(umlauts, " (copy)", 200);
        CHECK(auths::utf8_length(cut) == 200);
    }

    TEST_CASE("check_fields reports every problem as a field detail") {
        AuthFields f;
        f.name = "Okta";
        f.name_id = "x";
        f.description = "ok";
        f.description_id = "y";
        f.protocol_ids = std::vector<std::string>{"SAML", " "};
        f.department_ids = std::vector<std::string>(101, "d");
        auto e = auths::check_fields(f).error();
        CHECK(e.kind == ErrorKind::kInvalidArgument);
        REQUIRE(e.details.size() == 4);
        CHECK(e.details[0].field == "name");
        CHECK(e.details[1].field == "description");
        CHECK(e.details[2].field == "protocol_ids[1]");
        CHECK(e.details[3].field == "department_ids");
        CHECK(e.message.find("(and 3 more)") != std::string::npos);
        AuthFields cleared;
        cleared.description = "";
        CHECK(auths::check_fields(cleared).has_value());
    }

    TEST_CASE("version_conflict names the current version in the message and the detail") {
        auto e = auths::version_conflict("draft d1", 7);
        CHECK(e.kind == ErrorKind::kConflict);
        CHECK(e.message == "draft d1 changed: current version is 7");
        CHECK(e.details.at(0).field == "expected_version");
        CHECK(e.details.at(0).message == "current version is 7");
    }
}
