// The doctest main shared by every test binary. SIGPIPE is ignored so that a
// test whose peer closes a socket mid-write (a server refusing an oversized
// body, a child process that exited) sees an error code instead of dying.
#define DOCTEST_CONFIG_IMPLEMENT
#include <csignal>

#include <doctest/doctest.h>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    return context.run();
}
