// One webhook attempt over HTTP(S): the HttpSender interface the delivery
// worker calls, and its real implementation (Boost.Beast over Asio, OpenSSL
// with the system trust store). Last step of delivery: signed request → wire →
// Attempt (status, latency, first KiB of the answer) for the delivery log.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/delivery/signing.hpp"

namespace signoff::server::delivery {

/// Monotonic time for latency; injected so tests see exact numbers.
class SteadyClock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    virtual ~SteadyClock() = default;
    virtual TimePoint now() const = 0;
};

class RealSteadyClock final : public SteadyClock {
public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

struct HttpRequest {
    std::string method{"POST"};
    /// http:// or https:// URL; its host goes into Host and TLS SNI and is what
    /// the certificate must name. It is never resolved here.
    std::string url;
    /// Pre-vetted IP addresses of the URL's host (the URL policy resolved and
    /// checked them), tried in order. Connecting only to these defeats DNS
    /// rebinding between the check and the connection.
    std::vector<std::string> addresses;
    Headers headers;
    std::string body;
};

/// What one attempt did, for the delivery log.
struct Attempt {
    int status{0};  // 0 when no HTTP answer arrived
    std::chrono::milliseconds latency{0};
    std::string answer_head;  // at most the first HttpSenderOptions::max_answer bytes
    std::string error;        // transport failure (connect, TLS, timeout); empty otherwise
};

/// How the worker treats an attempt: 2xx delivered; 410 disables the endpoint
/// at once; anything else (no answer, 3xx — redirects are not followed —,
/// 4xx, 5xx) is retried with back-off.
enum class AttemptOutcome : std::uint8_t { kDelivered, kGone, kRetry };
AttemptOutcome classify(Attempt const& a);

class HttpSender {
public:
    virtual ~HttpSender() = default;
    /// Sends one request and waits for the answer's status and head. Never
    /// throws; every failure is reported in Attempt::error. Thread-safe.
    virtual Attempt send(HttpRequest const& request) = 0;
};

struct HttpSenderOptions {
    /// One budget for the whole exchange: connect (all addresses), TLS
    /// handshake, writing the request and reading the answer's head.
    std::chrono::milliseconds timeout{std::chrono::seconds{8}};
    std::size_t max_answer{1024};
    /// Extra PEM trust anchors on top of the system store (empty: none).
    std::string extra_ca_file;
    std::string user_agent{"Signoff-Webhooks/1"};
};

/// The real sender: certificates are always verified against the system trust
/// store (OpenSSL's default paths, on Debian /etc/ssl/certs) plus
/// extra_ca_file, and must name the URL's host. `clock` must outlive it.
std::unique_ptr<HttpSender> make_http_sender(HttpSenderOptions options, SteadyClock const& clock);

/// The parts of an http(s) URL a request needs.
struct ParsedUrl {
    bool tls{false};
    std::string host;  // without brackets for IPv6 literals
    std::uint16_t port{0};
    std::string target;       // path and query, "/" when empty
    std::string host_header;  // host[:port], the port only when not the default
};

/// kInvalidArgument for anything but http/https with a host, an optional
/// port and a path; user-info (user:pass@) and fragments are refused.
core::Result<ParsedUrl> parse_url(std::string const& url);

}  // namespace signoff::server::delivery
