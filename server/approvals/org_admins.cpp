// Org admins: users whose org_role is admin or super_admin (see
// docs/approvals.md for why no separate table). Add by email, list, remove by
// user id; the org's last admin cannot be removed. Admin changes of one org
// are serialised by the org row lock, so two admins removing each other at
// once cannot leave the org without one.
#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/roles_repo.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;

/// Orgs are invisible to one another: another org's name is simply unknown.
core::Status same_org(core::Actor const& actor, std::string const& org_name) {
    if (org_name != actor.org_name) {
        return Error::not_found("organization '" + org_name + "' not found");
    }
    return {};
}

bool is_admin_role(std::string const& role) {
    return role == "admin" || role == "super_admin";
}

/// The audit log's before/after summary of an org role change.
std::string role_json(std::string const& role) {
    return events::JsonObject{}.str("org_role", role).text();
}

}  // namespace

Result<OrgAdmin> ApprovalsService::add_org_admin(
    core::Actor const& actor, std::string const& org_name, std::string const& email
) {
    if (auto s = same_org(actor, org_name); !s) {
        return s.error();
    }
    if (auto ok = identity::authorize(actor, Action::kOrgAdminsManage); !ok) {
        return ok.error();
    }
    auto norm = identity::normalize_email(email, "email");
    if (!norm) {
        return norm.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<OrgAdmin> {
        if (auto s = core::from_db(repos::lock_org(tx, actor.org_id)); !s) {
            return s.error();
        }
        auto user = core::from_db(repos::find_user_by_email(tx, actor.org_id, *norm));
        if (!user) {
            return user.error();
        }
        if (!*user) {
            return detail::field_error(
                core::ErrorKind::kNotFound, "email", "no user with this email in the organization"
            );
        }
        if (is_admin_role((*user)->org_role)) {
            return Error::already_exists("this user is already an org admin");
        }
        std::string const now = core::to_rfc3339(clock_.now());
        auto set = core::from_db(repos::set_org_role(tx, actor.org_id, (*user)->id, "admin", now));
        if (!set) {
            return set.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("email", (*user)->email_lower)
                               .str("previous_role", (*user)->org_role)
                               .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "identity.org_admin.added", "user", (*user)->id, detail_json
                )
                    .with_change(role_json((*user)->org_role), role_json("admin"))
            );
            !s) {
            return s.error();
        }
        return OrgAdmin{(*user)->id, (*user)->email_lower, now};
    });
}

Result<Page<OrgAdmin>> ApprovalsService::list_org_admins(
    core::Actor const& actor, std::string const& org_name, PageArgs const& page
) {
    if (auto s = same_org(actor, org_name); !s) {
        return s.error();
    }
    if (auto ok = identity::authorize(actor, Action::kOrgAdminsRead); !ok) {
        return ok.error();
    }
    auto w = detail::window(page);
    if (!w) {
        return w.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<OrgAdmin>> {
        auto rows = core::from_db(repos::list_org_admins(tx, actor.org_id, w->limit, w->offset()));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_org_admins(tx, actor.org_id));
        if (!total) {
            return total.error();
        }
        Page<OrgAdmin> out{{}, *total, w->page, w->limit};
        for (auto const& r : *rows) {
            out.items.push_back({r.user_id, r.email, r.since});
        }
        return out;
    });
}

Result<bool> ApprovalsService::remove_org_admin(
    core::Actor const& actor, std::string const& org_name, std::string const& user_id
) {
    if (auto s = same_org(actor, org_name); !s) {
        return s.error();
    }
    if (auto ok = identity::authorize(actor, Action::kOrgAdminsManage); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<bool> {
        if (auto s = core::from_db(repos::lock_org(tx, actor.org_id)); !s) {
            return s.error();
        }
        auto user = core::from_db(repos::find_user_by_id(tx, actor.org_id, user_id));
        if (!user) {
            return user.error();
        }
        if (!*user) {
            return Error::not_found("user not found");
        }
        if (!is_admin_role((*user)->org_role)) {
            return false;  // not an admin: nothing to remove (idempotent)
        }
        auto role = identity::parse_role((*user)->org_role);
        if (auto ok = identity::authorize(actor, Action::kOrgAdminsManage, {.target_role = role});
            !ok) {
            return ok.error();
        }
        auto admins = core::from_db(repos::count_org_admins(tx, actor.org_id));
        if (!admins) {
            return admins.error();
        }
        if (*admins <= 1) {
            return Error::failed_precondition(
                "this is the organization's last admin; add another admin first"
            );
        }
        auto set =
            core::from_db(repos::set_org_role(tx, actor.org_id, user_id, "member", std::nullopt));
        if (!set) {
            return set.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("email", (*user)->email_lower)
                               .str("previous_role", (*user)->org_role)
                               .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "identity.org_admin.removed", "user", user_id, detail_json
                )
                    .with_change(role_json((*user)->org_role), role_json("member"))
            );
            !s) {
            return s.error();
        }
        return true;
    });
}

}  // namespace signoff::server::approvals
