// Repository of versioned workflow templates: portable SQL over storage::Tx,
// plain records out, every statement scoped by org_id. One row per version;
// the versions of a template share name_lower. Called by server/approvals
// (templates, template-scoped role bindings); the rules live there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct TemplateRecord {
    std::string id;
    std::string org_id;
    std::string space_id;
    std::string name;
    std::string name_lower;
    std::int64_t version{1};  // template version number
    std::string status;       // ACTIVE | PENDING_DEPRECATION | DEPRECATED
    bool allow_voting_on_deprecated{true};
    std::string description;
    std::string metadata;       // JSON object text
    std::string approval_rule;  // JSON text
    std::string actions;        // JSON array text
    std::optional<std::int64_t> default_expires_in_hours{};
    std::string created_at;
    std::string updated_at;
    std::int64_t row_version{1};  // optimistic concurrency version
    bool via_mcp{false};
};

/// Which templates a listing shows: all of the org's, or those in one of
/// `space_ids` or named (lowercase) in `names`.
struct TemplateVisibility {
    bool all{false};
    std::vector<std::string> space_ids;
    std::vector<std::string> names;
};

struct TemplateFilter {
    TemplateVisibility visibility;
    std::optional<std::string> space_id{};
    std::optional<std::string> status{};
};

DbStatus insert_template(Tx& tx, TemplateRecord const& t);
DbResult<std::optional<TemplateRecord>> find_template_by_id(
    Tx& tx, std::string const& org_id, std::string const& id
);
/// The ACTIVE version of a name, else its highest version; nullopt when the
/// name was never used.
DbResult<std::optional<TemplateRecord>> find_latest_template(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
/// The highest version number of a name (0 when never used).
DbResult<std::int64_t> max_template_version(
    Tx& tx, std::string const& org_id, std::string const& name_lower
);
/// Sets a version's status and voting flag and bumps its row_version, only
/// when row_version still equals `expected`. Answers rows changed.
DbResult<std::int64_t> set_template_status(
    Tx& tx,
    std::string const& org_id,
    std::string const& id,
    std::string const& status,
    bool allow_voting_on_deprecated,
    std::int64_t expected,
    std::string const& now
);
/// Disables voting on every non-ACTIVE version of a name that still allows
/// it (bumping their row_version). Answers rows changed.
DbResult<std::int64_t> disable_voting_on_old_versions(
    Tx& tx, std::string const& org_id, std::string const& name_lower, std::string const& now
);
/// Matching templates ordered by name_lower, then version descending.
DbResult<std::vector<TemplateRecord>> list_templates(
    Tx& tx,
    std::string const& org_id,
    TemplateFilter const& filter,
    std::int64_t limit,
    std::int64_t offset
);
DbResult<std::int64_t> count_templates(
    Tx& tx, std::string const& org_id, TemplateFilter const& filter
);

}  // namespace signoff::storage::repos
