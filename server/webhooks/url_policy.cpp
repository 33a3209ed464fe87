// The webhook URL policy (see url_policy.hpp): strict URL parsing, address
// classification and the resolve-then-vet check. The only file of the domain
// that calls the system resolver.
#include "server/webhooks/url_policy.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace signoff::server::webhooks {
namespace {

using core::Error;
using core::Result;

// ---- addresses ----------------------------------------------------------------

/// Bytes 0..3 of `a` (IPv4) or the IPv4 address embedded at `at` of an IPv6 one.
IpAddress v4_at(IpAddress const& a, std::size_t at) {
    IpAddress out;
    std::copy_n(a.bytes.begin() + static_cast<std::ptrdiff_t>(at), 4, out.bytes.begin());
    return out;
}

bool starts_with_bytes(IpAddress const& a, std::initializer_list<std::uint8_t> prefix) {
    return std::equal(prefix.begin(), prefix.end(), a.bytes.begin());
}

bool all_zero(IpAddress const& a, std::size_t from, std::size_t to) {
    return std::all_of(
        a.bytes.begin() + static_cast<std::ptrdiff_t>(from),
        a.bytes.begin() + static_cast<std::ptrdiff_t>(to),
        [](std::uint8_t b) { return b == 0; }
    );
}

/// True when `a` (IPv4) lies in first.second.0.0/bits for bits ≥ 8.
bool in_v4(IpAddress const& a, std::uint8_t first, std::uint8_t second, int bits) {
    std::uint32_t const v = (std::uint32_t{a.bytes[0]} << 24) | (std::uint32_t{a.bytes[1]} << 16) |
                            (std::uint32_t{a.bytes[2]} << 8) | std::uint32_t{a.bytes[3]};
    std::uint32_t const net = (std::uint32_t{first} << 24) | (std::uint32_t{second} << 16);
    std::uint32_t const mask = ~std::uint32_t{0} << (32 - bits);
    return (v & mask) == (net & mask);
}

bool in_v4_24(IpAddress const& a, std::uint8_t b0, std::uint8_t b1, std::uint8_t b2) {
    return a.bytes[0] == b0 && a.bytes[1] == b1 && a.bytes[2] == b2;
}

AddressClass classify_v4(IpAddress const& a) {
    if (a.bytes[0] == 0) {
        return AddressClass::kUnspecified;
    }
    if (a.bytes[0] == 127) {
        return AddressClass::kLoopback;
    }
    if (a.bytes[0] == 10 || in_v4(a, 172, 16, 12) || in_v4(a, 192, 168, 16) ||
        in_v4(a, 100, 64, 10)) {
        return AddressClass::kPrivate;
    }
    if (in_v4(a, 169, 254, 16)) {
        return AddressClass::kLinkLocal;
    }
    if (a.bytes[0] >= 224 && a.bytes[0] <= 239) {
        return AddressClass::kMulticast;
    }
    if (a.bytes[0] >= 240 || in_v4_24(a, 192, 0, 0) || in_v4_24(a, 192, 0, 2) ||
        in_v4_24(a, 198, 51, 100) || in_v4_24(a, 203, 0, 113) || in_v4(a, 198, 18, 15)) {
        return AddressClass::kReserved;  // broadcast, IETF, documentation, benchmarking
    }
    return AddressClass::kPublic;
}

/// The IPv4 address an IPv6 one carries, for the forms that reach it.
std::optional<IpAddress> embedded_v4(IpAddress const& a) {
    bool const mapped = all_zero(a, 0, 10) && a.bytes[10] == 0xff && a.bytes[11] == 0xff;
    bool const translated =
        all_zero(a, 0, 8) && a.bytes[8] == 0xff && a.bytes[9] == 0xff && all_zero(a, 10, 12);
    bool const compatible =
        all_zero(a, 0, 12) && !(all_zero(a, 12, 15) && a.bytes[15] <= 1);  // not :: or ::1
    bool const nat64 = starts_with_bytes(a, {0x00, 0x64, 0xff, 0x9b}) && all_zero(a, 4, 12);
    if (mapped || translated || compatible || nat64) {
        return v4_at(a, 12);
    }
    if (starts_with_bytes(a, {0x20, 0x02})) {
        return v4_at(a, 2);  // 6to4
    }
    return std::nullopt;
}

AddressClass classify_v6(IpAddress const& a) {
    if (auto v4 = embedded_v4(a)) {
        return classify_v4(*v4);
    }
    if (all_zero(a, 0, 16)) {
        return AddressClass::kUnspecified;
    }
    if (all_zero(a, 0, 15) && a.bytes[15] == 1) {
        return AddressClass::kLoopback;
    }
    std::uint8_t const b0 = a.bytes[0];
    std::uint8_t const b1 = a.bytes[1];
    if (b0 == 0xff) {
        return AddressClass::kMulticast;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
        return AddressClass::kLinkLocal;
    }
    if ((b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0xc0) ||
        starts_with_bytes(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) {
        return AddressClass::kPrivate;  // unique local, site-local, local-use NAT64
    }
    if (starts_with_bytes(a, {0x20, 0x01, 0x0d, 0xb8}) ||
        (starts_with_bytes(a, {0x01, 0x00}) && all_zero(a, 2, 8))) {
        return AddressClass::kReserved;  // documentation, discard-only
    }
    return AddressClass::kPublic;
}

std::optional<IpAddress> parse_dotted_quad(std::string_view s) {
    IpAddress out;
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t const start = i;
        unsigned value = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
        }
        bool const leading_zero = i - start > 1 && s[start] == '0';
        if (i == start || leading_zero || value > 255) {
            return std::nullopt;
        }
        out.bytes[part++] = static_cast<std::uint8_t>(value);
        if (part < 4) {
            if (i >= s.size() || s[i] != '.') {
                return std::nullopt;
            }
            ++i;
        }
    }
    return i == s.size() ? std::optional<IpAddress>{out} : std::nullopt;
}

