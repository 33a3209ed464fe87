// The auth-artifact domain (DESIGN.md §3, seed 002): auths composed of reusable
// parts, departments, an optional owning group, private drafts under optimistic
// versioning, search with department facets, CSV export to an upload.
//
//   tools/families/auths.cpp ──► AuthsService ──► authorize() ──► storage/repos/auths_repo
//                                            │                 └► storage/repos/groups_repo
//                                            ├─► events::Recorder (audit_log, outbox)
//                                            └─► UploadStore (export.cpp: CSV written in chunks)
//
// Who may do what (decided in server/identity/authorize):
// - every member of the org reads auths, parts, departments, searches, exports;
// - any member creates parts and auths (an auth with an owning group only by a
//   member of that group or an org admin);
// - an auth is edited (update, delete, publish a draft of it, start a draft of
//   it) by the members of its owning group and org admins; an auth without a
//   group by its creator and org admins;
// - departments are created by org admins (names must exist before use);
// - a draft is visible to and changed by its owner only, whatever their role.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/auths/search_cache.hpp"
#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "storage/db.hpp"

namespace signoff::server::auths {

namespace detail {
struct ContentIds;  // server/auths/content.hpp
}  // namespace detail

/// Part kinds: name, description, flag (at most one per auth); protocol, slug,
/// item (any number per auth, order kept).
inline constexpr std::string_view kKindName = "name";
inline constexpr std::string_view kKindDescription = "description";
inline constexpr std::string_view kKindFlag = "flag";
inline constexpr std::string_view kKindProtocol = "protocol";
inline constexpr std::string_view kKindSlug = "slug";
inline constexpr std::string_view kKindItem = "item";
/// True for the six kinds above.
bool is_part_kind(std::string_view kind);

inline constexpr std::int64_t kMaxPageSize = 100;
inline constexpr std::int64_t kDefaultPageSize = 20;

/// Outbox event types emitted by this domain (delivered by issue 6's worker).
inline constexpr const char* kEventPublished = "auth.published";
inline constexpr const char* kEventDeleted = "auth.deleted";

struct Part {
    std::string id;
    std::string kind;
    std::string value;
    std::string created_at;
};

struct Department {
    std::string id;
    std::string name;
    std::string created_at;
};

/// A part as an auth or a draft selects it.
struct PartRef {
    std::string id;
    std::string value;
};

/// What an auth (or a draft) is made of.
struct AuthContent {
    std::optional<PartRef> name;
    std::optional<PartRef> description;
    std::optional<PartRef> flag;
    std::vector<PartRef> protocols;
    std::vector<PartRef> slugs;
    std::vector<PartRef> items;
    std::vector<Department> departments;
    std::optional<std::string> group_id;
};

struct Auth {
    std::string id;
    AuthContent content;
    std::string created_by;  // user id
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
};

/// Fields an input may set. Absent (nullopt) leaves a field as it is.
/// Free text: `name` / `description` find (case-insensitively) or create the
/// part; giving both `name` and `name_id` (or `description` and
/// `description_id`) is kInvalidArgument. Each entry of `protocol_ids` and
/// `slug_ids` is a part id of that kind or, failing that, free text resolved
/// like `name`. `item_ids` and `flag_id` must be existing part ids of their
/// kind. Each entry of `department_ids` is a department id or the name of an
/// existing department (case-insensitive); unknown ones fail with one detail
/// per entry (`department_ids[2]`). An empty string in `flag_id` or `group_id`
/// clears it.
struct AuthFields {
    std::optional<std::string> name;
    std::optional<std::string> name_id;
    std::optional<std::string> description;
    std::optional<std::string> description_id;
    std::optional<std::string> flag_id;
    std::optional<std::vector<std::string>> department_ids;
    std::optional<std::vector<std::string>> protocol_ids;
    std::optional<std::vector<std::string>> slug_ids;
    std::optional<std::vector<std::string>> item_ids;
    std::optional<std::string> group_id;
};

// ---- get ------------------------------------------------------------------

/// One part kind as the form shows it: what is selected and what may be chosen.
/// `options` holds at most kMaxOptions parts ordered by value; `options_total`
/// counts them all.
struct Section {
    std::vector<PartRef> selected;
    std::vector<PartRef> options;
    std::int64_t options_total{0};
};
inline constexpr std::int64_t kMaxOptions = 100;
/// An export of 100,000 auths takes seconds; an upload still incomplete after
/// an hour belongs to a process that died.
inline constexpr std::chrono::hours kStaleUploadAge{1};

struct DepartmentSection {
    std::vector<Department> selected;
    std::vector<Department> options;
    std::int64_t options_total{0};
};

struct AuthDetail {
    std::optional<std::string> auth_id;   // the auth shown, or the draft's auth
    std::optional<std::string> draft_id;  // set when a draft was asked for
    bool auth_exists{false};
    bool can_edit{false};
    std::optional<std::string> disabled_reason;  // set when !can_edit
    /// Version of the caller's open draft of this auth (the draft's own version
    /// when a draft was asked for); absent when there is none.
    std::optional<std::int64_t> draft_version;
    std::optional<std::int64_t> version;  // the auth's version when it exists
    std::optional<std::string> group_id;
    std::string actor_name;
    bool basic_show_ai_generate{false};  // description empty
    Section names;
    Section descriptions;
    Section flags;
    Section protocols;
    Section slugs;
    Section items;
    DepartmentSection departments;
};

// ---- search ---------------------------------------------------------------

struct SearchQuery {
    std::optional<std::string> search;               // case-insensitive substring
    std::vector<std::string> filter_department_ids;  // auths in any of them
    std::optional<std::string> department_search;    // narrows the facet list
    std::int64_t page_size{kDefaultPageSize};        // 1..100
    std::int64_t page_offset{0};                     // >= 0
};

struct AuthSummary {
    std::string id;
    std::string name;
    std::string description;
    std::optional<std::string> flag;
    std::vector<std::string> protocols;
    std::vector<std::string> slugs;
    std::vector<Department> departments;
    std::optional<std::string> group_id;
    std::int64_t version{1};
    std::string updated_at;
};

/// A department with the number of auths matching the text search in it.
struct Facet {
    std::string id;
    std::string name;
    std::int64_t count{0};
    bool selected{false};
};

struct SearchResult {
    std::string actor_name;
    std::vector<AuthSummary> auths;  // ordered by name, then id
    std::vector<Facet> department_filter;
    std::int64_t total_count{0};
};

// ---- writes ---------------------------------------------------------------

/// `auths_create` item: either inline fields or `draft_id` (publish a draft of
/// a new auth), never both.
struct CreateItem {
    std::optional<std::string> draft_id;
    AuthFields fields;
};

/// `auths_update` item: `auth_id` with fields (and optionally
/// `expected_version`), or `draft_id` alone (publish a draft of an existing auth).
struct UpdateItem {
    std::optional<std::string> auth_id;
    std::optional<std::string> draft_id;
    std::optional<std::int64_t> expected_version;
    AuthFields fields;
};

/// One result per input item, in input order.
struct ItemOutcome {
    std::size_t index{0};
    core::Result<Auth> result;
};

struct DeleteOutcome {
    std::string auth_id;
    core::Status status;
};

// ---- drafts ---------------------------------------------------------------

struct Draft {
    std::string id;
    std::optional<std::string> auth_id;        // the auth it edits; absent for a new auth
    std::optional<std::int64_t> base_version;  // that auth's version when the draft began
    std::int64_t version{1};
    AuthContent content;
    std::string owner_id;
    std::string created_at;
    std::string updated_at;
};

struct FieldIssue {
    std::string field;
    std::string message;
};

/// The whole draft as the form shows it.
struct FormState {
    Draft draft;
    std::vector<FieldIssue> issues;  // field-level validation messages
    bool can_publish{false};         // issues empty and the base auth unchanged
};

struct DraftPatch {
    /// Absent: start a new draft at version 1 (of `auth_id` when given).
    std::optional<std::string> draft_id;
    std::optional<std::string> auth_id;
    /// Required with draft_id; must equal the draft's current version.
    std::optional<std::int64_t> expected_version;
    AuthFields fields;
};

struct PatchOutcome {
    std::string draft_id;
    std::int64_t new_version{1};
    std::string message;
    FormState form_state;
};

// ---- export and refresh -----------------------------------------------------

struct ExportOutcome {
    std::string upload_id;
    std::string file_name;
    std::int64_t row_count{0};
};

/// Called after each batch of rows: rows done, rows in total.
using ExportProgress = std::function<void(std::int64_t done, std::int64_t total)>;
/// Polled between batches; true stops the export (kUnavailable "export
/// cancelled"; nothing is stored).
using ExportCancelled = std::function<bool()>;

struct UploadInfo {
    std::string id;
    std::string file_name;
    std::string content_type;
    std::int64_t size{0};
    std::string owner_id;
    std::string created_at;
};

/// Receives an upload's bytes in order; returning false stops the read.
using ChunkSink = std::function<bool(std::string_view chunk)>;

struct RefreshOutcome {
    std::vector<std::string> refreshed_views;
    std::vector<std::string> invalidated_tags;
};

class AuthsService {
public:
    AuthsService(storage::Db& db, core::Clock const& clock, core::IdSource& ids);

