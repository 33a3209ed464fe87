// Groups and their memberships (see approvals_service.hpp). Reads check group
// `read` (or membership, for the member list); membership changes need group
// `write`; org admins hold both. Membership batches are all or nothing, and
// each change bumps the group's version and writes one audit row in the same
// transaction.
#include <algorithm>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/agents_repo.hpp"
#include "storage/repos/groups_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/roles_repo.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using identity::Action;
using identity::Permission;
using identity::ResourceType;
using identity::Target;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 2048;
constexpr std::size_t kMaxEntities = 100;

Group to_group(repos::GroupSummary const& s) {
    return Group{
        s.group.id,
        s.group.name,
        s.group.description,
        s.entities_count,
        s.group.created_at,
        s.group.updated_at,
    };
}

/// Letters, digits and dashes; starts with a letter, does not end with a dash;
/// never a UUID, so that lookups by id or name stay unambiguous.
core::Status check_name(std::string const& name) {
    if (name.empty() || name.size() > kMaxName) {
        return Error::invalid_field("name", "must be 1-255 characters");
    }
    bool const charset = std::all_of(name.begin(), name.end(), [](char c) {
        return detail::is_alnum(c) || c == '-';
    });
    if (!charset || !detail::is_alpha(name.front()) || name.back() == '-') {
        return Error::invalid_field(
            "name",
            "letters, digits and dashes only, starting with a letter and not ending with a dash"
        );
    }
    if (detail::is_uuid(name)) {
        return Error::invalid_field(
            "name", "must not be a UUID (groups are looked up by id or name)"
        );
    }
    return {};
}

Result<repos::GroupSummary> require_group(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    if (!detail::is_uuid(id)) {
        return Error::invalid_field("groupId", "must be a UUID");
    }
    auto g = core::from_db(repos::find_group_summary(tx, org_id, identity::lower(id)));
    if (!g) {
        return g.error();
    }
    if (!*g) {
        return Error::not_found("group not found");
    }
    return std::move(**g);
}

/// The actor's bindings and membership, and the decision for `action` on `group_id`.
core::Status authorize_on_group(
    Tx& tx, core::Actor const& actor, Action action, std::string const& group_id
) {
    auto bindings = identity::load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    auto member = core::from_db(repos::is_group_member(
        tx, actor.org_id, group_id, std::string(identity::principal_type(actor)), actor.principal_id
    ));
    if (!member) {
        return member.error();
    }
    return identity::authorize(
        actor,
        action,
        {.bindings = &*bindings,
         .target = Target{ResourceType::kGroup, group_id},
         .is_member = *member}
    );
}

/// Checks the batch's shape: human or agent entities, UUID ids, no entity twice.
Result<std::vector<EntityRef>> shape_entities(std::vector<EntityRef> const& in) {
    if (in.empty() || in.size() > kMaxEntities) {
        return Error::invalid_field("entities", "give 1-100 entities");
    }
    std::vector<EntityRef> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        std::string const field = "entities[" + std::to_string(i) + "].entity";
        if (in[i].entity_type != "human" && in[i].entity_type != "agent") {
            return detail::field_error(
                ErrorKind::kInvalidArgument, field + ".entityType", "must be human or agent"
            );
        }
        if (!detail::is_uuid(in[i].entity_id)) {
            return detail::field_error(
                ErrorKind::kInvalidArgument, field + ".entityId", "must be a UUID"
            );
        }
        EntityRef e{in[i].entity_type, identity::lower(in[i].entity_id)};
        bool const dup = std::any_of(out.begin(), out.end(), [&](EntityRef const& o) {
            return o.entity_type == e.entity_type && o.entity_id == e.entity_id;
        });
        if (dup) {
            return detail::field_error(
                ErrorKind::kInvalidArgument, field, "this entity is listed twice"
            );
        }
        out.push_back(std::move(e));
    }
    return out;
}

/// Whether the entity is a user (`human`) or an agent of the org.
Result<bool> entity_exists(Tx& tx, std::string const& org_id, EntityRef const& e) {
    if (e.entity_type == "agent") {
        auto a = core::from_db(repos::find_agent_by_id(tx, org_id, e.entity_id));
        return a ? Result<bool>{a->has_value()} : Result<bool>{a.error()};
    }
    auto u = core::from_db(repos::find_user_by_id(tx, org_id, e.entity_id));
    return u ? Result<bool>{u->has_value()} : Result<bool>{u.error()};
}

/// "user <id>" or "agent <id>", for messages.
std::string entity_name(EntityRef const& e) {
    return (e.entity_type == "agent" ? "agent " : "user ") + e.entity_id;
}

std::string entities_json(std::vector<EntityRef> const& es) {
    std::string out = "[";
    for (auto const& e : es) {
        out += (out.size() > 1 ? "," : "") + events::JsonObject{}
                                                 .str("entityType", e.entity_type)
                                                 .str("entityId", e.entity_id)
                                                 .text();
    }
    return out + "]";
}

}  // namespace

