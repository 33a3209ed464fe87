// The real webhook sender against local receivers: statuses and their
// classification, the vetted address dialled while the URL's host is named
// (Host header, SNI, certificate check), the attempt's deadline, the 1 KiB
// answer head, refused connections, and TLS verified against the trust store.
#include "server/delivery/http_sender.hpp"

#include <atomic>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

#include "tests/server/delivery/local_receiver.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using namespace signoff::server::delivery;
using std::chrono::milliseconds;
using testing::Answer;
using testing::LocalReceiver;

namespace {

/// Each reading is 42 ms after the previous one, so one send measures 42 ms.
class StepClock final : public SteadyClock {
public:
    TimePoint now() const override { return TimePoint{milliseconds{42 * ticks_++}}; }

private:
    mutable std::atomic<long> ticks_{0};
};

struct Fixture {
    StepClock clock;
    HttpSenderOptions options;

    Attempt send(std::string const& url, std::vector<std::string> addresses = {"127.0.0.1"}) {
        auto sender = make_http_sender(options, clock);
        HttpRequest r;
        r.url = url;
        r.addresses = std::move(addresses);
        r.headers = {{"X-Signoff-Event", "team_support.approved"}, {"X-Signoff-Delivery", "evt_1"}};
        r.body = R"({"id":"evt_1"})";
        return sender->send(r);
    }
};

std::string local_url(LocalReceiver const& r, std::string const& scheme = "http") {
    return scheme + "://hooks.example.test:" + std::to_string(r.port()) + "/in?x=1";
}

/// A port on which a socket is bound but not listening: connecting is refused.
struct RefusingPort {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket{io};
    RefusingPort() {
        socket.open(boost::asio::ip::tcp::v4());
        socket.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    }
    std::uint16_t port() const { return socket.local_endpoint().port(); }
};

}  // namespace