    // ---- parts and departments ----
    core::Result<std::vector<Part>> list_parts(
        core::Actor const& actor,
        std::optional<std::string> const& kind,
        std::optional<std::string> const& search,
        std::int64_t limit,
        std::int64_t offset
    );
    /// Finds (case-insensitively) or creates the part; answers it either way.
    core::Result<Part> create_part(
        core::Actor const& actor, std::string const& kind, std::string const& value
    );
    core::Result<std::vector<Department>> list_departments(
        core::Actor const& actor, std::optional<std::string> const& search
    );
    /// Org admins only; kAlreadyExists when the name (case-insensitive) is taken.
    core::Result<Department> create_department(core::Actor const& actor, std::string const& name);

    // ---- auths ----
    /// Exactly one of auth_id and draft_id (kInvalidArgument otherwise). A
    /// draft of someone else is kNotFound, as if it did not exist.
    core::Result<AuthDetail> get(
        core::Actor const& actor,
        std::optional<std::string> const& auth_id,
        std::optional<std::string> const& draft_id
    );
    core::Result<SearchResult> search(core::Actor const& actor, SearchQuery const& query);
    /// Each item in its own transaction: one failure leaves the others done.
    std::vector<ItemOutcome> create(core::Actor const& actor, std::vector<CreateItem> const& items);
    /// Same. A stale expected_version, or a draft whose auth changed since it
    /// began, is kConflict naming the current version; nothing changes.
    std::vector<ItemOutcome> update(core::Actor const& actor, std::vector<UpdateItem> const& items);
    /// New id, name "<name> (copy)", same parts, departments and group.
    core::Result<Auth> duplicate(core::Actor const& actor, std::string const& auth_id);
    /// One result per id; drafts of a deleted auth are deleted with it.
    std::vector<DeleteOutcome> remove(
        core::Actor const& actor, std::vector<std::string> const& auth_ids
    );

