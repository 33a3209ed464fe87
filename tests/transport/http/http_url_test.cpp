// Request-target splitting, percent-decoding and query parsing.
#include <doctest/doctest.h>

#include "transport/http/url.hpp"

using namespace signoff::transport::http;

TEST_SUITE("transport/http/url") {
    TEST_CASE("targets split into path and query, fragment dropped") {
        auto t = split_target("/a/b?x=1&y=2#frag");
        CHECK(t.path == "/a/b");
        CHECK(t.query == "x=1&y=2");
        auto plain = split_target("/mcp");
        CHECK(plain.path == "/mcp");
        CHECK(plain.query.empty());
    }

    TEST_CASE("percent-decoding handles escapes, plus and bad input") {
        CHECK(percent_decode("a%40b.com", false) == "a@b.com");
        CHECK(percent_decode("a+b", false) == "a+b");
        CHECK(percent_decode("a+b", true) == "a b");
        CHECK(percent_decode("%E2%9C%93", false) == "\xE2\x9C\x93");
        CHECK_FALSE(percent_decode("%4", false).has_value());
        CHECK_FALSE(percent_decode("%", false).has_value());
        CHECK_FALSE(percent_decode("%zz", false).has_value());
        CHECK_FALSE(percent_decode("a%00b", false).has_value());
    }

    TEST_CASE("query strings become decoded pairs") {
        auto q = parse_query("a=1&b=x%20y&c&&d=e%26f+g");
        REQUIRE(q.has_value());
        REQUIRE(q->size() == 4);
        CHECK((*q)[0] == std::pair<std::string, std::string>{"a", "1"});
        CHECK((*q)[1] == std::pair<std::string, std::string>{"b", "x y"});
        CHECK((*q)[2] == std::pair<std::string, std::string>{"c", ""});
        CHECK((*q)[3] == std::pair<std::string, std::string>{"d", "e&f g"});
        CHECK(parse_query("")->empty());
        CHECK_FALSE(parse_query("a=%zz").has_value());
        CHECK_FALSE(parse_query("=1").has_value());
    }
}
