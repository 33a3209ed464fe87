// The SMTP client behind MailSender (see smtp_sender.hpp): one io_context and
// one coroutine per message, each step under its own timeout. The client
// refuses anything that could smuggle a header or a command before it
// connects, so a template's recipients can never add a Bcc: line.
#include "server/delivery/smtp_sender.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/evp.h>

#include "server/core/ids.hpp"

namespace signoff::server::delivery {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;
using core::Error;

constexpr auto kUse = net::as_tuple(net::use_awaitable);
constexpr std::size_t kMaxSubject = 500;
constexpr std::size_t kMaxReply = 64 * 1024;
constexpr std::size_t kEncodedChunk = 45;  // bytes per RFC 2047 word: 60 base64 chars

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
    });
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int const n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<unsigned char const*>(bytes.data()),
        static_cast<int>(bytes.size())
    );
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// RFC 2047 B-encoding in words of whole UTF-8 characters, folded.
std::string encode_subject(std::string_view subject) {
    if (is_ascii(subject)) {
        return std::string{subject};
    }
    std::string out;
    while (!subject.empty()) {
        std::size_t cut = std::min(kEncodedChunk, subject.size());
        while (cut < subject.size() && (static_cast<unsigned char>(subject[cut]) & 0xC0) == 0x80) {
            --cut;  // never split a multi-byte character between two words
        }
        out += (out.empty() ? "" : "\r\n ") + std::string{"=?UTF-8?B?"} +
               base64(subject.substr(0, cut)) + "?=";
        subject.remove_prefix(cut);
    }
    return out;
}

std::string rfc5322_date(core::TimePoint now) {
    std::time_t const t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

/// Lone CR, lone LF and CRLF all become CRLF; lines starting with '.' get a
/// second one (RFC 5321 4.5.2), so no line of the body can end the DATA.
std::string stuffed_body(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') {
            out.push_back('.');
        }
        out.push_back(c);
        line_start = false;
    }
    if (!line_start) {
        out += "\r\n";
    }
    return out;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) {
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    return out;
}

struct Reply {
    int code{0};
    std::string text;  // every line, joined by spaces
};

class Session {
public:
    Session(SmtpConfig const& config, std::string const& message, Email const& email)
        : config_(config), message_(message), email_(email) {}

    net::awaitable<core::Status> run() {
        stream_.emplace(co_await net::this_coro::executor);
        if (auto s = co_await connect(); !s) {
            co_return s;
        }
        if (auto s = co_await expect("greeting", 220); !s) {
            co_return s;
        }
        if (auto s = co_await hello(); !s) {
            co_return s;
        }
        if (auto s = co_await command("MAIL FROM:<" + config_.from + ">", 250); !s) {
            co_return s;
        }
        for (auto const& to : email_.to) {
            if (auto s = co_await command("RCPT TO:<" + to + ">", 250, 251); !s) {
                co_return s;
            }
        }
        if (auto s = co_await command("DATA", 354); !s) {
            co_return s;
        }
        if (auto s = co_await send_raw(message_, "the message", 250); !s) {
            co_return s;
        }
        co_await command("QUIT", 221);  // the message is accepted; a rude hang-up is fine
        co_return core::Status{};
    }

private:
    net::awaitable<core::Status> connect() {
        tcp::resolver resolver{co_await net::this_coro::executor};
        auto [rec, endpoints] =
            co_await resolver.async_resolve(config_.host, std::to_string(config_.port), kUse);
        if (rec) {
            co_return Error::unavailable("SMTP relay " + config_.host + ": " + rec.message());
        }
        stream_->expires_after(config_.timeout);
        auto [ec, ep] = co_await stream_->async_connect(endpoints, kUse);
        if (ec) {
            co_return Error::unavailable("SMTP relay " + relay() + ": " + describe(ec));
        }
        co_return core::Status{};
    }

    net::awaitable<core::Status> hello() {
        auto r = co_await exchange("EHLO " + config_.helo_name);
        if (r && r->code == 250) {
            co_return core::Status{};
        }
        if (r && r->code >= 500) {  // an RFC 821 relay: fall back to HELO
            co_return co_await command("HELO " + config_.helo_name, 250);
        }
        co_return r ? refused("EHLO", *r) : core::Status{r.error()};
    }

    net::awaitable<core::Status> command(std::string const& line, int ok, int also_ok = 0) {
        auto r = co_await exchange(line);
        if (!r) {
            co_return r.error();
        }
        if (r->code != ok && r->code != also_ok) {
            co_return refused(line.substr(0, line.find_first_of(":< ")), *r);
        }
        co_return core::Status{};
    }

    net::awaitable<core::Result<Reply>> exchange(std::string const& line) {
        co_return co_await send_and_read(line + "\r\n", line.substr(0, 4));
    }

    net::awaitable<core::Status> send_raw(std::string const& data, char const* what, int ok) {
        auto r = co_await send_and_read(data, what);
        if (!r) {
            co_return r.error();
        }
        co_return r->code == ok ? core::Status{} : refused(what, *r);
    }

