// Handshake-era HTTP sessions: Mcp-Session-Id → engine Session, each bound to
// the principal that initialised it. The /mcp endpoint adds one on a
// successful `initialize`, looks it up on every later legacy request and
// removes it on DELETE or shutdown.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/actor.hpp"
#include "transport/mcp/engine.hpp"

namespace signoff::transport::http {

/// A fresh session id: 32 bytes from the OpenSSL CSPRNG as 64 lowercase hex
/// characters (visible ASCII). Empty only if the CSPRNG fails.
std::string new_session_id();

/// The identity a session is bound to: org and principal of the actor.
std::string owner_key(server::core::Actor const& actor);

/// Thread-safe map of live sessions with a size cap: adding beyond the cap
/// evicts the least recently used session (returned so that the caller can
/// cancel its in-flight work).
class SessionStore {
public:
    explicit SessionStore(std::size_t max_sessions = 10000) : max_sessions_(max_sessions) {}

    /// Stores `session` under `id` for `owner`; returns the evicted session, if any.
    std::shared_ptr<mcp::Session> add(
        std::string id, std::shared_ptr<mcp::Session> session, std::string owner
    );

    /// The session for `id` when it exists and belongs to `owner`; null when
    /// unknown or bound to someone else (both answer 404: ids are not credentials).
    std::shared_ptr<mcp::Session> find(std::string_view id, std::string_view owner);

    /// Removes and returns the session when it exists and belongs to `owner`.
    std::shared_ptr<mcp::Session> remove(std::string_view id, std::string_view owner);

    /// Removes and returns every session (shutdown).
    std::vector<std::shared_ptr<mcp::Session>> clear();

    std::size_t size() const;

private:
    struct Entry {
        std::shared_ptr<mcp::Session> session;
        std::string owner;
        std::uint64_t last_used{0};
    };
    mutable std::mutex mu_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::uint64_t tick_{0};
    std::size_t max_sessions_;
};

}  // namespace signoff::transport::http
