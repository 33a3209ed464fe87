// Header value rules (see header_values.hpp). Called on the io thread per request.
#include "transport/http/header_values.hpp"

#include <algorithm>
#include <cctype>

namespace signoff::transport::http {
namespace {

std::string_view trim(std::string_view s) {
    auto const space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool iends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

/// "type/subtype; q=0.9" → "type/subtype"
std::string_view media_type_of(std::string_view item) {
    return trim(item.substr(0, item.find(';')));
}

}  // namespace

std::optional<std::string> api_key_from(
    std::string_view authorization, std::string_view x_api_key
) {
    auto const auth = trim(authorization);
    auto const space = auth.find(' ');
    if (space != std::string_view::npos && iequals(auth.substr(0, space), "bearer")) {
        auto const token = trim(auth.substr(space + 1));
        if (!token.empty()) {
            return std::string(token);
        }
    }
    auto const key = trim(x_api_key);
    if (!key.empty()) {
        return std::string(key);
    }
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> credential_from(
    std::string_view authorization, std::string_view x_api_key
) {
    auto const auth = trim(authorization);
    auto const space = auth.find(' ');
    if (space != std::string_view::npos) {
        auto const scheme = auth.substr(0, space);
        auto const token = trim(auth.substr(space + 1));
        if (!token.empty() && iequals(scheme, "dpop")) {
            return std::make_pair(std::string("DPoP"), std::string(token));
        }
    }
    auto key = api_key_from(authorization, x_api_key);
    if (!key) {
        return std::nullopt;
    }
    return std::make_pair(std::string("Bearer"), std::move(*key));
}

std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name) {
    while (!cookie_header.empty()) {
        auto const semi = cookie_header.find(';');
        auto const item = trim(cookie_header.substr(0, semi));
        auto const eq = item.find('=');
        if (eq != std::string_view::npos && trim(item.substr(0, eq)) == name) {
            auto const value = trim(item.substr(eq + 1));
            if (!value.empty()) {
                return std::string(value);
            }
        }
        if (semi == std::string_view::npos) {
            break;
        }
        cookie_header.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

bool x_mcp_truthy(std::string_view value) {
    auto const v = trim(value);
    return v == "1" || iequals(v, "true") || iequals(v, "yes");
}

bool accepts(std::string_view accept, std::string_view media_type) {
    while (!accept.empty()) {
        auto const comma = accept.find(',');
        if (iequals(media_type_of(accept.substr(0, comma)), media_type)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        accept.remove_prefix(comma + 1);
    }
    return false;
}

bool is_json_content_type(std::string_view content_type) {
    auto const type = media_type_of(content_type);
    return iequals(type, "application/json") ||
           (iequals(type.substr(0, 12), "application/") && iends_with(type, "+json"));
}

}  // namespace signoff::transport::http