    // ---- drafts ----
    core::Result<PatchOutcome> patch_draft(core::Actor const& actor, DraftPatch const& patch);
    /// The caller's drafts, newest first, each with its form state.
    core::Result<std::vector<FormState>> list_drafts(core::Actor const& actor);

    // ---- export, uploads, refresh ----
    /// One CSV row per auth of the org (or just `auth_id`), streamed in batches
    /// into an upload owned by the caller.
    core::Result<ExportOutcome> export_csv(
        core::Actor const& actor,
        std::optional<std::string> const& auth_id,
        ExportProgress const& progress,
        ExportCancelled const& cancelled
    );
    /// The upload's owner and org admins only; others get kNotFound.
    core::Result<UploadInfo> upload_info(core::Actor const& actor, std::string const& upload_id);
    /// Streams the upload's bytes to `sink` chunk by chunk.
    core::Status read_upload(
        core::Actor const& actor, std::string const& upload_id, ChunkSink const& sink
    );
    /// Chunk `index` (0, 1, …) of the upload, nullopt past the last one; the
    /// same visibility as upload_info. For callers that pull: the HTTP download
    /// fetches one chunk per worker task, so a slow client pins no thread.
    core::Result<std::optional<std::string>> read_upload_chunk(
        core::Actor const& actor, std::string const& upload_id, std::int64_t index
    );
    /// Rebuilds the org's search view and drops its cached option lists.
    core::Result<RefreshOutcome> refresh(core::Actor const& actor);
    /// Deletes, in every org, the incomplete uploads created more than
    /// kStaleUploadAge before `now` (exports whose process died before they
    /// finished; a failed or cancelled export removes its own) and every
    /// upload older than events::kUploadRetention. Called by a timer; answers how many
    /// it deleted.
    core::Result<std::int64_t> sweep_stale_uploads(core::TimePoint now);

private:
    // ---- write steps (writes.cpp, drafts.cpp); each runs inside run_tx or opens one ----
    core::Result<Auth> create_one(core::Actor const& actor, CreateItem const& item);
    core::Result<Auth> create_inline(core::Actor const& actor, AuthFields const& fields);
    core::Result<Auth> publish_new(core::Actor const& actor, std::string const& draft_id);
    core::Result<Auth> update_one(core::Actor const& actor, UpdateItem const& item);
    /// The updated auth and the parts the update created.
    core::Result<std::pair<Auth, std::vector<Part>>> update_fields(
        storage::Tx& tx, core::Actor const& actor, UpdateItem const& item
    );
    core::Result<Auth> publish_existing(core::Actor const& actor, UpdateItem const& item);
    /// Writes the published auth's lists, deletes the draft, records the change
    /// (with `before`, the auth the draft replaced: the row's before/after).
    core::Result<Auth> finish_publish(
        storage::Tx& tx,
        core::Actor const& actor,
        std::string const& auth_id,
        detail::ContentIds const& content,
        std::string const& draft_id,
        std::string const& action,
        Auth const* before = nullptr
    );
    /// Inserts a new auth made of `content` (create, duplicate), writes its
    /// lists, audits the parts the call created and records `action`.
    core::Result<Auth> insert_new(
        storage::Tx& tx,
        core::Actor const& actor,
        detail::ContentIds const& content,
        std::vector<Part> const& created,
        std::string const& now,
        std::string const& action,
        std::string const& verb
    );
    core::Status remove_one(core::Actor const& actor, std::string const& auth_id);
    /// The answer and the parts the patch created.
    core::Result<std::pair<PatchOutcome, std::vector<Part>>> start_draft(
        storage::Tx& tx, core::Actor const& actor, DraftPatch const& patch
    );
    core::Result<std::pair<PatchOutcome, std::vector<Part>>> change_draft(
        storage::Tx& tx, core::Actor const& actor, DraftPatch const& patch
    );
    /// Drops the cached option lists of the kinds of `created`.
    void drop_part_kinds(std::string const& org_id, std::vector<Part> const& created);

