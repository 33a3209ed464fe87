// The chunked upload writer (see upload_writer.hpp).
#include "server/events/upload_writer.hpp"

#include "server/core/db_map.hpp"
#include "storage/repos/uploads_repo.hpp"

namespace signoff::server::events {

namespace repos = storage::repos;
using core::Status;
using storage::Tx;
using storage::TxMode;

std::string basic_utc(std::string const& rfc3339) {
    std::string out;
    for (char c : rfc3339.substr(0, 19)) {
        if (c != '-' && c != ':') {
            out.push_back(c);
        }
    }
    return out + "Z";
}

Status check_upload_quota(Tx& tx, std::string const& org_id, std::string const& owner_id) {
    auto usage = core::from_db(repos::upload_usage(tx, org_id, owner_id));
    if (!usage) {
        return usage.error();
    }
    if (usage->count >= kMaxUploadsPerUser || usage->bytes >= kMaxUploadBytesPerUser) {
        return core::Error::exhausted(
            "you hold " + std::to_string(usage->count) + " exports (" +
            std::to_string(usage->bytes / (1024 * 1024)) + " MiB); at most " +
            std::to_string(kMaxUploadsPerUser) + " or " +
            std::to_string(kMaxUploadBytesPerUser / (1024 * 1024)) +
            " MiB are kept per user, each for " + std::to_string(kUploadRetention.count() / 24) +
            " days: try again when older ones have expired"
        );
    }
    return {};
}

UploadWriter::UploadWriter(storage::Db& db, std::string org_id, std::string upload_id)
    : db_(db), org_id_(std::move(org_id)), upload_id_(std::move(upload_id)) {
    // Room for the row that crosses the threshold, so the buffer rarely grows.
    buffer_.reserve(kUploadChunkBytes + kUploadChunkBytes / 4);
}

Status UploadWriter::flush_if_full() {
    if (buffer_.size() < kUploadChunkBytes) {
        return {};
    }
    auto written = core::run_tx(db_, TxMode::kWrite, [this](Tx& tx) { return insert(tx); });
    if (written) {
        committed();
    }
    return written;
}

Status UploadWriter::insert(Tx& tx) const {
    if (buffer_.empty()) {
        return {};
    }
    return core::from_db(repos::insert_upload_chunk(tx, upload_id_, seq_, buffer_));
}

Status UploadWriter::finish(Tx& tx) const {
    if (auto s = insert(tx); !s) {
        return s;
    }
    auto completed = core::from_db(repos::complete_upload(tx, org_id_, upload_id_, size()));
    if (!completed) {
        return completed.error();
    }
    return {};
}

void UploadWriter::committed() {
    if (!buffer_.empty()) {
        ++seq_;
        size_ += static_cast<std::int64_t>(buffer_.size());
        buffer_.clear();
    }
}

void UploadWriter::discard() {
    (void)core::run_tx(db_, TxMode::kWrite, [this](Tx& tx) -> Status {
        return core::from_db(repos::delete_upload(tx, org_id_, upload_id_)).has_value()
                   ? Status{}
                   : core::Error::unavailable("could not remove the partial upload");
    });
}

}  // namespace signoff::server::events
