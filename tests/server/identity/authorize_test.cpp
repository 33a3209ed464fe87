// The one permission function: who may manage rows, assign, revoke, approve,
// request, create users and API keys.
#include "server/identity/authorize.hpp"

#include <doctest/doctest.h>

using namespace signoff::server;
using core::OrgRole;
using identity::Action;
using identity::authorize;

namespace {

core::Actor actor(OrgRole role, std::string id = "u1", std::string email = "me@example.com") {
    core::Actor a;
    a.org_id = "o1";
    a.principal_id = std::move(id);
    a.email = std::move(email);
    a.role = role;
    return a;
}

bool allowed(core::Actor const& a, Action act, identity::Subject const& s = {}) {
    return authorize(a, act, s).has_value();
}

}  // namespace

TEST_SUITE("server/identity/authorize") {
    TEST_CASE("row writes need admin or super_admin") {
        CHECK(allowed(actor(OrgRole::kAdmin), Action::kCatalogManageRows));
        CHECK(allowed(actor(OrgRole::kSuperAdmin), Action::kCatalogManageRows));
        CHECK_FALSE(allowed(actor(OrgRole::kHrAdmin), Action::kCatalogManageRows));
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogManageRows));
        auto denied = authorize(actor(OrgRole::kMember), Action::kCatalogManageRows);
        CHECK(denied.error().kind == core::ErrorKind::kPermissionDenied);
    }

    TEST_CASE("assign and revoke need admin, hr_admin or super_admin; never assign to oneself") {
        identity::Subject other{.grantee_email = std::string{"bob@example.com"}};
        for (auto r : {OrgRole::kAdmin, OrgRole::kHrAdmin, OrgRole::kSuperAdmin}) {
            CHECK(allowed(actor(r), Action::kCatalogAssign, other));
            CHECK(allowed(actor(r), Action::kCatalogRevoke));
        }
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogAssign, other));
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogRevoke));
        identity::Subject self{.grantee_email = std::string{"me@example.com"}};
        CHECK_FALSE(allowed(actor(OrgRole::kSuperAdmin), Action::kCatalogAssign, self));
    }

    TEST_CASE("approve: owner or admin, never the grantee even for admins") {
        identity::Subject owned{
            .owner_user_id = std::string{"u1"}, .grantee_email = std::string{"bob@example.com"}};
        CHECK(allowed(actor(OrgRole::kMember), Action::kCatalogApprove, owned));
        identity::Subject not_owned{
            .owner_user_id = std::string{"u9"}, .grantee_email = std::string{"bob@example.com"}};
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogApprove, not_owned));
        CHECK_FALSE(allowed(actor(OrgRole::kHrAdmin), Action::kCatalogApprove, not_owned));
        CHECK(allowed(actor(OrgRole::kAdmin), Action::kCatalogApprove, not_owned));
        identity::Subject self{
            .owner_user_id = std::string{"u1"}, .grantee_email = std::string{"me@example.com"}};
        CHECK_FALSE(allowed(actor(OrgRole::kSuperAdmin), Action::kCatalogApprove, self));
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogApprove, self));
    }

    TEST_CASE("members request only for themselves; grant admins for anyone") {
        identity::Subject self{.grantee_email = std::string{"me@example.com"}};
        identity::Subject other{.grantee_email = std::string{"bob@example.com"}};
        CHECK(allowed(actor(OrgRole::kMember), Action::kCatalogRequest, self));
        CHECK_FALSE(allowed(actor(OrgRole::kMember), Action::kCatalogRequest, other));
        CHECK(allowed(actor(OrgRole::kHrAdmin), Action::kCatalogRequest, other));
    }

    TEST_CASE("users: admins create, only super_admin creates super_admin; keys for self") {
        identity::Subject admin_role{.new_role = OrgRole::kAdmin};
        identity::Subject super_role{.new_role = OrgRole::kSuperAdmin};
        CHECK(allowed(actor(OrgRole::kAdmin), Action::kUsersCreate, admin_role));
        CHECK_FALSE(allowed(actor(OrgRole::kAdmin), Action::kUsersCreate, super_role));
        CHECK(allowed(actor(OrgRole::kSuperAdmin), Action::kUsersCreate, super_role));
        CHECK_FALSE(allowed(actor(OrgRole::kHrAdmin), Action::kUsersCreate, admin_role));
        CHECK(allowed(actor(OrgRole::kMember), Action::kUsersRead));
    }

    TEST_CASE("credentials: one's own always; someone else's only from a higher rank") {
        auto on = [](char const* user, std::optional<OrgRole> role) {
            return identity::Subject{.user_id = std::string{user}, .target_role = role};
        };
        auto const keys = Action::kCredentialsManage;
        CHECK(allowed(actor(OrgRole::kMember), keys, on("u1", OrgRole::kMember)));
        CHECK_FALSE(allowed(actor(OrgRole::kMember), keys, on("u2", OrgRole::kMember)));
        CHECK_FALSE(allowed(actor(OrgRole::kHrAdmin), keys, on("u2", OrgRole::kMember)));
        CHECK(allowed(actor(OrgRole::kAdmin), keys, on("u2", OrgRole::kMember)));
        CHECK(allowed(actor(OrgRole::kAdmin), keys, on("u2", OrgRole::kHrAdmin)));
        CHECK_FALSE(allowed(actor(OrgRole::kAdmin), keys, on("u2", OrgRole::kAdmin)));
        CHECK_FALSE(allowed(actor(OrgRole::kAdmin), keys, on("u2", OrgRole::kSuperAdmin)));
        CHECK(allowed(actor(OrgRole::kSuperAdmin), keys, on("u2", OrgRole::kSuperAdmin)));
        CHECK(allowed(actor(OrgRole::kSuperAdmin), keys, on("u2", OrgRole::kAdmin)));
        // Without the target's role the rule fails closed.
        CHECK_FALSE(allowed(actor(OrgRole::kSuperAdmin), keys, on("u2", std::nullopt)));
    }
}