// ---- URL parts ----------------------------------------------------------------

Error bad(std::string const& field, std::string const& message) {
    return Error::invalid_field(field, message);
}

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

/// One RFC 1123 label: 1-63 letters, digits and inner hyphens.
bool is_label(std::string_view l) {
    return !l.empty() && l.size() <= 63 && l.front() != '-' && l.back() != '-' &&
           std::all_of(l.begin(), l.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

/// A lowercase host name whose top label is not all digits (RFC 3696 §2), so
/// that no name is also a number a resolver would read as an address.
bool is_host_name(std::string_view h) {
    if (h.empty() || h.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    std::string_view last;
    for (;;) {
        auto const dot = h.find('.', start);
        last = h.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!is_label(last)) {
            return false;
        }
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// inet_aton's view: "0x7f000001", "017700000001" and friends are addresses.
bool is_numeric_host(std::string const& h) {
    in_addr ignored{};
    return inet_aton(h.c_str(), &ignored) != 0;
}

Result<std::uint16_t> parse_port(std::string_view p, std::string const& field) {
    bool const digits = !p.empty() && p.size() <= 5 && std::all_of(p.begin(), p.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    unsigned long value = digits ? std::stoul(std::string(p)) : 0;
    if (!digits || p.front() == '0' || value > 65535) {
        return bad(field, "port must be 1-65535, written without leading zeros");
    }
    return static_cast<std::uint16_t>(value);
}

struct HostPort {
    std::string host;
    std::optional<IpAddress> literal;
    std::optional<std::string_view> port;
};

Result<HostPort> split_bracketed(std::string_view authority, std::string const& field) {
    auto const close = authority.find(']');
    if (close == std::string_view::npos) {
        return bad(field, "has an unclosed [ in its host");
    }
    std::string_view const inside = authority.substr(1, close - 1);
    if (inside.find('%') != std::string_view::npos) {
        return bad(field, "IPv6 zone ids (%…) are not allowed");
    }
    auto ip = parse_ip(inside);
    if (!ip || !ip->v6) {
        return bad(field, "has an invalid IPv6 address in brackets");
    }
    std::string_view const after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
        return bad(field, "has text after the ] of its host");
    }
    HostPort out{lower(inside), ip, std::nullopt};
    if (!after.empty()) {
        out.port = after.substr(1);
    }
    return out;
}

Result<HostPort> split_authority(std::string_view authority, std::string const& field) {
    if (authority.empty()) {
        return bad(field, "has no host");
    }
    if (authority.front() == '[') {
        return split_bracketed(authority, field);
    }
    auto const colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string::npos) {
        return bad(field, "IPv6 addresses must be written in brackets: https://[2001:db8::1]/");
    }
    HostPort out{lower(authority.substr(0, colon)), std::nullopt, std::nullopt};
    if (colon != std::string_view::npos) {
        out.port = authority.substr(colon + 1);
    }
    if (out.host.empty()) {
        return bad(field, "has no host");
    }
    out.literal = parse_dotted_quad(out.host);
    if (out.literal) {
        return out;
    }
    if (!is_host_name(out.host)) {
        return bad(
            field,
            "host must be a DNS name (letters, digits, hyphens; punycode for others), a "
            "dotted-quad IPv4 address or a bracketed IPv6 address"
        );
    }
    if (is_numeric_host(out.host)) {
        return bad(field, "host is a number but not a dotted-quad IPv4 address");
    }
    return out;
}

core::Status check_characters(std::string_view url, std::string const& field) {
    for (char c : url) {
        auto const u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) {
            return bad(
                field,
                "must be printable ASCII without spaces (percent-encode the path; host names in "
                "punycode)"
            );
        }
        if (c == '\\') {
            return bad(field, "must not contain a backslash");
        }
    }
    return {};
}

core::Status check_target(std::string_view target, std::string const& field) {
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] != '%') {
            continue;
        }
        if (i + 2 >= target.size() || !is_hex(target[i + 1]) || !is_hex(target[i + 2])) {
            return bad(field, "has a % not followed by two hex digits");
        }
    }
    return {};
}

