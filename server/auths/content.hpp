// What auths and drafts are made of, between the repositories and the
// service: the id form a row stores (ContentIds), loading an auth or a draft
// with its links and departments (batched: one query per table for any number
// of them), and rewriting the lists an input changed. Internal to server/auths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/auths/auths_service.hpp"
#include "server/core/error.hpp"
#include "storage/db.hpp"
#include "storage/repos/auth_drafts_repo.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths::detail {

/// The option-cache kind under which departments are kept beside the part kinds.
inline constexpr const char* kDepartmentKind = "department";

/// What an auth or a draft stores, as ids.
struct ContentIds {
    std::optional<std::string> name_part_id;
    std::optional<std::string> description_part_id;
    std::optional<std::string> flag_part_id;
    std::optional<std::string> group_id;
    std::vector<std::string> protocol_ids;
    std::vector<std::string> slug_ids;
    std::vector<std::string> item_ids;
    std::vector<std::string> department_ids;
};

/// Which lists an input gave (only those are rewritten).
struct ChangedLists {
    bool protocols{false};
    bool slugs{false};
    bool items{false};
    bool departments{false};

    static ChangedLists all() { return {true, true, true, true}; }
};

ContentIds ids_of(AuthContent const& c);

Department to_department(storage::repos::DepartmentRecord const& d);
Part to_part(storage::repos::PartRecord const& p);

core::Result<std::optional<Auth>> load_auth(
    storage::Tx& tx, std::string const& org_id, std::string const& id
);
core::Result<std::optional<Draft>> load_draft(
    storage::Tx& tx, std::string const& org_id, std::string const& id
);
/// The owner's drafts, most recently changed first.
core::Result<std::vector<Draft>> load_owner_drafts(
    storage::Tx& tx, std::string const& org_id, std::string const& owner_id
);
/// Summaries of a search page, in its order: links and departments of all of
/// them in one query each.
core::Result<std::vector<AuthSummary>> summaries_of(
    storage::Tx& tx, std::string const& org_id, std::vector<storage::repos::AuthView> const& page
);

/// Rewrites the auth's changed lists, then its search row.
core::Status write_auth_lists(
    storage::Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    ContentIds const& content,
    ChangedLists const& changed
);
/// Rewrites the draft's changed lists.
core::Status write_draft_lists(
    storage::Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    ContentIds const& content,
    ChangedLists const& changed
);

}  // namespace signoff::server::auths::detail
