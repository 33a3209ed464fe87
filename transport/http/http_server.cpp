// The Beast server behind HttpServer (see http_server.hpp): the accept loop,
// one coroutine per connection on the single io thread, the worker pools, and
// the /mcp exchange that turns engine output into a JSON answer or an SSE stream.
//
//   io thread:  accept ─► Connection::serve ─► read header ─► checks ─► read body ─► write
//   control pool (2): Authenticator, notifications and client responses to Engine::handle
//   worker pool (N):  requests to Engine::handle (tools/call blocks), REST handlers
//   When the whole body came with the header, one task on the pool of the call
//   authenticates and handles it (one hop instead of two; see route()).
//
// A /mcp request's engine output arrives through an Exchange: Outbound::send and
// the final Reply are queued from the worker and a wake-up is posted to the io
// thread. The first arrival decides the shape: the Reply alone → application/json;
// a message first → text/event-stream (chunked) carrying every message, then the
// reply, then the end of the stream.
#include "transport/http/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <exception>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "transport/http/download.hpp"
#include "transport/http/header_values.hpp"
#include "transport/http/http_reply.hpp"
#include "transport/http/mcp_endpoint.hpp"
#include "transport/http/origin_check.hpp"
#include "transport/http/rest_router.hpp"
#include "transport/http/session_store.hpp"
#include "transport/http/url.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/jsonrpc/message.hpp"

namespace signoff::transport::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using server::core::Actor;
using server::core::Channel;
using server::core::Error;
using server::core::ErrorKind;
using server::core::Result;
using server::core::Status;

namespace detail {

constexpr auto kUse = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 16U * 1024U;
/// After an early answer (the body was never read) drain at most this much, this
/// long, so that the client sees the answer instead of a connection reset: closing
/// with unread bytes makes the kernel send RST, which can discard the answer
/// before the client reads it. 16 MiB covers four times the default body limit.
constexpr std::size_t kLingerBytes = std::size_t{16} * 1024U * 1024U;
constexpr std::chrono::seconds kLingerTime{2};
constexpr unsigned kControlThreads = 2;
/// Beast reads at most the buffer's spare capacity (512 bytes at first), so a
/// request of header plus small body would never arrive in one read without
/// this: it lets take_buffered_body() find the whole body with the header.
constexpr std::size_t kReadAhead = 4096;

using Parser = bhttp::request_parser<bhttp::string_body>;
using Request = bhttp::request<bhttp::string_body>;

void log_error(std::string_view what, std::string_view detail) {
    std::cerr << "signoff: http: " << what << ": " << detail << "\n";
}

/// Logs what ended a coroutine, if anything did.
void log_exception(std::string_view what, std::exception_ptr const& e) {
    if (!e) {
        return;
    }
    try {
        std::rethrow_exception(e);
    } catch (std::exception const& x) {
        log_error(what, x.what());
    } catch (...) {
        log_error(what, "unknown exception");
    }
}

/// Runs `fn` (which must not throw) on `pool` and resumes the awaiting
/// coroutine on its own executor with the result.
template <class Fn>
net::awaitable<std::invoke_result_t<Fn&>> on_pool(net::thread_pool& pool, Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    co_return co_await net::async_initiate<net::use_awaitable_t<> const, void(R)>(
        [&pool](auto handler, Fn f) {
            net::post(pool, [h = std::move(handler), f = std::move(f)]() mutable {
                R result = f();
                auto ex = net::get_associated_executor(h);
                net::post(ex, [h = std::move(h), r = std::move(result)]() mutable {
                    std::move(h)(std::move(r));
                });
            });
        },
        net::use_awaitable,
        std::move(fn)
    );
}

/// Engine output for one POSTed /mcp message, handed from a worker thread to
/// the connection's coroutine. send()/finish() are thread-safe; take(), wait()
/// and wake() run on the io thread only.
class Exchange final : public mcp::Outbound, public std::enable_shared_from_this<Exchange> {
public:
    explicit Exchange(net::any_io_executor const& ex) : timer_(ex) {
        timer_.expires_at(net::steady_timer::time_point::max());
    }

    void send(json::object const& message) override {
        auto text = json::serialize(message);
        {
            std::lock_guard lock(mu_);
            if (done_) {
                return;  // nothing may follow the reply on its stream
            }
            events_.push_back(std::move(text));
        }
        poke();
    }

    void finish(mcp::Reply reply) {
        {
            std::lock_guard lock(mu_);
            reply_ = std::move(reply);
            done_ = true;
        }
        poke();
    }

    /// One-hop path: what authentication and prepare decided, set by the pool
    /// thread before the engine runs (so before any event or reply).
    void begin(std::variant<HttpReply, PreparedMessage> head) {
        {
            std::lock_guard lock(mu_);
            head_ = std::move(head);
        }
        poke();
    }

    std::optional<std::variant<HttpReply, PreparedMessage>> take_head() {
        std::lock_guard lock(mu_);
        auto head = std::move(head_);
        head_.reset();
        return head;
    }

    void take(std::deque<std::string>& events, std::optional<mcp::Reply>& reply) {
        std::lock_guard lock(mu_);
        events.swap(events_);
        reply.swap(reply_);
    }

    /// Suspends until the next poke() or wake(). No wake-up is lost: both run on
    /// the io thread, and a producer queues before it posts.
    net::awaitable<void> wait() { (void)co_await timer_.async_wait(kUse); }
    void wake() { timer_.cancel(); }

private:
    void poke() {
        net::post(timer_.get_executor(), [self = shared_from_this()] { self->wake(); });
    }

