// The real webhook sender (see http_sender.hpp): one io_context per attempt
// runs one coroutine — connect to a vetted address, TLS with SNI and host-name
// verification, write, read the head of the answer — under one deadline.
// Beast rather than cpp-httplib: httplib.h stays in transport/http/ (STYLE.md
// rule 14, tests/arch), and Beast lets us dial an address and name a host.
#include "server/delivery/http_sender.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace signoff::server::delivery {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using std::chrono::milliseconds;

constexpr auto kUse = net::as_tuple(net::use_awaitable);

bool has_line_break(std::string_view s) {
    return s.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos;
}

/// An RFC 9110 token: what a header name may be made of.
bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
    });
}

bool is_ip_literal(std::string const& host) {
    boost::system::error_code ec;
    net::ip::make_address(host, ec);
    return !ec;
}

/// Headers we set from the request itself; a caller's copy is ignored.
bool reserved_header(std::string_view name) {
    for (auto const r : {"host", "content-length", "transfer-encoding", "connection"}) {
        if (beast::iequals(name, r)) {
            return true;
        }
    }
    return false;
}

/// One attempt's state, shared by the coroutine and send().
struct Exchange {
    HttpRequest const& request;
    ParsedUrl const& url;
    HttpSenderOptions const& options;
    ssl::context& tls;
    std::chrono::steady_clock::time_point deadline;
    Attempt& out;
};

std::string failure(std::string_view step, boost::system::error_code const& ec, Exchange& x) {
    if (ec == beast::error::timeout) {
        return std::string{step} + ": timed out after " +
               std::to_string(x.options.timeout.count()) + " ms";
    }
    return std::string{step} + ": " + ec.message();
}

std::optional<http::request<http::string_body>> build_request(Exchange& x) {
    http::verb const verb = http::string_to_verb(x.request.method);
    if (verb == http::verb::unknown) {
        x.out.error = "unsupported method '" + x.request.method + "'";
        return std::nullopt;
    }
    http::request<http::string_body> req{verb, x.url.target, 11};
    req.set(http::field::host, x.url.host_header);
    req.set(http::field::user_agent, x.options.user_agent);
    req.set(http::field::content_type, "application/json");
    for (auto const& h : x.request.headers) {
        if (!is_token(h.name) || has_line_break(h.value)) {
            x.out.error = "header '" + h.name + "' is not a valid name and one-line value";
            return std::nullopt;
        }
        if (!reserved_header(h.name)) {
            req.set(h.name, h.value);
        }
    }
    req.set(http::field::connection, "close");
    req.body() = x.request.body;
    req.prepare_payload();
    return req;
}

/// Reads the status and up to max_answer bytes of the body; the rest is left
/// unread (the connection is closed), so a huge answer costs nothing.
template <class Stream>
net::awaitable<void> read_answer(Stream& stream, Exchange& x) {
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    beast::get_lowest_layer(stream).expires_at(x.deadline);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUse);
    if (ec) {
        x.out.error = failure("reading the answer", ec, x);
        co_return;
    }
    x.out.status = static_cast<int>(parser.get().result_int());
    std::array<char, 1024> chunk{};
    while (!parser.is_done() && x.out.answer_head.size() < x.options.max_answer) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        beast::get_lowest_layer(stream).expires_at(x.deadline);
        auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kUse);
        if (rec && rec != http::error::need_buffer) {
            break;  // the status already arrived; a cut-short body does not undo it
        }
        x.out.answer_head.append(chunk.data(), chunk.size() - parser.get().body().size);
    }
    if (x.out.answer_head.size() > x.options.max_answer) {
        x.out.answer_head.resize(x.options.max_answer);
    }
}

template <class Stream>
net::awaitable<void> talk(Stream& stream, http::request<http::string_body>& req, Exchange& x) {
    beast::get_lowest_layer(stream).expires_at(x.deadline);
    auto [ec, n] = co_await http::async_write(stream, req, kUse);
    if (ec) {
        x.out.error = failure("sending the request", ec, x);
        co_return;
    }
    co_await read_answer(stream, x);
}

/// Tries the vetted addresses in order; true once one accepted.
net::awaitable<bool> connect(beast::tcp_stream& stream, Exchange& x) {
    std::string errors;
    for (auto const& address : x.request.addresses) {
        boost::system::error_code ec;
        auto const ip = net::ip::make_address(address, ec);
        if (!ec) {
            stream.expires_at(x.deadline);
            std::tie(ec) = co_await stream.async_connect(tcp::endpoint{ip, x.url.port}, kUse);
            if (!ec) {
                co_return true;
            }
            stream.close();  // a timed-out or refused socket cannot be reused
        }
        errors += (errors.empty() ? "" : "; ") + address + ": " +
                  (ec == beast::error::timeout ? "timed out" : ec.message());
    }
    x.out.error = errors.empty() ? "no vetted address to connect to" : "connect: " + errors;
    co_return false;
}

/// SNI and the name the certificate must carry: a DNS name, or an IP address
/// for an IP-literal URL (which sends no SNI, as RFC 6066 asks).
bool name_the_peer(SSL* ssl, std::string const& host) {
    if (is_ip_literal(host)) {
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    }
    return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
           SSL_set1_host(ssl, host.c_str()) == 1;
}