Result<std::string> parse_scheme(std::string_view url, std::string const& field) {
    auto const sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        return bad(field, "must be an absolute URL such as https://hooks.example.com/signoff");
    }
    std::string scheme = lower(url.substr(0, sep));
    if (scheme != "https" && scheme != "http") {
        return bad(field, "scheme must be https (or http for loopback receivers), not " + scheme);
    }
    return scheme;
}

// ---- the policy ---------------------------------------------------------------

Error http_refused(std::string const& field) {
    return bad(
        field,
        "plain http is allowed only to loopback receivers (127.0.0.0/8, ::1); use https (the "
        "server's --webhook-allow-http lifts this)"
    );
}

Error address_refused(
    std::string const& field, WebhookUrl const& url, IpAddress const& a, AddressClass c
) {
    std::string what = std::string(address_class_name(c)) + " address";
    if (a == parse_dotted_quad("169.254.169.254")) {
        what += " (the cloud metadata service)";
    }
    std::string const article = c == AddressClass::kUnspecified ? "an " : "a ";
    std::string const subject =
        url.literal ? a.text() + " is " + article
                    : "host " + url.host + " resolves to " + a.text() + ", " + article;
    return bad(
        field,
        subject + what +
            "; webhooks may not target internal networks (the server's --webhook-allow-private "
            "lifts this)"
    );
}

Result<std::vector<IpAddress>> addresses_of(
    WebhookUrl const& url, Resolver& resolver, std::string const& field
) {
    if (url.literal) {
        return std::vector<IpAddress>{*url.literal};
    }
    auto found = resolver.resolve(url.host);
    if (!found) {
        if (found.error().kind == core::ErrorKind::kInvalidArgument) {
            return bad(field, "host " + url.host + " does not resolve to any address");
        }
        return found.error();
    }
    if (found->empty()) {
        return bad(field, "host " + url.host + " does not resolve to any address");
    }
    return found;
}

}  // namespace

// ---- public functions -------------------------------------------------------------

std::string IpAddress::text() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (auto v4 = parse_dotted_quad(text)) {
        return v4;
    }
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
        text.find(':') == std::string_view::npos) {
        return std::nullopt;
    }
    IpAddress out;
    out.v6 = true;
    std::string const z(text);
    if (inet_pton(AF_INET6, z.c_str(), out.bytes.data()) != 1) {
        return std::nullopt;
    }
    return out;
}

char const* address_class_name(AddressClass c) {
    switch (c) {
        case AddressClass::kPublic:
            return "public";
        case AddressClass::kLoopback:
            return "loopback";
        case AddressClass::kPrivate:
            return "private";
        case AddressClass::kLinkLocal:
            return "link-local";
        case AddressClass::kUnspecified:
            return "unspecified";
        case AddressClass::kMulticast:
            return "multicast";
        case AddressClass::kReserved:
            return "reserved";
    }
    return "unknown";
}