    net::awaitable<core::Result<Reply>> send_and_read(std::string const& data, std::string what) {
        stream_->expires_after(config_.timeout);
        auto [ec, n] = co_await net::async_write(*stream_, net::buffer(data), kUse);
        if (ec) {
            co_return Error::unavailable(
                "SMTP relay " + relay() + ", " + what + ": " + describe(ec)
            );
        }
        co_return co_await read_reply(what);
    }

    net::awaitable<core::Status> expect(char const* what, int ok) {
        auto r = co_await read_reply(what);
        if (!r) {
            co_return r.error();
        }
        co_return r->code == ok ? core::Status{} : refused(what, *r);
    }

    /// One reply: "250-first", "250-more", "250 last" (RFC 5321 4.2.1).
    net::awaitable<core::Result<Reply>> read_reply(std::string const& what) {
        Reply reply;
        for (;;) {
            stream_->expires_after(config_.timeout);
            auto [ec, n] = co_await net::async_read_until(
                *stream_, net::dynamic_buffer(in_, kMaxReply), "\r\n", kUse
            );
            if (ec) {
                co_return Error::unavailable(
                    "SMTP relay " + relay() + ", reply to " + what + ": " + describe(ec)
                );
            }
            std::string const line = in_.substr(0, n - 2);
            in_.erase(0, n);
            if (line.size() < 3 || !std::all_of(line.begin(), line.begin() + 3, is_digit)) {
                co_return Error::unavailable("SMTP relay " + relay() + " answered garbage");
            }
            reply.code = std::stoi(line.substr(0, 3));
            reply.text += (reply.text.empty() ? "" : " ") + printable(line);
            if (line.size() == 3 || line[3] != '-') {
                co_return reply;
            }
        }
    }

    Error refused(std::string const& what, Reply const& r) const {
        std::string msg = "SMTP relay " + relay() + " refused " + what + ": " + r.text;
        return r.code >= 500 && r.code < 600 ? Error::failed_precondition(std::move(msg))
                                             : Error::unavailable(std::move(msg));
    }

    std::string describe(boost::system::error_code const& ec) const {
        return ec == beast::error::timeout
                   ? "timed out after " + std::to_string(config_.timeout.count()) + " ms"
                   : ec.message();
    }

    std::string relay() const { return config_.host + ":" + std::to_string(config_.port); }

    SmtpConfig const& config_;
    std::string const& message_;
    Email const& email_;
    std::optional<beast::tcp_stream> stream_;
    std::string in_;
};

class SmtpSender final : public MailSender {
public:
    SmtpSender(SmtpConfig config, core::Clock const& clock)
        : config_(std::move(config)), clock_(clock) {}

    core::Status send(Email const& email) override {
        if (auto s = check(email); !s) {
            return s;
        }
        std::string const id = core::random_hex(16) + "@" + config_.helo_name;
        std::string const message = smtp_message(config_, email, clock_.now(), id);
        core::Status result = Error::internal("the SMTP session did not finish");
        try {
            net::io_context io;
            Session session{config_, message, email};
            net::co_spawn(
                io,
                session.run(),
                [&result](std::exception_ptr const& e, core::Status s) {
                    result = e ? core::Status{Error::internal("SMTP session failed")} : s;
                }
            );
            io.run();
        } catch (std::exception const&) {
            result = Error::internal("SMTP session failed");  // a bug; never escapes the worker
        }
        return result;
    }

private:
    core::Status check(Email const& email) const {
        if (auto s = check_address(config_.from, "from"); !s) {
            return s;
        }
        if (email.to.empty()) {
            return Error::invalid_field("to", "at least one recipient is required");
        }
        for (std::size_t i = 0; i < email.to.size(); ++i) {
            if (auto s = check_address(email.to[i], "to[" + std::to_string(i) + "]"); !s) {
                return s;
            }
        }
        if (email.subject.find_first_of("\r\n") != std::string::npos ||
            email.subject.size() > kMaxSubject) {
            return Error::invalid_field("subject", "one line of at most 500 bytes");
        }
        return {};
    }

    SmtpConfig config_;
    core::Clock const& clock_;
};

}  // namespace

std::unique_ptr<MailSender> make_smtp_sender(SmtpConfig config, core::Clock const& clock) {
    return std::make_unique<SmtpSender>(std::move(config), clock);
}

core::Status check_address(std::string const& address, std::string const& field) {
    auto const at = address.rfind('@');
    bool const shaped = at != std::string::npos && at > 0 && at + 1 < address.size();
    bool const clean = std::none_of(address.begin(), address.end(), [](char c) {
        auto const u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',';
    });
    if (!shaped || !clean || address.size() > 254) {
        return Error::invalid_field(field, "not a plain e-mail address (local@domain)");
    }
    return {};
}

std::string smtp_message(
    SmtpConfig const& config, Email const& email, core::TimePoint now, std::string const& message_id
) {
    std::string to;
    for (auto const& r : email.to) {
        to += (to.empty() ? "" : ", ") + r;
    }
    std::string out = "From: " + config.from + "\r\n";
    out += "To: " + to + "\r\n";
    out += "Subject: " + encode_subject(email.subject) + "\r\n";
    out += "Date: " + rfc5322_date(now) + "\r\n";
    out += "Message-ID: <" + message_id + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: 8bit\r\n";
    out += "\r\n";
    out += stuffed_body(email.text);
    out += ".\r\n";
    return out;
}

}  // namespace signoff::server::delivery
