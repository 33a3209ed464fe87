// The stdio loop over pipes: line framing, concurrent requests answered by id,
// -32700 for malformed lines, an unterminated last line, and exit on EOF.
#include "transport/stdio/stdio_loop.hpp"

#include <algorithm>
#include <cstdint>
#include <fcntl.h>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "tests/transport/mcp/engine_harness.hpp"
#include "transport/jsonrpc/codes.hpp"

namespace json = boost::json;
using namespace signoff::testing;
using namespace signoff::transport;

namespace {

/// The loop on its own thread, fed through one pipe and read through another.
class PipeLoop {
public:
    explicit PipeLoop(EngineHarness& h) {
        REQUIRE(::pipe(in_) == 0);
        REQUIRE(::pipe(out_) == 0);
        stdio::StdioOptions options;
        options.in_fd = in_[0];
        options.out_fd = out_[1];
        options.workers = 3;
        result_ = std::async(std::launch::async, [&h, options] {
            return stdio::run_stdio(*h.engine, h.actor, options);
        });
    }
    ~PipeLoop() {
        close_input();
        if (result_.valid()) {
            result_.wait();
        }
        ::close(in_[0]);
        ::close(out_[0]);
        ::close(out_[1]);
    }

    void write(std::string const& text) {
        REQUIRE(::write(in_[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    void close_input() {
        if (in_[1] >= 0) {
            ::close(in_[1]);
            in_[1] = -1;
        }
    }
    /// Reads the next output line (blocking).
    json::object read_line() {
        std::string line;
        char c = 0;
        while (::read(out_[0], &c, 1) == 1 && c != '\n') {
            line.push_back(c);
        }
        REQUIRE_FALSE(line.empty());
        return json::parse(line).as_object();
    }
    /// Reads `n` output lines in large chunks (blocking); they must be the last output read.
    std::vector<std::string> read_lines(std::size_t n) {
        std::vector<std::string> lines;
        std::string partial;
        std::vector<char> buf(1 << 16);
        while (lines.size() < n) {
            ssize_t got = ::read(out_[0], buf.data(), buf.size());
            REQUIRE(got > 0);
            for (char c : std::string_view(buf.data(), static_cast<std::size_t>(got))) {
                if (c == '\n') {
                    lines.push_back(std::move(partial));
                    partial.clear();
                } else {
                    partial.push_back(c);
                }
            }
        }
        return lines;
    }
    int exit_code() { return result_.get(); }

private:
    int in_[2]{-1, -1};
    int out_[2]{-1, -1};
    std::future<int> result_;
};

std::string line(json::value const& v) {
    return json::serialize(v) + "\n";
}

std::string init_lines() {
    return line(request(0, "initialize", {{"protocolVersion", "2025-11-25"}})) +
           line(notification("notifications/initialized"));
}

}  // namespace

TEST_SUITE("transport/stdio/stdio_loop") {
    TEST_CASE("a malformed line gets -32700 with id null and the loop goes on") {
        EngineHarness h;
        PipeLoop loop(h);
        loop.write("{not json\n");
        auto err = loop.read_line();
        CHECK(err.at("id").is_null());
        CHECK(err.at("error").at("code") == json::value(jsonrpc::kParseError));
        loop.write(line(request(1, "ping")));
        CHECK(loop.read_line().at("id") == json::value(1));
        loop.close_input();
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("concurrent requests are answered by id while a slow tool runs") {
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(init_lines());
        CHECK(loop.read_line().at("id") == json::value(0));
        loop.write(line(request("slow", "tools/call", {{"name", "test_slow"}})));
        h.gate->wait_entered();
        loop.write(line(request(2, "ping")) + line(request(3, "tools/list")));
        std::map<std::string, json::object> seen;
        for (int i = 0; i < 2; ++i) {
            auto m = loop.read_line();
            seen[json::serialize(m.at("id"))] = m;
        }
        CHECK(seen.count("2") == 1);
        CHECK(seen.count("3") == 1);
        h.gate->release();
        auto slow = loop.read_line();
        CHECK(slow.at("id") == json::value("slow"));
        loop.close_input();
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("cancellation over stdio suppresses the slow call's response") {
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(init_lines());
        loop.read_line();
        loop.write(line(request(7, "tools/call", {{"name", "test_slow"}})));
        h.gate->wait_entered();
        loop.write(line(notification("notifications/cancelled", {{"requestId", 7}})));
        loop.write(line(request(8, "ping")));
        CHECK(loop.read_line().at("id") == json::value(8));
        h.gate->release();
        loop.write(line(request(9, "ping")));
        CHECK(loop.read_line().at("id") == json::value(9));  // nothing for id 7 came first
        loop.close_input();
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("a burst of requests gets every response once, each a whole line") {
        // Workers finishing together hand their lines to whichever one is writing.
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(init_lines());
        loop.read_line();
        constexpr int kCount = 300;
        std::string burst;
        for (int i = 1; i <= kCount; ++i) {
            burst +=
                i % 2 == 0
                    ? line(request(i, "ping"))
                    : line(request(
                          i, "tools/call", {{"name", "probe_echo"}, {"arguments", {{"slug", "a"}}}}
                      ));
        }
        loop.write(burst);
        std::map<std::int64_t, int> seen;
        for (int i = 0; i < kCount; ++i) {
            auto m = loop.read_line();  // a torn or merged line would not parse
            CHECK(m.contains("result"));
            ++seen[m.at("id").as_int64()];
        }
        CHECK(seen.size() == kCount);
        CHECK(seen.begin()->first == 1);
        CHECK(seen.rbegin()->first == kCount);
        CHECK(std::all_of(seen.begin(), seen.end(), [](auto const& kv) { return kv.second == 1; }));
        loop.close_input();
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("a client that reads only after sending everything gets every response") {
        // More output than the pipe and the writer's queue hold: senders wait, nothing is lost.
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(init_lines());
        loop.read_line();
        loop.write(line(request(1, "tools/list")));
        std::size_t const size = json::serialize(loop.read_line()).size();
        std::size_t const count = (3U << 20U) / size + 1;
        auto sent = std::async(std::launch::async, [&loop, count] {
            for (std::size_t i = 2; i < count + 2; ++i) {
                loop.write(line(request(static_cast<std::int64_t>(i), "tools/list")));
            }
        });
        sent.get();
        auto lines = loop.read_lines(count);
        std::map<std::int64_t, int> seen;
        for (auto const& l : lines) {
            ++seen[json::parse(l).at("id").as_int64()];
        }
        CHECK(seen.size() == count);
        CHECK(std::all_of(seen.begin(), seen.end(), [](auto const& kv) { return kv.second == 1; }));
        loop.close_input();
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("a client that stops reading does not stop the loop") {
        EngineHarness h;
        int in[2];
        int out[2];
        REQUIRE(::pipe(in) == 0);
        REQUIRE(::pipe(out) == 0);
        ::close(out[0]);  // every write now fails with EPIPE
        stdio::StdioOptions options;
        options.in_fd = in[0];
        options.out_fd = out[1];
        auto done = std::async(std::launch::async, [&] {
            return stdio::run_stdio(*h.engine, h.actor, options);
        });
        std::string text = init_lines();
        for (int i = 1; i <= 20; ++i) {
            text += line(request(i, "ping"));
        }
        REQUIRE(::write(in[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
        ::close(in[1]);
        CHECK(done.get() == 0);
        ::close(in[0]);
        ::close(out[1]);
    }

    TEST_CASE("progress notifications and the response are whole lines") {
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(init_lines());
        loop.read_line();
        loop.write(line(request(
            1,
            "tools/call",
            {{"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", 5}}}}
        )));
        for (int i = 0; i < 3; ++i) {
            CHECK(loop.read_line().at("method") == json::value("notifications/progress"));
        }
        CHECK(loop.read_line().at("id") == json::value(1));
    }

    TEST_CASE("an unterminated last line is processed before exit on EOF") {
        EngineHarness h;
        PipeLoop loop(h);
        loop.write(json::serialize(request(42, "ping")));
        loop.close_input();
        CHECK(loop.read_line().at("id") == json::value(42));
        CHECK(loop.exit_code() == 0);
    }

    TEST_CASE("a line over the size limit is refused once and the next line is served") {
        EngineHarness h;
        int in[2];
        int out[2];
        REQUIRE(::pipe(in) == 0);
        REQUIRE(::pipe(out) == 0);
        stdio::StdioOptions options;
        options.in_fd = in[0];
        options.out_fd = out[1];
        options.limits.max_body_bytes = 64;
        auto done = std::async(std::launch::async, [&] {
            return stdio::run_stdio(*h.engine, h.actor, options);
        });
        std::string text = std::string(200, 'x') + "\n" + line(request(1, "ping"));
        REQUIRE(::write(in[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
        ::close(in[1]);
        CHECK(done.get() == 0);
        ::close(out[1]);
        std::string all;
        char buf[512];
        for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
            all.append(buf, static_cast<std::size_t>(n));
        }
        std::istringstream lines(all);
        std::string first;
        std::string second;
        std::getline(lines, first);
        std::getline(lines, second);
        CHECK(json::parse(first).at("error").at("code") == json::value(jsonrpc::kParseError));
        CHECK(json::parse(second).at("id") == json::value(1));
        ::close(in[0]);
        ::close(out[0]);
    }
}
