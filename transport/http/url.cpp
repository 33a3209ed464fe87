// Target and query parsing (see url.hpp). Called on a worker thread for REST requests.
#include "transport/http/url.hpp"

namespace signoff::transport::http {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

Target split_target(std::string_view target) {
    auto const hash = target.find('#');
    if (hash != std::string_view::npos) {
        target = target.substr(0, hash);
    }
    auto const q = target.find('?');
    if (q == std::string_view::npos) {
        return {target, {}};
    }
    return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            int const hi = hex_value(text[i + 1]);
            int const lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query
) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) {
            continue;
        }
        auto const eq = item.find('=');
        auto name = percent_decode(item.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), true
        );
        if (!name || !value || name->empty()) {
            return std::nullopt;
        }
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

}  // namespace signoff::transport::http
