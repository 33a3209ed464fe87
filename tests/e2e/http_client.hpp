// A small HTTP client for e2e tests (cpp-httplib): JSON in, status + JSON out.
#pragma once

#include <string>

#include <boost/json.hpp>
#include <httplib.h>

namespace signoff::e2e {

struct HttpReply {
    int status{0};
    std::string body;
    httplib::Headers headers;
    /// The body as JSON (null when it is not). Parsed as deep as a client's
    /// JSON.parse would (answers may nest stored documents 32 levels down).
    boost::json::value json() const {
        boost::json::parse_options opts;
        opts.max_depth = 256;
        boost::system::error_code ec;
        auto v = boost::json::parse(body, ec, boost::json::storage_ptr(), opts);
        return ec ? boost::json::value{} : v;
    }
    std::string header(std::string const& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string{} : it->second;
    }
};

class HttpClient {
public:
    explicit HttpClient(int port) : cli_("127.0.0.1", port) {
        cli_.set_read_timeout(20, 0);
        cli_.set_keep_alive(true);
        // Without it Nagle holds a body written after its headers until the
        // server's delayed ACK: ~40 ms per request.
        cli_.set_tcp_nodelay(true);
    }

    HttpReply send(
        std::string const& method,
        std::string const& path,
        std::string const& body,
        httplib::Headers headers,
        std::string const& content_type = "application/json"
    ) {
        httplib::Request req;
        req.method = method;
        req.path = path;
        req.headers = std::move(headers);
        if (!body.empty() || method == "POST" || method == "PATCH") {
            req.body = body;
            req.set_header("Content-Type", content_type);
        }
        auto res = cli_.send(req);
        HttpReply out;
        if (res) {
            out.status = res->status;
            out.body = res->body;
            out.headers = res->headers;
        }
        return out;
    }

    HttpReply rest(
        std::string const& method,
        std::string const& path,
        boost::json::value const& body,
        httplib::Headers headers
    ) {
        return send(
            method, path, body.is_null() ? "" : boost::json::serialize(body), std::move(headers)
        );
    }

private:
    httplib::Client cli_;
};

inline httplib::Headers bearer(std::string const& key, httplib::Headers extra = {}) {
    extra.emplace("Authorization", "Bearer " + key);
    return extra;
}

}  // namespace signoff::e2e
