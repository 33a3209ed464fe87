// Facts for the auth permission rules, and the calls to authorize() (see access.hpp).
#include "server/auths/access.hpp"

#include "server/core/db_map.hpp"
#include "server/identity/permissions.hpp"
#include "storage/repos/groups_repo.hpp"

namespace signoff::server::auths::detail {

namespace repos = storage::repos;
using core::Error;
using identity::Action;

core::Result<identity::Subject> group_subject(
    storage::Tx& tx,
    core::Actor const& actor,
    std::optional<std::string> const& group_id,
    std::string const& created_by
) {
    identity::Subject s;
    s.owner_user_id = created_by;
    s.group_id = group_id;
    if (!group_id) {
        return s;
    }
    auto group = core::from_db(repos::find_group_by_id(tx, actor.org_id, *group_id));
    if (!group) {
        return group.error();
    }
    if (*group) {
        s.group_name = (*group)->name;
    }
    auto member = core::from_db(repos::is_group_member(
        tx,
        actor.org_id,
        *group_id,
        std::string{identity::principal_type(actor)},
        actor.principal_id
    ));
    if (!member) {
        return member.error();
    }
    s.is_member = *member;
    return s;
}

core::Result<std::optional<std::string>> edit_refusal(
    storage::Tx& tx, core::Actor const& actor, Auth const& auth
) {
    auto subject = group_subject(tx, actor, auth.content.group_id, auth.created_by);
    if (!subject) {
        return subject.error();
    }
    auto decision = identity::authorize(actor, Action::kAuthsEdit, *subject);
    if (decision) {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>{decision.error().message};
}

core::Status require_edit(storage::Tx& tx, core::Actor const& actor, Auth const& auth) {
    auto refusal = edit_refusal(tx, actor, auth);
    if (!refusal) {
        return refusal.error();
    }
    if (*refusal) {
        return Error::permission_denied(**refusal);
    }
    return {};
}

core::Status require_draft_owner(core::Actor const& actor, Draft const& draft) {
    identity::Subject s;
    s.owner_user_id = draft.owner_id;
    if (!identity::authorize(actor, Action::kAuthsUseDraft, s)) {
        return draft_not_found(draft.id);  // a draft of someone else does not exist for you
    }
    return {};
}

Error draft_not_found(std::string const& draft_id) {
    Error e = Error::not_found("draft " + draft_id + " not found");
    e.details.push_back({"draft_id", "no draft of yours has this id"});
    return e;
}

Error auth_not_found(std::string const& auth_id) {
    Error e = Error::not_found("auth " + auth_id + " not found");
    e.details.push_back({"auth_id", "no auth of this organisation has this id"});
    return e;
}

}  // namespace signoff::server::auths::detail
