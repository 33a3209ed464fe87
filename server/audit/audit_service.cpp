// audit_list and audit_export (see audit_service.hpp). Filters are validated
// and normalised once (validated_query); both operations then run the same
// repository query, one page or batch after batch.
//
//   export_jsonl ─► [read tx: 500 rows older than the last] ─► JSON lines ─► buffer
//        ▲                                                                    │
//        └───── progress(done), cancelled()? ◄──── [write tx: chunk ≥ 256 KiB] ◄┘
//   … at the end: [write tx: last chunk, mark complete, audit.exported row]
#include "server/audit/audit_service.hpp"

#include "server/audit/cursor.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/events/upload_writer.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/audit_repo.hpp"
#include "storage/repos/uploads_repo.hpp"

namespace signoff::server::audit {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using core::Status;
using storage::Tx;
using storage::TxMode;

constexpr std::int64_t kExportBatch = 500;
constexpr std::size_t kMaxFilterText = 255;
constexpr std::size_t kMaxActionPrefix = 128;

/// A filter text: non-empty, at most kMaxFilterText characters, no control
/// characters (they are never part of an id, type or action).
Status check_text(std::optional<std::string> const& v, std::string const& field) {
    if (!v) {
        return {};
    }
    if (v->empty() || v->size() > kMaxFilterText) {
        return Error::invalid_field(field, "must be 1-255 characters");
    }
    for (char c : *v) {
        if (static_cast<unsigned char>(c) < 0x20) {
            return Error::invalid_field(field, "must not contain control characters");
        }
    }
    return {};
}

/// An RFC 3339 time in the stored fixed-width UTC form.
Result<std::optional<std::string>> stored_time(
    std::optional<std::string> const& v, std::string const& field
) {
    if (!v) {
        return std::optional<std::string>{};
    }
    auto t = core::parse_rfc3339(*v);
    if (!t) {
        return Error::invalid_field(field, "must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z");
    }
    return std::optional<std::string>{core::to_rfc3339(*t)};
}

/// Actions are lowercase letters, digits, '.', '_' and '-'; the prefix is
/// lowercased, so the match is case-insensitive on both back ends.
Result<std::optional<std::string>> action_prefix(std::optional<std::string> const& v) {
    if (!v) {
        return std::optional<std::string>{};
    }
    std::string p = identity::lower(*v);
    bool ok = !p.empty() && p.size() <= kMaxActionPrefix;
    for (char c : p) {
        ok = ok &&
             ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    }
    if (!ok) {
        return Error::invalid_field(
            "action_prefix", "must be 1-128 letters, digits, '.', '_' or '-', e.g. catalog."
        );
    }
    return std::optional<std::string>{std::move(p)};
}

/// The repository query for `f` (no cursor, no limit yet), or the first bad field.
Result<repos::AuditQuery> validated_query(std::string const& org_id, AuditFilter const& f) {
    for (auto const& [value, field] :
         {std::pair{&f.target_type, "target_type"},
          std::pair{&f.target_id, "target_id"},
          std::pair{&f.actor_id, "actor_id"}}) {
        if (auto ok = check_text(*value, field); !ok) {
            return ok.error();
        }
    }
    if (f.target_id && !f.target_type) {
        return Error::invalid_field("target_id", "give target_type with target_id");
    }
    auto from = stored_time(f.from, "from");
    if (!from) {
        return from.error();
    }
    auto to = stored_time(f.to, "to");
    if (!to) {
        return to.error();
    }
    if (*from && *to && **to <= **from) {
        return Error::invalid_field("to", "must be later than from");
    }
    auto prefix = action_prefix(f.action_prefix);
    if (!prefix) {
        return prefix.error();
    }
    return repos::AuditQuery{
        org_id, f.target_type, f.target_id, f.actor_id, *from, *to, *prefix, std::nullopt, 0};
}

AuditRow to_row(repos::AuditRecord r) {
    return AuditRow{
        std::move(r.id),
        std::move(r.created_at),
        std::move(r.actor_id),
        std::move(r.actor_kind),
        std::move(r.channel),
        std::move(r.action),
        std::move(r.target_type),
        std::move(r.target_id),
        std::move(r.detail_json),
        std::move(r.before_json),
        std::move(r.after_json),
    };
}

/// Stored JSON text made safe for one line: a literal line break can only be
/// white space between tokens in valid JSON (inside strings it is escaped),
/// so replacing it with a space keeps the document and its meaning.
std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return text;
}

events::JsonObject& opt_raw(
    events::JsonObject& o, std::string_view key, std::optional<std::string> const& json
) {
    return json && !json->empty() ? o.raw(key, one_line(*json)) : o.null(key);
}

