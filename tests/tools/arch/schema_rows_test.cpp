// Schemas and tool rows stay consistent: every row's schemas exist and compile
// (seal), every schema file serves some row, schemas use only the keywords our
// validator implements (fail closed), inputs are closed, and every pattern is
// bounded by a maxLength so that no unbounded string reaches the regex engine.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "schemas/embedded.hpp"
#include "tools/families/conformance.hpp"
#include "tools/families/families.hpp"
#include "tools/registry/registry.hpp"
#include "tools/registry/schema_check.hpp"

namespace json = boost::json;
using namespace signoff::tools;

namespace {

void full_registry(registry::Registry& r) {
    families::register_identity_tools(r);
    families::register_catalog_tools(r);
    families::register_conformance_fixtures(r);
    auto st = r.seal();
    REQUIRE_MESSAGE(st.has_value(), st.error().message);
}

/// Walks a schema; `where` names the position for messages.
void walk(json::value const& v, std::string const& where, std::vector<std::string>& problems) {
    if (!v.is_object()) {
        return;
    }
    auto const& o = v.get_object();
    for (auto const& [key, sub] : o) {
        if (!registry::detail::is_supported_keyword(key)) {
            problems.push_back(where + ": unsupported keyword '" + std::string(key) + "'");
        }
    }
    if (o.contains("pattern") && !o.contains("maxLength") && !o.contains("enum")) {
        problems.push_back(where + ": pattern without maxLength");
    }
    for (auto const* named : {"properties", "definitions", "$defs"}) {
        if (auto const* p = o.if_contains(named); p != nullptr && p->is_object()) {
            for (auto const& [name, sub] : p->get_object()) {
                walk(sub, where + "/" + named + "/" + std::string(name), problems);
            }
        }
    }
    for (auto const* single : {"items", "not", "additionalProperties"}) {
        if (auto const* s = o.if_contains(single)) {
            walk(*s, where + "/" + single, problems);
        }
    }
    for (auto const* list : {"oneOf", "anyOf", "allOf"}) {
        if (auto const* l = o.if_contains(list); l != nullptr && l->is_array()) {
            std::size_t i = 0;
            for (auto const& sub : l->get_array()) {
                walk(sub, where + "/" + list + "/" + std::to_string(i++), problems);
            }
        }
    }
}

}  // namespace

TEST_SUITE("tools/arch") {
    TEST_CASE("every embedded schema serves a tool row, and every row's schemas exist") {
        registry::Registry r;
        full_registry(r);
        std::set<std::string> used;
        for (auto const& t : r.tools()) {
            used.insert(t.input_schema);
            used.insert(t.output_schema);
        }
        for (auto const name : signoff::schemas::names()) {
            if (name.starts_with("testing/") || name.starts_with("common/")) {
                continue;  // the registry's own unit tests; shared shapes the registry uses itself
            }
            INFO(name);
            CHECK(used.contains(std::string(name)));
        }
    }

    TEST_CASE("schemas use only supported keywords and bound every pattern") {
        registry::Registry r;
        full_registry(r);
        std::vector<std::string> problems;
        for (auto const name : signoff::schemas::names()) {
            walk(json::parse(signoff::schemas::text(name)), std::string(name), problems);
        }
        for (auto const& p : problems) {
            FAIL_CHECK(p);
        }
    }

    TEST_CASE("tool inputs are closed objects and names follow family_verb") {
        registry::Registry r;
        full_registry(r);
        for (auto const& t : r.tools()) {
            INFO(t.name);
            auto const& in = r.schema(t.input_schema).as_object();
            CHECK(in.at("type") == "object");
            CHECK(in.at("additionalProperties") == false);
            CHECK(t.name.find('_') != std::string::npos);
            CHECK_FALSE(t.title.empty());
            CHECK_FALSE(t.description.empty());
        }
    }

    TEST_CASE("REST routes are unique across all families") {
        registry::Registry r;
        full_registry(r);
        std::set<std::string> seen;
        for (auto const& t : r.tools()) {
            for (auto const& route : t.routes) {
                auto key = route.method + " " + route.path + " " + route.discriminator_value;
                INFO(key);
                CHECK(seen.insert(key).second);
            }
        }
    }
}
