// File downloads over REST (Registry DownloadSpec): headers before the body,
// Content-Length or chunked, bodies streamed piece by piece, 401 / 404 / 405
// with the REST error body, decoded path captures, and a failure after the
// headers cutting the connection instead of ending a short body cleanly.
#include <memory>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "tests/transport/http/http_harness.hpp"
#include "transport/http/download.hpp"

using namespace signoff::testing;
using signoff::tools::registry::Download;
using signoff::tools::registry::DownloadHead;
using signoff::tools::registry::DownloadSpec;
using signoff::tools::registry::ToolContext;
namespace http = signoff::transport::http;

namespace {

/// Three MiB of text, so that the body really goes out in many writes.
std::string big_text() {
    std::string s;
    for (int i = 0; s.size() < std::size_t{3} * 1024U * 1024U; ++i) {
        s += "row " + std::to_string(i) + ",Zürich,\"q\"\r\n";
    }
    return s;
}

/// A reader that hands out `text` in pieces of `piece` bytes, then fails when
/// `fail_after` pieces went out (if set).
signoff::tools::registry::DownloadNext pieces(
    std::shared_ptr<std::string const> text, std::size_t piece, int fail_after = -1
) {
    return [text, piece, fail_after, at = std::size_t{0}, sent = 0](
           ) mutable -> Result<std::optional<std::string>> {
        if (fail_after >= 0 && sent == fail_after) {
            return Error::unavailable("database went away");
        }
        if (at >= text->size()) {
            return std::optional<std::string>{};
        }
        auto out = text->substr(at, piece);
        at += out.size();
        ++sent;
        return std::optional<std::string>{std::move(out)};
    };
}

/// GET /files/{name}: "big" (with size), "stream" (size unknown: chunked),
/// "broken" (fails after two pieces); only alice may read; "a@b" echoes the
/// decoded capture.
void register_downloads(signoff::tools::registry::Registry& r) {
    auto text = std::make_shared<std::string const>(big_text());
    r.add_download(DownloadSpec{
        "/api/test/files/{name}",
        "test files",
        [text](ToolContext& ctx, json::object const& args) -> Result<Download> {
            std::string const name(args.at("name").as_string());
            if (ctx.actor.principal_id != "alice") {
                return Error::not_found("file '" + name + "' not found");
            }
            if (name == "a@b") {
                auto one = std::make_shared<std::string const>("decoded " + name);
                auto const size = static_cast<std::int64_t>(one->size());
                return Download{{"text/plain", "a.txt", size}, pieces(one, 100)};
            }
            if (name == "big" || name == "stream" || name == "broken") {
                std::optional<std::int64_t> size;
                if (name != "stream") {
                    size = static_cast<std::int64_t>(text->size());
                }
                return Download{
                    {"text/csv; charset=utf-8", "rapport-é.csv", size},
                    pieces(text, 64U * 1024U, name == "broken" ? 2 : -1)};
            }
            return Error::not_found("file '" + name + "' not found");
        },
    });
}

class DownloadServer {
public:
    DownloadServer() {
        register_downloads(registry);
        REQUIRE(registry.seal().has_value());
        engine = std::make_unique<signoff::transport::mcp::Engine>(
            registry, services, signoff::transport::mcp::EngineOptions{}
        );
        http::HttpOptions opts;
        opts.port = 0;
        server = std::make_unique<http::HttpServer>(
            *engine, registry, services, fake_authenticate, opts
        );
        REQUIRE(server->start().has_value());
        port = server->port();
        thread = std::thread([this] { server->run(); });
    }
    ~DownloadServer() {
        server->stop();
        thread.join();
    }
    DownloadServer(DownloadServer const&) = delete;
    DownloadServer& operator=(DownloadServer const&) = delete;

    std::unique_ptr<httplib::Client> client() const {
        auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
        c->set_read_timeout(std::chrono::seconds(15));
        c->set_keep_alive(true);
        return c;
    }

    signoff::tools::registry::Registry registry;
    signoff::tools::registry::Services services;
    std::unique_ptr<signoff::transport::mcp::Engine> engine;
    std::unique_ptr<http::HttpServer> server;
    unsigned short port{0};
    std::thread thread;
};

httplib::Headers as(std::string const& key) {
    return {{"Authorization", "Bearer " + key}};
}

}  // namespace

