// Registry plumbing: seal-time checks, argument validation messages, handler
// isolation, REST route matching and query coercion.
#include "tools/registry/registry.hpp"

#include <future>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

namespace json = boost::json;
using signoff::server::core::Error;
using signoff::server::core::ErrorKind;
using namespace signoff::tools::registry;

namespace {

ToolSpec probe(std::string name, std::vector<RestRoute> routes = {}) {
    ToolSpec t;
    t.name = std::move(name);
    t.title = "Probe";
    t.description = "echoes its arguments";
    t.input_schema = "testing/registry_probe.input";
    t.output_schema = "testing/registry_probe.output";
    t.routes = std::move(routes);
    t.handler = [](ToolContext& ctx,
                   json::object const& args) -> signoff::server::core::Result<json::value> {
        if (args.contains("flag") && args.at("flag").as_bool()) {
            throw std::runtime_error("secret detail");
        }
        return json::value(json::object{
            {"echo", args}, {"channel", signoff::server::core::channel_name(ctx.actor.channel)}});
    };
    return t;
}

Error invoke_error(Registry const& r, json::value args) {
    ToolContext ctx;
    auto out = r.invoke(*r.find_tool("probe_echo"), args, ctx);
    REQUIRE_FALSE(out.has_value());
    return out.error();
}

}  // namespace

