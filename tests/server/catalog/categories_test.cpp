// Pure parts of the catalog: slug grammar, the category label table, the
// display rule for legacy categories, expiry resolution and page windows.
#include "server/catalog/categories.hpp"

#include <chrono>
#include <string>

#include <doctest/doctest.h>

#include "server/catalog/rules.hpp"
#include "server/core/clock.hpp"

using namespace signoff::server;

TEST_SUITE("server/catalog/categories") {
    TEST_CASE("slugs are lowercase alphanumerics joined by single dashes, at most 64 long") {
        CHECK(catalog::valid_slug("openai-team"));
        CHECK(catalog::valid_slug("a"));
        CHECK(catalog::valid_slug("gpt4-o1-x"));
        CHECK(catalog::valid_slug(std::string(64, 'a')));
        CHECK_FALSE(catalog::valid_slug(std::string(65, 'a')));
        CHECK_FALSE(catalog::valid_slug(""));
        CHECK_FALSE(catalog::valid_slug("-a"));
        CHECK_FALSE(catalog::valid_slug("a-"));
        CHECK_FALSE(catalog::valid_slug("a--b"));
        CHECK_FALSE(catalog::valid_slug("OpenAI"));
        CHECK_FALSE(catalog::valid_slug("a_b"));
        CHECK_FALSE(catalog::valid_slug("a b"));
    }

    TEST_CASE("the seven machine slugs carry the seed's English and Chinese labels") {
        REQUIRE(catalog::categories().size() == 7);
        auto const* llm = catalog::find_category("llm-backend");
        REQUIRE(llm != nullptr);
        CHECK(llm->en == "🤖 Paid AI Subscriptions");
        CHECK(llm->zh == "🤖 公司付费 AI 订阅");
        auto const* dev = catalog::find_category("dev-environment");
        REQUIRE(dev != nullptr);
        CHECK(dev->en == "🖥 Dev environment");
        CHECK(dev->zh == "🖥 开发环境");
        CHECK(catalog::find_category("cross-border-comm")->en == "📞 Cross-border Comms");
        CHECK(catalog::find_category("network")->zh == "🔑 接入凭证");
        CHECK(catalog::find_category("Network") == nullptr);
    }

    TEST_CASE("categoryDisplay is the English label, a legacy string verbatim, or null") {
        CHECK(catalog::category_display(std::string{"mcp-agent"}) == "🧠 MCP / Agent");
        CHECK(catalog::category_display(std::string{"🔑 Legacy Keys"}) == "🔑 Legacy Keys");
        CHECK_FALSE(catalog::category_display(std::nullopt).has_value());
    }
}

TEST_SUITE("server/catalog/rules") {
    TEST_CASE("expiry from a duration is now plus the duration, normalised to RFC 3339") {
        core::TimePoint now = *core::parse_rfc3339("2026-01-01T00:00:00Z");
        auto r = catalog::resolve_expiry({std::nullopt, std::string{"P30D"}}, now);
        REQUIRE(r.has_value());
        CHECK(*r == std::optional<std::string>{"2026-01-31T00:00:00.000Z"});
    }

    TEST_CASE("expiry from expires_at must be valid and in the future; not both fields") {
        core::TimePoint now = *core::parse_rfc3339("2026-01-01T00:00:00Z");
        auto ok = catalog::resolve_expiry({std::string{"2026-02-01T08:00:00+08:00"}, {}}, now);
        REQUIRE(ok.has_value());
        CHECK(**ok == "2026-02-01T00:00:00.000Z");
        auto past = catalog::resolve_expiry({std::string{"2025-12-31T23:59:59Z"}, {}}, now);
        REQUIRE(past.has_error());
        CHECK(past.error().kind == core::ErrorKind::kInvalidArgument);
        CHECK(past.error().details.at(0).field == "expires_at");
        auto both =
            catalog::resolve_expiry({std::string{"2026-02-01T00:00:00Z"}, std::string{"P1D"}}, now);
        REQUIRE(both.has_error());
        CHECK(both.error().kind == core::ErrorKind::kInvalidArgument);
        auto bad = catalog::resolve_expiry({std::nullopt, std::string{"30 days"}}, now);
        REQUIRE(bad.has_error());
        CHECK(bad.error().details.at(0).field == "duration");
        auto never = catalog::resolve_expiry({}, now);
        REQUIRE(never.has_value());
        CHECK_FALSE(never->has_value());
    }

    TEST_CASE("page windows bound the limit and refuse cursor together with offset") {
        CHECK(catalog::page_window({}).value().limit == 20);
        CHECK(catalog::page_window({0, {}, {}}).has_error());
        CHECK(catalog::page_window({101, {}, {}}).has_error());
        CHECK(catalog::page_window({10, std::string{"x"}, 5}).has_error());
        CHECK(catalog::page_window({10, {}, -1}).has_error());
        auto w = catalog::page_window({10, std::string{"abc"}, {}});
        REQUIRE(w.has_value());
        CHECK(w->after == "abc");
        CHECK(w->offset == 0);
    }

    TEST_CASE("free text is trimmed, empty becomes absent, and long text names its field") {
        CHECK_FALSE(catalog::optional_text(std::string{"   "}, "note", 10).value().has_value());
        CHECK(*catalog::optional_text(std::string{" hi "}, "note", 10).value() == "hi");
        auto longer = catalog::optional_text(std::string(11, 'x'), "note", 10);
        REQUIRE(longer.has_error());
        CHECK(longer.error().details.at(0).field == "note");
        CHECK(catalog::required_text("  ", "reason", 10).has_error());
    }
}
