// Schemas and tool rows stay consistent: every row's schemas exist and compile
// (seal), every schema file serves some row, schemas use only the keywords our
// validator implements (fail closed), inputs are closed, and every pattern is
// bounded by a maxLength so that no unbounded string reaches the regex engine.
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "schemas/embedded.hpp"
#include "tools/families/conformance.hpp"
#include "tools/families/families.hpp"
#include "tools/registry/registry.hpp"
#include "tools/registry/schema_check.hpp"

namespace json = boost::json;
using namespace signoff::tools;

namespace {

void full_registry(registry::Registry& r) {
    families::register_domain_tools(r);
    families::register_conformance_fixtures(r);
    auto st = r.seal();
    REQUIRE_MESSAGE(st.has_value(), st.error().message);
}

/// True when some `$ref` in `v` names a plain-name fragment ("#name"), which
/// only `$anchor` resolution could serve.
bool refs_an_anchor(json::value const& v) {
    if (auto const* o = v.if_object()) {
        for (auto const& [key, sub] : *o) {
            if (key == "$ref" && sub.is_string() && sub.get_string().starts_with("#") &&
                !sub.get_string().starts_with("#/") && sub.get_string() != "#") {
                return true;
            }
            if (refs_an_anchor(sub)) {
                return true;
            }
        }
    } else if (auto const* a = v.if_array()) {
        for (auto const& sub : *a) {
            if (refs_an_anchor(sub)) {
                return true;
            }
        }
    }
    return false;
}

/// Keywords outside the validator's set that are safe where they stand:
/// `x-mcp-header` is an MCP annotation the engine enforces (Mcp-Param-*
/// headers), not a validation keyword; `$anchor` only names a subschema, so
/// ignoring it (valijson does not implement it) loses nothing as long as no
/// `$ref` of the document points at an anchor.
bool inert_keyword(std::string_view key, bool anchors_referenced) {
    return key == "x-mcp-header" || (key == "$anchor" && !anchors_referenced);
}

/// Walks a schema; `where` names the position for messages.
void walk(
    json::value const& v,
    std::string const& where,
    std::vector<std::string>& problems,
    bool anchors_referenced
) {
    if (!v.is_object()) {
        return;
    }
    auto const& o = v.get_object();
    for (auto const& [key, sub] : o) {
        if (!registry::detail::is_supported_keyword(key) &&
            !inert_keyword(key, anchors_referenced)) {
            problems.push_back(where + ": unsupported keyword '" + std::string(key) + "'");
        }
    }
    if (o.contains("pattern") && !o.contains("maxLength") && !o.contains("enum")) {
        problems.push_back(where + ": pattern without maxLength");
    }
    for (auto const* named : {"properties", "definitions", "$defs"}) {
        if (auto const* p = o.if_contains(named); p != nullptr && p->is_object()) {
            for (auto const& [name, sub] : p->get_object()) {
                walk(
                    sub, where + "/" + named + "/" + std::string(name), problems, anchors_referenced
                );
            }
        }
    }
    for (auto const* single : {"items", "not", "additionalProperties", "if", "then", "else"}) {
        if (auto const* s = o.if_contains(single)) {
            walk(*s, where + "/" + single, problems, anchors_referenced);
        }
    }
    for (auto const* list : {"oneOf", "anyOf", "allOf"}) {
        if (auto const* l = o.if_contains(list); l != nullptr && l->is_array()) {
            std::size_t i = 0;
            for (auto const& sub : l->get_array()) {
                walk(
                    sub,
                    where + "/" + list + "/" + std::to_string(i++),
                    problems,
                    anchors_referenced
                );
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
        for (auto const& e : r.endpoints()) {
            used.insert(e.input_schema);
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
            json::value const doc = json::parse(signoff::schemas::text(name));
            walk(doc, std::string(name), problems, refs_an_anchor(doc));
        }
        for (auto const& p : problems) {
            FAIL_CHECK(p);
        }
    }

    TEST_CASE("$anchor is allowed only while no $ref points at an anchor") {
        json::value const by_pointer = json::parse(
            R"({"$defs":{"a":{"$anchor":"x","type":"string"}},"properties":{"p":{"$ref":"#/$defs/a"}}})"
        );
        json::value const by_anchor = json::parse(
            R"({"$defs":{"a":{"$anchor":"x","type":"string"}},"properties":{"p":{"$ref":"#x"}}})"
        );
        std::vector<std::string> problems;
        walk(by_pointer, "pointer", problems, refs_an_anchor(by_pointer));
        CHECK(problems.empty());
        walk(by_anchor, "anchor", problems, refs_an_anchor(by_anchor));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "anchor/$defs/a: unsupported keyword '$anchor'");
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