TEST_SUITE("server/delivery/http_sender") {
    TEST_CASE("a 200 answer is delivered and the vetted address is dialled under the URL name") {
        LocalReceiver receiver{Answer{200, "thanks"}};
        Fixture f;
        Attempt a = f.send(local_url(receiver));
        CHECK(a.error == "");
        CHECK(a.status == 200);
        CHECK(a.answer_head == "thanks");
        CHECK(a.latency == milliseconds{42});
        CHECK(classify(a) == AttemptOutcome::kDelivered);
        auto got = receiver.received();
        REQUIRE(got.size() == 1);
        CHECK(got[0].method == "POST");
        CHECK(got[0].target == "/in?x=1");
        CHECK(got[0].headers["host"] == "hooks.example.test:" + std::to_string(receiver.port()));
        CHECK(got[0].headers["x-signoff-event"] == "team_support.approved");
        CHECK(got[0].headers["x-signoff-delivery"] == "evt_1");
        CHECK(got[0].headers["content-type"] == "application/json");
        CHECK(got[0].headers["user-agent"] == "Signoff-Webhooks/1");
        CHECK(got[0].body == R"({"id":"evt_1"})");
    }

    TEST_CASE("500 is retried and 410 disables the endpoint, both answers logged") {
        LocalReceiver failing{Answer{500, "oops"}};
        LocalReceiver gone{Answer{410, "unsubscribed"}};
        Fixture f;
        Attempt a = f.send(local_url(failing));
        CHECK(a.status == 500);
        CHECK(a.answer_head == "oops");
        CHECK(a.error == "");
        CHECK(classify(a) == AttemptOutcome::kRetry);
        Attempt b = f.send(local_url(gone));
        CHECK(b.status == 410);
        CHECK(b.answer_head == "unsubscribed");
        CHECK(classify(b) == AttemptOutcome::kGone);
    }

    TEST_CASE("redirects are not followed but retried like any other non-2xx") {
        LocalReceiver moved{Answer{302, ""}};
        Fixture f;
        Attempt a = f.send(local_url(moved));
        CHECK(a.status == 302);
        CHECK(classify(a) == AttemptOutcome::kRetry);
        CHECK(moved.received().size() == 1);
    }

    TEST_CASE("a receiver that never answers costs one deadline and is retried") {
        LocalReceiver hanging{Answer{200, "", true}};
        Fixture f;
        f.options.timeout = milliseconds{300};
        Attempt a = f.send(local_url(hanging));
        CHECK(a.status == 0);
        CHECK(a.error == "reading the answer: timed out after 300 ms");
        CHECK(classify(a) == AttemptOutcome::kRetry);
    }

    TEST_CASE("only the first KiB of a long answer is kept") {
        std::string big;
        for (int i = 0; i < 5 * 1024; ++i) {
            big.push_back(static_cast<char>('a' + i % 26));
        }
        LocalReceiver verbose{Answer{200, big}};
        Fixture f;
        Attempt a = f.send(local_url(verbose));
        CHECK(a.status == 200);
        CHECK(a.answer_head.size() == 1024);
        CHECK(a.answer_head == big.substr(0, 1024));
    }

    TEST_CASE("a refused connection is a transport error and the next vetted address is tried") {
        RefusingPort closed;
        Fixture f;
        Attempt a = f.send("http://hooks.example.test:" + std::to_string(closed.port()) + "/");
        CHECK(a.status == 0);
        CHECK(a.error == "connect: 127.0.0.1: Connection refused");
        CHECK(classify(a) == AttemptOutcome::kRetry);

        LocalReceiver receiver{Answer{204, ""}};
        Attempt b = f.send(local_url(receiver), {"not-an-ip", "127.0.0.2", "127.0.0.1"});
        CHECK(b.status == 204);
        CHECK(b.error == "");
    }

    TEST_CASE("bad requests fail before any byte is sent") {
        LocalReceiver receiver{Answer{}};
        Fixture f;
        CHECK(f.send(local_url(receiver), {}).error == "no vetted address to connect to");
        CHECK(
            f.send("ftp://hooks.example.test/").error ==
            "only http:// and https:// URLs can receive webhooks"
        );
        auto sender = make_http_sender(f.options, f.clock);
        HttpRequest r{
            "POST", local_url(receiver), {"127.0.0.1"}, {{"X-Evil", "a\r\nInjected: 1"}}, ""};
        CHECK(sender->send(r).error == "header 'X-Evil' is not a valid name and one-line value");
        r.headers = {{"Bad Name", "v"}};
        CHECK(sender->send(r).error == "header 'Bad Name' is not a valid name and one-line value");
        r.headers = {{"", "v"}};
        CHECK(sender->send(r).error == "header '' is not a valid name and one-line value");
        r.headers.clear();
        r.method = "BREW";
        CHECK(sender->send(r).error == "unsupported method 'BREW'");
        CHECK(receiver.received().empty());
    }

    TEST_CASE("a caller's Host or Content-Length header cannot override the real ones") {
        LocalReceiver receiver{Answer{}};
        Fixture f;
        auto sender = make_http_sender(f.options, f.clock);
        HttpRequest r{
            "PUT",
            local_url(receiver),
            {"127.0.0.1"},
            {{"Host", "evil.example"}, {"Content-Length", "0"}, {"Content-Type", "text/plain"}},
            "body"};
        CHECK(sender->send(r).status == 200);
        auto got = receiver.received();
        REQUIRE(got.size() == 1);
        CHECK(got[0].method == "PUT");
        CHECK(got[0].headers["host"] == "hooks.example.test:" + std::to_string(receiver.port()));
        CHECK(got[0].headers["content-type"] == "text/plain");
        CHECK(got[0].body == "body");
    }

    TEST_CASE("an HTTPS receiver with a self-signed certificate is refused as unverified") {
        auto identity = testing::make_self_signed("hooks.example.test");
        LocalReceiver receiver{Answer{}, &identity};
        Fixture f;
        Attempt a = f.send(local_url(receiver, "https"));
        CHECK(a.status == 0);
        CHECK(a.error.starts_with("TLS handshake: certificate verify failed"));
        CHECK(receiver.received().empty());
    }

    TEST_CASE("HTTPS sends SNI and checks the certificate names the URL's host") {
        auto identity = testing::make_self_signed("hooks.example.test");
        std::string const ca = testing::temp_dir("delivery-ca") + "/ca.pem";
        std::ofstream{ca} << identity.cert_pem;
        LocalReceiver receiver{Answer{201, "made"}, &identity};
        Fixture f;
        f.options.extra_ca_file = ca;
        Attempt a = f.send(local_url(receiver, "https"));
        CHECK(a.error == "");
        CHECK(a.status == 201);
        auto got = receiver.received();
        REQUIRE(got.size() == 1);
        CHECK(got[0].sni == "hooks.example.test");

        std::string other = "https://other.example.test:" + std::to_string(receiver.port()) + "/";
        Attempt b = f.send(other);
        CHECK(b.status == 0);
        CHECK(b.error.starts_with("TLS handshake: certificate verify failed"));
        CHECK(receiver.received().size() == 1);
    }

    TEST_CASE("an unreadable extra trust file fails every attempt with the reason") {
        Fixture f;
        f.options.extra_ca_file = "/nonexistent/ca.pem";
        CHECK(f.send("https://hooks.example.test/").error.starts_with("TLS trust store: "));
    }

    TEST_CASE("URLs: scheme, host, port, target and the Host header") {
        auto u = parse_url("HTTPS://Hooks.Example.TEST/a/b?c=d").value();
        CHECK(u.tls);
        CHECK(u.host == "hooks.example.test");
        CHECK(u.port == 443);
        CHECK(u.target == "/a/b?c=d");
        CHECK(u.host_header == "hooks.example.test");
        auto v = parse_url("http://[::1]:8080?q").value();
        CHECK_FALSE(v.tls);
        CHECK(v.host == "::1");
        CHECK(v.port == 8080);
        CHECK(v.target == "/?q");
        CHECK(v.host_header == "[::1]:8080");
        CHECK(parse_url("http://10.0.0.1:80").value().host_header == "10.0.0.1");
        for (auto const* bad : {
                 "",
                 "hooks.example.test",
                 "http://",
                 "http://user:pw@hooks.example.test/",
                 "http://hooks.example.test/#frag",
                 "http://hooks.example.test:0/",
                 "http://hooks.example.test:65536/",
                 "http://hooks.example.test:8x/",
                 "http://hooks example.test/",
                 "http://hooks.example.test/a b",
                 "http://[::1/",
                 "http://[::1]x/",
             }) {
            INFO(bad);
            auto r = parse_url(bad);
            REQUIRE(r.has_error());
            CHECK(r.error().kind == server::core::ErrorKind::kInvalidArgument);
        }
    }

    TEST_CASE("2xx is delivered, 410 is gone, everything else is retried") {
        auto outcome = [](int status) { return classify(Attempt{status, {}, {}, {}}); };
        for (int s : {200, 201, 204, 299}) {
            CHECK(outcome(s) == AttemptOutcome::kDelivered);
        }
        CHECK(outcome(410) == AttemptOutcome::kGone);
        for (int s : {0, 100, 199, 300, 301, 400, 401, 404, 409, 429, 500, 502, 503}) {
            CHECK(outcome(s) == AttemptOutcome::kRetry);
        }
    }
}