    /// The first kMaxOptions parts of one kind (or departments, kind
    /// "department") of one org, ordered by value, with their total.
    struct CachedOptions {
        std::vector<Part> options;
        std::int64_t total{0};
        core::TimePoint loaded_at{};
    };
    /// The option lists of the six part kinds and of departments, by kind:
    /// from the cache when fresh, the missing ones read in one transaction of
    /// their own and cached (options.cpp).
    core::Result<std::map<std::string, CachedOptions>> option_lists(std::string const& org_id);
    static core::Result<CachedOptions> load_options(
        storage::Tx& tx, std::string const& org_id, std::string const& kind
    );
    /// Drops the cached list of (org, kind); call after the writing transaction committed.
    void drop_options(std::string const& org_id, std::string const& kind);
    /// Drops every cached list of the org; answers their tags.
    std::vector<std::string> drop_org_options(std::string const& org_id);

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    events::Recorder recorder_;
    // The option-list cache: see options.cpp for why it is safe with replicas.
    std::mutex options_mu_;
    std::map<std::pair<std::string, std::string>, CachedOptions> options_;
    std::uint64_t options_generation_{0};  // bumped by every drop
    // Per-org in-memory search indexes (search_cache.hpp).
    SearchCache search_cache_;
};

}  // namespace signoff::server::auths