TEST_SUITE("tools/registry") {
    TEST_CASE("a valid call runs the handler and returns its value") {
        Registry r;
        r.add_tool(probe("probe_echo"));
        REQUIRE(r.seal().has_value());
        ToolContext ctx;
        ctx.actor.channel = signoff::server::core::Channel::kRestXMcp;
        auto out =
            r.invoke(*r.find_tool("probe_echo"), json::parse(R"({"slug":"a-b","count":3})"), ctx);
        REQUIRE(out.has_value());
        CHECK(out->at("channel") == "rest+x-mcp");
        CHECK(out->at("echo").at("count") == 3);
    }

    TEST_CASE("argument errors name the field and say what was expected") {
        Registry r;
        r.add_tool(probe("probe_echo"));
        REQUIRE(r.seal().has_value());
        SUBCASE("unknown field") {
            auto e = invoke_error(r, json::parse(R"({"slug":"a","bogus":1})"));
            CHECK(e.kind == ErrorKind::kInvalidArgument);
            REQUIRE(e.details.size() == 1);
            CHECK(e.details[0].field == "bogus");
            CHECK(e.details[0].message == "unknown field");
        }
        SUBCASE("missing required field") {
            auto e = invoke_error(r, json::object{});
            REQUIRE(e.details.size() == 1);
            CHECK(e.details[0].field == "slug");
            CHECK(e.details[0].message == "is required");
        }
        SUBCASE("wrong type") {
            auto e = invoke_error(r, json::parse(R"({"slug":5})"));
            CHECK(e.details[0].field == "slug");
            CHECK(e.details[0].message == "expected string, got integer");
        }
        SUBCASE("nested unknown field and nested missing field") {
            auto e = invoke_error(r, json::parse(R"({"slug":"a","inner":{"x":1}})"));
            REQUIRE(e.details.size() == 2);
            CHECK(e.details[0].field == "inner.name");
            CHECK(e.details[1].field == "inner.x");
        }
        SUBCASE("overlong string is refused before the pattern runs") {
            auto e = invoke_error(r, json::value{{"slug", std::string(100000, 'a')}});
            CHECK(e.details[0].field == "slug");
            CHECK(e.details[0].message == "must be at most 16 characters");
        }
        SUBCASE("pattern, enum and range go through the schema validator") {
            CHECK(
                invoke_error(r, json::parse(R"({"slug":"Bad Slug"})")).details[0].field == "slug"
            );
            CHECK(
                invoke_error(r, json::parse(R"({"slug":"a","state":"x"})")).details[0].field ==
                "state"
            );
            CHECK(
                invoke_error(r, json::parse(R"({"slug":"a","count":11})")).details[0].field ==
                "count"
            );
            CHECK(
                invoke_error(r, json::parse(R"({"slug":"a","tags":["123456789"]})"))
                    .details[0]
                    .field == "tags[0]"
            );
        }
        SUBCASE("arguments that are not an object") {
            auto e = invoke_error(r, json::array{1, 2});
            CHECK(e.details[0].field == "arguments");
        }
    }

    TEST_CASE("pattern checks give the same verdict on every call and every thread") {
        // Each thread keeps its own compiled patterns; none may leak a verdict into another.
        Registry r;
        r.add_tool(probe("probe_echo"));
        REQUIRE(r.seal().has_value());
        auto verdicts = [&r] {
            int wrong = 0;
            for (int i = 0; i < 50; ++i) {
                ToolContext ctx;
                bool const good = i % 2 == 0;
                json::value args{{"slug", good ? "a-b" : "A B"}};
                if (r.invoke(*r.find_tool("probe_echo"), args, ctx).has_value() != good) {
                    ++wrong;
                }
            }
            return wrong;
        };
        std::vector<std::future<int>> runs;
        for (int t = 0; t < 4; ++t) {
            runs.push_back(std::async(std::launch::async, verdicts));
        }
        for (auto& run : runs) {
            CHECK(run.get() == 0);
        }
        CHECK(verdicts() == 0);
    }

    TEST_CASE("a throwing handler becomes an internal error without its message") {
        Registry r;
        r.add_tool(probe("probe_echo"));
        REQUIRE(r.seal().has_value());
        auto e = invoke_error(r, json::parse(R"({"slug":"a","flag":true})"));
        CHECK(e.kind == ErrorKind::kInternal);
        CHECK(e.message.find("secret") == std::string::npos);
    }

    TEST_CASE("seal refuses bad names, missing schemas and duplicate routes") {
        SUBCASE("bad name") {
            Registry r;
            r.add_tool(probe("has space"));
            CHECK_FALSE(r.seal().has_value());
        }
        SUBCASE("duplicate name") {
            Registry r;
            r.add_tool(probe("probe_echo"));
            r.add_tool(probe("probe_echo"));
            CHECK_FALSE(r.seal().has_value());
        }
        SUBCASE("missing schema") {
            Registry r;
            auto t = probe("probe_echo");
            t.input_schema = "testing/does_not_exist";
            r.add_tool(t);
            auto st = r.seal();
            REQUIRE_FALSE(st.has_value());
            CHECK(st.error().message.find("does_not_exist") != std::string::npos);
        }
        SUBCASE("duplicate route") {
            Registry r;
            r.add_tool(probe("probe_a", {{"GET", "/x"}}));
            r.add_tool(probe("probe_b", {{"GET", "/x"}}));
            CHECK_FALSE(r.seal().has_value());
        }
    }

    TEST_CASE("REST routes match paths, methods and discriminators") {
        Registry r;
        r.add_tool(probe("probe_get", {{"GET", "/api/v1/things/{slug}"}}));
        r.add_tool(probe("probe_assign", {{"POST", "/api/v1/things", "action", "assign"}}));
        r.add_tool(probe("probe_request", {{"POST", "/api/v1/things", "action", "request"}}));
        REQUIRE(r.seal().has_value());

        auto m = r.match_route("GET", "/api/v1/things/openai-team", nullptr);
        REQUIRE(std::holds_alternative<RouteMatch>(m));
        CHECK(std::get<RouteMatch>(m).tool->name == "probe_get");
        CHECK(std::get<RouteMatch>(m).path_args.at("slug") == "openai-team");

        json::object body{{"action", "request"}};
        auto d = r.match_route("POST", "/api/v1/things", &body);
        REQUIRE(std::holds_alternative<RouteMatch>(d));
        CHECK(std::get<RouteMatch>(d).tool->name == "probe_request");

        json::object bad{{"action", "explode"}};
        CHECK(
            std::get<RouteMiss>(r.match_route("POST", "/api/v1/things", &bad)) ==
            RouteMiss::kBadDiscriminator
        );
        CHECK(
            std::get<RouteMiss>(r.match_route("DELETE", "/api/v1/things", nullptr)) ==
            RouteMiss::kMethodNotAllowed
        );
        CHECK(
            std::get<RouteMiss>(r.match_route("GET", "/api/v1/nothing", nullptr)) ==
            RouteMiss::kNoSuchPath
        );
        CHECK(r.methods_for("/api/v1/things") == std::vector<std::string>{"POST"});

        // Segment by segment: a prefix or an extension is another path; repeated
        // and trailing slashes are not segments.
        auto miss = [&](std::string_view path) {
            return std::holds_alternative<RouteMiss>(r.match_route("GET", path, nullptr));
        };
        CHECK(miss("/api/v1/things/openai-team/extra"));
        CHECK(miss("/api/v1"));
        CHECK(miss("/api/v2/things/openai-team"));
        CHECK(miss("/api/v1/thing/openai-team"));
        auto slashes = r.match_route("GET", "//api/v1//things/openai-team/", nullptr);
        REQUIRE(std::holds_alternative<RouteMatch>(slashes));
        CHECK(std::get<RouteMatch>(slashes).path_args.at("slug") == "openai-team");
        CHECK(r.methods_for("/api/v1/things/x") == std::vector<std::string>{"GET"});
        CHECK(r.methods_for("/api/v1/things/x/y").empty());
    }

    TEST_CASE("query strings are coerced to the declared types; unknown names are dropped") {
        Registry r;
        r.add_tool(probe("probe_echo"));
        REQUIRE(r.seal().has_value());
        auto args = r.args_from_query(
            *r.find_tool("probe_echo"),
            {{"slug", "a"}, {"count", "3"}, {"flag", "false"}, {"state", "7"}}
        );
        CHECK(args.at("count") == 3);
        CHECK(args.at("flag") == false);
        CHECK(args.at("state") == "7");
        auto bad = r.args_from_query(*r.find_tool("probe_echo"), {{"count", "three"}});
        CHECK(bad.at("count") == "three");
        // Names the schema does not list are dropped, not refused.
        auto extra = r.args_from_query(
            *r.find_tool("probe_echo"), {{"slug", "a"}, {"orderBy", "name"}, {"page", "2"}}
        );
        CHECK(extra.size() == 1);
        CHECK(extra.at("slug") == "a");
    }

    TEST_CASE("tool results carry structured content and a text copy") {
        auto ok = call_tool_result(json::value(json::object{{"a", 1}}));
        CHECK(ok.at("isError") == false);
        CHECK(ok.at("structuredContent").at("a") == 1);
        CHECK(ok.at("content").at(0).at("text") == R"({"a":1})");
        signoff::server::core::Result<json::value> const value =
            json::value(json::object{{"a", 1}});
        CHECK(
            call_tool_result(signoff::server::core::Result<json::value>(value)) ==
            call_tool_result(value)
        );
        auto err = call_tool_result(Error::conflict("stale"));
        CHECK(err.at("isError") == true);
        CHECK(err.at("structuredContent").at("code") == "conflict");
        CHECK(err.at("structuredContent").at("details").as_array().empty());
    }

    TEST_CASE("resource templates match level-1 URIs") {
        Registry r;
        r.add_template({"test://template/{id}/data", "t", "T", "d", "application/json", {}});
        CHECK(r.match_template("test://template/42/data") != nullptr);
        CHECK(r.match_template("test://template//data") == nullptr);
        CHECK(r.match_template("test://template/4/2/data") == nullptr);
        CHECK(r.match_template("test://template/42/data/x") == nullptr);
    }
}
