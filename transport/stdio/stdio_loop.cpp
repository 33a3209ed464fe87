// stdio loop: a reader on the calling thread splits input into lines and a
// small worker pool runs requests, so ping and notifications/cancelled are
// answered while a slow tool runs. Output lines are written whole, in batches.
#include "transport/stdio/stdio_loop.hpp"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include "transport/jsonrpc/codes.hpp"

namespace signoff::transport::stdio {

namespace json = boost::json;

namespace {

/// Writes one compact JSON message per line; thread-safe. Lines queue in a
/// buffer and whichever sender finds no write under way writes everything
/// queued, with one system call per batch: under load, workers hand over their
/// lines instead of waiting for each other's writes, and a lone reply still
/// goes out at once. A message is on the wire once the thread writing has
/// finished, which happens before the loop's threads are joined. Senders wait
/// while kMaxQueuedBytes are queued, so a client that reads slowly slows the
/// workers down instead of growing the buffer. After a write error (the client
/// went away) further messages are dropped.
class LineWriter final : public mcp::Outbound {
public:
    static constexpr std::size_t kMaxQueuedBytes = std::size_t{1} << 20U;

    explicit LineWriter(int fd) : fd_(fd) {}

    void send(json::object const& message) override {
        std::string line = jsonrpc::to_line(message);
        line.push_back('\n');
        std::unique_lock lock(mu_);
        // Nothing is queued unless a write is under way, whose next batch drains it.
        drained_.wait(lock, [this] { return broken_ || queued_.size() < kMaxQueuedBytes; });
        queued_.append(line);
        if (writing_) {
            return;  // the thread writing now takes this line with its next batch
        }
        writing_ = true;
        while (!queued_.empty() && !broken_) {
            batch_.swap(queued_);
            drained_.notify_all();
            lock.unlock();
            bool const ok = write_all(batch_);
            batch_.clear();
            lock.lock();
            broken_ = broken_ || !ok;
        }
        queued_.clear();
        writing_ = false;
        drained_.notify_all();  // wakes senders that waited on a write that failed
    }

private:
    bool write_all(std::string_view data) const {
        while (!data.empty()) {
            ssize_t n = ::write(fd_, data.data(), data.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    int fd_;
    std::mutex mu_;
    std::condition_variable drained_;
    std::string queued_;   // guarded by mu_
    bool writing_{false};  // guarded by mu_: one thread writes at a time
    bool broken_{false};   // guarded by mu_
    std::string batch_;    // owned by the thread writing
};

/// A fixed pool of threads serving a FIFO of messages; close() lets queued
/// messages finish. The queue holds messages, not closures, so handing one over
/// costs no allocation of its own.
class WorkerPool {
public:
    using Serve = std::function<void(json::value)>;

    WorkerPool(std::size_t n, Serve serve) : serve_(std::move(serve)) {
        for (std::size_t i = 0; i < (n == 0 ? 1 : n); ++i) {
            threads_.emplace_back([this] { run(); });
        }
    }
    ~WorkerPool() { close(); }

    void post(json::value message) {
        {
            std::lock_guard lock(mu_);
            queue_.push_back(std::move(message));
        }
        cv_.notify_one();
    }

    void close() {
        {
            std::lock_guard lock(mu_);
            closed_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) {
            if (t.joinable()) {
                t.join();
            }
        }
    }

private:
    void run() {
        for (;;) {
            json::value message;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
                if (queue_.empty()) {
                    return;
                }
                message = std::move(queue_.front());
                queue_.pop_front();
            }
            serve_(std::move(message));
        }
    }

    Serve const serve_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<json::value> queue_;
    bool closed_{false};
    std::vector<std::thread> threads_;
};

/// Messages whose effect later messages depend on run in arrival order.
bool must_run_in_order(json::value const& v) {
    auto const* o = v.if_object();
    if (o == nullptr || !o->contains("id") || !o->contains("method")) {
        return true;  // notifications, client responses, invalid envelopes
    }
    auto const& method = o->at("method");
    return method.is_string() && method.as_string() == "initialize";
}

class Loop {
public:
    Loop(mcp::Engine& engine, server::core::Actor actor, StdioOptions const& options)
        : engine_(engine),
          actor_(std::move(actor)),
          options_(options),
          writer_(options.out_fd),
          session_(engine.new_session()),
          pool_(options.workers, [this](json::value m) { serve(std::move(m)); }) {}

    int run() {
        int rc = read_all();
        engine_.end_input(*session_);
        pool_.close();
        return rc;
    }

private:
    int read_all() {
        std::vector<char> chunk(64 * 1024);
        for (;;) {
            ssize_t n = ::read(options_.in_fd, chunk.data(), chunk.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                return 1;
            }
            if (n == 0) {
                if (!discarding_ && !pending_.empty()) {
                    line(pending_);  // an unterminated last line still counts
                }
                return 0;
            }
            consume(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        }
    }

    void consume(std::string_view data) {
        while (!data.empty()) {
            auto nl = data.find('\n');
            std::string_view part = data.substr(0, nl);
            if (!discarding_) {
                pending_.append(part);
                if (pending_.size() > options_.limits.max_body_bytes) {
                    // Too long to ever be accepted: stop buffering, answer once.
                    reject(
                        "Parse error: message exceeds the limit of " +
                        std::to_string(options_.limits.max_body_bytes) + " bytes"
                    );
                    pending_.clear();
                    discarding_ = true;
                }
            }
            if (nl == std::string_view::npos) {
                return;
            }
            if (!discarding_) {
                line(pending_);
            }
            pending_.clear();
            discarding_ = false;
            data.remove_prefix(nl + 1);
        }
    }

    void reject(std::string message) {
        writer_.send(jsonrpc::make_error(nullptr, {jsonrpc::kParseError, std::move(message), {}}));
    }

    void line(std::string_view text) {
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            return;  // blank lines are not messages
        }
        auto parsed = jsonrpc::parse(text, options_.limits);
        if (auto* err = std::get_if<jsonrpc::RpcError>(&parsed)) {
            writer_.send(jsonrpc::make_error(nullptr, *err));
            return;
        }
        json::value message = std::move(std::get<json::value>(parsed));
        if (must_run_in_order(message)) {
            serve(std::move(message));
            return;
        }
        pool_.post(std::move(message));
    }

    void serve(json::value message) {
        server::core::Actor actor = actor_;
        if (options_.principal) {
            auto now = options_.principal();
            if (!now) {
                refuse(message, now.error().message);
                return;
            }
            actor = std::move(*now);
        }
        mcp::Reply reply = engine_.handle(mcp::Inbound{
            std::move(message), std::move(actor), session_, &writer_, std::nullopt});
        if (reply.response) {
            writer_.send(*reply.response);
        }
    }

    /// Answers a request with kUnauthorized (notifications and responses get
    /// nothing); says so once on stderr.
    void refuse(json::value const& message, std::string const& why) {
        if (!told_.exchange(true)) {
            std::fprintf(
                stderr, "signoff: stdio: the credential no longer works: %s\n", why.c_str()
            );
        }
        auto const* o = message.if_object();
        if (o == nullptr || !o->contains("id") || !o->contains("method")) {
            return;
        }
        writer_.send(jsonrpc::make_error(
            o->at("id"), {jsonrpc::kUnauthorized, "SIGNOFF_API_KEY: " + why, {}}
        ));
    }

    mcp::Engine& engine_;
    server::core::Actor actor_;
    std::atomic<bool> told_{false};
    StdioOptions options_;
    LineWriter writer_;
    std::shared_ptr<mcp::Session> session_;
    std::string pending_;
    bool discarding_{false};
    WorkerPool pool_;  // last: its threads use the members above
};

}  // namespace

int run_stdio(mcp::Engine& engine, server::core::Actor actor, StdioOptions options) {
    std::signal(SIGPIPE, SIG_IGN);
    Loop loop(engine, std::move(actor), options);
    return loop.run();
}

}  // namespace signoff::transport::stdio