    net::steady_timer timer_;
    std::mutex mu_;
    std::deque<std::string> events_;
    std::optional<mcp::Reply> reply_;
    std::optional<std::variant<HttpReply, PreparedMessage>> head_;
    bool done_{false};
};

class Connection;

/// An API key taken from the headers, to be checked on a pool thread.
struct Credentials {
    Presented presented;
    Channel channel{Channel::kRest};
    bool is_mcp{false};
};

using AuthOutcome = std::variant<HttpReply, Actor>;
AuthOutcome check_credentials(Authenticator const& auth, Credentials const& creds);

/// Everything the connections share. Members that touch sockets are used on the
/// io thread only; sessions, pools and the engine are thread-safe.
struct ServerCore {
    ServerCore(
        mcp::Engine& engine_in,
        tools::registry::Registry const& registry,
        tools::registry::Services const& services,
        Authenticator auth_in,
        HttpOptions opts_in
    )
        : engine(engine_in),
          tool_registry(registry),
          tool_services(services),
          auth(std::move(auth_in)),
          opts(std::move(opts_in)),
          limits{opts.max_body_bytes, opts.max_json_depth},
          mcp(engine, sessions, limits),
          rest(registry, services, limits),
          loopback_bind(is_loopback_bind(opts.host)),
          workers(std::max(1U, opts.worker_threads)),
          control(kControlThreads) {}

    Status start();
    void stop();
    /// io thread: closes the listener and every connection.
    void close_all();
    net::awaitable<void> accept_loop();
    void spawn(tcp::socket socket);
    /// Runs Engine::handle for one message on the right pool: requests on the
    /// workers, notifications and client responses on the control threads, so
    /// that a cancellation or an elicitation answer never waits behind tools.
    void dispatch(std::shared_ptr<Exchange> ex, mcp::Inbound in, bool is_request);
    /// The one-hop /mcp path: authentication, prepare and Engine::handle in one
    /// task on the pool dispatch() would pick (see Connection::serve_buffered_mcp).
    void dispatch_buffered(
        std::shared_ptr<Exchange> ex,
        Credentials creds,
        Fields fields,
        std::variant<HttpReply, json::value> parsed
    );

    // Declared first so that it is destroyed last: coroutine frames it still
    // owns may hold sockets and timers bound to it.
    net::io_context io{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{
        net::make_work_guard(io)};
    tcp::acceptor acceptor{io};
    mcp::Engine& engine;
    tools::registry::Registry const& tool_registry;  // downloads
    tools::registry::Services const& tool_services;
    Authenticator auth;
    HttpOptions opts;
    jsonrpc::Limits limits;
    SessionStore sessions;
    McpEndpoint mcp;
    RestRouter rest;
    bool loopback_bind;
    net::thread_pool workers;
    net::thread_pool control;
    std::map<std::uint64_t, std::weak_ptr<Connection>> connections;  // io thread only
    std::uint64_t next_connection_id{1};
    std::atomic<unsigned short> bound_port{0};
    std::atomic<bool> stopped{false};
    std::atomic<bool> running{false};  // run() has started the io loop
    /// drain(): no new connections or requests; idle connections close, busy
    /// ones finish their request first.
    std::atomic<bool> draining{false};
    std::atomic<std::size_t> live{0};  // connections not yet ended

    /// Stops accepting, lets in-flight requests finish for up to `limit`, then stop().
    void drain(std::chrono::milliseconds limit);
};

/// One accepted socket: reads requests one after another (keep-alive) and
/// answers each. Lives in its coroutine; close() may cut it short.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(ServerCore& core, tcp::socket socket) : core_(core), stream_(std::move(socket)) {
        buffer_.reserve(kReadAhead);
    }

    net::awaitable<void> serve();
    /// io thread: closes the socket and wakes a pending /mcp exchange.
    void close();
    /// io thread: a request is being read, handled or answered.
    bool busy() const;
    /// Accepted past HttpOptions::max_connections: one health request only.
    bool health_only{false};

private:
    net::awaitable<bool> serve_one();
    net::awaitable<bool> route(Parser& parser);
    net::awaitable<bool> serve_health(Parser& parser);
    net::awaitable<bool> serve_ready(Parser& parser);
    net::awaitable<bool> serve_endpoint(
        Parser& parser, std::vector<tools::registry::EndpointSpec const*> const& at
    );
    net::awaitable<bool> serve_mcp(Parser& parser, Actor const& actor);
    net::awaitable<bool> serve_rest(Parser& parser, Actor const& actor, std::string_view path);
    net::awaitable<bool> serve_buffered_mcp(Parser& parser, Credentials creds);
    net::awaitable<bool> serve_buffered_rest(Parser& parser, Credentials creds);
    net::awaitable<bool> serve_download(
        Parser& parser, Credentials creds, tools::registry::DownloadMatch match
    );
    net::awaitable<bool> stream_download(Request const& req, tools::registry::Download download);
    bool take_buffered_body(Parser& parser);
    net::awaitable<bool> exchange(Request const& req, PreparedMessage prepared);
    net::awaitable<bool> pump(Request const& req, std::shared_ptr<Exchange> ex, PreparedMessage p);
    net::awaitable<bool> finish_exchange(
        Request const& req, PreparedMessage const& p, mcp::Reply reply, bool sse, bool chunked
    );
    std::variant<HttpReply, Credentials> credentials(Request const& req, bool is_mcp) const;
    net::awaitable<AuthOutcome> authenticate(Credentials creds);
    std::optional<HttpReply> check_origin_host(Request const& req, bool is_mcp) const;

    net::awaitable<bool> read_body(Parser& parser, bool is_mcp);
    net::awaitable<bool> answer(Parser& parser, HttpReply reply);
    net::awaitable<bool> write_reply(HttpReply reply, unsigned version, bool keep_alive);
    net::awaitable<bool> start_sse(Request const& req, PreparedMessage const& p, bool chunked);
    net::awaitable<bool> write_sse(std::string const& message, bool chunked);
    net::awaitable<void> linger_close();

    ServerCore& core_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<Exchange> exchange_;  // the /mcp message in flight, if any
    bool closed_{false};
    bool response_started_{false};
    bool busy_{false};  // between a request's header and its answer (io thread)
};

