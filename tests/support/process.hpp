// Starts the real signoff binary for end-to-end tests: with pipes for stdio
// sessions, or as an HTTP server whose bound port is read from its stderr.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace signoff::testing {

/// A child process with its stdin/stdout/stderr on pipes. The destructor
/// closes stdin, waits briefly, then kills it.
class Child {
public:
    Child(std::vector<std::string> const& argv, std::map<std::string, std::string> const& env);
    ~Child();
    Child(Child const&) = delete;
    Child& operator=(Child const&) = delete;

    void write_line(std::string const& line);
    /// Next line of stdout, or nullopt at EOF / after `timeout`.
    std::optional<std::string> read_line(
        std::chrono::milliseconds timeout = std::chrono::seconds{20}
    );
    /// Next stderr line containing `needle`; everything read from stderr is kept in stderr_text().
    std::optional<std::string> wait_stderr(
        std::string const& needle, std::chrono::milliseconds timeout = std::chrono::seconds{30}
    );
    std::string const& stderr_text() const { return err_; }
    void close_stdin();
    pid_t pid() const { return pid_; }
    /// Waits for exit; the exit code, or -1 on timeout / signal.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds{20});
    void terminate();

private:
    std::optional<std::string> read_fd_line(
        int fd, std::string& buf, std::chrono::milliseconds timeout
    );

    pid_t pid_{-1};
    int in_{-1};
    int out_{-1};
    int errfd_{-1};
    std::string out_buf_;
    std::string err_buf_;
    std::string err_;
    bool exited_{false};
    int status_{0};
};

/// Runs a command to completion; returns {exit code, stdout}.
std::pair<int, std::string> run_command(
    std::vector<std::string> const& argv, std::map<std::string, std::string> const& env = {}
);

#ifdef SIGNOFF_BINARY_PATH
/// The signoff binary under test (compiled in for the e2e test binary only).
inline std::string signoff_binary() {
    return SIGNOFF_BINARY_PATH;
}
#endif

}  // namespace signoff::testing
