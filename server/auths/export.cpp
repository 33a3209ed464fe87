// auths_export and the uploads it produces: the org's auths streamed as CSV
// (csv.hpp) into an upload's chunks (events/upload_writer.hpp), and the
// visibility rules for reading one.
//
//   export_csv ─► [read tx: batch of 500 by id] ─► CSV rows ─► buffer ≥ 256 KiB
//        ▲                                                        │
//        └──────── progress(done, total), cancelled()? ◄── [write tx: append chunk]
//   … at the end: [write tx: last chunk, mark complete, audit row]
//
// Transactions: every batch is read in its own short read transaction and every
// chunk appended in its own short write transaction, instead of one write
// transaction for the whole export. On SQLite a long write transaction would
// hold the database's single write lock for the whole export (seconds for
// 100,000 auths) and stall every other writer; short ones interleave. Neither
// back end then holds a connection between batches, so concurrent exports
// cannot starve the pool. The price is that rows are consistent per batch, not
// across the whole file (PostgreSQL reads at READ COMMITTED anyway), and that
// a partial upload exists while the export runs: it stays invisible
// (complete = 0) and is deleted when the export fails or is cancelled.
//
// Memory is one batch plus one chunk, whatever the row count.
#include <algorithm>
#include <string_view>

#include "server/auths/auths_service.hpp"
#include "server/auths/csv.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/events/upload_writer.hpp"
#include "server/identity/authorize.hpp"
#include "storage/repos/auths_export_repo.hpp"
#include "storage/repos/uploads_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using core::Status;
using events::UploadWriter;
using identity::Action;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kExportBatch = 500;
constexpr const char* kCsvContentType = "text/csv; charset=utf-8";

Error upload_not_found(std::string const& upload_id) {
    return Error::not_found("upload '" + upload_id + "' not found");
}

void append_header(std::string& out) {
    csv::append_record(
        out,
        {"id",
         "name",
         "description",
         "flag",
         "protocols",
         "slugs",
         "items",
         "departments",
         "group_id",
         "version",
         "created_by",
         "created_at",
         "updated_at"}
    );
}

void append_row(std::string& out, repos::AuthExportRecord const& a) {
    std::string const protocols = csv::join(a.protocols);
    std::string const slugs = csv::join(a.slugs);
    std::string const items = csv::join(a.items);
    std::string const departments = csv::join(a.departments);
    std::string const version = std::to_string(a.version);
    csv::append_record(
        out,
        {a.id,
         a.name,
         a.description,
         a.flag.value_or(""),
         protocols,
         slugs,
         items,
         departments,
         a.group_id.value_or(""),
         version,
         a.created_by,
         a.created_at,
         a.updated_at}
    );
}

/// The upload if `actor` may see it: complete, in the actor's org, and owned by
/// the actor unless the actor is an org admin. Anything else reads as absent.
Result<repos::UploadRecord> visible_upload(
    Tx& tx, core::Actor const& actor, std::string const& upload_id
) {
    auto found = core::from_db(repos::find_upload(tx, actor.org_id, upload_id));
    if (!found) {
        return found.error();
    }
    if (!*found || !(*found)->complete) {
        return upload_not_found(upload_id);
    }
    identity::Subject subject;
    subject.owner_user_id = (*found)->owner_id;
    if (!identity::authorize(actor, Action::kUploadRead, subject)) {
        return upload_not_found(upload_id);  // do not reveal that it exists
    }
    return std::move(**found);
}

/// Reads the auths batch by batch and writes their rows (after the header);
/// answers the number of rows written.
Result<std::int64_t> write_rows(
    storage::Db& db,
    std::string const& org_id,
    std::optional<std::string> const& auth_id,
    std::int64_t total,
    UploadWriter& writer,
    ExportProgress const& progress,
    ExportCancelled const& cancelled
) {
    append_header(writer.buffer());
    std::int64_t done = 0;
    std::string after;
    for (;;) {
        if (cancelled && cancelled()) {
            return Error::unavailable("export cancelled");
        }
        auto batch = core::run_tx(db, TxMode::kRead, [&](Tx& tx) {
            return core::from_db(repos::export_auths_batch(tx, org_id, after, kExportBatch, auth_id)
            );
        });
        if (!batch) {
            return batch.error();
        }
        for (auto const& a : *batch) {
            append_row(writer.buffer(), a);
            if (auto s = writer.flush_if_full(); !s) {
                return s.error();
            }
        }
        done += static_cast<std::int64_t>(batch->size());
        if (!batch->empty() && progress) {
            progress(done, std::max(done, total));  // auths added meanwhile raise the total
        }
        if (static_cast<std::int64_t>(batch->size()) < kExportBatch) {
            return done;
        }
        after = batch->back().id;
    }
}

}  // namespace

