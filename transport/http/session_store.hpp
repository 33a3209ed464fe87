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
/// The same key from its parts (principal_kind "user" or "agent").
std::string owner_key(
    std::string_view org_id, std::string_view principal_kind, std::string_view principal_id
);

/// How many sessions one store keeps: in all, per org and per principal.
struct SessionLimits {
    std::size_t total{10000};
    std::size_t per_org{2000};
    std::size_t per_principal{100};
};

/// Thread-safe map of live sessions with caps. A new session beyond a cap
/// evicts the least recently used session *within the share that is full*:
/// the principal's own when they hold per_principal, else their org's when it
/// holds per_org, else the store's. So one principal (or org) opening
/// sessions in a loop only ever evicts its own. The evicted session is
/// returned so that the caller can cancel its in-flight work.
class SessionStore {
public:
    explicit SessionStore(SessionLimits limits = {}) : limits_(limits) {}

    /// Stores `session` under `id` for `owner`; returns the evicted session, if any.
    std::shared_ptr<mcp::Session> add(
        std::string id, std::shared_ptr<mcp::Session> session, std::string owner
    );

    /// The session for `id` when it exists and belongs to `owner`; null when
    /// unknown or bound to someone else (both answer 404: ids are not credentials).
    std::shared_ptr<mcp::Session> find(std::string_view id, std::string_view owner);

    /// Removes and returns the session when it exists and belongs to `owner`.
    std::shared_ptr<mcp::Session> remove(std::string_view id, std::string_view owner);

    /// Removes and returns every session bound to `owner` (off-boarding).
    std::vector<std::shared_ptr<mcp::Session>> remove_owner(std::string_view owner);

    /// Removes and returns every session (shutdown).
    std::vector<std::shared_ptr<mcp::Session>> clear();

    std::size_t size() const;

private:
    struct Entry {
        std::shared_ptr<mcp::Session> session;
        std::string owner;
        std::uint64_t last_used{0};
    };
    /// The least recently used entry whose owner passes `in_share`.
    template <class Pred>
    std::shared_ptr<mcp::Session> evict_oldest(Pred in_share);
    void forget(std::string const& owner);

    mutable std::mutex mu_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::map<std::string, std::size_t, std::less<>> per_owner_;  // sessions per owner
    std::map<std::string, std::size_t, std::less<>> per_org_;    // sessions per org
    std::uint64_t tick_{0};
    SessionLimits limits_;
};

}  // namespace signoff::transport::http