HttpReply too_large(bool is_mcp, std::size_t limit) {
    std::string const message =
        "request body exceeds the limit of " + std::to_string(limit) + " bytes";
    return is_mcp ? rpc_error_reply(413, jsonrpc::kInvalidRequest, message)
                  : rest_error_reply(413, Error::exhausted(message));
}

HttpReply plain_error(unsigned status, std::string const& message) {
    return rest_error_reply(status, Error::invalid(message));
}

/// Handshake-era output never gets here: Engine::handle does not throw. This
/// keeps a bug in it from taking the connection down silently.
mcp::Reply run_engine(mcp::Engine& engine, mcp::Inbound in) {
    try {
        return engine.handle(std::move(in));
    } catch (std::exception const& e) {
        log_error("Engine::handle threw", e.what());
    } catch (...) {
        log_error("Engine::handle threw", "unknown exception");
    }
    mcp::Reply r;
    r.http_status = 500;
    r.response = jsonrpc::make_error(nullptr, {jsonrpc::kInternalError, "internal error", {}});
    return r;
}

HttpReply unauthenticated(bool is_mcp, std::string const& message) {
    HttpReply r = is_mcp ? rpc_error_reply(401, jsonrpc::kInvalidRequest, message)
                         : rest_error_reply(401, Error::unauthenticated(message));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
}

/// Blocking (the Authenticator reads the database): runs on a pool thread.
AuthOutcome check_credentials(Authenticator const& auth, Credentials const& creds) {
    Result<Actor> result = Error::internal("internal error");
    try {
        result = auth(creds.presented, creds.channel);
    } catch (std::exception const& e) {
        log_error("authenticator threw", e.what());
    } catch (...) {
        log_error("authenticator threw", "unknown exception");
    }
    if (!result) {
        Error const& e = result.error();
        if (e.kind == ErrorKind::kUnauthenticated) {
            return unauthenticated(creds.is_mcp, e.message);
        }
        if (creds.is_mcp) {
            auto const status = e.kind == ErrorKind::kUnavailable ? 503U : 500U;
            return rpc_error_reply(status, jsonrpc::kInternalError, "authentication failed");
        }
        return rest_error_reply(e);
    }
    Actor actor = std::move(*result);
    actor.channel = creds.channel;
    return actor;
}

/// RestRouter::handle on a pool thread; never throws.
HttpReply run_rest(RestRouter const& rest, RestRequest const& request, Actor const& actor) {
    try {
        return rest.handle(request, actor);
    } catch (std::exception const& e) {
        log_error("REST handler threw", e.what());
    } catch (...) {
        log_error("REST handler threw", "unknown exception");
    }
    return rest_error_reply(Error::internal("internal error"));
}

RestRequest rest_request(Request& req) {
    return RestRequest{
        std::string(req.method_string()),
        std::string(req.target()),
        std::move(req.body()),
        std::string(req[bhttp::field::content_type]),
    };
}

HttpReply health_reply() {
    return json_reply(200, json::object{{"status", "ok"}});
}
/// /readyz: 200 {"status":"ready"}, or 503 {"status":"unavailable","reason":…}.
HttpReply ready_reply(server::core::Status const& ready) {
    if (ready) {
        return json_reply(200, json::object{{"status", "ready"}});
    }
    return json_reply(
        503, json::object{{"status", "unavailable"}, {"reason", ready.error().message}}
    );
}
HttpReply health_405() {
    return method_not_allowed(std::vector<std::string>{"GET"}, true);
}

net::awaitable<void> run_connection(std::shared_ptr<Connection> c) {
    co_await c->serve();
}

// ---------------------------------------------------------------- ServerCore

Status ServerCore::start() {
    beast::error_code ec;
    tcp::resolver resolver(io);
    auto const where = opts.host + ":" + std::to_string(opts.port);
    auto results = resolver.resolve(opts.host, std::to_string(opts.port), ec);
    if (ec || results.empty()) {
        return Error::unavailable("cannot resolve " + where + ": " + ec.message());
    }
    tcp::endpoint const endpoint = results.begin()->endpoint();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        beast::error_code ignored;
        acceptor.close(ignored);
        return Error::unavailable("cannot listen on " + where + ": " + ec.message());
    }
    bound_port = acceptor.local_endpoint(ec).port();
    net::co_spawn(io, accept_loop(), [](std::exception_ptr const& e) {
        log_exception("accept loop stopped", e);
    });
    return {};
}

void ServerCore::close_all() {
    beast::error_code ignored;
    acceptor.close(ignored);
    for (auto const& [id, weak] : connections) {
        if (auto c = weak.lock()) {
            c->close();
        }
    }
}

void ServerCore::drain(std::chrono::milliseconds limit) {
    if (stopped || draining.exchange(true)) {
        stop();
        return;
    }
    auto const deadline = std::chrono::steady_clock::now() + limit;
    if (running) {
        std::promise<void> closed;
        net::post(io, [this, &closed] {
            beast::error_code ignored;
            acceptor.close(ignored);
            for (auto const& [id, weak] : connections) {
                if (auto c = weak.lock(); c && !c->busy()) {
                    c->close();  // idle keep-alive: nothing of the client's is lost
                }
            }
            closed.set_value();
        });
        closed.get_future().wait();
        while (live > 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
    }
    stop();
}

void ServerCore::stop() {
    if (stopped.exchange(true)) {
        return;
    }
    for (auto const& session : sessions.clear()) {
        if (session) {
            engine.cancel_all(*session);
        }
    }
    // Every connection must be marked closed before the pools are joined, so
    // that none of them can post work to a pool whose threads have gone.
    if (io.get_executor().running_in_this_thread() || !running) {
        close_all();
    } else {
        std::promise<void> closed;
        net::post(io, [this, &closed] {
            close_all();
            closed.set_value();
        });
        closed.get_future().wait();
    }
    workers.join();
    control.join();
    guard.reset();  // run() returns once the closed connections have unwound
}

net::awaitable<void> ServerCore::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(kUse);
        if (stopped || !acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            // E.g. out of file descriptors: back off instead of spinning.
            log_error("accept", ec.message());
            net::steady_timer pause(io, std::chrono::milliseconds(50));
            (void)co_await pause.async_wait(kUse);
            continue;
        }
        spawn(std::move(socket));
    }
}

