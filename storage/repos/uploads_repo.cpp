// Portable SQL for uploads and their chunks (see uploads_repo.hpp). Chunks are
// addressed by (upload_id, seq), the table's primary key, so a read of chunk n
// is one index probe however large the file is.
#include "storage/repos/uploads_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

Value flag(bool b) {
    return std::int64_t{b ? 1 : 0};
}

UploadRecord upload_from(Row const& r) {
    return UploadRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.integer(5),
        r.text(6),
        r.boolean(7),
        r.boolean(8),
    };
}

}  // namespace

constexpr std::string_view kInsertUpload =
    "INSERT INTO uploads (id, org_id, owner_id, file_name, content_type, size, created_at, "
    "complete, via_mcp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

DbStatus insert_upload(Tx& tx, UploadRecord const& u) {
    return as_status(tx.exec(
        kInsertUpload,
        {u.id,
         u.org_id,
         u.owner_id,
         u.file_name,
         u.content_type,
         u.size,
         u.created_at,
         flag(u.complete),
         flag(u.via_mcp)}
    ));
}

constexpr std::string_view kInsertChunk =
    "INSERT INTO upload_chunks (upload_id, seq, data) VALUES ($1, $2, $3)";

DbStatus insert_upload_chunk(
    Tx& tx, std::string const& upload_id, std::int64_t seq, std::string const& data
) {
    return as_status(tx.exec(kInsertChunk, {upload_id, seq, data}));
}

constexpr std::string_view kCompleteUpload =
    "UPDATE uploads SET complete = 1, size = $3 WHERE org_id = $1 AND id = $2 AND complete = 0";

DbResult<std::int64_t> complete_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id, std::int64_t size
) {
    return tx.exec(kCompleteUpload, {org_id, upload_id, size});
}

// The org check sits in the sub-select: chunks carry no org_id of their own.
constexpr std::string_view kDeleteChunks =
    "DELETE FROM upload_chunks WHERE upload_id IN "
    "(SELECT id FROM uploads WHERE org_id = $1 AND id = $2)";
constexpr std::string_view kUploadUsage =
    "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM uploads WHERE org_id = $1 AND owner_id = $2";

DbResult<UploadUsage> upload_usage(Tx& tx, std::string const& org_id, std::string const& owner_id) {
    auto rows = tx.query(kUploadUsage, {org_id, owner_id});
    if (!rows) {
        return rows.error();
    }
    return UploadUsage{rows->front().integer(0), rows->front().integer(1)};
}

constexpr std::string_view kDeleteUpload = "DELETE FROM uploads WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> delete_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id
) {
    if (auto chunks = tx.exec(kDeleteChunks, {org_id, upload_id}); !chunks) {
        return chunks.error();
    }
    return tx.exec(kDeleteUpload, {org_id, upload_id});
}

constexpr std::string_view kSelectStaleUploads =
    "SELECT org_id, id FROM uploads WHERE (complete = 0 AND created_at < $1) OR created_at < $2 "
    "ORDER BY created_at, id LIMIT $3";

DbResult<std::vector<StaleUpload>> list_stale_uploads(
    Tx& tx, std::string const& incomplete_before, std::string const& any_before, std::int64_t limit
) {
    return all_rows(
        tx.query(kSelectStaleUploads, {incomplete_before, any_before, limit}),
        [](Row const& r) {
            return StaleUpload{r.text(0), r.text(1)};
        }
    );
}

constexpr std::string_view kSelectUpload =
    "SELECT id, org_id, owner_id, file_name, content_type, size, created_at, complete, via_mcp "
    "FROM uploads WHERE org_id = $1 AND id = $2";

DbResult<std::optional<UploadRecord>> find_upload(
    Tx& tx, std::string const& org_id, std::string const& upload_id
) {
    return first_row(tx.query(kSelectUpload, {org_id, upload_id}), upload_from);
}

constexpr std::string_view kSelectChunk =
    "SELECT data FROM upload_chunks WHERE upload_id = $1 AND seq = $2";

DbResult<std::optional<std::string>> find_upload_chunk(
    Tx& tx, std::string const& upload_id, std::int64_t seq
) {
    return first_row(tx.query(kSelectChunk, {upload_id, seq}), [](Row const& r) {
        return r.text(0);
    });
}

}  // namespace signoff::storage::repos
