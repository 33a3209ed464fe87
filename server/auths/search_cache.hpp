// The per-org in-memory search indexes of one server: each is brought up to
// the org's search generation inside the searching transaction, from the rows
// and deletions written since (by this server or another replica).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/auths/search_index.hpp"
#include "server/core/error.hpp"
#include "storage/db.hpp"

namespace signoff::server::auths {

class SearchCache {
public:
    /// The org's index as of the generation `tx` sees (or a newer one).
    /// The first call per org loads every row; later calls read only what
    /// changed. Concurrent searches of one org share one catch-up.
    core::Result<std::shared_ptr<SearchIndex const>> current(
        storage::Tx& tx, std::string const& org_id
    );
    /// Forgets the org's index (the next search reloads it); answers whether
    /// one was held.
    bool drop(std::string const& org_id);

private:
    struct Slot {
        std::mutex mu;
        std::shared_ptr<SearchIndex const> index;
        std::int64_t gen{0};
    };
    std::shared_ptr<Slot> slot(std::string const& org_id);

    std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace signoff::server::auths