void ServerCore::spawn(tcp::socket socket) {
    beast::error_code ignored;
    if (stopped) {
        socket.close(ignored);  // accepted just before the listener closed
        return;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    bool health_only = false;
    if (opts.max_connections > 0 && live >= opts.max_connections) {
        health_only = true;  // still answers the load balancer's probes
        if (live >= opts.max_connections + opts.health_headroom) {
            socket.close(ignored);
            return;
        }
    }
    if (draining) {
        socket.close(ignored);
        return;
    }
    auto conn = std::make_shared<Connection>(*this, std::move(socket));
    conn->health_only = health_only;
    auto const id = next_connection_id++;
    connections.emplace(id, conn);
    ++live;
    net::co_spawn(io, run_connection(std::move(conn)), [this, id](std::exception_ptr const& e) {
        connections.erase(id);
        --live;
        log_exception("connection ended", e);
    });
}

// ---------------------------------------------------------------- Connection

bool Connection::busy() const {
    return busy_;
}

void Connection::close() {
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    if (exchange_) {
        exchange_->wake();
    }
}

net::awaitable<void> Connection::serve() {
    while (!closed_) {
        bool keep = false;
        bool failed = false;
        response_started_ = false;
        try {
            keep = co_await serve_one();
            busy_ = false;
        } catch (std::exception const& e) {
            busy_ = false;
            log_error("request handling threw", e.what());
            failed = true;
        }
        if (failed && !response_started_ && !closed_) {
            HttpReply oops = rest_error_reply(Error::internal("internal error"));
            (void)co_await write_reply(std::move(oops), 11, false);
        }
        if (failed || !keep || core_.draining) {
            break;
        }
    }
    if (!closed_) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.socket().close(ignored);
        closed_ = true;
    }
}

net::awaitable<bool> Connection::serve_one() {
    Parser parser;
    parser.header_limit(kHeaderLimit);
    // No limit while reading the header: Beast would refuse a large declared
    // Content-Length as a header error; route() answers that with 413 instead.
    parser.body_limit(boost::none);
    stream_.expires_after(core_.opts.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, kUse);
    (void)n;
    if (!ec) {
        busy_ = true;
        co_return co_await route(parser);
    }
    if (closed_ || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
        co_return false;  // closed, idle timeout or reset: nobody to answer
    }
    auto reply = ec == bhttp::error::header_limit
                     ? plain_error(431, "request header fields too large")
                     : plain_error(400, "malformed HTTP request: " + ec.message());
    bool const written = co_await write_reply(std::move(reply), 11, false);
    if (written) {
        co_await linger_close();
    }
    co_return false;
}

net::awaitable<bool> Connection::route(Parser& parser) {
    Request const& req = parser.get();
    auto const target = split_target(req.target());
    if (target.path == "/healthz") {
        co_return co_await serve_health(parser);
    }
    if (target.path == "/readyz") {
        co_return co_await serve_ready(parser);
    }
    if (health_only) {
        HttpReply busy =
            rest_error_reply(503, Error::unavailable("too many connections; try again shortly"));
        busy.headers.emplace_back("Retry-After", "1");
        (void)co_await answer(parser, std::move(busy));
        co_return false;
    }
    bool const is_mcp = target.path == "/mcp";
    if (auto deny = check_origin_host(req, is_mcp)) {
        co_return co_await answer(parser, std::move(*deny));
    }
    if (auto len = parser.content_length(); len && *len > core_.opts.max_body_bytes) {
        HttpReply refused = too_large(is_mcp, core_.opts.max_body_bytes);
        co_return co_await answer(parser, std::move(refused));
    }
    if (!is_mcp) {
        // Credential exchanges and discovery documents: no credential needed.
        if (auto at = core_.tool_registry.endpoints_at(target.path); !at.empty()) {
            co_return co_await serve_endpoint(parser, at);
        }
    }
    auto creds = credentials(req, is_mcp);
    if (auto* reply = std::get_if<HttpReply>(&creds)) {
        co_return co_await answer(parser, std::move(*reply));
    }
    if (!is_mcp) {
        if (auto download = core_.tool_registry.match_download(target.path)) {
            co_return co_await serve_download(
                parser, std::move(std::get<Credentials>(creds)), std::move(*download)
            );
        }
    }
    // One hop instead of two when the body came with the header (small requests
    // usually do): authentication and the handling share one pool task, which
    // halves the thread wake-ups per request (docs/PERFORMANCE.md, HTTP). The
    // checks that answer before the body (406/415, 404/405) keep the two-hop path.
    bool const mcp_post =
        is_mcp && req.method() == bhttp::verb::post && !McpEndpoint::check_post_headers(req);
    bool const rest_routed =
        !is_mcp && !core_.rest.check_route(std::string(req.method_string()), target.path);
    if ((mcp_post || rest_routed) && take_buffered_body(parser)) {
        if (mcp_post) {
            co_return co_await serve_buffered_mcp(parser, std::move(std::get<Credentials>(creds)));
        }
        co_return co_await serve_buffered_rest(parser, std::move(std::get<Credentials>(creds)));
    }
    auto who = co_await authenticate(std::move(std::get<Credentials>(creds)));
    if (auto* reply = std::get_if<HttpReply>(&who)) {
        co_return co_await answer(parser, std::move(*reply));
    }
    auto const& actor = std::get<Actor>(who);
    if (is_mcp) {
        co_return co_await serve_mcp(parser, actor);
    }
    co_return co_await serve_rest(parser, actor, target.path);
}

net::awaitable<bool> Connection::serve_health(Parser& parser) {
    // Built outside the co_await: g++ 12 miscompiles braced lists inside it.
    HttpReply reply = parser.get().method() == bhttp::verb::get ? health_reply() : health_405();
    co_return co_await answer(parser, std::move(reply));
}

