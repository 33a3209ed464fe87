// See process.hpp. posix_spawn with pipes; poll() for timeouts (no sleeps).
#include "tests/support/process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace signoff::testing {
namespace {

std::vector<std::string> merged_env(std::map<std::string, std::string> const& extra) {
    std::map<std::string, std::string> all;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string kv = *e;
        auto const eq = kv.find('=');
        if (eq != std::string::npos) {
            all[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    }
    for (auto const& [k, v] : extra) {
        all[k] = v;
    }
    std::vector<std::string> out;
    for (auto const& [k, v] : all) {
        out.push_back(k + "=" + v);
    }
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

}  // namespace

Child::Child(std::vector<std::string> const& argv, std::map<std::string, std::string> const& env) {
    int in[2];
    int out[2];
    int err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    auto args = argv;
    auto envs = merged_env(env);
    auto cargs = c_strings(args);
    auto cenv = c_strings(envs);
    int const rc = posix_spawn(&pid_, cargs[0], &fa, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        throw std::runtime_error("posix_spawn " + argv.at(0) + ": " + std::strerror(rc));
    }
    in_ = in[1];
    out_ = out[0];
    errfd_ = err[0];
}

Child::~Child() {
    close_stdin();
    if (wait(std::chrono::seconds{10}) == -1 && !exited_) {
        terminate();
    }
    if (out_ >= 0) {
        close(out_);
    }
    if (errfd_ >= 0) {
        close(errfd_);
    }
}

void Child::write_line(std::string const& line) {
    std::string data = line + "\n";
    std::size_t off = 0;
    while (off < data.size()) {
        auto const n = ::write(in_, data.data() + off, data.size() - off);
        if (n <= 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error("write to child failed");
        }
        off += static_cast<std::size_t>(n);
    }
}

std::optional<std::string> Child::read_fd_line(
    int fd, std::string& buf, std::chrono::milliseconds timeout
) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto const nl = buf.find('\n');
        if (nl != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            return line;
        }
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        if (left.count() <= 0) {
            return std::nullopt;
        }
        pollfd p{fd, POLLIN, 0};
        int const r = poll(&p, 1, static_cast<int>(left.count()));
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            return std::nullopt;
        }
        char chunk[65536];
        auto const n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) {
            return std::nullopt;
        }
        buf.append(chunk, static_cast<std::size_t>(n));
    }
}

std::optional<std::string> Child::read_line(std::chrono::milliseconds timeout) {
    return read_fd_line(out_, out_buf_, timeout);
}

std::optional<std::string> Child::wait_stderr(
    std::string const& needle, std::chrono::milliseconds timeout
) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        auto line = read_fd_line(errfd_, err_buf_, left);
        if (!line) {
            return std::nullopt;
        }
        err_ += *line + "\n";
        if (line->find(needle) != std::string::npos) {
            return line;
        }
    }
}

void Child::close_stdin() {
    if (in_ >= 0) {
        close(in_);
        in_ = -1;
    }
}

int Child::wait(std::chrono::milliseconds timeout) {
    if (exited_) {
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    }
    // Poll the child's stderr for EOF as the wait condition: it closes when the child exits.
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        pid_t const r = waitpid(pid_, &status_, WNOHANG);
        if (r == pid_) {
            exited_ = true;
            return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
        }
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        if (left.count() <= 0) {
            return -1;
        }
        if (errfd_ >= 0) {
            pollfd p{errfd_, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 50))) > 0) {
                char chunk[4096];
                auto const n = ::read(errfd_, chunk, sizeof chunk);
                if (n > 0) {
                    err_.append(chunk, static_cast<std::size_t>(n));
                } else {
                    close(errfd_);
                    errfd_ = -1;
                }
            }
        } else {
            pollfd p{-1, 0, 0};
            poll(&p, 0, 20);
        }
    }
}

void Child::terminate() {
    if (!exited_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status_, 0);
        exited_ = true;
    }
}

std::pair<int, std::string> run_command(
    std::vector<std::string> const& argv, std::map<std::string, std::string> const& env
) {
    Child c(argv, env);
    c.close_stdin();
    std::string out;
    while (auto line = c.read_line()) {
        out += *line + "\n";
    }
    return {c.wait(), out};
}

}  // namespace signoff::testing
