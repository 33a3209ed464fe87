// The CSV writer behind auths_export: RFC 4180 quoting and CRLF record ends,
// UTF-8 passed through, and the OWASP CSV-injection rule for formula-like cells.
#include "server/auths/csv.hpp"

#include <string>

#include <doctest/doctest.h>

namespace csv = signoff::server::auths::csv;

namespace {

std::string field(std::string_view cell) {
    std::string out;
    csv::append_field(out, cell);
    return out;
}

}  // namespace

TEST_SUITE("server/auths/csv") {
    TEST_CASE("plain cells are written as they are") {
        CHECK(field("") == "");
        CHECK(field("okta") == "okta");
        CHECK(field("a b") == "a b");
        CHECK(field("1+1") == "1+1");  // only a leading sign counts
        CHECK(field("x=y") == "x=y");
        CHECK(field("'quoted'") == "'quoted'");
    }

    TEST_CASE("cells with a comma, quote, CR or LF are quoted and inner quotes doubled") {
        CHECK(field("a,b") == "\"a,b\"");
        CHECK(field("say \"hi\"") == "\"say \"\"hi\"\"\"");
        CHECK(field("\"") == "\"\"\"\"");
        CHECK(field("line1\nline2") == "\"line1\nline2\"");
        CHECK(field("line1\r\nline2") == "\"line1\r\nline2\"");
        CHECK(field("a\rb") == "\"a\rb\"");
    }

    TEST_CASE("non-ASCII text passes through as UTF-8 bytes") {
        CHECK(field("Zürich") == "Zürich");
        CHECK(field("认证, 配置") == "\"认证, 配置\"");
        CHECK(field("🔑") == "🔑");
    }

    TEST_CASE("formula-like cells get a leading single quote (OWASP CSV injection)") {
        CHECK(csv::is_formula_like("=1+1"));
        CHECK(csv::is_formula_like("+x"));
        CHECK(csv::is_formula_like("-x"));
        CHECK(csv::is_formula_like("@x"));
        CHECK(csv::is_formula_like("\tx"));
        CHECK(csv::is_formula_like("\rx"));
        CHECK_FALSE(csv::is_formula_like(""));
        CHECK_FALSE(csv::is_formula_like(" =1"));
        CHECK_FALSE(csv::is_formula_like("a=1"));

        CHECK(field("=1+1") == "'=1+1");
        CHECK(field("+x") == "'+x");
        CHECK(field("-x") == "'-x");
        CHECK(field("@x") == "'@x");
        CHECK(field("\tx") == "'\tx");
        // Neutralised and quoted: the quote goes inside the enclosing quotes.
        CHECK(field("\rx") == "\"'\rx\"");
        CHECK(
            field("=HYPERLINK(\"http://evil\",\"a,b\")") ==
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"a,b\"\")\""
        );
    }

    TEST_CASE("records are comma-separated and end with CRLF") {
        std::string out;
        csv::append_record(out, {"id", "name"});
        csv::append_record(out, {"1", "a,b"});
        csv::append_record(out, {"", ""});
        CHECK(out == "id,name\r\n1,\"a,b\"\r\n,\r\n");
        std::string one;
        std::vector<std::string_view> cells{"=x"};
        csv::append_record(one, cells);
        CHECK(one == "'=x\r\n");
    }

    TEST_CASE("many-valued columns are joined with a semicolon and a space") {
        CHECK(csv::join({}).empty());
        CHECK(csv::join({"oidc"}) == "oidc");
        CHECK(csv::join({"oidc", "saml", ""}) == "oidc; saml; ");
    }
}
