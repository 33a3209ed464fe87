// The webhook URL policy: the strict IP parser, the address classifier over
// every range it knows (IPv4-embedding IPv6 forms classified by their IPv4),
// the URL parser's accepted and refused shapes, and vet_webhook_url with a
// fake resolver (ANY refused address refuses; http only to loopback; the two
// flags; DNS failures).
#include "server/webhooks/url_policy.hpp"

#include <algorithm>
#include <map>

#include <doctest/doctest.h>

#include "tests/server/webhooks/fake_resolver.hpp"

using namespace signoff::server;
using signoff::testing::FakeResolver;
using webhooks::AddressClass;
using webhooks::IpAddress;

namespace {

IpAddress ip(std::string const& text) {
    auto a = webhooks::parse_ip(text);
    REQUIRE_MESSAGE(a.has_value(), text);
    return *a;
}

AddressClass class_of(std::string const& text) {
    return webhooks::classify(ip(text));
}

/// The single field error's message, checking it is on "url".
std::string refusal(core::Result<webhooks::WebhookUrl> const& r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == core::ErrorKind::kInvalidArgument);
    REQUIRE(r.error().details.size() == 1);
    CHECK(r.error().details[0].field == "url");
    return r.error().details[0].message;
}

std::string refusal(core::Result<webhooks::VettedUrl> const& r) {
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error().kind == core::ErrorKind::kInvalidArgument);
    REQUIRE(r.error().details.size() == 1);
    CHECK(r.error().details[0].field == "url");
    return r.error().details[0].message;
}