std::string exported_detail(std::string const& file_name, std::int64_t rows, AuditFilter const& f) {
    return events::JsonObject{}
        .str("file_name", file_name)
        .integer("row_count", rows)
        .opt_str("target_type", f.target_type)
        .opt_str("target_id", f.target_id)
        .opt_str("actor_id", f.actor_id)
        .opt_str("from", f.from)
        .opt_str("to", f.to)
        .opt_str("action_prefix", f.action_prefix)
        .text();
}

/// Reads the matching rows batch by batch, newest first, and writes one line
/// per row; answers the number of rows written.
Result<std::int64_t> write_lines(
    storage::Db& db,
    repos::AuditQuery query,
    events::UploadWriter& writer,
    AuditExportProgress const& progress,
    AuditExportCancelled const& cancelled
) {
    query.limit = kExportBatch;
    std::int64_t done = 0;
    for (;;) {
        if (cancelled && cancelled()) {
            return Error::unavailable("export cancelled");
        }
        auto batch = core::run_tx(db, TxMode::kRead, [&](Tx& tx) {
            return core::from_db(repos::query_audit(tx, query));
        });
        if (!batch) {
            return batch.error();
        }
        for (auto const& r : *batch) {
            writer.buffer() += json_line(to_row(r));
            writer.buffer().push_back('\n');
            if (auto s = writer.flush_if_full(); !s) {
                return s.error();
            }
        }
        done += static_cast<std::int64_t>(batch->size());
        if (!batch->empty() && progress) {
            progress(done);
        }
        if (static_cast<std::int64_t>(batch->size()) < kExportBatch) {
            return done;
        }
        query.after = repos::AuditKey{batch->back().created_at, batch->back().id};
    }
}

}  // namespace

std::string json_line(AuditRow const& row) {
    events::JsonObject o;
    o.str("id", row.id)
        .str("created_at", row.created_at)
        .opt_str("actor_id", row.actor_id)
        .str("actor_kind", row.actor_kind)
        .str("channel", row.channel)
        .str("action", row.action)
        .str("target_type", row.target_type)
        .str("target_id", row.target_id);
    opt_raw(o, "detail", row.detail_json.empty() ? std::nullopt : std::optional{row.detail_json});
    opt_raw(o, "before", row.before_json);
    opt_raw(o, "after", row.after_json);
    return o.text();
}

AuditService::AuditService(storage::Db& db, core::Clock const& clock, core::IdSource& ids)
    : db_(db), clock_(clock), ids_(ids), recorder_(clock, ids) {}

Status AuditService::check_access(core::Actor const& actor) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Status {
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        return identity::authorize(actor, identity::Action::kAuditRead, {.bindings = &*bindings});
    });
}

Result<AuditPage> AuditService::list(
    core::Actor const& actor, AuditFilter const& filter, AuditPageRequest const& page
) {
    auto query = validated_query(actor.org_id, filter);
    if (!query) {
        return query.error();
    }
    query->limit = page.page_size.value_or(kDefaultPageSize);
    if (query->limit < 1 || query->limit > kMaxPageSize) {
        return Error::invalid_field("page_size", "must be between 1 and 500");
    }
    if (page.cursor) {
        query->after = decode_cursor(*page.cursor);
        if (!query->after) {
            return Error::invalid_field("cursor", "is not a next_cursor of an earlier page");
        }
    }
    if (auto ok = check_access(actor); !ok) {
        return ok.error();
    }
    ++query->limit;  // one more row says whether another page follows
    auto rows = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::query_audit(tx, *query));
    });
    if (!rows) {
        return rows.error();
    }
    AuditPage out;
    bool const more = static_cast<std::int64_t>(rows->size()) == query->limit;
    if (more) {
        rows->pop_back();
        out.next_cursor = encode_cursor({rows->back().created_at, rows->back().id});
    }
    out.items.reserve(rows->size());
    for (auto& r : *rows) {
        out.items.push_back(to_row(std::move(r)));
    }
    return out;
}

Result<AuditExport> AuditService::export_jsonl(
    core::Actor const& actor,
    AuditFilter const& filter,
    AuditExportProgress const& progress,
    AuditExportCancelled const& cancelled
) {
    auto query = validated_query(actor.org_id, filter);
    if (!query) {
        return query.error();
    }
    if (auto ok = check_access(actor); !ok) {
        return ok.error();
    }
    std::string const now = core::to_rfc3339(clock_.now());
    repos::UploadRecord upload{
        ids_.new_id(),
        actor.org_id,
        actor.principal_id,
        "audit-" + events::basic_utc(now) + ".jsonl",
        kJsonLinesContentType,
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
    events::UploadWriter writer(db_, actor.org_id, upload.id);
    auto rows = write_lines(db_, *query, writer, progress, cancelled);
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
                "audit.exported",
                "upload",
                upload.id,
                exported_detail(upload.file_name, *rows, filter)
            )
        );
    });
    if (!done) {
        writer.discard();
        return done.error();
    }
    writer.committed();
    return AuditExport{upload.id, upload.file_name, *rows};
}

}  // namespace signoff::server::audit
