// A bounded pool of database connections shared by the SQLite and PostgreSQL
// back ends: Db::begin() leases a connection, the Tx gives it back when it ends.
// Connections are created lazily, outside the lock; unhealthy ones are dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "storage/db_error.hpp"

namespace signoff::storage::detail {

template <class Conn>
class ConnPool {
public:
    using Factory = std::function<DbResult<std::unique_ptr<Conn>>()>;

    ConnPool(std::size_t max_size, Factory factory)
        : max_size_(max_size), factory_(std::move(factory)) {}
    ConnPool(ConnPool const&) = delete;
    ConnPool& operator=(ConnPool const&) = delete;

    /// Leases an idle connection, or opens a new one while below the bound, or
    /// waits up to `wait` for one to come back (then fails with kBusy). Thread-safe.
    DbResult<std::unique_ptr<Conn>> acquire(std::chrono::milliseconds wait) {
        std::unique_lock lock(mu_);
        bool ready =
            cv_.wait_for(lock, wait, [&] { return !idle_.empty() || open_count_ < max_size_; });
        if (!ready) {
            return DbError{DbErrorKind::kBusy, "timed out waiting for a free connection", {}};
        }
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            return conn;
        }
        ++open_count_;  // reserve the slot, then connect without holding the lock
        lock.unlock();
        auto made = factory_();
        if (!made) {
            forget_one();
        }
        return made;
    }

    /// Returns a leased connection; `healthy == false` closes it and frees its slot.
    void release(std::unique_ptr<Conn> conn, bool healthy) {
        if (!healthy) {
            conn.reset();
            forget_one();
            return;
        }
        {
            std::lock_guard lock(mu_);
            idle_.push_back(std::move(conn));
        }
        cv_.notify_one();
    }

private:
    void forget_one() {
        {
            std::lock_guard lock(mu_);
            --open_count_;
        }
        cv_.notify_one();
    }

    std::size_t const max_size_;
    Factory const factory_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Conn>> idle_;
    std::size_t open_count_ = 0;  // idle plus leased
};

}  // namespace signoff::storage::detail