bool contains(std::string const& text, std::string const& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("server/webhooks/url_policy") {
    TEST_CASE("parse_ip takes strict dotted quads and IPv6 without brackets or zones") {
        CHECK(ip("10.0.0.1").text() == "10.0.0.1");
        CHECK_FALSE(ip("10.0.0.1").v6);
        CHECK(ip("255.255.255.255").bytes[3] == 255);
        CHECK(ip("0.0.0.0").text() == "0.0.0.0");
        CHECK(ip("::1").v6);
        CHECK(ip("2001:DB8::1").text() == "2001:db8::1");
        CHECK(ip("::ffff:10.0.0.1").text() == "::ffff:10.0.0.1");
        for (std::string bad :
             {"",
              "1.2.3",
              "1.2.3.4.5",
              "01.2.3.4",
              "1.2.3.04",
              "256.1.1.1",
              "1.2.3.4 ",
              " 1.2.3.4",
              "1..2.3",
              "0x7f.0.0.1",
              "127.1",
              "2130706433",
              "1.2.3.-4",
              "1.2.3.1000",
              "[::1]",
              "fe80::1%eth0",
              "::g",
              "1:2:3:4:5:6:7:8:9",
              "localhost"}) {
            CHECK_MESSAGE(!webhooks::parse_ip(bad).has_value(), bad);
        }
    }

    TEST_CASE("IPv4 ranges are classified") {
        struct Case {
            char const* address;
            AddressClass expected;
        };
        for (auto const& c : std::vector<Case>{
                 {"0.0.0.0", AddressClass::kUnspecified},
                 {"0.1.2.3", AddressClass::kUnspecified},
                 {"127.0.0.1", AddressClass::kLoopback},
                 {"127.255.255.254", AddressClass::kLoopback},
                 {"10.0.0.1", AddressClass::kPrivate},
                 {"10.255.255.255", AddressClass::kPrivate},
                 {"172.16.0.1", AddressClass::kPrivate},
                 {"172.31.255.255", AddressClass::kPrivate},
                 {"172.15.255.255", AddressClass::kPublic},
                 {"172.32.0.0", AddressClass::kPublic},
                 {"192.168.1.1", AddressClass::kPrivate},
                 {"192.169.0.1", AddressClass::kPublic},
                 {"100.64.0.1", AddressClass::kPrivate},
                 {"100.127.255.255", AddressClass::kPrivate},
                 {"100.63.255.255", AddressClass::kPublic},
                 {"100.128.0.0", AddressClass::kPublic},
                 {"169.254.169.254", AddressClass::kLinkLocal},
                 {"169.254.0.1", AddressClass::kLinkLocal},
                 {"169.255.0.1", AddressClass::kPublic},
                 {"224.0.0.1", AddressClass::kMulticast},
                 {"239.255.255.255", AddressClass::kMulticast},
                 {"240.0.0.1", AddressClass::kReserved},
                 {"255.255.255.255", AddressClass::kReserved},
                 {"192.0.0.8", AddressClass::kReserved},
                 {"192.0.2.1", AddressClass::kReserved},
                 {"198.51.100.7", AddressClass::kReserved},
                 {"203.0.113.9", AddressClass::kReserved},
                 {"198.18.0.1", AddressClass::kReserved},
                 {"198.19.255.255", AddressClass::kReserved},
                 {"198.20.0.1", AddressClass::kPublic},
                 {"8.8.8.8", AddressClass::kPublic},
                 {"1.1.1.1", AddressClass::kPublic},
                 {"11.0.0.1", AddressClass::kPublic},
             }) {
            CHECK_MESSAGE(class_of(c.address) == c.expected, c.address);
        }
    }

    TEST_CASE("IPv6 ranges are classified, and embedded IPv4 addresses by their IPv4 class") {
        struct Case {
            char const* address;
            AddressClass expected;
        };
        for (auto const& c : std::vector<Case>{
                 {"::", AddressClass::kUnspecified},
                 {"::1", AddressClass::kLoopback},
                 {"fc00::1", AddressClass::kPrivate},
                 {"fd12:3456::1", AddressClass::kPrivate},
                 {"fec0::1", AddressClass::kPrivate},
                 {"fe80::1", AddressClass::kLinkLocal},
                 {"febf::1", AddressClass::kLinkLocal},
                 {"ff02::1", AddressClass::kMulticast},
                 {"2001:db8::1", AddressClass::kReserved},
                 {"100::1", AddressClass::kReserved},
                 {"2606:4700::1111", AddressClass::kPublic},
                 {"2a00:1450:4001::200e", AddressClass::kPublic},
                 // IPv4-mapped
                 {"::ffff:127.0.0.1", AddressClass::kLoopback},
                 {"::ffff:10.0.0.1", AddressClass::kPrivate},
                 {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
                 {"::ffff:0.0.0.0", AddressClass::kUnspecified},
                 {"::ffff:8.8.8.8", AddressClass::kPublic},
                 {"::ffff:a9fe:a9fe", AddressClass::kLinkLocal},  // hex spelling of the same
                 // IPv4-translated, -compatible, NAT64, 6to4
                 {"::ffff:0:192.168.0.1", AddressClass::kPrivate},
                 {"::10.0.0.1", AddressClass::kPrivate},
                 {"::127.0.0.1", AddressClass::kLoopback},
                 {"::2", AddressClass::kUnspecified},
                 {"64:ff9b::10.1.2.3", AddressClass::kPrivate},
                 {"64:ff9b::8.8.8.8", AddressClass::kPublic},
                 {"64:ff9b:1::1", AddressClass::kPrivate},
                 {"2002:a9fe:a9fe::1", AddressClass::kLinkLocal},
                 {"2002:0808:0808::1", AddressClass::kPublic},
             }) {
            CHECK_MESSAGE(class_of(c.address) == c.expected, c.address);
        }
        CHECK(std::string(webhooks::address_class_name(AddressClass::kLinkLocal)) == "link-local");
    }

    TEST_CASE("URLs that parse give their scheme, host, port and target") {
        auto u = webhooks::parse_webhook_url("HTTPS://Hooks.Example.COM/signoff?x=1&y=%2F");
        REQUIRE(u.has_value());
        CHECK(u->scheme == "https");
        CHECK(u->host == "hooks.example.com");
        CHECK(u->port == 443);
        CHECK(u->target == "/signoff?x=1&y=%2F");
        CHECK_FALSE(u->literal.has_value());

        u = webhooks::parse_webhook_url("http://127.0.0.1:8080");
        REQUIRE(u.has_value());
        CHECK(u->port == 8080);
        CHECK(u->target == "/");
        REQUIRE(u->literal.has_value());
        CHECK(u->literal->text() == "127.0.0.1");

        u = webhooks::parse_webhook_url("https://[2001:DB8::1]:65535?q");
        REQUIRE(u.has_value());
        CHECK(u->host == "2001:db8::1");
        CHECK(u->literal->v6);
        CHECK(u->port == 65535);
        CHECK(u->target == "/?q");

        u = webhooks::parse_webhook_url("http://localhost/hook");
        REQUIRE(u.has_value());
        CHECK(u->host == "localhost");
        CHECK(u->port == 80);
        CHECK(webhooks::parse_webhook_url("https://xn--bcher-kva.example/").has_value());
        CHECK(webhooks::parse_webhook_url("https://a-b.c1/").has_value());
    }

    TEST_CASE("URLs of every refused shape are refused with a reason on the field") {
        struct Case {
            std::string url;
            char const* reason;
        };
        for (auto const& c : std::vector<Case>{
                 {"", "is required"},
                 {"https://h.example/" + std::string(2040, 'a'), "at most 2048"},
                 {"hooks.example.com/x", "absolute URL"},
                 {"://h.example/", "absolute URL"},
                 {"ftp://h.example/", "scheme must be https"},
                 {"javascript://h.example/", "scheme must be https"},
                 {"file:///etc/passwd", "scheme must be https"},
                 {"https://user:pw@h.example/", "credentials"},
                 {"https://user@h.example/", "credentials"},
                 {"https://h.example/#frag", "fragment"},
                 {"https://h.example/a b", "printable ASCII"},
                 {"https://h.example/\x01", "printable ASCII"},
                 {"https://h\xc3\xa9.example/", "printable ASCII"},
                 {"https://h.example\\@evil.example/", "backslash"},
                 {"https:///path", "no host"},
                 {"https://:443/", "no host"},
                 {"https://h.example:0/", "port must be 1-65535"},
                 {"https://h.example:65536/", "port must be 1-65535"},
                 {"https://h.example:080/", "port must be 1-65535"},
                 {"https://h.example:/", "port must be 1-65535"},
                 {"https://h.example:8a/", "port must be 1-65535"},
                 {"https://h.example:123456/", "port must be 1-65535"},
                 {"https://h_x.example/", "must be a DNS name"},
                 {"https://-h.example/", "must be a DNS name"},
                 {"https://h-.example/", "must be a DNS name"},
                 {"https://h..example/", "must be a DNS name"},
                 {"https://h.example./", "must be a DNS name"},
                 {"https://" + std::string(64, 'a') + ".example/", "must be a DNS name"},
                 {"https://127.1/", "must be a DNS name"},
                 {"https://2130706433/", "must be a DNS name"},
                 {"https://10.0.0.010/", "must be a DNS name"},
                 {"https://0x7f000001/", "a number but not a dotted-quad"},
                 {"https://0x7f.0.0.1/", "must be a DNS name"},
                 {"https://::1/", "in brackets"},
                 {"https://[::1/", "unclosed ["},
                 {"https://[fe80::1%25eth0]/", "zone ids"},
                 {"https://[10.0.0.1]/", "invalid IPv6"},
                 {"https://[::1]x/", "after the ]"},
                 {"https://h.example/%zz", "% not followed by two hex digits"},
                 {"https://h.example/%4", "% not followed by two hex digits"},
             }) {
            auto r = webhooks::parse_webhook_url(c.url);
            CAPTURE(c.url);
            auto const message = refusal(r);
            CHECK_MESSAGE(contains(message, c.reason), message);
        }
        // The field name is the caller's.
        auto r = webhooks::parse_webhook_url("nope", "target_url");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().details.at(0).field == "target_url");
    }

    TEST_CASE("vet refuses a URL when ANY resolved address is internal") {
        FakeResolver dns;
        dns.table["hooks.example.com"] = {"93.184.216.34", "2606:2800:220:1::248"};
        dns.table["mixed.example.com"] = {"93.184.216.34", "10.1.2.3"};
        dns.table["rebind.example.com"] = {"169.254.169.254"};
        dns.table["mapped.example.com"] = {"::ffff:192.168.0.10"};
        dns.table["empty.example.com"] = {};
        webhooks::UrlPolicy const strict{};

        auto ok = webhooks::vet_webhook_url("https://hooks.example.com/in", dns, strict);
        REQUIRE(ok.has_value());
        CHECK(
            ok->address_texts() == std::vector<std::string>{"93.184.216.34", "2606:2800:220:1::248"}
        );
        CHECK(ok->url.host == "hooks.example.com");

        auto m = refusal(webhooks::vet_webhook_url("https://mixed.example.com/", dns, strict));
        CHECK(contains(m, "host mixed.example.com resolves to 10.1.2.3, a private address"));
        CHECK(contains(m, "--webhook-allow-private"));
        m = refusal(webhooks::vet_webhook_url("https://rebind.example.com/", dns, strict));
        CHECK(contains(m, "a link-local address (the cloud metadata service)"));
        m = refusal(webhooks::vet_webhook_url("https://mapped.example.com/", dns, strict));
        CHECK(contains(m, "::ffff:192.168.0.10, a private address"));
        m = refusal(webhooks::vet_webhook_url("https://10.0.0.1/hook", dns, strict));
        CHECK(contains(m, "10.0.0.1 is a private address"));
        m = refusal(webhooks::vet_webhook_url("https://169.254.169.254/latest/", dns, strict));
        CHECK(contains(m, "169.254.169.254 is a link-local address (the cloud metadata service)"));
        m = refusal(webhooks::vet_webhook_url("https://0.0.0.0/", dns, strict));
        CHECK(contains(m, "0.0.0.0 is an unspecified address"));
        m = refusal(webhooks::vet_webhook_url("https://[::ffff:10.0.0.1]/", dns, strict));
        CHECK(contains(m, "::ffff:10.0.0.1 is a private address"));
        m = refusal(webhooks::vet_webhook_url("https://[fe80::1]/", dns, strict));
        CHECK(contains(m, "link-local"));
        m = refusal(webhooks::vet_webhook_url("https://224.0.0.1/", dns, strict));
        CHECK(contains(m, "multicast"));
        m = refusal(webhooks::vet_webhook_url("https://nowhere.example/", dns, strict));
        CHECK(contains(m, "host nowhere.example does not resolve"));
        m = refusal(webhooks::vet_webhook_url("https://empty.example.com/", dns, strict));
        CHECK(contains(m, "does not resolve"));
        // Literals never reach the resolver.
        CHECK(std::count(dns.asked.begin(), dns.asked.end(), "10.0.0.1") == 0);
    }

    TEST_CASE("vet allows plain http only when every address is loopback") {
        FakeResolver dns;
        dns.table["localhost"] = {"127.0.0.1", "::1"};
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        dns.table["half.example.com"] = {"127.0.0.1", "93.184.216.34"};
        webhooks::UrlPolicy const strict{};

        CHECK(webhooks::vet_webhook_url("http://127.0.0.1:9999/hook", dns, strict).has_value());
        CHECK(webhooks::vet_webhook_url("http://[::1]:9999/", dns, strict).has_value());
        CHECK(webhooks::vet_webhook_url("http://[::ffff:127.0.0.1]/", dns, strict).has_value());
        auto local = webhooks::vet_webhook_url("http://localhost:8080/in", dns, strict);
        REQUIRE(local.has_value());
        CHECK(local->addresses.size() == 2);
        CHECK(webhooks::vet_webhook_url("https://127.0.0.1/", dns, strict).has_value());

        for (char const* url :
             {"http://hooks.example.com/",
              "http://half.example.com/",
              "http://8.8.8.8/",
              "http://does-not-resolve.example/"}) {
            auto m = refusal(webhooks::vet_webhook_url(url, dns, strict));
            CHECK_MESSAGE(contains(m, "plain http is allowed only to loopback receivers"), url);
            CHECK(contains(m, "--webhook-allow-http"));
        }
        // An internal address is named as such, even over http.
        auto m = refusal(webhooks::vet_webhook_url("http://10.0.0.1/", dns, strict));
        CHECK(contains(m, "10.0.0.1 is a private address"));
    }

    TEST_CASE("the two flags lift their own rule only") {
        FakeResolver dns;
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        dns.table["intranet.example"] = {"10.0.0.5"};
        webhooks::UrlPolicy const http_ok{.allow_http = true, .allow_private = false};
        webhooks::UrlPolicy const private_ok{.allow_http = false, .allow_private = true};
        webhooks::UrlPolicy const both{.allow_http = true, .allow_private = true};

        CHECK(webhooks::vet_webhook_url("http://hooks.example.com/", dns, http_ok).has_value());
        CHECK_FALSE(webhooks::vet_webhook_url("http://intranet.example/", dns, http_ok).has_value()
        );
        CHECK(webhooks::vet_webhook_url("https://intranet.example/", dns, private_ok).has_value());
        CHECK(webhooks::vet_webhook_url("https://169.254.169.254/", dns, private_ok).has_value());
        auto m = refusal(webhooks::vet_webhook_url("http://intranet.example/", dns, private_ok));
        CHECK(contains(m, "plain http"));
        CHECK(webhooks::vet_webhook_url("http://intranet.example/", dns, both).has_value());
        // Neither flag makes a malformed URL acceptable.
        CHECK_FALSE(webhooks::vet_webhook_url("ftp://intranet.example/", dns, both).has_value());
        CHECK_FALSE(webhooks::vet_webhook_url("https://u@hooks.example.com/", dns, both).has_value()
        );
        // Still a name that does not resolve is refused.
        m = refusal(webhooks::vet_webhook_url("http://nowhere.example/", dns, both));
        CHECK(contains(m, "does not resolve"));
    }

    TEST_CASE("a temporary DNS failure is kUnavailable, and every call resolves again") {
        FakeResolver dns;
        dns.flaky = {"flaky.example.com"};
        auto r = webhooks::vet_webhook_url("https://flaky.example.com/", dns, {});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == core::ErrorKind::kUnavailable);

        // DNS rebinding: the answer changes between configuration and delivery.
        dns.table["rebinding.example"] = {"93.184.216.34"};
        CHECK(webhooks::vet_webhook_url("https://rebinding.example/", dns, {}).has_value());
        dns.table["rebinding.example"] = {"127.0.0.1", "10.0.0.7"};
        auto m = refusal(webhooks::vet_webhook_url("https://rebinding.example/", dns, {}));
        CHECK(contains(m, "10.0.0.7"));
        CHECK(std::count(dns.asked.begin(), dns.asked.end(), "rebinding.example") == 2);
    }

    TEST_CASE("the system resolver reads localhost and refuses a name that cannot exist") {
        webhooks::SystemResolver dns;
        auto local = dns.resolve("localhost");
        REQUIRE_MESSAGE(local.has_value(), local.error().message);
        REQUIRE_FALSE(local->empty());
        for (auto const& a : *local) {
            CHECK(webhooks::classify(a) == AddressClass::kLoopback);
        }
        // .invalid is reserved never to resolve (RFC 2606).
        auto none = dns.resolve("no-such-host.invalid");
        REQUIRE_FALSE(none.has_value());
        CHECK(
            (none.error().kind == core::ErrorKind::kInvalidArgument ||
             none.error().kind == core::ErrorKind::kUnavailable)
        );
    }
}