net::awaitable<void> exchange(Exchange& x) {
    auto req = build_request(x);  // a bad request fails before connecting
    if (!req) {
        co_return;
    }
    beast::tcp_stream stream{co_await net::this_coro::executor};
    if (!co_await connect(stream, x)) {
        co_return;
    }
    if (!x.url.tls) {
        co_await talk(stream, *req, x);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream{std::move(stream), x.tls};
    if (!name_the_peer(tls_stream.native_handle(), x.url.host)) {
        x.out.error = "TLS: cannot set the server name '" + x.url.host + "'";
        co_return;
    }
    beast::get_lowest_layer(tls_stream).expires_at(x.deadline);
    auto [ec] = co_await tls_stream.async_handshake(ssl::stream_base::client, kUse);
    if (ec) {
        x.out.error = failure("TLS handshake", ec, x);
        co_return;
    }
    co_await talk(tls_stream, *req, x);
}

class BeastSender final : public HttpSender {
public:
    BeastSender(HttpSenderOptions options, SteadyClock const& clock)
        : options_(std::move(options)), clock_(clock), tls_(ssl::context::tls_client) {
        SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
        tls_.set_verify_mode(ssl::verify_peer);
        boost::system::error_code ec;
        tls_.set_default_verify_paths(ec);
        if (!ec && !options_.extra_ca_file.empty()) {
            tls_.load_verify_file(options_.extra_ca_file, ec);
        }
        if (ec) {
            setup_error_ = "TLS trust store: " + ec.message();
        }
    }

    Attempt send(HttpRequest const& request) override {
        auto const start = clock_.now();
        Attempt out;
        run(request, out);
        out.latency = std::chrono::duration_cast<milliseconds>(clock_.now() - start);
        return out;
    }

private:
    void run(HttpRequest const& request, Attempt& out) {
        auto url = parse_url(request.url);
        if (!url) {
            out.error = url.error().message;
            return;
        }
        if (!setup_error_.empty()) {
            out.error = setup_error_;
            return;
        }
        try {
            net::io_context io;
            Exchange x{
                request,
                *url,
                options_,
                tls_,
                std::chrono::steady_clock::now() + options_.timeout,
                out};
            net::co_spawn(io, exchange(x), [&out](std::exception_ptr const& e) {
                if (e) {
                    out.error = "internal error while sending";
                }
            });
            io.run();
        } catch (std::exception const&) {
            out.error = "internal error while sending";  // a bug; never escapes the worker
        }
    }

    HttpSenderOptions options_;
    SteadyClock const& clock_;
    ssl::context tls_;
    std::string setup_error_;
};

}  // namespace

AttemptOutcome classify(Attempt const& a) {
    if (a.status >= 200 && a.status <= 299) {
        return AttemptOutcome::kDelivered;
    }
    return a.status == 410 ? AttemptOutcome::kGone : AttemptOutcome::kRetry;
}

std::unique_ptr<HttpSender> make_http_sender(HttpSenderOptions options, SteadyClock const& clock) {
    return std::make_unique<BeastSender>(std::move(options), clock);
}

namespace {

bool host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

bool ipv6_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

bool target_char(char c) {
    auto const u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
}

core::Error bad_url(std::string const& why) {
    return core::Error::invalid_field("url", why);
}

/// "host[:port]" or "[v6][:port]" into `out` (host lowercased).
core::Status parse_authority(std::string_view a, ParsedUrl& out) {
    std::string_view port_text;
    if (!a.empty() && a.front() == '[') {
        auto const close = a.find(']');
        if (close == std::string_view::npos) {
            return bad_url("unclosed '[' in the host");
        }
        out.host = std::string{a.substr(1, close - 1)};
        std::string_view const rest = a.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            return bad_url("unexpected text after the IPv6 address");
        }
        port_text = rest.empty() ? rest : rest.substr(1);
        if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), ipv6_char)) {
            return bad_url("malformed IPv6 address");
        }
    } else {
        auto const colon = a.find(':');
        out.host = std::string{a.substr(0, colon)};
        port_text = colon == std::string_view::npos ? std::string_view{} : a.substr(colon + 1);
        if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), host_char)) {
            return bad_url("the host must be a name or an IP address");
        }
    }
    for (auto& c : out.host) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (port_text.empty()) {
        return {};
    }
    unsigned port = 0;
    auto const [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        return bad_url("the port must be 1-65535");
    }
    out.port = static_cast<std::uint16_t>(port);
    return {};
}

}  // namespace

core::Result<ParsedUrl> parse_url(std::string const& url) {
    ParsedUrl out;
    std::string_view rest{url};
    auto const starts = [&](std::string_view prefix) {
        return rest.size() >= prefix.size() &&
               beast::iequals(rest.substr(0, prefix.size()), prefix);
    };
    if (starts("https://")) {
        out.tls = true;
        rest.remove_prefix(8);
    } else if (starts("http://")) {
        rest.remove_prefix(7);
    } else {
        return bad_url("only http:// and https:// URLs can receive webhooks");
    }
    if (rest.find('#') != std::string_view::npos) {
        return bad_url("a webhook URL has no fragment");
    }
    auto const end = rest.find_first_of("/?");
    std::string_view const authority = rest.substr(0, end);
    if (authority.find('@') != std::string_view::npos) {
        return bad_url("credentials in the URL are not allowed; use a header");
    }
    if (auto s = parse_authority(authority, out); !s) {
        return s.error();
    }
    std::uint16_t const default_port = out.tls ? 443 : 80;
    bool const explicit_port = out.port != 0 && out.port != default_port;
    if (out.port == 0) {
        out.port = default_port;
    }
    std::string_view const target = end == std::string_view::npos ? "" : rest.substr(end);
    if (!std::all_of(target.begin(), target.end(), target_char)) {
        return bad_url("the path contains spaces or control characters");
    }
    out.target =
        target.empty() || target.front() == '?' ? "/" + std::string{target} : std::string{target};
    bool const v6 = out.host.find(':') != std::string::npos;
    out.host_header = v6 ? "[" + out.host + "]" : out.host;
    if (explicit_port) {
        out.host_header += ":" + std::to_string(out.port);
    }
    return out;
}

}  // namespace signoff::server::delivery
