// Origin / Host rules (see origin_check.hpp). Runs on the io thread for every
// request before authentication; allocation-free except for the allow-list compare.
#include "transport/http/origin_check.hpp"

#include <algorithm>
#include <cctype>

namespace signoff::transport::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool valid_port(std::string_view port) {
    return !port.empty() && port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Splits "host[:port]" (host may be a bracketed IPv6 literal) and checks the port.
bool split_host_port(std::string_view hp, std::string_view& host) {
    if (!hp.empty() && hp.front() == '[') {
        auto const close = hp.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        host = hp.substr(0, close + 1);
        auto const rest = hp.substr(close + 1);
        return rest.empty() || (rest.front() == ':' && valid_port(rest.substr(1)));
    }
    auto const colon = hp.find(':');
    host = hp.substr(0, colon);
    return colon == std::string_view::npos || valid_port(hp.substr(colon + 1));
}

bool is_loopback_name(std::string_view host) {
    return iequals(host, "localhost") || host == "127.0.0.1" || host == "[::1]";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string_view without_trailing_slash(std::string_view s) {
    if (!s.empty() && s.back() == '/') {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

bool is_loopback_host_header(std::string_view host) {
    std::string_view name;
    return split_host_port(trim(host), name) && is_loopback_name(name);
}

bool origin_allowed(std::string_view origin, std::vector<std::string> const& allowed) {
    origin = without_trailing_slash(trim(origin));
    for (auto const& a : allowed) {
        if (!origin.empty() && iequals(origin, without_trailing_slash(trim(a)))) {
            return true;
        }
    }
    std::string_view rest;
    if (origin.size() > 7 && iequals(origin.substr(0, 7), "http://")) {
        rest = origin.substr(7);
    } else if (origin.size() > 8 && iequals(origin.substr(0, 8), "https://")) {
        rest = origin.substr(8);
    } else {
        return false;
    }
    // An origin has no path, query or credentials; anything like that is not loopback.
    if (rest.find_first_of("/?#@") != std::string_view::npos) {
        return false;
    }
    std::string_view host;
    return split_host_port(rest, host) && is_loopback_name(host);
}

bool is_loopback_bind(std::string_view bind_host) {
    return iequals(bind_host, "localhost") || bind_host == "::1" || bind_host == "[::1]" ||
           bind_host.substr(0, 4) == "127.";
}

}  // namespace signoff::transport::http
