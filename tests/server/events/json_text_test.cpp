// Hand-written JSON for audit details and outbox payloads must be valid JSON.
#include "server/events/json_text.hpp"

#include <doctest/doctest.h>

using namespace signoff::server::events;

TEST_SUITE("server/events/json_text") {
    TEST_CASE("strings are quoted with escapes; UTF-8 passes through") {
        CHECK(json_quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
        CHECK(json_quote(std::string{"\x01", 1}) == "\"\\u0001\"");
        CHECK(json_quote("📞 跨境") == "\"📞 跨境\"");
    }

    TEST_CASE("objects keep insertion order, nulls and nested raw JSON") {
        auto inner = JsonObject{}.str("id", "u1").text();
        auto text = JsonObject{}
                        .integer("version", 1)
                        .opt_str("note", std::nullopt)
                        .opt_str("reason", std::string{"gone"})
                        .raw("approver", inner)
                        .text();
        CHECK(text == R"({"version":1,"note":null,"reason":"gone","approver":{"id":"u1"}})");
        CHECK(JsonObject{}.text() == "{}");
    }
}