AddressClass classify(IpAddress const& a) {
    return a.v6 ? classify_v6(a) : classify_v4(a);
}

Result<WebhookUrl> parse_webhook_url(std::string_view url, std::string const& field) {
    if (url.empty()) {
        return bad(field, "is required");
    }
    if (url.size() > kMaxUrlLength) {
        return bad(field, "must be at most " + std::to_string(kMaxUrlLength) + " characters");
    }
    if (auto ok = check_characters(url, field); !ok) {
        return ok.error();
    }
    auto scheme = parse_scheme(url, field);
    if (!scheme) {
        return scheme.error();
    }
    std::string_view rest = url.substr(scheme->size() + 3);
    if (rest.find('#') != std::string_view::npos) {
        return bad(field, "must not have a fragment (#…)");
    }
    auto const end = rest.find_first_of("/?");
    std::string_view const authority = rest.substr(0, end);
    if (authority.find('@') != std::string_view::npos) {
        return bad(
            field,
            "must not carry credentials (user:password@); the signature "
            "authenticates deliveries"
        );
    }
    auto hp = split_authority(authority, field);
    if (!hp) {
        return hp.error();
    }
    WebhookUrl out{
        *scheme,
        hp->host,
        hp->literal,
        *scheme == "https" ? std::uint16_t{443} : std::uint16_t{80},
        "/"};
    if (hp->port) {
        auto port = parse_port(*hp->port, field);
        if (!port) {
            return port.error();
        }
        out.port = *port;
    }
    if (end != std::string_view::npos) {
        std::string_view const target = rest.substr(end);
        if (auto ok = check_target(target, field); !ok) {
            return ok.error();
        }
        out.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
    }
    return out;
}

std::vector<std::string> VettedUrl::address_texts() const {
    std::vector<std::string> out;
    out.reserve(addresses.size());
    for (auto const& a : addresses) {
        out.push_back(a.text());
    }
    return out;
}

Result<VettedUrl> vet_webhook_url(
    std::string_view url, Resolver& resolver, UrlPolicy const& policy, std::string const& field
) {
    auto parsed = parse_webhook_url(url, field);
    if (!parsed) {
        return parsed.error();
    }
    bool const http_limited = parsed->scheme == "http" && !policy.allow_http;
    auto addresses = addresses_of(*parsed, resolver, field);
    if (!addresses) {
        // A name that does not resolve cannot be shown to be loopback.
        return http_limited && addresses.error().kind == core::ErrorKind::kInvalidArgument
                   ? http_refused(field)
                   : addresses.error();
    }
    bool all_loopback = true;
    for (auto const& a : *addresses) {
        AddressClass const c = classify(a);
        if (c == AddressClass::kLoopback) {
            continue;
        }
        all_loopback = false;
        if (c != AddressClass::kPublic && !policy.allow_private) {
            return address_refused(field, *parsed, a, c);
        }
    }
    if (http_limited && !all_loopback) {
        return http_refused(field);
    }
    return VettedUrl{std::move(*parsed), std::move(*addresses)};
}

// ---- the system resolver ------------------------------------------------------

Result<std::vector<IpAddress>> SystemResolver::resolve(std::string const& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    addrinfo* list = nullptr;
    int const rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(list, &freeaddrinfo);
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) {
        return Error::invalid("host " + host + " does not resolve");
    }
    if (rc != 0) {
        return Error::unavailable(
            "resolving " + host + " failed (" + gai_strerror(rc) + "); retry later"
        );
    }
    std::vector<IpAddress> out;
    for (addrinfo const* ai = list; ai != nullptr; ai = ai->ai_next) {
        IpAddress a;
        if (ai->ai_family == AF_INET) {
            auto const* sin = reinterpret_cast<sockaddr_in const*>(ai->ai_addr);
            std::memcpy(a.bytes.data(), &sin->sin_addr, 4);
        } else if (ai->ai_family == AF_INET6) {
            auto const* sin6 = reinterpret_cast<sockaddr_in6 const*>(ai->ai_addr);
            a.v6 = true;
            std::memcpy(a.bytes.data(), &sin6->sin6_addr, 16);
        } else {
            continue;
        }
        if (std::find(out.begin(), out.end(), a) == out.end()) {
            out.push_back(a);
        }
    }
    return out;
}

}  // namespace signoff::server::webhooks
