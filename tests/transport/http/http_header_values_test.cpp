// Credentials, X-MCP flag and media-type parsing of request headers.
#include <doctest/doctest.h>

#include "transport/http/header_values.hpp"

using namespace signoff::transport::http;

TEST_SUITE("transport/http/header_values") {
    TEST_CASE("the API key comes from a Bearer token, else from X-Api-Key") {
        CHECK(api_key_from("Bearer abc", "") == "abc");
        CHECK(api_key_from("bearer  abc ", "") == "abc");
        CHECK(api_key_from("", "  xyz ") == "xyz");
        CHECK(api_key_from("Bearer abc", "xyz") == "abc");
        CHECK(api_key_from("Basic dXNlcjpwdw==", "xyz") == "xyz");
        CHECK_FALSE(api_key_from("Basic dXNlcjpwdw==", "").has_value());
        CHECK_FALSE(api_key_from("Bearer ", "").has_value());
        CHECK_FALSE(api_key_from("", "").has_value());
    }

    TEST_CASE("X-MCP is truthy for 1, true and yes in any case, trimmed") {
        for (auto const* v : {"1", "true", "TRUE", " True ", "yes", "YeS", "\ttrue"}) {
            CHECK_MESSAGE(x_mcp_truthy(v), v);
        }
        for (auto const* v : {"", "0", "false", "no", "on", "2", "truthy", "y"}) {
            CHECK_FALSE_MESSAGE(x_mcp_truthy(v), v);
        }
    }

    TEST_CASE("Accept lists media types; parameters ignored, wildcards do not count") {
        std::string_view const a = "application/json;q=0.9, Text/Event-Stream";
        CHECK(accepts(a, "application/json"));
        CHECK(accepts(a, "text/event-stream"));
        CHECK_FALSE(accepts("*/*", "application/json"));
        CHECK_FALSE(accepts("application/jsonx", "application/json"));
        CHECK_FALSE(accepts("", "application/json"));
    }

    TEST_CASE("JSON content types") {
        CHECK(is_json_content_type("application/json"));
        CHECK(is_json_content_type("application/json; charset=utf-8"));
        CHECK(is_json_content_type("Application/JSON"));
        CHECK(is_json_content_type("application/merge-patch+json"));
        CHECK_FALSE(is_json_content_type("text/plain"));
        CHECK_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
        CHECK_FALSE(is_json_content_type(""));
    }
}
