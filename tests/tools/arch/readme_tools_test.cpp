// The README's tool table is the one generated from the tool rows
// (`signoff docs tools`), so the documentation cannot drift from the server.
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "tools/families/docs_table.hpp"
#include "tools/families/families.hpp"

TEST_SUITE("tools/arch") {
    TEST_CASE("the README tool table matches the tool rows") {
        signoff::tools::registry::Registry r;
        signoff::tools::families::register_domain_tools(r);
        REQUIRE(r.seal().has_value());
        auto const table = signoff::tools::families::markdown_tool_table(r);
        CHECK(table.find("`catalog_assign`") != std::string::npos);

        std::ifstream in(std::string(SIGNOFF_SOURCE_DIR) + "/README.md");
        std::stringstream text;
        text << in.rdbuf();
        auto const readme = text.str();
        std::string const begin = "<!-- tools:begin (generated: signoff docs tools) -->\n";
        std::string const end = "<!-- tools:end -->";
        auto const b = readme.find(begin);
        auto const e = readme.find(end);
        REQUIRE_MESSAGE(b != std::string::npos, "README.md lacks the tools:begin marker");
        REQUIRE(e != std::string::npos);
        INFO("regenerate with: build/signoff docs tools, between the markers in README.md");
        CHECK(readme.substr(b + begin.size(), e - b - begin.size()) == table);
    }
}