Result<ExportOutcome> AuthsService::export_csv(
    core::Actor const& actor,
    std::optional<std::string> const& auth_id,
    ExportProgress const& progress,
    ExportCancelled const& cancelled
) {
    if (auto ok = identity::authorize(actor, Action::kAuthsExport); !ok) {
        return ok.error();
    }
    auto total = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::count_export_auths(tx, actor.org_id, auth_id));
    });
    if (!total) {
        return total.error();
    }
    if (auth_id && *total == 0) {
        return Error::not_found("auth '" + *auth_id + "' not found");
    }
    std::string const now = core::to_rfc3339(clock_.now());
    repos::UploadRecord upload{
        ids_.new_id(),
        actor.org_id,
        actor.principal_id,
        auth_id ? "auth-" + *auth_id + ".csv" : "auths-" + events::basic_utc(now) + ".csv",
        kCsvContentType,
        0,
        now,
        false,
        core::via_mcp(actor.channel),
    };
    auto begun = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> core::Status {
        if (auto s = events::check_upload_quota(tx, actor.org_id, actor.principal_id); !s) {
            return s;
        }
        return core::from_db(repos::insert_upload(tx, upload));
    });
    if (!begun) {
        return begun.error();
    }
    UploadWriter writer(db_, actor.org_id, upload.id);
    auto rows = write_rows(db_, actor.org_id, auth_id, *total, writer, progress, cancelled);
    if (!rows) {
        writer.discard();
        return rows.error();
    }
    auto done = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Status {
        if (auto s = writer.finish(tx); !s) {
            return s;
        }
        return recorder_.audit(
            tx,
            events::Recorder::by(
                actor,
                "auths.exported",
                "upload",
                upload.id,
                events::JsonObject{}
                    .str("file_name", upload.file_name)
                    .integer("row_count", *rows)
                    .integer("size", writer.size())
                    .opt_str("auth_id", auth_id)
                    .text()
            )
        );
    });
    if (!done) {
        writer.discard();
        return done.error();
    }
    writer.committed();
    return ExportOutcome{upload.id, upload.file_name, *rows};
}

Result<UploadInfo> AuthsService::upload_info(
    core::Actor const& actor, std::string const& upload_id
) {
    auto found = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return visible_upload(tx, actor, upload_id);
    });
    if (!found) {
        return found.error();
    }
    return UploadInfo{
        found->id,
        found->file_name,
        found->content_type,
        found->size,
        found->owner_id,
        found->created_at,
    };
}

Result<std::optional<std::string>> AuthsService::read_upload_chunk(
    core::Actor const& actor, std::string const& upload_id, std::int64_t index
) {
    // One short read transaction per chunk: nothing is held open while the
    // caller hands the chunk on (to a slow network peer, say).
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::optional<std::string>> {
        auto upload = visible_upload(tx, actor, upload_id);
        if (!upload) {
            return upload.error();
        }
        return core::from_db(repos::find_upload_chunk(tx, upload_id, index));
    });
}

Status AuthsService::read_upload(
    core::Actor const& actor, std::string const& upload_id, ChunkSink const& sink
) {
    for (std::int64_t index = 0;; ++index) {
        auto chunk = read_upload_chunk(actor, upload_id, index);
        if (!chunk) {
            return chunk.error();
        }
        if (!*chunk || !sink(**chunk)) {
            return {};
        }
    }
}

Result<std::int64_t> AuthsService::sweep_stale_uploads(core::TimePoint now) {
    constexpr std::int64_t kBatch = 100;
    std::string const cutoff = core::to_rfc3339(now - kStaleUploadAge);
    std::string const retained = core::to_rfc3339(now - events::kUploadRetention);
    std::int64_t deleted = 0;
    for (;;) {
        auto stale = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
            return core::from_db(repos::list_stale_uploads(tx, cutoff, retained, kBatch));
        });
        if (!stale) {
            return stale.error();
        }
        for (auto const& u : *stale) {
            auto n = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
                return core::from_db(repos::delete_upload(tx, u.org_id, u.id));
            });
            if (!n) {
                return n.error();
            }
            deleted += *n;
        }
        if (static_cast<std::int64_t>(stale->size()) < kBatch) {
            return deleted;
        }
    }
}

}  // namespace signoff::server::auths