net::awaitable<bool> Connection::serve_ready(Parser& parser) {
    if (parser.get().method() != bhttp::verb::get) {
        HttpReply refused = health_405();
        co_return co_await answer(parser, std::move(refused));
    }
    // The database check blocks: it runs on the control pool, like authentication.
    auto work = [&ready = core_.opts.ready]() -> HttpReply {
        return ready ? ready_reply(ready()) : ready_reply(server::core::Status{});
    };
    HttpReply reply = co_await on_pool(core_.control, std::move(work));
    co_return co_await answer(parser, std::move(reply));
}

/// Runs an endpoint on a pool thread; never throws.
HttpReply run_endpoint(
    ServerCore const& core,
    tools::registry::EndpointSpec const& endpoint,
    std::string const& body,
    tools::registry::EndpointRequest const& request
) {
    json::value args;
    if (body.empty() && !request.query.empty()) {
        // GET endpoints take their arguments from the query string, as strings.
        auto pairs = parse_query(request.query);
        if (!pairs) {
            return rest_error_reply(400, Error::invalid("the query string is malformed"));
        }
        json::object from_query;
        for (auto& [k, v] : *pairs) {
            from_query[k] = v;
        }
        args = std::move(from_query);
    } else if (!body.empty()) {
        auto parsed = jsonrpc::parse(body, core.limits);
        if (auto* bad = std::get_if<jsonrpc::RpcError>(&parsed)) {
            return rest_error_reply(
                400, Error::invalid("the request body is not JSON: " + bad->message)
            );
        }
        args = std::move(std::get<json::value>(parsed));
    }
    try {
        auto out = core.tool_registry.call_endpoint(endpoint, args, core.tool_services, request);
        if (!out) {
            HttpReply r = rest_error_reply(out.error());
            r.headers.emplace_back("Cache-Control", "no-store");
            return r;
        }
        HttpReply r =
            out->body.is_null() ? empty_reply(out->status) : json_reply(out->status, out->body);
        for (auto& h : out->headers) {
            r.headers.push_back(std::move(h));
        }
        return r;
    } catch (std::exception const& e) {
        log_error("endpoint threw", e.what());
    }
    return rest_error_reply(Error::internal("internal error"));
}

net::awaitable<bool> Connection::serve_endpoint(
    Parser& parser, std::vector<tools::registry::EndpointSpec const*> const& at
) {
    Request& req = parser.get();
    tools::registry::EndpointSpec const* endpoint = nullptr;
    std::vector<std::string> allowed;
    for (auto const* e : at) {
        allowed.push_back(e->method);
        if (e->method == req.method_string()) {
            endpoint = e;
        }
    }
    if (endpoint == nullptr) {
        HttpReply refused = method_not_allowed(allowed, true);
        co_return co_await answer(parser, std::move(refused));
    }
    if (!co_await read_body(parser, false)) {
        co_return false;
    }
    if (closed_) {
        co_return false;  // stopping: the worker pool may be gone
    }
    auto const target = split_target(req.target());
    tools::registry::EndpointRequest request{
        std::string(req.method_string()), std::string(target.path)};
    request.query = std::string(target.query);
    if (auto it = req.find("DPoP"); it != req.end()) {
        request.dpop = std::string(it->value());
    }
    if (endpoint->needs_caller) {
        auto creds = credentials(req, false);
        if (auto* reply = std::get_if<HttpReply>(&creds)) {
            co_return co_await answer(parser, std::move(*reply));
        }
        auto who = co_await authenticate(std::move(std::get<Credentials>(creds)));
        if (auto* reply = std::get_if<HttpReply>(&who)) {
            co_return co_await answer(parser, std::move(*reply));
        }
        request.caller = std::get<Actor>(who);
    }
    auto work = [&core = core_, endpoint, body = std::move(req.body()), request]() {
        return run_endpoint(core, *endpoint, body, request);
    };
    auto reply = co_await on_pool(core_.workers, std::move(work));
    co_return co_await answer(parser, std::move(reply));
}

std::optional<HttpReply> Connection::check_origin_host(Request const& req, bool is_mcp) const {
    std::string message;
    if (core_.loopback_bind && !is_loopback_host_header(req[bhttp::field::host])) {
        message = "Forbidden: the Host header must name localhost, 127.0.0.1 or [::1]";
    } else if (auto it = req.find(bhttp::field::origin);
               it != req.end() && !origin_allowed(it->value(), core_.opts.allowed_origins)) {
        message = "Forbidden: Origin is not allowed";
    } else {
        return std::nullopt;
    }
    return is_mcp ? rpc_error_reply(403, jsonrpc::kInvalidRequest, message)
                  : rest_error_reply(403, Error::permission_denied(message));
}

std::variant<HttpReply, Credentials> Connection::credentials(Request const& req, bool is_mcp)
    const {
    auto cred = credential_from(req[bhttp::field::authorization], req["X-Api-Key"]);
    if (!cred && core_.opts.pass_missing_credentials) {
        cred = std::make_pair(std::string("Bearer"), std::string{});
    }
    if (!cred) {
        return unauthenticated(
            is_mcp,
            "missing credentials: send Authorization: Bearer <api key or token> or X-Api-Key"
        );
    }
    Channel const channel = is_mcp                       ? Channel::kMcpHttp
                            : x_mcp_truthy(req["X-MCP"]) ? Channel::kRestXMcp
                                                         : Channel::kRest;
    Presented presented{
        std::move(cred->first),
        std::move(cred->second),
        std::nullopt,
        std::string(req.method_string()),
        std::string(split_target(req.target()).path)};
    if (auto it = req.find("DPoP"); it != req.end()) {
        presented.dpop = std::string(it->value());
    }
    presented.privilege_cookie = cookie_value(req[bhttp::field::cookie], "signoff_privilege");
    return Credentials{std::move(presented), channel, is_mcp};
}