TEST_SUITE("transport/http/download") {
    TEST_CASE("a download sends its headers, then the whole body with Content-Length") {
        DownloadServer s;
        auto c = s.client();
        auto res = c->Get("/api/test/files/big", as("key-alice"));
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("Content-Type") == "text/csv; charset=utf-8");
        // httplib percent-decodes header values; the raw bytes are checked below.
        CHECK(res->get_header_value("Content-Disposition")
                  .starts_with("attachment; filename=\"rapport-__.csv\"; filename*=UTF-8''"));
        CHECK(res->get_header_value("Content-Length") == std::to_string(big_text().size()));
        CHECK(res->get_header_value("Cache-Control") == "no-store");
        CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(res->body == big_text());
        // The connection stays usable for the next request.
        auto again = c->Get("/api/test/files/a%40b", as("key-alice"));
        REQUIRE(again);
        CHECK(again->status == 200);
        CHECK(again->body == "decoded a@b");
    }

    TEST_CASE("a download of unknown size is sent chunked") {
        DownloadServer s;
        RawClient raw(s.port);
        raw.send(
            "GET /api/test/files/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer key-alice\r\nConnection: close\r\n\r\n"
        );
        auto const bytes = raw.read_all();
        auto const head_end = bytes.find("\r\n\r\n");
        REQUIRE(head_end != std::string::npos);
        auto const head = bytes.substr(0, head_end);
        CHECK(head.find("HTTP/1.1 200") == 0);
        CHECK(head.find("Transfer-Encoding: chunked") != std::string::npos);
        CHECK(head.find("Content-Length") == std::string::npos);
        CHECK(
            head.find("\r\nContent-Disposition: attachment; filename=\"rapport-__.csv\"; "
                      "filename*=UTF-8''rapport-%C3%A9.csv\r\n") != std::string::npos
        );
        CHECK(bytes.size() >= 5);
        CHECK(bytes.substr(bytes.size() - 5) == "0\r\n\r\n");  // the last chunk came

        auto c = s.client();
        auto res = c->Get("/api/test/files/stream", as("key-alice"));
        REQUIRE(res);
        CHECK(res->body == big_text());
    }

    TEST_CASE("no credentials is 401; an invisible or unknown file is 404 with the error body") {
        DownloadServer s;
        auto c = s.client();
        auto none = c->Get("/api/test/files/big");
        REQUIRE(none);
        CHECK(none->status == 401);
        CHECK(json::parse(none->body).at("code") == json::value("unauthenticated"));
        for (auto const* path : {"/api/test/files/big", "/api/test/files/nothing"}) {
            auto const* key = std::string_view(path).ends_with("big") ? "key-bob" : "key-alice";
            auto res = c->Get(path, as(key));
            REQUIRE(res);
            CHECK(res->status == 404);
            CHECK(res->get_header_value("Content-Type") == "application/json");
            auto body = json::parse(res->body);
            CHECK(body.at("code") == json::value("not_found"));
            CHECK(body.at("details") == json::array{});
            CHECK_FALSE(body.at("message").as_string().empty());
        }
    }

    TEST_CASE("other methods on a download path are 405 with Allow: GET") {
        DownloadServer s;
        auto c = s.client();
        auto res = c->Post("/api/test/files/big", as("key-alice"), "{}", "application/json");
        REQUIRE(res);
        CHECK(res->status == 405);
        CHECK(res->get_header_value("Allow") == "GET");
    }

    TEST_CASE("a failure after the headers cuts the connection short of Content-Length") {
        DownloadServer s;
        RawClient raw(s.port);
        raw.send(
            "GET /api/test/files/broken HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer key-alice\r\n\r\n"
        );
        auto const bytes = raw.read_all();
        CHECK(raw.closed());
        auto const head_end = bytes.find("\r\n\r\n");
        REQUIRE(head_end != std::string::npos);
        CHECK(bytes.find("HTTP/1.1 200") == 0);
        auto const body = bytes.size() - head_end - 4;
        CHECK(body == std::size_t{2} * 64U * 1024U);  // two pieces, then nothing
        CHECK(body < big_text().size());
    }

    TEST_CASE("Content-Disposition keeps plain names and escapes the rest") {
        CHECK(
            http::content_disposition("auths-20260101T000000Z.csv") ==
            "attachment; filename=\"auths-20260101T000000Z.csv\"; "
            "filename*=UTF-8''auths-20260101T000000Z.csv"
        );
        CHECK(
            http::content_disposition("a \"b\"\\c.csv") ==
            "attachment; filename=\"a _b__c.csv\"; filename*=UTF-8''a%20%22b%22%5Cc.csv"
        );
        auto const head = DownloadHead{"text/csv; charset=utf-8", "x.csv", 3};
        auto const headers = http::download_headers(head);
        REQUIRE(headers.size() == 4);
        CHECK(headers[0].second == "text/csv; charset=utf-8");
    }
}
