// The catalog's category table: seven machine slugs with the English and
// Chinese labels of the seed (v0.19.9), and the display rule for legacy
// free-form categories (shown verbatim). Pure data, no storage.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace signoff::server::catalog {

struct Category {
    std::string_view slug;
    std::string_view en;
    std::string_view zh;
};

/// The seven machine slugs, in the seed's order.
std::span<Category const> categories();
Category const* find_category(std::string_view slug);

/// English label for a machine slug, the string itself for anything else
/// (legacy display strings pass through), nullopt when there is no category.
std::optional<std::string> category_display(std::optional<std::string> const& category);

/// Catalog row slugs: ^[a-z0-9]+(-[a-z0-9]+)*$, at most 64 characters.
bool valid_slug(std::string_view slug);
inline constexpr std::size_t kMaxSlugLength = 64;

}  // namespace signoff::server::catalog
