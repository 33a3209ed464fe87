// Catalog input rules (see rules.hpp).
#include "server/catalog/rules.hpp"

#include "server/catalog/categories.hpp"
#include "server/identity/roles.hpp"

namespace signoff::server::catalog {

using core::Error;

core::Result<std::optional<std::string>> resolve_expiry(Expiry const& e, core::TimePoint now) {
    if (e.expires_at && e.duration) {
        return Error::invalid(
            "give either expires_at or duration, not both",
            {{"expires_at", "conflicts with duration"}, {"duration", "conflicts with expires_at"}}
        );
    }
    if (e.expires_at) {
        auto t = core::parse_rfc3339(*e.expires_at);
        if (!t) {
            return Error::invalid_field("expires_at", "not an RFC 3339 timestamp");
        }
        if (*t <= now) {
            return Error::invalid_field("expires_at", "must be in the future");
        }
        return std::optional<std::string>{core::to_rfc3339(*t)};
    }
    if (e.duration) {
        auto d = core::parse_iso_duration(*e.duration);
        if (!d) {
            return Error::invalid_field("duration", "not an ISO 8601 duration such as P30D");
        }
        return std::optional<std::string>{core::to_rfc3339(now + *d)};
    }
    return std::optional<std::string>{};
}

core::Result<std::optional<std::string>> optional_text(
    std::optional<std::string> const& s, std::string const& field, std::size_t max
) {
    if (!s) {
        return std::optional<std::string>{};
    }
    std::string t{identity::trim(*s)};
    if (t.empty()) {
        return std::optional<std::string>{};
    }
    if (t.size() > max) {
        return Error::invalid_field(field, "at most " + std::to_string(max) + " characters");
    }
    return std::optional<std::string>{std::move(t)};
}

core::Result<std::string> required_text(
    std::string const& s, std::string const& field, std::size_t max
) {
    auto t = optional_text(s, field, max);
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::invalid_field(field, "must not be empty");
    }
    return **t;
}

core::Result<PageWindow> page_window(PageRequest const& p) {
    if (p.limit < 1 || p.limit > 100) {
        return Error::invalid_field("limit", "must be between 1 and 100");
    }
    if (p.cursor && p.offset) {
        return Error::invalid_field("cursor", "give either cursor or offset, not both");
    }
    if (p.offset && *p.offset < 0) {
        return Error::invalid_field("offset", "must not be negative");
    }
    return PageWindow{p.cursor.value_or(""), p.offset.value_or(0), p.limit};
}

core::Status check_slug(std::string const& slug, std::string const& field) {
    if (!valid_slug(slug)) {
        return Error::invalid_field(
            field, "lowercase letters, digits and single dashes, at most 64 characters"
        );
    }
    return {};
}

}  // namespace signoff::server::catalog
