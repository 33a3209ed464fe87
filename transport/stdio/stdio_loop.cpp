// stdio loop: a reader on the calling thread splits input into lines and a
// small worker pool runs requests, so ping and notifications/cancelled are
// answered while a slow tool runs. Output lines are written whole under a mutex.
#include "transport/stdio/stdio_loop.hpp"

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "transport/jsonrpc/codes.hpp"

namespace signoff::transport::stdio {

namespace json = boost::json;

namespace {

/// Writes one compact JSON message per line; thread-safe. After a write error
/// (the client went away) further messages are dropped.
class LineWriter final : public mcp::Outbound {
public:
    explicit LineWriter(int fd) : fd_(fd) {}

    void send(json::object const& message) override {
        std::string line = jsonrpc::to_line(message);
        line.push_back('\n');
        std::lock_guard lock(mu_);
        std::size_t done = 0;
        while (!broken_ && done < line.size()) {
            ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                broken_ = true;
                break;
            }
            done += static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
    std::mutex mu_;
    bool broken_{false};
};

/// A fixed pool draining a FIFO of jobs; close() lets queued jobs finish.
class WorkerPool {
public:
    explicit WorkerPool(std::size_t n) {
        for (std::size_t i = 0; i < (n == 0 ? 1 : n); ++i) {
            threads_.emplace_back([this] { run(); });
        }
    }
    ~WorkerPool() { close(); }

    void post(std::function<void()> job) {
        {
            std::lock_guard lock(mu_);
            jobs_.push_back(std::move(job));
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
            std::function<void()> job;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [this] { return closed_ || !jobs_.empty(); });
                if (jobs_.empty()) {
                    return;
                }
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
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
          pool_(options.workers) {}

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
                    reject("Parse error: message exceeds the limit of " +
                           std::to_string(options_.limits.max_body_bytes) + " bytes");
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
        pool_.post([this, m = std::move(message)]() mutable { serve(std::move(m)); });
    }

    void serve(json::value message) {
        mcp::Reply reply = engine_.handle(mcp::Inbound{std::move(message), actor_, session_, &writer_, std::nullopt});
        if (reply.response) {
            writer_.send(*reply.response);
        }
    }

    mcp::Engine& engine_;
    server::core::Actor actor_;
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
