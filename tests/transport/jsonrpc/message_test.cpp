// The JSON-RPC codec: parse limits (size, depth, UTF-8), envelope checks and
// builders. Every transport relies on these answers being exact.
#include "transport/jsonrpc/message.hpp"

#include <string>

#include <doctest/doctest.h>

#include "transport/jsonrpc/codes.hpp"

namespace json = boost::json;
using namespace signoff::transport::jsonrpc;

namespace {

RpcError parse_failure(std::string_view text, Limits const& limits = {}) {
    auto r = parse(text, limits);
    REQUIRE(std::holds_alternative<RpcError>(r));
    return std::get<RpcError>(r);
}

Invalid invalid_of(std::string_view text) {
    auto parsed = parse(text, {});
    REQUIRE(std::holds_alternative<json::value>(parsed));
    auto env = classify(std::get<json::value>(parsed));
    REQUIRE(std::holds_alternative<Invalid>(env));
    return std::get<Invalid>(env);
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_SUITE("transport/jsonrpc/message") {
    TEST_CASE("a body over the size limit is a parse error naming the limit") {
        Limits limits;
        limits.max_body_bytes = 16;
        auto e = parse_failure(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", limits);
        CHECK(e.code == kParseError);
        CHECK(e.message.find("16 bytes") != std::string::npos);
    }

    TEST_CASE("the default size limit is 4 MiB") {
        CHECK(Limits{}.max_body_bytes == 4u * 1024u * 1024u);
        std::string big = "\"" + std::string(4u * 1024u * 1024u, 'a') + "\"";
        CHECK(parse_failure(big).code == kParseError);
    }

    TEST_CASE("nesting of 64 levels parses and 65 levels is rejected") {
        CHECK(std::holds_alternative<json::value>(parse(nested(64), {})));
        auto e = parse_failure(nested(65));
        CHECK(e.code == kParseError);
        CHECK(e.message.find("64") != std::string::npos);
    }

    TEST_CASE("invalid UTF-8 inside a string is a parse error") {
        std::string text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\xC3\x28\"}";
        CHECK(parse_failure(text).code == kParseError);
        std::string lone = "\"\xFF\"";
        CHECK(parse_failure(lone).code == kParseError);
    }

    TEST_CASE("text that is not JSON or has trailing data is a parse error") {
        CHECK(parse_failure("{not json").code == kParseError);
        CHECK(parse_failure("{} {}").code == kParseError);
        CHECK(parse_failure("").code == kParseError);
    }

    TEST_CASE("a non-object message is an invalid request") {
        auto bad = invalid_of("42");
        CHECK(bad.error.code == kInvalidRequest);
        CHECK(bad.id.is_null());
    }

    TEST_CASE("a batch is refused with a clear message") {
        auto bad = invalid_of(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
        CHECK(bad.error.code == kInvalidRequest);
        CHECK(bad.error.message == "batch requests are not supported");
    }

    TEST_CASE("a wrong or missing jsonrpc version is invalid and keeps the id") {
        auto bad = invalid_of(R"({"jsonrpc":"1.0","id":7,"method":"ping"})");
        CHECK(bad.error.code == kInvalidRequest);
        CHECK(bad.id == json::value(7));
        CHECK(invalid_of(R"({"id":7,"method":"ping"})").error.code == kInvalidRequest);
    }

    TEST_CASE("null and fractional ids are invalid and answered with id null") {
        SUBCASE("null") {
            auto bad = invalid_of(R"({"jsonrpc":"2.0","id":null,"method":"ping"})");
            CHECK(bad.error.code == kInvalidRequest);
            CHECK(bad.id.is_null());
            CHECK_FALSE(bad.notification);
        }
        SUBCASE("fractional") {
            auto bad = invalid_of(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})");
            CHECK(bad.error.code == kInvalidRequest);
            CHECK(bad.id.is_null());
        }
        SUBCASE("object") {
            CHECK(
                invalid_of(R"({"jsonrpc":"2.0","id":{},"method":"ping"})").error.code ==
                kInvalidRequest
            );
        }
    }

    TEST_CASE("params must be an object and method a string") {
        auto arr = invalid_of(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})");
        CHECK(arr.error.message == "params must be an object");
        CHECK(arr.id == json::value(1));
        CHECK(invalid_of(R"({"jsonrpc":"2.0","id":1,"method":5})").error.code == kInvalidRequest);
    }

    TEST_CASE("a malformed notification is flagged so that nobody answers it") {
        auto bad = invalid_of(R"({"jsonrpc":"2.0","method":"notifications/x","params":3})");
        CHECK(bad.notification);
    }

    TEST_CASE("requests, notifications and responses are told apart") {
        auto req =
            classify(json::parse(R"({"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}})"));
        REQUIRE(std::holds_alternative<Request>(req));
        CHECK(std::get<Request>(req).id == json::value("a"));
        CHECK(std::get<Request>(req).has_params);
        auto note = classify(json::parse(R"({"jsonrpc":"2.0","method":"n"})"));
        REQUIRE(std::holds_alternative<Notification>(note));
        CHECK(std::get<Notification>(note).params.empty());
        auto ok = classify(json::parse(R"({"jsonrpc":"2.0","id":3,"result":{"v":1}})"));
        REQUIRE(std::holds_alternative<Response>(ok));
        CHECK(std::get<Response>(ok).result.has_value());
        auto err =
            classify(json::parse(R"({"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}})"));
        REQUIRE(std::holds_alternative<Response>(err));
        CHECK(std::get<Response>(err).error->code == -1);
        CHECK(std::holds_alternative<Invalid>(classify(json::parse(R"({"jsonrpc":"2.0","id":3})")))
        );
    }

