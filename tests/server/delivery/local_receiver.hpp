// Test receivers for the delivery tests: a webhook endpoint on 127.0.0.1 (plain
// HTTP or HTTPS with a certificate made at test time) that records what it got
// and answers a set status and body, or holds the connection without answering.
// Runs its own io_context on a thread; the destructor stops and joins it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace signoff::testing {

/// A self-signed certificate and its key, PEM, naming `dns_name` and 127.0.0.1.
struct TlsIdentity {
    std::string cert_pem;
    std::string key_pem;
};

inline std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline TlsIdentity make_self_signed(std::string const& dns_name) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24L * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(
        name,
        "CN",
        MBSTRING_ASC,
        reinterpret_cast<unsigned char const*>(dns_name.c_str()),
        -1,
        -1,
        0
    );
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    std::string const san = "DNS:" + dns_name + ",IP:127.0.0.1";
    for (auto const& [nid, value] :
         {std::pair{NID_subject_alt_name, san},
          std::pair{NID_basic_constraints, std::string{"CA:TRUE"}}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    BIO* cert_bio = BIO_new(BIO_s_mem());
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    TlsIdentity out{bio_text(cert_bio), bio_text(key_bio)};
    BIO_free(cert_bio);
    BIO_free(key_bio);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

struct Received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lowercase names
    std::string body;
    std::string sni;  // TLS only
};

struct Answer {
    unsigned status{200};
    std::string body{"ok"};
    bool hang{false};  // read the request, then never answer
    /// When > 0, only the first `first_n` requests get this answer (or hang);
    /// every later one is answered 200 "ok": a receiver that recovers.
    int first_n{0};
};

class LocalReceiver {
public:
    explicit LocalReceiver(Answer answer, TlsIdentity const* tls = nullptr)
        : answer_(std::move(answer)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          tls_(boost::asio::ssl::context::tls_server) {
        if (tls != nullptr) {
            use_tls_ = true;
            tls_.use_certificate_chain(boost::asio::buffer(tls->cert_pem));
            tls_.use_private_key(boost::asio::buffer(tls->key_pem), boost::asio::ssl::context::pem);
        }
        port_ = acceptor_.local_endpoint().port();
        boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LocalReceiver() {
        io_.stop();
        thread_.join();
    }
    LocalReceiver(LocalReceiver const&) = delete;
    LocalReceiver& operator=(LocalReceiver const&) = delete;

    std::uint16_t port() const { return port_; }
    std::vector<Received> received() const {
        std::lock_guard lock(mutex_);
        return got_;
    }

private:
    using tcp = boost::asio::ip::tcp;
    static constexpr auto kUse = boost::asio::as_tuple(boost::asio::use_awaitable);

    boost::asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(kUse);
            if (ec) {
                co_return;
            }
            boost::asio::co_spawn(io_, connection(std::move(socket)), boost::asio::detached);
        }
    }

    boost::asio::awaitable<void> connection(tcp::socket socket) {
        if (!use_tls_) {
            co_await serve(socket, "");
            co_return;
        }
        boost::asio::ssl::stream<tcp::socket> stream{std::move(socket), tls_};
        auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server, kUse);
        if (ec) {
            co_return;  // the client refused our certificate
        }
        char const* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        co_await serve(stream, sni == nullptr ? "" : sni);
    }

    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& stream, std::string sni) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, kUse);
        if (ec) {
            co_return;
        }
        bool const recovered = record(req, std::move(sni));
        if (answer_.hang && !recovered) {
            boost::asio::steady_timer forever{io_, std::chrono::steady_clock::time_point::max()};
            co_await forever.async_wait(kUse);  // ends only when the receiver stops
            co_return;
        }
        http::response<http::string_body> res{
            static_cast<http::status>(recovered ? 200U : answer_.status), 11};
        res.body() = recovered ? std::string{"ok"} : answer_.body;
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(stream, res, kUse);
    }

    /// Keeps the request; answers whether the receiver has recovered by now
    /// (first_n requests already answered as configured).
    bool record(
        boost::beast::http::request<boost::beast::http::string_body> const& req, std::string sni
    ) {
        Received r{
            std::string{req.method_string()},
            std::string{req.target()},
            {},
            req.body(),
            std::move(sni)};
        for (auto const& f : req) {
            std::string name{f.name_string()};
            for (auto& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            r.headers[name] = std::string{f.value()};
        }
        std::lock_guard lock(mutex_);
        got_.push_back(std::move(r));
        return answer_.first_n > 0 && static_cast<int>(got_.size()) > answer_.first_n;
    }

    Answer answer_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    boost::asio::ssl::context tls_;
    bool use_tls_{false};
    std::uint16_t port_{0};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Received> got_;
};

}  // namespace signoff::testing