net::awaitable<AuthOutcome> Connection::authenticate(Credentials creds) {
    if (closed_) {
        // Never written: the socket is closed.
        co_return unauthenticated(creds.is_mcp, "server stopping");
    }
    // Named, not a temporary inside co_await: g++ 12 mis-destroys such captures.
    auto work = [&auth = core_.auth, c = std::move(creds)]() -> AuthOutcome {
        return check_credentials(auth, c);
    };
    co_return co_await on_pool(core_.control, std::move(work));
}

net::awaitable<bool> Connection::serve_mcp(Parser& parser, Actor const& actor) {
    Request& req = parser.get();
    if (req.method() != bhttp::verb::post) {
        HttpReply reply = req.method() == bhttp::verb::delete_ ? core_.mcp.handle_delete(req, actor)
                                                               : McpEndpoint::handle_other();
        co_return co_await answer(parser, std::move(reply));
    }
    if (auto refused = McpEndpoint::check_post_headers(req)) {
        co_return co_await answer(parser, std::move(*refused));
    }
    if (!co_await read_body(parser, true)) {
        co_return false;
    }
    auto prepared = core_.mcp.prepare(req, req.body(), actor);
    if (auto* reply = std::get_if<HttpReply>(&prepared)) {
        co_return co_await answer(parser, std::move(*reply));
    }
    co_return co_await exchange(req, std::move(std::get<PreparedMessage>(prepared)));
}

void ServerCore::dispatch(std::shared_ptr<Exchange> ex, mcp::Inbound in, bool is_request) {
    auto& pool = is_request ? workers : control;
    net::post(pool, [ex = std::move(ex), in = std::move(in), this]() mutable {
        in.out = ex.get();
        ex->finish(run_engine(engine, std::move(in)));
    });
}

void ServerCore::dispatch_buffered(
    std::shared_ptr<Exchange> ex,
    Credentials creds,
    Fields fields,
    std::variant<HttpReply, json::value> parsed
) {
    // Same pool as dispatch() would use, so a notification never waits behind tools.
    auto& pool = McpEndpoint::is_request(parsed) ? workers : control;
    auto task = [this,
                 ex = std::move(ex),
                 c = std::move(creds),
                 f = std::move(fields),
                 body = std::move(parsed)]() mutable {
        auto who = check_credentials(auth, c);
        if (auto* refused = std::get_if<HttpReply>(&who)) {
            ex->begin(std::move(*refused));
            return;
        }
        if (auto* refused = std::get_if<HttpReply>(&body)) {
            ex->begin(std::move(*refused));
            return;
        }
        auto prepared =
            mcp.prepare_parsed(f, std::move(std::get<json::value>(body)), std::get<Actor>(who));
        auto* p = std::get_if<PreparedMessage>(&prepared);
        if (p == nullptr) {
            ex->begin(std::move(prepared));
            return;
        }
        mcp::Inbound in = std::move(p->inbound);
        p->inbound.session = in.session;  // finish() needs it to store a new session
        ex->begin(std::move(prepared));
        in.out = ex.get();
        ex->finish(run_engine(engine, std::move(in)));
    };
    net::post(pool, std::move(task));
}

net::awaitable<bool> Connection::serve_buffered_rest(Parser& parser, Credentials creds) {
    if (closed_) {
        co_return false;  // stopping: the worker pool may be gone
    }
    auto const path = std::string(split_target(parser.get().target()).path);
    auto work = [&core = core_, c = std::move(creds), r = rest_request(parser.get()), path]() {
        auto who = check_credentials(core.auth, c);
        if (auto* refused = std::get_if<HttpReply>(&who)) {
            return std::move(*refused);
        }
        return run_rest(core.rest, r, std::get<Actor>(who));
    };
    auto reply = co_await on_pool(core_.workers, std::move(work));
    co_return co_await answer(parser, std::move(reply));
}

net::awaitable<bool> Connection::serve_buffered_mcp(Parser& parser, Credentials creds) {
    if (closed_) {
        co_return false;  // stopping: the pools may be gone
    }
    Request const& req = parser.get();
    // Parsed here, before authentication, only to pick the pool; its errors
    // are answered after authentication, as on the two-hop path.
    auto parsed = core_.mcp.parse_body(req.body());
    auto ex = std::make_shared<Exchange>(stream_.get_executor());
    exchange_ = ex;
    Fields fields = req.base();
    core_.dispatch_buffered(ex, std::move(creds), std::move(fields), std::move(parsed));
    stream_.expires_never();
    std::optional<std::variant<HttpReply, PreparedMessage>> head;
    while (!head && !closed_) {
        head = ex->take_head();
        if (!head && !closed_) {
            co_await ex->wait();
        }
    }
    if (!head) {
        exchange_.reset();
        co_return false;  // server stopping
    }
    if (auto* refused = std::get_if<HttpReply>(&*head)) {
        exchange_.reset();
        co_return co_await answer(parser, std::move(*refused));
    }
    co_return co_await pump(req, ex, std::move(std::get<PreparedMessage>(*head)));
}

net::awaitable<bool> Connection::exchange(Request const& req, PreparedMessage p) {
    if (closed_) {
        co_return false;  // stopping: the pools may be gone
    }
    auto ex = std::make_shared<Exchange>(stream_.get_executor());
    exchange_ = ex;
    mcp::Inbound inbound = std::move(p.inbound);
    p.inbound.session = inbound.session;  // finish() needs it to store a new session
    core_.dispatch(ex, std::move(inbound), p.is_request);
    co_return co_await pump(req, std::move(ex), std::move(p));
}