Result<Group> ApprovalsService::create_group(
    core::Actor const& actor, std::string const& name, std::string const& description
) {
    if (auto ok = identity::authorize(actor, Action::kGroupsCreate); !ok) {
        return ok.error();
    }
    if (auto s = check_name(name); !s) {
        return s.error();
    }
    if (description.size() > kMaxDescription) {
        return Error::invalid_field("description", "at most 2048 characters");
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Group> {
        auto existing =
            core::from_db(repos::find_group_by_name(tx, actor.org_id, identity::lower(name)));
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return detail::field_error(
                ErrorKind::kAlreadyExists, "name", "a group with this name already exists"
            );
        }
        std::string const now = core::to_rfc3339(clock_.now());
        bool const via = core::via_mcp(actor.channel);
        repos::GroupRecord g{
            ids_.new_id(),
            actor.org_id,
            name,
            identity::lower(name),
            description,
            now,
            now,
            1,
            via};
        if (auto s = core::from_db(repos::insert_group(tx, g)); !s) {
            return s.error();
        }
        // A creator who is not an org admin could not otherwise manage the
        // group they made; admins already hold every permission.
        if (!identity::may(actor, {}, Permission::kManage, Target{ResourceType::kGroup, g.id})) {
            if (auto s = grant_creator(tx, actor, g.id, now); !s) {
                return s.error();
            }
        }
        auto detail_json =
            events::JsonObject{}.str("name", g.name).str("description", g.description).text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(actor, "approvals.group.created", "group", g.id, detail_json)
            );
            !s) {
            return s.error();
        }
        return Group{g.id, g.name, g.description, 0, now, now};
    });
}

core::Status ApprovalsService::grant_creator_role(
    Tx& tx, core::Actor const& actor, identity::RoleBinding const& b, std::string const& now
) {
    auto const type = identity::principal_type(actor);
    auto current = identity::load_bindings(tx, actor);
    if (!current) {
        return current.error();
    }
    if (current->size() >= identity::kMaxBindings) {
        return Error::exhausted(
            "you hold 128 role bindings, the most allowed, so you could not manage a new " +
            std::string(identity::scope_type_name(b.scope.type))
        );
    }
    auto version =
        core::from_db(repos::role_version(tx, actor.org_id, std::string(type), actor.principal_id));
    if (!version) {
        return version.error();
    }
    auto rec = detail::binding_record(
        actor.org_id, type, actor.principal_id, b, now, core::via_mcp(actor.channel)
    );
    if (auto r = core::from_db(repos::insert_binding(tx, rec)); !r) {
        return r.error();
    }
    return detail::bump_role_version(tx, actor.org_id, type, actor.principal_id, *version, now);
}

Result<Page<Group>> ApprovalsService::list_groups(
    core::Actor const& actor, PageArgs const& page, std::optional<std::string> const& search
) {
    if (auto ok = identity::authorize(actor, Action::kGroupsList); !ok) {
        return ok.error();
    }
    auto w = detail::window(page);
    if (!w) {
        return w.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<Group>> {
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        // A target naming no group is reached only by an org-wide binding.
        repos::GroupVisibility vis{
            identity::may(actor, *bindings, Permission::kRead, Target{ResourceType::kGroup, ""}),
            std::string(identity::principal_type(actor)),
            actor.principal_id};
        if (search && !identity::trim(*search).empty()) {
            vis.name_contains = identity::lower(identity::trim(*search));
        }
        auto rows = core::from_db(repos::list_groups(tx, actor.org_id, vis, w->limit, w->offset()));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_groups(tx, actor.org_id, vis));
        if (!total) {
            return total.error();
        }
        Page<Group> out{{}, *total, w->page, w->limit};
        for (auto const& r : *rows) {
            out.items.push_back(to_group(r));
        }
        return out;
    });
}

Result<Group> ApprovalsService::get_group(core::Actor const& actor, std::string const& id_or_name) {
    if (auto ok = identity::authorize(actor, Action::kGroupsList); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Group> {
        std::string id = identity::lower(id_or_name);
        if (!detail::is_uuid(id_or_name)) {
            auto by_name = core::from_db(repos::find_group_by_name(tx, actor.org_id, id));
            if (!by_name) {
                return by_name.error();
            }
            if (!*by_name) {
                return Error::not_found("group not found");
            }
            id = (*by_name)->id;
        }
        auto g = require_group(tx, actor.org_id, id);
        if (!g) {
            return g.error();
        }
        if (auto ok = authorize_on_group(tx, actor, Action::kGroupRead, g->group.id); !ok) {
            return ok.error();
        }
        return to_group(*g);
    });
}

Result<Page<Member>> ApprovalsService::list_members(
    core::Actor const& actor, std::string const& group_id, PageArgs const& page
) {
    auto w = detail::window(page);
    if (!w) {
        return w.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<Member>> {
        auto g = require_group(tx, actor.org_id, group_id);
        if (!g) {
            return g.error();
        }
        if (auto ok = authorize_on_group(tx, actor, Action::kGroupMembersRead, g->group.id); !ok) {
            return ok.error();
        }
        auto rows =
            core::from_db(repos::list_members(tx, actor.org_id, g->group.id, w->limit, w->offset())
            );
        if (!rows) {
            return rows.error();
        }
        Page<Member> out{{}, g->entities_count, w->page, w->limit};
        for (auto const& m : *rows) {
            out.items.push_back({{m.entity_type, m.entity_id}, m.added_at});
        }
        return out;
    });
}

