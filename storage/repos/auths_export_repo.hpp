// The batched, denormalised read of auths that auths_export writes to CSV:
// one record per auth with its part values and department names resolved.
// Keyset-paginated by id so that an export of any size reads a bounded batch
// per call. Called by server/auths/export.cpp; scoped by org_id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct AuthExportRecord {
    std::string id;
    std::string name;
    std::string description;  // "" when the auth has none
    std::optional<std::string> flag;
    std::vector<std::string> protocols;    // in the auth's order
    std::vector<std::string> slugs;        // in the auth's order
    std::vector<std::string> items;        // in the auth's order
    std::vector<std::string> departments;  // names, case-insensitively sorted
    std::optional<std::string> group_id;
    std::int64_t version{1};
    std::string created_by;
    std::string created_at;
    std::string updated_at;
};

/// How many auths the export will cover: all of the org's, or only `only_id`.
DbResult<std::int64_t> count_export_auths(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& only_id
);

/// Up to `limit` auths of the org with id > `after_id` ("" for the first
/// batch), ordered by id, restricted to `only_id` when given. Three statements
/// per batch (auths with their single-valued parts; part links; departments),
/// whatever the batch size; run them in one transaction for a consistent batch.
DbResult<std::vector<AuthExportRecord>> export_auths_batch(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_id,
    std::int64_t limit,
    std::optional<std::string> const& only_id
);

}  // namespace signoff::storage::repos