/// io thread: streams the engine output of an exchange, then its answer.
net::awaitable<bool> Connection::pump(
    Request const& req, std::shared_ptr<Exchange> ex, PreparedMessage p
) {
    stream_.expires_never();
    bool const chunked = req.version() >= 11;
    bool sse = false;
    bool ok = true;
    while (ok) {
        std::deque<std::string> events;
        std::optional<mcp::Reply> reply;
        ex->take(events, reply);
        if (events.empty() && !reply) {
            // Wait only right after an empty take: a wake-up that fired while
            // an earlier write was suspended would otherwise be lost.
            if (!closed_) {
                co_await ex->wait();
            }
            ok = !closed_;
            continue;
        }
        if (!sse && !events.empty()) {
            sse = true;
            ok = co_await start_sse(req, p, chunked);
        }
        // No co_await inside && or ?: in this file: g++ 12 miscompiles it.
        for (auto const& e : events) {
            if (ok) {
                ok = co_await write_sse(e, chunked);
            }
        }
        if (ok && reply) {
            exchange_.reset();
            co_return co_await finish_exchange(req, p, std::move(*reply), sse, chunked);
        }
    }
    // Client gone or server stopping. The handler runs on; a handshake-era
    // request stays cancellable through its session (DELETE, shutdown).
    exchange_.reset();
    co_return false;
}

net::awaitable<bool> Connection::finish_exchange(
    Request const& req, PreparedMessage const& p, mcp::Reply reply, bool sse, bool chunked
) {
    if (!sse) {
        HttpReply out = core_.mcp.finish(p, std::move(reply));
        co_return co_await write_reply(std::move(out), req.version(), req.keep_alive());
    }
    core_.mcp.commit_session(p, reply);
    if (reply.response) {
        std::string const last = json::serialize(*reply.response);
        bool const ok = co_await write_sse(last, chunked);
        if (!ok) {
            co_return false;
        }
    }
    if (!chunked) {
        co_return false;  // HTTP/1.0: the end of the stream is the end of the connection
    }
    auto const end = bhttp::make_chunk_last();
    auto [ec, n] = co_await net::async_write(stream_, end, kUse);
    (void)n;
    co_return !ec && req.keep_alive();
}

net::awaitable<bool> Connection::serve_rest(
    Parser& parser, Actor const& actor, std::string_view path
) {
    Request& req = parser.get();
    std::string method(req.method_string());
    if (auto refused = core_.rest.check_route(method, path)) {
        co_return co_await answer(parser, std::move(*refused));
    }
    if (!co_await read_body(parser, false)) {
        co_return false;
    }
    auto work = [&rest = core_.rest, r = rest_request(req), actor]() -> HttpReply {
        return run_rest(rest, r, actor);
    };
    if (closed_) {
        co_return false;  // stopping: the worker pool may be gone
    }
    auto reply = co_await on_pool(core_.workers, std::move(work));
    co_return co_await answer(parser, std::move(reply));
}

net::awaitable<bool> Connection::serve_download(
    Parser& parser, Credentials creds, tools::registry::DownloadMatch match
) {
    auto who = co_await authenticate(std::move(creds));
    if (auto* reply = std::get_if<HttpReply>(&who)) {
        co_return co_await answer(parser, std::move(*reply));
    }
    if (parser.get().method() != bhttp::verb::get) {
        HttpReply refused = method_not_allowed(std::vector<std::string>{"GET"}, true);
        co_return co_await answer(parser, std::move(refused));
    }
    if (!co_await read_body(parser, false)) {
        co_return false;
    }
    if (closed_) {
        co_return false;  // stopping: the worker pool may be gone
    }
    auto work = [&core = core_, m = std::move(match), actor = std::get<Actor>(who)]() {
        return open_download(core.tool_services, m, actor);
    };
    auto opened = co_await on_pool(core_.workers, std::move(work));
    if (!opened) {
        HttpReply refused = rest_error_reply(opened.error());
        co_return co_await answer(parser, std::move(refused));
    }
    co_return co_await stream_download(parser.get(), std::move(*opened));
}

/// io thread: the headers, then each piece of the body as a worker fetches it.
/// Only one piece is in memory, and no thread waits while the client is slow.
/// A failure after the headers cuts the connection: with Content-Length (or a
/// missing last chunk) the client can tell the body is incomplete.
net::awaitable<bool> Connection::stream_download(
    Request const& req, tools::registry::Download download
) {
    auto const size = download.head.size;
    bool const chunked = !size && req.version() >= 11;
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::server, "signoff");
    for (auto const& [name, value] : download_headers(download.head)) {
        res.set(name, value);
    }
    if (size) {
        res.content_length(static_cast<std::uint64_t>(*size));
    } else {
        res.chunked(chunked);
    }
    bool const keep_alive = req.keep_alive() && (size || chunked);
    res.keep_alive(keep_alive);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    response_started_ = true;
    stream_.expires_after(core_.opts.read_timeout);
    auto [hec, hn] = co_await bhttp::async_write_header(stream_, sr, kUse);
    (void)hn;
    if (hec) {
        co_return false;
    }
    auto shared = std::make_shared<tools::registry::Download>(std::move(download));
    std::int64_t sent = 0;
    for (;;) {
        if (closed_) {
            co_return false;  // stopping: the worker pool may be gone
        }
        // Named, not a temporary inside co_await: g++ 12 mis-destroys such captures.
        auto fetch = [shared] { return next_piece(*shared); };
        auto piece = co_await on_pool(core_.workers, std::move(fetch));
        if (!piece) {
            log_error("download body", piece.error().message);
            co_return false;
        }
        if (!*piece) {
            break;
        }
        sent += static_cast<std::int64_t>((*piece)->size());
        stream_.expires_after(core_.opts.read_timeout);
        beast::error_code ec;
        if (chunked) {
            auto const chunk = bhttp::make_chunk(net::buffer(**piece));
            std::tie(ec, std::ignore) = co_await net::async_write(stream_, chunk, kUse);
        } else {
            std::tie(ec, std::ignore) =
                co_await net::async_write(stream_, net::buffer(**piece), kUse);
        }
        if (ec) {
            co_return false;
        }
    }
    if (size && sent != *size) {
        log_error("download body", "size differs from the announced Content-Length");
        co_return false;
    }
    if (chunked) {
        auto const end = bhttp::make_chunk_last();
        auto [ec, n] = co_await net::async_write(stream_, end, kUse);
        (void)n;
        co_return !ec && keep_alive;
    }
    co_return keep_alive;
}

