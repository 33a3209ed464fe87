// Permission decisions for every action (see authorize.hpp). Rules are read
// top to bottom per action; anything not allowed is refused.
#include "server/identity/authorize.hpp"

#include "server/identity/roles.hpp"

namespace signoff::server::identity {
namespace {

using core::OrgRole;

bool is_admin(OrgRole r) {
    return r == OrgRole::kAdmin || r == OrgRole::kSuperAdmin;
}
bool is_grant_admin(OrgRole r) {
    return is_admin(r) || r == OrgRole::kHrAdmin;
}

bool is_self(core::Actor const& actor, Subject const& s) {
    return s.grantee_email && *s.grantee_email == lower(actor.email);
}

core::Status deny(std::string msg) {
    return core::Error::permission_denied(std::move(msg));
}

core::Status approve(core::Actor const& actor, Subject const& s) {
    if (is_self(actor, s)) {
        return deny("you cannot approve your own access; another approver must");
    }
    bool owner = s.owner_user_id && *s.owner_user_id == actor.principal_id;
    if (!owner && !is_admin(actor.role)) {
        return deny("only the catalog row's owner or an admin may approve");
    }
    return {};
}

core::Status users_create(core::Actor const& actor, Subject const& s) {
    if (!is_admin(actor.role)) {
        return deny("creating users needs the admin or super_admin role");
    }
    if (s.new_role == OrgRole::kSuperAdmin && actor.role != OrgRole::kSuperAdmin) {
        return deny("only a super_admin may create a super_admin");
    }
    return {};
}

}  // namespace

core::Status authorize(core::Actor const& actor, Action action, Subject const& s) {
    switch (action) {
        case Action::kCatalogRead:
        case Action::kUsersRead:
            return {};
        case Action::kCatalogManageRows:
            return is_admin(actor.role)
                       ? core::Status{}
                       : deny("managing catalog rows needs the admin or super_admin role");
        case Action::kCatalogAssign:
            if (!is_grant_admin(actor.role)) {
                return deny("assigning access needs the admin, hr_admin or super_admin role");
            }
            // A direct grant to oneself would bypass the no-self-approval rule.
            return is_self(actor, s) ? deny("you cannot assign access to yourself")
                                     : core::Status{};
        case Action::kCatalogRevoke:
            return is_grant_admin(actor.role)
                       ? core::Status{}
                       : deny("revoking access needs the admin, hr_admin or super_admin role");
        case Action::kCatalogApprove:
            return approve(actor, s);
        case Action::kCatalogRequest:
            return is_self(actor, s) || is_grant_admin(actor.role)
                       ? core::Status{}
                       : deny("members may only request access for themselves");
        case Action::kUsersCreate:
            return users_create(actor, s);
        case Action::kApiKeysCreate:
            return is_admin(actor.role) || s.user_id == actor.principal_id
                       ? core::Status{}
                       : deny("you may only create API keys for yourself");
    }
    return deny("unknown action");
}

}  // namespace signoff::server::identity
