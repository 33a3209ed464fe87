// The stdio transport: newline-delimited JSON-RPC on two file descriptors
// (stdin/stdout in production, pipes in tests). stdout carries protocol
// messages only; logs go to stderr.
//
//   stdin line ─► jsonrpc::parse ─► ordered? ─ yes ─► Engine::handle (reader thread)
//                                           └─ no ──► worker pool ─► Engine::handle
//   replies, notifications, server→client requests ─► whole lines, queued; one
//   write(2) carries every line queued while the previous write ran
#pragma once

#include <cstddef>
#include <functional>

#include "server/core/actor.hpp"
#include "transport/jsonrpc/message.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::transport::stdio {

struct StdioOptions {
    int in_fd{0};
    int out_fd{1};
    /// Requests served at once; notifications, client responses and
    /// `initialize` run on the reader thread so their order is kept.
    std::size_t workers{4};
    jsonrpc::Limits limits{};
    /// When set, asked before every message is served: the principal as it is
    /// now (its key checked and its roles re-read), or the error that refuses
    /// the message (-32001 for a request; a notification is dropped). Without
    /// it the principal given to run_stdio serves every message.
    std::function<server::core::Result<server::core::Actor>()> principal{};
};

/// Serves one client until end of input: every line is one JSON-RPC message
/// (an unterminated last line is still processed); a malformed line gets a
/// -32700 response with id null and the loop goes on. On EOF, pending
/// server→client requests fail at once and the loop returns after in-flight
/// requests have been answered. Ignores SIGPIPE (a closed stdout must not kill
/// the process). Returns 0 on EOF, 1 on a read error.
int run_stdio(mcp::Engine& engine, server::core::Actor actor, StdioOptions options);

}  // namespace signoff::transport::stdio
