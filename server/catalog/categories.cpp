// Category labels exactly as the seed's table spells them (emoji included),
// and the slug grammar (see categories.hpp).
#include "server/catalog/categories.hpp"

#include <array>

namespace signoff::server::catalog {
namespace {

constexpr std::array<Category, 7> kCategories{{
    {"llm-backend", "🤖 Paid AI Subscriptions", "🤖 公司付费 AI 订阅"},
    {"network", "🔑 Access Credentials", "🔑 接入凭证"},
    {"inbound-integration", "📥 Inbound Integrations", "📥 外部工具消息接入"},
    {"outbound-integration", "📡 Outbound Webhooks", "📡 出站 Webhook"},
    {"mcp-agent", "🧠 MCP / Agent", "🧠 MCP / Agent"},
    {"dev-environment", "🖥 Dev environment", "🖥 开发环境"},
    {"cross-border-comm", "📞 Cross-border Comms", "📞 跨境通讯"},
}};

bool alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::span<Category const> categories() {
    return kCategories;
}

Category const* find_category(std::string_view slug) {
    for (auto const& c : kCategories) {
        if (c.slug == slug) {
            return &c;
        }
    }
    return nullptr;
}

std::optional<std::string> category_display(std::optional<std::string> const& category) {
    if (!category) {
        return std::nullopt;
    }
    if (auto const* c = find_category(*category)) {
        return std::string{c->en};
    }
    return *category;
}

bool valid_slug(std::string_view slug) {
    if (slug.empty() || slug.size() > kMaxSlugLength) {
        return false;
    }
    // Dashes only between alphanumerics: no leading, trailing or doubled dash.
    char prev = '-';
    for (char c : slug) {
        if (c == '-') {
            if (prev == '-') {
                return false;
            }
        } else if (!alnum(c)) {
            return false;
        }
        prev = c;
    }
    return prev != '-';
}

}  // namespace signoff::server::catalog
