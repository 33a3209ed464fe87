// The SMTP client against a real SMTP server (aiosmtpd from Debian's
// python3-aiosmtpd, tests/server/delivery/smtp_sink.py): the dialogue, the
// message as received (headers, CRLF, dot-stuffing undone, encoded subject),
// 5xx and 4xx replies; and, without a server, header-injection refusals and
// the per-step timeout against a relay that never greets.
#include "server/delivery/smtp_sender.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/server/delivery/smtp_sink.hpp"
#include "tests/support/fakes.hpp"
#include "tests/support/process.hpp"

using namespace signoff;
using server::core::ErrorKind;
using server::delivery::Email;
using server::delivery::make_smtp_sender;
using server::delivery::SmtpConfig;

namespace {

SmtpConfig config(std::uint16_t port) {
    SmtpConfig c;
    c.host = "127.0.0.1";
    c.port = port;
    c.from = "signoff@acme.example";
    c.helo_name = "signoff.test";
    return c;
}

}  // namespace

TEST_SUITE("server/delivery/smtp_sender") {
    TEST_CASE("a message reaches a real SMTP server intact, dot-stuffing and all") {
        testing::SmtpSink sink;
        testing::FakeClock clock;
        auto sender = make_smtp_sender(config(sink.port), clock);
        Email email{
            {"alice@acme.example", "bob@acme.example"},
            "Access approved: openai-team",
            "Hello,\n.hidden line\n.\nlast line\r\nno newline at end"};
        auto sent = sender->send(email);
        REQUIRE_MESSAGE(sent.has_value(), sent.error().message);
        auto m = sink.next_message();
        CHECK(m.at("helo") == "signoff.test");
        CHECK(m.at("from") == "signoff@acme.example");
        CHECK(m.at("to") == boost::json::array{"alice@acme.example", "bob@acme.example"});
        std::string data{m.at("data").as_string()};
        CHECK(
            data.starts_with("From: signoff@acme.example\r\n"
                             "To: alice@acme.example, bob@acme.example\r\n"
                             "Subject: Access approved: openai-team\r\n"
                             "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
                             "Message-ID: <")
        );
        CHECK(data.find("@signoff.test>\r\nMIME-Version: 1.0\r\n") != std::string::npos);
        CHECK(data.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
        CHECK(data.ends_with(
            "\r\n\r\nHello,\r\n.hidden line\r\n.\r\nlast line\r\nno newline at end\r\n"
        ));
    }

    TEST_CASE("a non-ASCII subject is sent as RFC 2047 encoded words") {
        testing::SmtpSink sink;
        testing::FakeClock clock;
        auto sender = make_smtp_sender(config(sink.port), clock);
        REQUIRE(sender->send(Email{{"alice@acme.example"}, "批准 ✓", "body"}).has_value());
        std::string data{sink.next_message().at("data").as_string()};
        // base64("批准 ✓") = 5om55YeGIOKckw==
        CHECK(data.find("\r\nSubject: =?UTF-8?B?5om55YeGIOKckw==?=\r\n") != std::string::npos);
    }

    TEST_CASE("a refused recipient is permanent (5xx), a deferred one transient (4xx)") {
        testing::SmtpSink sink;
        testing::FakeClock clock;
        auto sender = make_smtp_sender(config(sink.port), clock);
        auto rejected = sender->send(Email{{"ok@acme.example", "reject@acme.example"}, "s", "b"});
        REQUIRE(rejected.has_error());
        CHECK(rejected.error().kind == ErrorKind::kFailedPrecondition);
        CHECK(
            rejected.error().message.find("refused RCPT: 550 5.1.1 no such user") !=
            std::string::npos
        );
        auto deferred = sender->send(Email{{"defer@acme.example"}, "s", "b"});
        REQUIRE(deferred.has_error());
        CHECK(deferred.error().kind == ErrorKind::kUnavailable);
        // The sink is still serving: a good message after the refusals arrives.
        REQUIRE(sender->send(Email{{"ok@acme.example"}, "after", "b"}).has_value());
        CHECK(sink.next_message().at("to") == boost::json::array{"ok@acme.example"});
    }

    TEST_CASE("addresses and subjects that could inject headers or commands are refused unsent") {
        testing::FakeClock clock;
        // Port 9 on 127.0.0.1: nothing listens, so reaching the network would
        // show as kUnavailable rather than the kInvalidArgument expected here.
        auto sender = make_smtp_sender(config(9), clock);
        struct Case {
            Email email;
            char const* field;
        };
        for (auto const& c : {
                 Case{{{"a@acme.example\r\nRCPT TO:<x@evil.example>"}, "s", "b"}, "to[0]"},
                 Case{{{"a@acme.example", "b@evil.example>"}, "s", "b"}, "to[1]"},
                 Case{{{"<a@acme.example"}, "s", "b"}, "to[0]"},
                 Case{{{"no-at-sign"}, "s", "b"}, "to[0]"},
                 Case{{{"@acme.example"}, "s", "b"}, "to[0]"},
                 Case{{{"a b@acme.example"}, "s", "b"}, "to[0]"},
                 Case{{{"a@acme.example, c@evil.example"}, "s", "b"}, "to[0]"},
                 Case{{{}, "s", "b"}, "to"},
                 Case{{{"a@acme.example"}, "hi\r\nBcc: x@evil.example", "b"}, "subject"},
                 Case{{{"a@acme.example"}, "hi\nBcc: x@evil.example", "b"}, "subject"},
                 Case{{{"a@acme.example"}, std::string(501, 's'), "b"}, "subject"},
             }) {
            auto r = sender->send(c.email);
            REQUIRE(r.has_error());
            CHECK(r.error().kind == ErrorKind::kInvalidArgument);
            REQUIRE(!r.error().details.empty());
            CHECK(r.error().details[0].field == c.field);
        }
        auto bad_from = config(9);
        bad_from.from = "me@acme.example>\r\nDATA";
        auto r = make_smtp_sender(bad_from, clock)->send(Email{{"a@acme.example"}, "s", "b"});
        REQUIRE(r.has_error());
        CHECK(r.error().details.at(0).field == "from");
    }

    TEST_CASE("a relay that never greets costs one timeout and a closed port is unavailable") {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor silent{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
        testing::FakeClock clock;
        auto c = config(silent.local_endpoint().port());
        c.timeout = std::chrono::milliseconds{300};
        auto r = make_smtp_sender(c, clock)->send(Email{{"a@acme.example"}, "s", "b"});
        REQUIRE(r.has_error());
        CHECK(r.error().kind == ErrorKind::kUnavailable);
        CHECK(r.error().message.find("greeting: timed out after 300 ms") != std::string::npos);

        boost::asio::ip::tcp::socket bound{io};
        bound.open(boost::asio::ip::tcp::v4());
        bound.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
        auto closed = make_smtp_sender(config(bound.local_endpoint().port()), clock);
        auto refused = closed->send(Email{{"a@acme.example"}, "s", "b"});
        REQUIRE(refused.has_error());
        CHECK(refused.error().kind == ErrorKind::kUnavailable);
        CHECK(refused.error().message.find("Connection refused") != std::string::npos);
    }

    TEST_CASE("the DATA section is CRLF, dot-stuffed and terminated") {
        testing::FakeClock clock;
        SmtpConfig c = config(25);
        std::string const m = server::delivery::smtp_message(
            c, Email{{"a@acme.example"}, "s", ".a\r.b\n\nc."}, clock.now(), "id@x"
        );
        CHECK(m.ends_with("\r\n\r\n..a\r\n..b\r\n\r\nc.\r\n.\r\n"));
        CHECK(
            server::delivery::smtp_message(c, Email{{"a@acme.example"}, "s", ""}, clock.now(), "i")
                .ends_with("\r\n\r\n.\r\n")
        );
    }
}
