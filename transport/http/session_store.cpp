// Session id minting and the session map (see session_store.hpp). Called from
// worker threads (initialize) and the io thread (lookups, DELETE).
#include "transport/http/session_store.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <openssl/rand.h>

namespace signoff::transport::http {

std::string new_session_id() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return {};
    }
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string id;
    id.reserve(bytes.size() * 2);
    for (auto const b : bytes) {
        id.push_back(kHex[b >> 4U]);
        id.push_back(kHex[b & 0x0FU]);
    }
    return id;
}

std::string owner_key(server::core::Actor const& actor) {
    // Unit separator: cannot occur in ids, so distinct pairs never collide.
    return actor.org_id + '\x1f' + actor.principal_kind + '\x1f' + actor.principal_id;
}

std::shared_ptr<mcp::Session> SessionStore::add(
    std::string id, std::shared_ptr<mcp::Session> session, std::string owner
) {
    std::lock_guard lock(mu_);
    std::shared_ptr<mcp::Session> evicted;
    if (entries_.size() >= max_sessions_ && !entries_.empty()) {
        auto oldest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.last_used < oldest->second.last_used) {
                oldest = it;
            }
        }
        evicted = std::move(oldest->second.session);
        entries_.erase(oldest);
    }
    entries_.insert_or_assign(std::move(id), Entry{std::move(session), std::move(owner), ++tick_});
    return evicted;
}

std::shared_ptr<mcp::Session> SessionStore::find(std::string_view id, std::string_view owner) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.owner != owner) {
        return nullptr;
    }
    it->second.last_used = ++tick_;
    return it->second.session;
}

std::shared_ptr<mcp::Session> SessionStore::remove(std::string_view id, std::string_view owner) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.owner != owner) {
        return nullptr;
    }
    auto session = std::move(it->second.session);
    entries_.erase(it);
    return session;
}

std::vector<std::shared_ptr<mcp::Session>> SessionStore::clear() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<mcp::Session>> out;
    out.reserve(entries_.size());
    for (auto& [id, e] : entries_) {
        out.push_back(std::move(e.session));
    }
    entries_.clear();
    return out;
}

std::size_t SessionStore::size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

}  // namespace signoff::transport::http
