// The ONE place that decides permissions. Domain services call authorize()
// before they change or reveal anything; transports and tools never decide.
// Org isolation is not decided here: every query is scoped by the actor's org.
#pragma once

#include <optional>
#include <string>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"

namespace signoff::server::identity {

enum class Action {
    kCatalogRead,        // list/get rows and approvals: any member
    kCatalogManageRows,  // create/update/delete rows: admin, super_admin
    kCatalogAssign,      // direct grant: admin, hr_admin, super_admin; never to oneself
    kCatalogRevoke,      // admin, hr_admin, super_admin
    kCatalogApprove,     // the row's owner or admin/super_admin; never the grantee
    kCatalogRequest,     // members for themselves; admins and hr_admins for anyone
    kUsersCreate,        // admin, super_admin; only super_admin creates super_admin
    kUsersRead,          // any member
    kApiKeysCreate,      // admin/super_admin for anyone; a user for themselves
};

/// What the decision may depend on besides the actor; fill what applies.
struct Subject {
    std::optional<std::string> owner_user_id{};  // catalog row owner
    std::optional<std::string> grantee_email{};  // normalised (lowercase) grantee
    std::optional<std::string> user_id{};        // the user an API key is for
    std::optional<core::OrgRole> new_role{};     // role of a user being created
};

/// Ok, or kPermissionDenied with a message saying which role is needed.
core::Status authorize(core::Actor const& actor, Action action, Subject const& subject = {});

}  // namespace signoff::server::identity
