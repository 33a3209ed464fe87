// The chunked upload writer shared by every export (auths_export's CSV,
// audit_export's JSON lines): text appended to a buffer goes to the upload's
// chunks (storage/repos/uploads_repo) in short write transactions of its own,
// so memory is one chunk whatever the file's size, and no write lock is held
// between chunks. The caller owns the upload row, the rows it formats and the
// final transaction that completes the upload together with its audit row.
//
//   export ─► buffer() += text ─► flush_if_full() ─► [write tx: chunk n]
//        … ─► [final write tx: finish(tx) + audit] ─► committed()
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/core/error.hpp"
#include "storage/db.hpp"

namespace signoff::server::events {

/// Chunks are written once the buffer holds this much text.
inline constexpr std::size_t kUploadChunkBytes = std::size_t{256} * 1024U;

/// Complete uploads (exports) are kept this long, then swept.
inline constexpr std::chrono::hours kUploadRetention{24 * 7};
/// What one user may hold in uploads at once (exports kept for
/// kUploadRetention): a new export beyond either is kResourceExhausted.
inline constexpr std::int64_t kMaxUploadsPerUser = 20;
inline constexpr std::int64_t kMaxUploadBytesPerUser = std::int64_t{256} * 1024 * 1024;

/// Ok when `owner_id` may start one more upload in the org (the quota above).
core::Status check_upload_quota(
    storage::Tx& tx, std::string const& org_id, std::string const& owner_id
);

/// "2026-11-23T13:40:53.123Z" → "20261123T134053Z" (ISO 8601 basic format), for
/// file names.
std::string basic_utc(std::string const& rfc3339);

/// Appends text to an existing, incomplete upload chunk by chunk. Not
/// thread-safe; one writer per upload.
class UploadWriter {
public:
    UploadWriter(storage::Db& db, std::string org_id, std::string upload_id);

    std::string& buffer() { return buffer_; }
    /// Bytes written so far, buffered ones included.
    std::int64_t size() const { return size_ + static_cast<std::int64_t>(buffer_.size()); }

    /// Writes the buffer as the next chunk, in its own transaction, once it has
    /// reached kUploadChunkBytes.
    core::Status flush_if_full();

    /// Within the caller's final transaction: the buffer as the last chunk and
    /// the upload marked complete with its size. Changes nothing here: run_tx
    /// may roll back and run the body again, so call committed() after commit.
    core::Status finish(storage::Tx& tx) const;

    /// The transaction that ran finish() (or the chunk insert) has committed.
    void committed();

    /// Best effort: removes the upload and whatever was written. An upload left
    /// behind is incomplete, so nobody can read it, and the stale-upload sweep
    /// deletes it later.
    void discard();

private:
    core::Status insert(storage::Tx& tx) const;

    storage::Db& db_;
    std::string org_id_;
    std::string upload_id_;
    std::string buffer_;
    std::int64_t seq_{0};
    std::int64_t size_{0};
};

}  // namespace signoff::server::events