    TEST_CASE("classifying an rvalue moves params out and leaves the rest of the message") {
        auto text = R"({"jsonrpc":"2.0","id":7,"method":"m","params":{"x":{"y":[1,2]}}})";
        json::value kept = json::parse(text);
        json::value given = json::parse(text);
        auto copied = classify(kept);
        auto moved = classify(std::move(given));
        REQUIRE(std::holds_alternative<Request>(moved));
        CHECK(std::get<Request>(moved).params == std::get<Request>(copied).params);
        CHECK(std::get<Request>(moved).has_params);
        CHECK(kept.at("params").at("x").at("y").as_array().size() == 2);
        CHECK(given.at("params").as_object().empty()
        );  // NOLINT(bugprone-use-after-move): the contract
        CHECK(given.at("id") == json::value(7));
        auto note = classify(json::parse(R"({"jsonrpc":"2.0","method":"n","params":{"z":true}})"));
        REQUIRE(std::holds_alternative<Notification>(note));
        CHECK(std::get<Notification>(note).params.at("z") == true);
    }

    TEST_CASE("builders produce compact single-line JSON") {
        auto msg =
            make_error(json::value(nullptr), RpcError{kParseError, "line\nbreak", json::value(1)});
        std::string line = to_line(msg);
        CHECK(line.find('\n') == std::string::npos);
        CHECK(line.find(' ') == std::string::npos);
        CHECK(json::parse(line).at("error").at("data") == json::value(1));
        CHECK(make_result(1, {}).at("result").is_object());
        CHECK(make_request(2, "ping", {}).at("method") == json::value("ping"));
        CHECK_FALSE(make_notification("n", {}).contains("id"));
    }

    TEST_CASE("the MCP codes have their published values") {
        CHECK(kResourceNotFound == -32002);
        CHECK(kUrlElicitationRequired == -32042);
        CHECK(kHeaderMismatch == -32020);
        CHECK(kMissingRequiredClientCapability == -32021);
        CHECK(kUnsupportedProtocolVersion == -32022);
    }
}
