// Small pieces the approvals services share: id and paging checks, field-level
// errors, role-binding rows and their JSON for audit details, and the
// optimistic role-version bump. Internal to server/approvals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/approvals/approvals_service.hpp"
#include "server/core/error.hpp"
#include "server/identity/role_catalog.hpp"
#include "storage/db.hpp"
#include "storage/repos/roles_repo.hpp"

namespace signoff::server::approvals::detail {

/// 8-4-4-4-12 hexadecimal digits (any version), either case.
bool is_uuid(std::string_view s);

/// ASCII letters, and ASCII letters or digits: the name rules' character classes
/// (the C library's versions follow the locale).
constexpr bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) {
    return is_alpha(c) || (c >= '0' && c <= '9');
}

struct Window {
    std::int64_t page{1};
    std::int64_t limit{20};
    std::int64_t offset() const { return (page - 1) * limit; }
};
/// Defaults page 1, limit 20; page ≥ 1, 1 ≤ limit ≤ 100 (kInvalidArgument).
core::Result<Window> window(PageArgs const& args);

/// An error of `kind` whose single detail names `field`.
core::Error field_error(core::ErrorKind kind, std::string field, std::string message);

storage::repos::RoleBindingRecord binding_record(
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id,
    identity::RoleBinding const& b,
    std::string const& now,
    bool via_mcp
);

/// [{"roleName":…,"scope":{"type":…,"id":…}}, …] for audit details.
std::string bindings_json(std::vector<identity::RoleBinding> const& bindings);

/// Moves the principal's role version from `expected` to expected + 1; a lost
/// race answers core::retry_tx() so that run_tx runs the body again.
core::Status bump_role_version(
    storage::Tx& tx,
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id,
    std::int64_t expected,
    std::string const& now
);

}  // namespace signoff::server::approvals::detail