/// True when the whole body is now parsed from bytes that arrived with the
/// header, without reading the socket. Content-Length was checked against the
/// limit by route(); Expect: 100-continue keeps the path that answers it.
bool Connection::take_buffered_body(Parser& parser) {
    if (parser.is_done()) {
        return true;
    }
    auto const len = parser.content_length();
    if (!len || *len > buffer_.size() ||
        beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        return false;
    }
    parser.body_limit(core_.opts.max_body_bytes);
    beast::error_code ec;
    auto const used = parser.put(buffer_.data(), ec);
    buffer_.consume(used);
    return !ec && parser.is_done();
}

net::awaitable<bool> Connection::read_body(Parser& parser, bool is_mcp) {
    if (parser.is_done()) {
        co_return true;
    }
    auto const& req = parser.get();
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, req.version()};
        stream_.expires_after(core_.opts.read_timeout);
        auto [ec, n] = co_await bhttp::async_write(stream_, go_on, kUse);
        (void)n;
        if (ec) {
            co_return false;
        }
    }
    parser.body_limit(core_.opts.max_body_bytes);
    stream_.expires_after(core_.opts.read_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, parser, kUse);
    (void)n;
    if (ec == bhttp::error::body_limit) {
        HttpReply refused = too_large(is_mcp, core_.opts.max_body_bytes);
        if (co_await write_reply(std::move(refused), 11, false)) {
            co_await linger_close();
        }
        co_return false;
    }
    co_return !ec;
}

net::awaitable<bool> Connection::answer(Parser& parser, HttpReply reply) {
    bool const body_unread = !parser.is_done();
    bool const keep = parser.get().keep_alive() && !body_unread;
    if (!co_await write_reply(std::move(reply), parser.get().version(), keep)) {
        co_return false;
    }
    if (body_unread) {
        co_await linger_close();
        co_return false;
    }
    co_return keep;
}

net::awaitable<bool> Connection::write_reply(HttpReply reply, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> res;
    res.version(version);
    res.result(reply.status);
    res.set(bhttp::field::server, "signoff");
    if (!reply.body.empty()) {
        res.set(bhttp::field::content_type, reply.content_type);
    }
    for (auto const& [name, value] : reply.headers) {
        res.set(name, value);
    }
    res.body() = std::move(reply.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    response_started_ = true;
    stream_.expires_after(core_.opts.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, res, kUse);
    (void)n;
    co_return !ec;
}

net::awaitable<bool> Connection::start_sse(
    Request const& req, PreparedMessage const& p, bool chunked
) {
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::server, "signoff");
    res.set(bhttp::field::content_type, "text/event-stream");
    res.set(bhttp::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no");
    if (!p.new_session_id.empty()) {
        res.set("Mcp-Session-Id", p.new_session_id);
    }
    res.keep_alive(chunked && req.keep_alive());
    res.chunked(chunked);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    response_started_ = true;
    stream_.expires_after(core_.opts.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, kUse);
    (void)n;
    co_return !ec;
}

net::awaitable<bool> Connection::write_sse(std::string const& message, bool chunked) {
    std::string const frame = "event: message\ndata: " + message + "\n\n";
    stream_.expires_after(core_.opts.read_timeout);
    beast::error_code ec;
    if (chunked) {
        auto const chunk = bhttp::make_chunk(net::buffer(frame));
        std::tie(ec, std::ignore) = co_await net::async_write(stream_, chunk, kUse);
    } else {
        std::tie(ec, std::ignore) = co_await net::async_write(stream_, net::buffer(frame), kUse);
    }
    co_return !ec;
}

net::awaitable<void> Connection::linger_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min<std::chrono::seconds>(kLingerTime, core_.opts.read_timeout));
    std::array<char, 4096> sink{};
    std::size_t total = 0;
    while (!closed_ && total < kLingerBytes) {
        auto [ec, n] = co_await stream_.async_read_some(net::buffer(sink), kUse);
        if (ec) {
            break;
        }
        total += n;
    }
    stream_.socket().close(ignored);
    closed_ = true;
}

}  // namespace detail

// ---------------------------------------------------------------- HttpServer

struct HttpServer::Impl : detail::ServerCore {
    using detail::ServerCore::ServerCore;
};

HttpServer::HttpServer(
    mcp::Engine& engine,
    tools::registry::Registry const& registry,
    tools::registry::Services const& services,
    Authenticator auth,
    HttpOptions opts
)
    : impl_(std::make_unique<Impl>(engine, registry, services, std::move(auth), std::move(opts))) {}

HttpServer::~HttpServer() {
    try {
        impl_->stop();
    } catch (std::exception const& e) {
        detail::log_error("stop during destruction", e.what());
    } catch (...) {
        detail::log_error("stop during destruction", "unknown exception");
    }
}

Status HttpServer::start() {
    return impl_->start();
}

unsigned short HttpServer::port() const {
    return impl_->bound_port.load();
}

void HttpServer::run() {
    impl_->running = true;
    for (;;) {
        try {
            impl_->io.run();
            return;
        } catch (std::exception const& e) {
            detail::log_error("io loop", e.what());
        }
    }
}

void HttpServer::stop() {
    impl_->stop();
}

void HttpServer::drain(std::chrono::milliseconds limit) {
    impl_->drain(limit);
}

std::size_t HttpServer::end_sessions_of(
    std::string const& org_id, std::string const& principal_kind, std::string const& id
) {
    auto ended = impl_->sessions.remove_owner(owner_key(org_id, principal_kind, id));
    for (auto const& session : ended) {
        if (session) {
            impl_->engine.cancel_all(*session);
        }
    }
    return ended.size();
}

}  // namespace signoff::transport::http
