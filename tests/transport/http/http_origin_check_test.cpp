// Origin allow-list and loopback Host rules (DNS-rebinding defence).
#include <doctest/doctest.h>

#include "transport/http/origin_check.hpp"

using namespace signoff::transport::http;

TEST_SUITE("transport/http/origin_check") {
    TEST_CASE("loopback origins are allowed with or without a port") {
        std::vector<std::string> const none;
        CHECK(origin_allowed("http://localhost", none));
        CHECK(origin_allowed("http://localhost:3000", none));
        CHECK(origin_allowed("http://LOCALHOST:3000", none));
        CHECK(origin_allowed("http://127.0.0.1:8080", none));
        CHECK(origin_allowed("http://[::1]:6274", none));
        CHECK(origin_allowed("https://localhost", none));
    }

    TEST_CASE("foreign, null and malformed origins are refused") {
        std::vector<std::string> const none;
        CHECK_FALSE(origin_allowed("http://evil.example.com", none));
        CHECK_FALSE(origin_allowed("http://localhost.evil.example.com", none));
        CHECK_FALSE(origin_allowed("http://127.0.0.1.nip.io", none));
        CHECK_FALSE(origin_allowed("null", none));
        CHECK_FALSE(origin_allowed("", none));
        CHECK_FALSE(origin_allowed("http://localhost:abc", none));
        CHECK_FALSE(origin_allowed("http://localhost:3000/path", none));
        CHECK_FALSE(origin_allowed("http://user@localhost", none));
        CHECK_FALSE(origin_allowed("ftp://localhost", none));
        CHECK_FALSE(origin_allowed("http://[::1", none));
    }

    TEST_CASE("configured origins are allowed case-insensitively, trailing slash ignored") {
        std::vector<std::string> const allowed{"https://app.example.com/"};
        CHECK(origin_allowed("https://app.example.com", allowed));
        CHECK(origin_allowed("HTTPS://APP.EXAMPLE.COM", allowed));
        CHECK_FALSE(origin_allowed("https://app.example.com:8443", allowed));
        CHECK_FALSE(origin_allowed("http://app.example.com", allowed));
    }

    TEST_CASE("Host must name loopback, any port") {
        CHECK(is_loopback_host_header("localhost"));
        CHECK(is_loopback_host_header("localhost:8080"));
        CHECK(is_loopback_host_header("127.0.0.1:1"));
        CHECK(is_loopback_host_header("[::1]:8080"));
        CHECK(is_loopback_host_header(" Localhost "));
        CHECK_FALSE(is_loopback_host_header("evil.example.com"));
        CHECK_FALSE(is_loopback_host_header("evil.example.com:8080"));
        CHECK_FALSE(is_loopback_host_header("localhost:80:80"));
        CHECK_FALSE(is_loopback_host_header("127.0.0.2"));
        CHECK_FALSE(is_loopback_host_header(""));
    }

    TEST_CASE("loopback binds are recognised") {
        CHECK(is_loopback_bind("127.0.0.1"));
        CHECK(is_loopback_bind("localhost"));
        CHECK(is_loopback_bind("::1"));
        CHECK_FALSE(is_loopback_bind("0.0.0.0"));
        CHECK_FALSE(is_loopback_bind("192.168.1.5"));
    }
}
