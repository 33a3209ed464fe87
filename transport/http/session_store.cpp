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
    return owner_key(actor.org_id, actor.principal_kind, actor.principal_id);
}

std::string owner_key(
    std::string_view org_id, std::string_view principal_kind, std::string_view principal_id
) {
    // Unit separator: cannot occur in ids, so distinct pairs never collide.
    std::string key{org_id};
    key += '\x1f';
    key += principal_kind;
    key += '\x1f';
    key += principal_id;
    return key;
}

namespace {

/// The org part of an owner key (everything before the first separator).
std::string_view org_of(std::string_view owner) {
    return owner.substr(0, owner.find('\x1f'));
}

std::size_t count_in(
    std::map<std::string, std::size_t, std::less<>> const& counts, std::string_view key
) {
    auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
}

}  // namespace

template <class Pred>
std::shared_ptr<mcp::Session> SessionStore::evict_oldest(Pred in_share) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (in_share(it->second.owner) &&
            (oldest == entries_.end() || it->second.last_used < oldest->second.last_used)) {
            oldest = it;
        }
    }
    if (oldest == entries_.end()) {
        return nullptr;
    }
    auto session = std::move(oldest->second.session);
    forget(oldest->second.owner);
    entries_.erase(oldest);
    return session;
}

void SessionStore::forget(std::string const& owner) {
    if (auto it = per_owner_.find(owner); it != per_owner_.end() && --it->second == 0) {
        per_owner_.erase(it);
    }
    if (auto it = per_org_.find(org_of(owner)); it != per_org_.end() && --it->second == 0) {
        per_org_.erase(it);
    }
}

std::shared_ptr<mcp::Session> SessionStore::add(
    std::string id, std::shared_ptr<mcp::Session> session, std::string owner
) {
    std::lock_guard lock(mu_);
    std::shared_ptr<mcp::Session> evicted;
    std::string_view const org = org_of(owner);
    if (count_in(per_owner_, owner) >= limits_.per_principal) {
        evicted = evict_oldest([&](std::string const& o) { return o == owner; });
    } else if (count_in(per_org_, org) >= limits_.per_org) {
        evicted = evict_oldest([&](std::string const& o) { return org_of(o) == org; });
    } else if (entries_.size() >= limits_.total) {
        evicted = evict_oldest([](std::string const&) { return true; });
    }
    if (auto it = entries_.find(id); it != entries_.end()) {
        forget(it->second.owner);  // a reused id replaces its entry
        entries_.erase(it);
    }
    ++per_owner_[owner];
    ++per_org_[std::string(org)];
    entries_.emplace(std::move(id), Entry{std::move(session), std::move(owner), ++tick_});
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
    forget(it->second.owner);
    entries_.erase(it);
    return session;
}

std::vector<std::shared_ptr<mcp::Session>> SessionStore::remove_owner(std::string_view owner) {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<mcp::Session>> out;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.owner == owner) {
            out.push_back(std::move(it->second.session));
            forget(it->second.owner);
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<std::shared_ptr<mcp::Session>> SessionStore::clear() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<mcp::Session>> out;
    out.reserve(entries_.size());
    for (auto& [id, e] : entries_) {
        out.push_back(std::move(e.session));
    }
    entries_.clear();
    per_owner_.clear();
    per_org_.clear();
    return out;
}

std::size_t SessionStore::size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

}  // namespace signoff::transport::http
