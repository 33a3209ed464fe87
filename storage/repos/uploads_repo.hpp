// Repository of uploads: files the server produced for a caller (auths_export's
// CSV), stored as ordered text chunks so that neither writing nor reading holds
// a whole file. Called by server/auths/export.cpp, which owns the rules
// (visibility, completion, clean-up); every lookup is scoped by org_id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct UploadRecord {
    std::string id;
    std::string org_id;
    std::string owner_id;  // user id
    std::string file_name;
    std::string content_type;
    std::int64_t size{0};  // bytes; final once complete
    std::string created_at;
    bool complete{false};
    bool via_mcp{false};
};

/// Inserts the upload as it is given (normally incomplete, size 0).
DbStatus insert_upload(Tx& tx, UploadRecord const& upload);

/// Stores chunk `seq` (0, 1, 2, … in file order) of an upload.
DbStatus insert_upload_chunk(
    Tx& tx, std::string const& upload_id, std::int64_t seq, std::string const& data
);

/// Marks the upload complete with its final size. Answers rows changed (0
/// when it is not in the org or already complete).
DbResult<std::int64_t> complete_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id, std::int64_t size
);

/// Deletes the upload's chunks and the upload. Answers uploads deleted.
DbResult<std::int64_t> delete_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id
);

struct StaleUpload {
    std::string org_id;
    std::string id;
};
/// In any org, oldest first: incomplete uploads created before
/// `incomplete_before` (exports that died with their process) and every
/// upload created before `any_before` (past retention).
DbResult<std::vector<StaleUpload>> list_stale_uploads(
    Tx& tx, std::string const& incomplete_before, std::string const& any_before, std::int64_t limit
);

struct UploadUsage {
    std::int64_t count{0};
    std::int64_t bytes{0};
};
/// How many uploads `owner_id` holds in the org and their size so far.
DbResult<UploadUsage> upload_usage(Tx& tx, std::string const& org_id, std::string const& owner_id);

/// The upload in the org, complete or not.
DbResult<std::optional<UploadRecord>> find_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id
);

/// The text of chunk `seq`, nullopt when the upload has no such chunk.
DbResult<std::optional<std::string>> find_upload_chunk(
    Tx& tx, std::string const& upload_id, std::int64_t seq
);

}  // namespace signoff::storage::repos