Result<Group> ApprovalsService::add_members(
    core::Actor const& actor, std::string const& group_id, std::vector<EntityRef> const& entities
) {
    auto batch = shape_entities(entities);
    if (!batch) {
        return batch.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Group> {
        auto g = require_group(tx, actor.org_id, group_id);
        if (!g) {
            return g.error();
        }
        if (auto ok = authorize_on_group(tx, actor, Action::kGroupMembersWrite, g->group.id); !ok) {
            return ok.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        for (std::size_t i = 0; i < batch->size(); ++i) {
            auto const& e = (*batch)[i];
            std::string const field = "entities[" + std::to_string(i) + "].entity.entityId";
            auto exists = entity_exists(tx, actor.org_id, e);
            if (!exists) {
                return exists.error();
            }
            if (!*exists) {
                return detail::field_error(
                    ErrorKind::kNotFound, field, entity_name(e) + " not found"
                );
            }
            repos::MemberRecord m{
                actor.org_id,
                g->group.id,
                e.entity_type,
                e.entity_id,
                now,
                core::via_mcp(actor.channel)};
            auto inserted = core::from_db(repos::insert_member(tx, m));
            if (!inserted) {
                return inserted.error();
            }
            if (*inserted == 0) {
                return detail::field_error(
                    ErrorKind::kAlreadyExists, field, entity_name(e) + " is already a member"
                );
            }
        }
        return finish_membership_change(
            tx, actor, g->group.id, "approvals.group.members_added", *batch, now, g->entities_count
        );
    });
}

Result<Group> ApprovalsService::remove_members(
    core::Actor const& actor, std::string const& group_id, std::vector<EntityRef> const& entities
) {
    auto batch = shape_entities(entities);
    if (!batch) {
        return batch.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Group> {
        auto g = require_group(tx, actor.org_id, group_id);
        if (!g) {
            return g.error();
        }
        if (auto ok = authorize_on_group(tx, actor, Action::kGroupMembersWrite, g->group.id); !ok) {
            return ok.error();
        }
        for (std::size_t i = 0; i < batch->size(); ++i) {
            auto const& e = (*batch)[i];
            auto deleted = core::from_db(
                repos::delete_member(tx, actor.org_id, g->group.id, e.entity_type, e.entity_id)
            );
            if (!deleted) {
                return deleted.error();
            }
            if (*deleted == 0) {
                // A conflict with the group's state, as the original API answers
                // (409); the group itself was found.
                return detail::field_error(
                    ErrorKind::kConflict,
                    "entities[" + std::to_string(i) + "].entity.entityId",
                    e.entity_id + " is not a member of this group"
                );
            }
        }
        std::string const now = core::to_rfc3339(clock_.now());
        return finish_membership_change(
            tx,
            actor,
            g->group.id,
            "approvals.group.members_removed",
            *batch,
            now,
            g->entities_count
        );
    });
}

Result<Group> ApprovalsService::finish_membership_change(
    Tx& tx,
    core::Actor const& actor,
    std::string const& group_id,
    std::string const& action,
    std::vector<EntityRef> const& batch,
    std::string const& now,
    std::int64_t members_before
) {
    if (auto s = core::from_db(repos::touch_group(tx, actor.org_id, group_id, now)); !s) {
        return s.error();
    }
    auto g = require_group(tx, actor.org_id, group_id);
    if (!g) {
        return g.error();
    }
    // Who joined or left is in the detail; before/after say how big it was.
    auto count = [&](std::int64_t n) {
        return events::JsonObject{}.str("name", g->group.name).integer("entities_count", n).text();
    };
    auto detail_json = events::JsonObject{}.raw("entities", entities_json(batch)).text();
    auto entry = events::Recorder::by(actor, action, "group", group_id, detail_json)
                     .with_change(count(members_before), count(g->entities_count));
    if (auto s = recorder_.audit(tx, entry); !s) {
        return s.error();
    }
    return to_group(*g);
}

Result<std::vector<std::pair<std::string, std::string>>> ApprovalsService::user_groups(
    core::Actor const& actor, std::string const& user_id
) {
    if (auto ok = identity::authorize(actor, Action::kGroupsList); !ok) {
        return std::vector<std::pair<std::string, std::string>>{};  // agents see none
    }
    return core::run_tx(
        db_,
        TxMode::kRead,
        [&](Tx& tx) -> Result<std::vector<std::pair<std::string, std::string>>> {
            auto bindings = identity::load_bindings(tx, actor);
            if (!bindings) {
                return bindings.error();
            }
            repos::GroupVisibility vis{
                identity::may(
                    actor, *bindings, Permission::kRead, Target{ResourceType::kGroup, ""}
                ),
                std::string(identity::principal_type(actor)),
                actor.principal_id};
            return core::from_db(
                repos::groups_of_entity(tx, actor.org_id, vis, "human", identity::lower(user_id))
            );
        }
    );
}

}  // namespace signoff::server::approvals
