// Pure input rules of the catalog: expiry resolution (expires_at | duration),
// free-text limits and page requests. No storage, so unit-tested directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/catalog/catalog_service.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"

namespace signoff::server::catalog {

/// The normalised RFC 3339 end of a grant, nullopt for "never". Both fields
/// given, an unparsable value, or an instant not after `now` → kInvalidArgument.
core::Result<std::optional<std::string>> resolve_expiry(Expiry const& e, core::TimePoint now);

/// Trimmed text; empty becomes nullopt; longer than `max` → kInvalidArgument on `field`.
core::Result<std::optional<std::string>> optional_text(
    std::optional<std::string> const& s, std::string const& field, std::size_t max
);
/// Trimmed text that must be non-empty and at most `max` long.
core::Result<std::string> required_text(
    std::string const& s, std::string const& field, std::size_t max
);

struct PageWindow {
    std::string after;  // keyset cursor ("" = from the start)
    std::int64_t offset{0};
    std::int64_t limit{20};
};
/// limit 1..100, offset ≥ 0, not both cursor and offset.
core::Result<PageWindow> page_window(PageRequest const& p);

/// Catalog slug check with the field named, for argument errors.
core::Status check_slug(std::string const& slug, std::string const& field);

}  // namespace signoff::server::catalog
