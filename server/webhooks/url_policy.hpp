// Where webhooks may be sent (server-side request forgery defence): a strict
// parser of http(s) URLs, a classifier of IP addresses, and the policy that
// resolves a URL's host and vets EVERY address it resolves to. Called by
// WebhooksService when an endpoint is configured and again by the delivery
// worker before each attempt, which then connects only to the vetted
// addresses (so a DNS answer that changes in between is checked again and a
// rebinding attack gains nothing).
//
//   service / worker ──► vet_webhook_url ──► parse_webhook_url
//                                        ├─► Resolver (getaddrinfo; a fake in tests)
//                                        └─► classify each address
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/error.hpp"

namespace signoff::server::webhooks {

/// An IPv4 or IPv6 address in network byte order; IPv4 uses bytes[0..3].
struct IpAddress {
    bool v6{false};
    std::array<std::uint8_t, 16> bytes{};

    /// Canonical text: dotted quad, or RFC 5952 for IPv6 (inet_ntop).
    std::string text() const;
    bool operator==(IpAddress const&) const = default;
};

/// A strict dotted quad ("10.0.0.1"; no "10.1", octal or hex forms) or an
/// IPv6 address without brackets or zone id; nullopt for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);

enum class AddressClass : std::uint8_t {
    kPublic,
    kLoopback,     // 127.0.0.0/8, ::1
    kPrivate,      // 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7, fec0::/10
    kLinkLocal,    // 169.254/16 (incl. the cloud metadata service), fe80::/10
    kUnspecified,  // 0.0.0.0/8, :: (connecting to 0.0.0.0 reaches this host)
    kMulticast,    // 224/4, ff00::/8
    kReserved,     // 240/4 and broadcast, documentation, benchmarking, IETF, discard
};

/// "public", "loopback", "private", "link-local", "unspecified", "multicast", "reserved".
char const* address_class_name(AddressClass c);

/// The class of `a`. IPv6 forms that embed an IPv4 address (mapped ::ffff:a.b.c.d,
/// translated ::ffff:0:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4
/// 2002::/16) are classified by the embedded IPv4 address.
AddressClass classify(IpAddress const& a);

/// The parts of an accepted webhook URL.
struct WebhookUrl {
    std::string scheme;                // "https" or "http", lowercase
    std::string host;                  // lowercase; IPv6 literals without brackets
    std::optional<IpAddress> literal;  // the host, when it is an IP address
    std::uint16_t port{0};             // explicit, else 443 / 80
    std::string target;                // path and query; "/" when the URL has none
};

inline constexpr std::size_t kMaxUrlLength = 2048;

/// Accepts `http(s)://host[:port][/path][?query]` only: printable ASCII (host
/// names in punycode), at most kMaxUrlLength characters, a host that is an
/// RFC 1123 name, a dotted quad or a bracketed IPv6 address (no zone id), a
/// port 1-65535 without leading zeros, valid percent escapes. Refuses
/// user-info (user:password@), fragments, backslashes, other schemes and
/// numeric hosts that are not canonical dotted quads ("127.1", "0x7f000001",
/// "2130706433": resolvers read them as addresses). Errors are
/// kInvalidArgument with one detail on `field`.
core::Result<WebhookUrl> parse_webhook_url(std::string_view url, std::string const& field = "url");

/// Host name resolution, injected so tests never touch DNS.
class Resolver {
public:
    virtual ~Resolver() = default;
    /// Every IPv4 and IPv6 address of `host` (a name, never a literal), each
    /// once. kInvalidArgument when the name does not exist or has no address;
    /// kUnavailable when the lookup failed temporarily. Must be thread-safe.
    virtual core::Result<std::vector<IpAddress>> resolve(std::string const& host) = 0;
};

/// getaddrinfo over every address family (no AI_ADDRCONFIG: the policy must
/// see every address a later connection could use). Its time limits are the
/// system resolver's (/etc/resolv.conf).
class SystemResolver final : public Resolver {
public:
    core::Result<std::vector<IpAddress>> resolve(std::string const& host) override;
};

struct UrlPolicy {
    /// Plain http:// to non-loopback receivers (`--webhook-allow-http`).
    bool allow_http{false};
    /// Private, link-local, unspecified, multicast and reserved addresses
    /// (`--webhook-allow-private`).
    bool allow_private{false};
};

struct VettedUrl {
    WebhookUrl url;
    /// Every address the host resolved to, all allowed by the policy, in the
    /// resolver's order: connect only to these.
    std::vector<IpAddress> addresses;

    /// The addresses as text, for a sender that takes strings.
    std::vector<std::string> address_texts() const;
};

/// Parses `url`, resolves its host (a literal is its own only address) and
/// checks every address: any that is not public or loopback refuses the URL
/// unless policy.allow_private; plain http is accepted only when every address
/// is loopback, unless policy.allow_http (a name that does not resolve cannot
/// prove that, so it refuses as http). Loopback is always allowed, by
/// decision: local receivers and tests use it (docs/webhooks.md says what
/// that exposes). kInvalidArgument with a detail on `field` saying which
/// address and why; kUnavailable when DNS failed temporarily. Thread-safe
/// when the resolver is.
core::Result<VettedUrl> vet_webhook_url(
    std::string_view url,
    Resolver& resolver,
    UrlPolicy const& policy,
    std::string const& field = "url"
);

}  // namespace signoff::server::webhooks
