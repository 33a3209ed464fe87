// Role bindings of users and agents: the catalogue, a principal's bindings,
// replace and remove (see approvals_service.hpp). Each change checks the
// caller's right to every binding it adds or removes, bumps the principal's
// role version, and writes one audit row, all in one transaction. Agents may
// hold only workflow-template roles (identity::may_hold).
#include "server/identity/roles.hpp"

#include <algorithm>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "storage/repos/agents_repo.hpp"
#include "storage/repos/groups_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/roles_repo.hpp"
#include "storage/repos/spaces_repo.hpp"
#include "storage/repos/templates_repo.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using identity::Action;
using identity::RoleBinding;
using identity::ScopeType;
using storage::Tx;
using storage::TxMode;

constexpr std::string_view kHuman = "human";
constexpr std::string_view kAgent = "agent";

/// A binding shaped from its input. A workflow_template scope given by
/// workflowTemplateId still names no template (scope id empty) until
/// resolve_all looks the id up in the transaction.
struct Shaped {
    RoleBinding binding;
    std::optional<std::string> template_id{};
    std::string field;
};

core::Error scope_error(std::string const& field, std::string message) {
    return detail::field_error(ErrorKind::kInvalidArgument, field, std::move(message));
}

Result<Shaped> shape_space(RoleInput const& in, std::string const& field) {
    if (!in.space_id || !detail::is_uuid(*in.space_id) || in.group_id || in.template_name ||
        in.workflow_template_id) {
        return scope_error(
            field + ".scope.spaceId", "a space scope takes exactly a spaceId (a UUID)"
        );
    }
    return Shaped{{in.role_name, {ScopeType::kSpace, identity::lower(*in.space_id)}}, {}, field};
}

/// Template roles bind to the (lowercase) name, so they survive new versions.
Result<Shaped> shape_template(RoleInput const& in, std::string const& field) {
    if (in.group_id || in.space_id ||
        in.template_name.has_value() == in.workflow_template_id.has_value()) {
        return scope_error(
            field + ".scope",
            "a workflow_template scope takes exactly one of templateName and workflowTemplateId"
        );
    }
    if (in.workflow_template_id) {
        if (!detail::is_uuid(*in.workflow_template_id)) {
            return scope_error(field + ".scope.workflowTemplateId", "must be a UUID");
        }
        return Shaped{
            {in.role_name, {ScopeType::kWorkflowTemplate, ""}},
            identity::lower(*in.workflow_template_id),
            field};
    }
    if (in.template_name->empty() || in.template_name->size() > 255) {
        return scope_error(field + ".scope.templateName", "must be 1-255 characters");
    }
    return Shaped{
        {in.role_name, {ScopeType::kWorkflowTemplate, identity::lower(*in.template_name)}},
        {},
        field};
}

/// The scope id a scope type needs, checked for shape; that the group, space
/// or template exists is checked later, in the transaction. `principal_type`
/// is who will hold the binding (agents hold only template roles).
Result<Shaped> shape_binding(
    RoleInput const& in, std::string const& field, std::string_view principal_type
) {
    identity::RoleDef const* def = identity::find_role(in.role_name);
    if (def == nullptr) {
        return scope_error(
            field + ".roleName",
            "unknown role '" + in.role_name + "' (GET /roles lists the catalogue)"
        );
    }
    if (!identity::may_hold(principal_type, *def)) {
        return scope_error(field + ".roleName", "agents may hold only workflow template roles");
    }
    auto type = identity::parse_scope_type(in.scope_type);
    if (!type) {
        return scope_error(
            field + ".scope.type", "must be one of org, space, group, workflow_template"
        );
    }
    if (std::find(def->scopes.begin(), def->scopes.end(), *type) == def->scopes.end()) {
        std::string allowed;
        for (auto sc : def->scopes) {
            allowed += (allowed.empty() ? "" : " or ") + std::string(identity::scope_type_name(sc));
        }
        return scope_error(
            field + ".scope.type", in.role_name + " may be bound only at " + allowed + " scope"
        );
    }
    switch (*type) {
        case ScopeType::kOrg:
            if (in.group_id || in.space_id || in.template_name || in.workflow_template_id) {
                return scope_error(field + ".scope", "an org scope takes no id");
            }
            return Shaped{{in.role_name, {ScopeType::kOrg, ""}}, {}, field};
        case ScopeType::kGroup:
            if (!in.group_id || !detail::is_uuid(*in.group_id) || in.space_id || in.template_name ||
                in.workflow_template_id) {
                return scope_error(
                    field + ".scope.groupId", "a group scope takes exactly a groupId (a UUID)"
                );
            }
            return Shaped{
                {in.role_name, {ScopeType::kGroup, identity::lower(*in.group_id)}}, {}, field};
        case ScopeType::kSpace:
            return shape_space(in, field);
        case ScopeType::kWorkflowTemplate:
            return shape_template(in, field);
    }
    return Error::internal("unhandled scope type");
}

/// Validated bindings in request order (resolved later by resolve_all).
Result<std::vector<Shaped>> shape_all(
    std::vector<RoleInput> const& in, std::string_view principal_type
) {
    if (in.size() > identity::kMaxBindings) {
        return Error::invalid_field("roles", "at most 128 role bindings per request");
    }
    std::vector<Shaped> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto b = shape_binding(in[i], "roles[" + std::to_string(i) + "]", principal_type);
        if (!b) {
            return b.error();
        }
        out.push_back(std::move(*b));
    }
    return out;
}

/// Template ids resolved to their names (kNotFound for an unknown id), then
/// duplicates collapsed, in request order.
Result<std::vector<RoleBinding>> resolve_all(
    Tx& tx, core::Actor const& actor, std::vector<Shaped> const& shaped
) {
    std::vector<RoleBinding> out;
    for (auto const& s : shaped) {
        RoleBinding b = s.binding;
        if (s.template_id) {
            auto t = core::from_db(repos::find_template_by_id(tx, actor.org_id, *s.template_id));
            if (!t) {
                return t.error();
            }
            if (!*t) {
                return detail::field_error(
                    ErrorKind::kNotFound,
                    s.field + ".scope.workflowTemplateId",
                    "workflow template " + *s.template_id + " not found"
                );
            }
            b.scope.id = (*t)->name_lower;
        }
        if (std::find(out.begin(), out.end(), b) == out.end()) {
            out.push_back(std::move(b));
        }
    }
    return out;
}

bool contains(std::vector<RoleBinding> const& v, RoleBinding const& b) {
    return std::find(v.begin(), v.end(), b) != v.end();
}

std::vector<RoleBinding> minus(
    std::vector<RoleBinding> const& a, std::vector<RoleBinding> const& b
) {
    std::vector<RoleBinding> out;
    std::copy_if(a.begin(), a.end(), std::back_inserter(out), [&](RoleBinding const& x) {
        return !contains(b, x);
    });
    return out;
}

/// Whose roles change: a user (`human`) or an agent, by id.
struct Principal {
    std::string_view type;
    std::string id;

    bool is_agent() const { return type == kAgent; }
    std::string noun() const { return is_agent() ? "agent" : "user"; }
};

/// What one role change needs in its transaction, loaded once.
struct RoleChange {
    std::vector<RoleBinding> current;
    std::int64_t version{1};
};

Result<bool> principal_exists(Tx& tx, std::string const& org_id, Principal const& p) {
    if (p.is_agent()) {
        auto a = core::from_db(repos::find_agent_by_id(tx, org_id, p.id));
        return a ? Result<bool>{a->has_value()} : Result<bool>{a.error()};
    }
    auto u = core::from_db(repos::find_user_by_id(tx, org_id, p.id));
    return u ? Result<bool>{u->has_value()} : Result<bool>{u.error()};
}

Result<RoleChange> load_target(
    Tx& tx, core::Actor const& actor, Principal const& p, std::optional<std::int64_t> expected
) {
    auto exists = principal_exists(tx, actor.org_id, p);
    if (!exists) {
        return exists.error();
    }
    if (!*exists) {
        return Error::not_found(p.noun() + " not found");
    }
    auto version = core::from_db(repos::role_version(tx, actor.org_id, std::string(p.type), p.id));
    if (!version) {
        return version.error();
    }
    if (expected && *expected != *version) {
        return detail::field_error(
            ErrorKind::kConflict,
            "concurrencyControl.version",
            "the " + p.noun() + "'s roles changed meanwhile: current version is " +
                std::to_string(*version)
        );
    }
    auto current = identity::load_bindings(tx, actor.org_id, p.type, p.id);
    if (!current) {
        return current.error();
    }
    return RoleChange{std::move(*current), *version};
}

/// Whether the group, space or template a binding names exists in the org.
Result<bool> scope_exists(Tx& tx, std::string const& org_id, identity::Scope const& scope) {
    switch (scope.type) {
        case ScopeType::kGroup: {
            auto g = core::from_db(repos::find_group_by_id(tx, org_id, scope.id));
            return g ? Result<bool>{g->has_value()} : Result<bool>{g.error()};
        }
        case ScopeType::kSpace: {
            auto sp = core::from_db(repos::find_space_by_id(tx, org_id, scope.id));
            return sp ? Result<bool>{sp->has_value()} : Result<bool>{sp.error()};
        }
        case ScopeType::kWorkflowTemplate: {
            auto t = core::from_db(repos::find_latest_template(tx, org_id, scope.id));
            return t ? Result<bool>{t->has_value()} : Result<bool>{t.error()};
        }
        case ScopeType::kOrg:
            break;
    }
    return true;
}

/// Every group, space and template a binding names must exist in the org.
core::Status check_scopes_exist(
    Tx& tx, core::Actor const& actor, std::vector<RoleBinding> const& bs
) {
    for (auto const& b : bs) {
        auto exists = scope_exists(tx, actor.org_id, b.scope);
        if (!exists) {
            return exists.error();
        }
        if (!*exists) {
            auto const type = identity::scope_type_name(b.scope.type);
            std::string const field =
                b.scope.type == ScopeType::kWorkflowTemplate
                    ? "roles.scope.templateName"
                    : "roles.scope." + std::string(type == "space" ? "spaceId" : "groupId");
            return detail::field_error(
                ErrorKind::kNotFound, field, std::string(type) + " " + b.scope.id + " not found"
            );
        }
    }
    return {};
}

/// What authorize() needs to decide on a template-scoped binding: the space
/// of the template's latest version (none when the name is unknown).
Result<std::optional<identity::Target>> binding_target(
    Tx& tx, core::Actor const& actor, RoleBinding const& b
) {
    if (b.scope.type != ScopeType::kWorkflowTemplate) {
        return std::optional<identity::Target>{};
    }
    auto t = core::from_db(repos::find_latest_template(tx, actor.org_id, b.scope.id));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return std::optional<identity::Target>{};
    }
    return std::optional<identity::Target>{identity::Target{
        identity::ResourceType::kWorkflowTemplate, "", (*t)->space_id, b.scope.id}};
}

/// The caller must be allowed to change each binding in `bs`.
core::Status authorize_each(Tx& tx, core::Actor const& actor, std::vector<RoleBinding> const& bs) {
    if (bs.empty()) {
        return {};
    }
    auto mine = identity::load_bindings(tx, actor);
    if (!mine) {
        return mine.error();
    }
    for (auto const& b : bs) {
        auto target = binding_target(tx, actor, b);
        if (!target) {
            return target.error();
        }
        if (auto ok = identity::authorize(
                actor, Action::kRolesChange, {.bindings = &*mine, .target = *target, .binding = b}
            );
            !ok) {
            return ok.error();
        }
    }
    return {};
}

/// The service parts a role change uses.
struct Deps {
    storage::Db& db;
    core::Clock const& clock;
    events::Recorder const& recorder;
};

/// Writes the difference (deletes, inserts), bumps the role version and
/// audits `action`, all in `tx`. Answers the bindings now held.
Result<RoleChange> write_change(
    Tx& tx,
    Deps const& d,
    core::Actor const& actor,
    Principal const& p,
    std::vector<RoleBinding> const& added,
    std::vector<RoleBinding> const& removed,
    std::int64_t version,
    std::string const& action
) {
    std::string const now = core::to_rfc3339(d.clock.now());
    bool const via = core::via_mcp(actor.channel);
    for (auto const& b : removed) {
        auto r = core::from_db(repos::delete_binding(
            tx, detail::binding_record(actor.org_id, p.type, p.id, b, now, via)
        ));
        if (!r) {
            return r.error();
        }
    }
    for (auto const& b : added) {
        auto r = core::from_db(repos::insert_binding(
            tx, detail::binding_record(actor.org_id, p.type, p.id, b, now, via)
        ));
        if (!r) {
            return r.error();
        }
    }
    if (auto s = detail::bump_role_version(tx, actor.org_id, p.type, p.id, version, now); !s) {
        return s.error();
    }
    events::JsonObject detail_json;
    detail_json.str(p.noun() + "_id", p.id);
    if (!added.empty() || action == "identity.roles.replaced") {
        detail_json.raw("added", detail::bindings_json(added));
    }
    detail_json.raw("removed", detail::bindings_json(removed));
    if (auto s = d.recorder.audit(
            tx,
            events::Recorder::by(actor, action, p.noun(), p.id, detail_json.text())
                .with_change(
                    events::JsonObject{}.integer("version", version).text(),
                    events::JsonObject{}.integer("version", version + 1).text()
                )
        );
        !s) {
        return s.error();
    }
    auto after = identity::load_bindings(tx, actor.org_id, p.type, p.id);
    if (!after) {
        return after.error();
    }
    return RoleChange{std::move(*after), version + 1};
}

Result<RoleChange> read_roles(Deps const& d, core::Actor const& actor, Principal const& p) {
    if (auto ok = identity::authorize(actor, Action::kRolesRead); !ok) {
        return ok.error();
    }
    return core::run_tx(d.db, TxMode::kRead, [&](Tx& tx) {
        return load_target(tx, actor, p, std::nullopt);
    });
}

Result<RoleChange> replace_roles(
    Deps const& d,
    core::Actor const& actor,
    Principal const& p,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    if (auto ok = identity::authorize(actor, Action::kRolesChange); !ok) {
        return ok.error();
    }
    // concurrencyControl is not in seed 001: without it the replacement applies
    // to the current roles (audited like any other); given, it is checked.
    auto shaped = shape_all(roles, p.type);
    if (!shaped) {
        return shaped.error();
    }
    return core::run_tx(d.db, TxMode::kWrite, [&](Tx& tx) -> Result<RoleChange> {
        auto t = load_target(tx, actor, p, expected_version);
        if (!t) {
            return t.error();
        }
        auto wanted = resolve_all(tx, actor, *shaped);
        if (!wanted) {
            return wanted.error();
        }
        auto added = minus(*wanted, t->current);
        auto removed = minus(t->current, *wanted);
        if (auto s = check_scopes_exist(tx, actor, added); !s) {
            return s.error();
        }
        std::vector<RoleBinding> changed = added;
        changed.insert(changed.end(), removed.begin(), removed.end());
        if (auto s = authorize_each(tx, actor, changed); !s) {
            return s.error();
        }
        if (changed.empty()) {
            return std::move(*t);
        }
        return write_change(tx, d, actor, p, added, removed, t->version, "identity.roles.replaced");
    });
}

Result<RoleChange> remove_roles(
    Deps const& d,
    core::Actor const& actor,
    Principal const& p,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    if (auto ok = identity::authorize(actor, Action::kRolesChange); !ok) {
        return ok.error();
    }
    auto shaped = shape_all(roles, p.type);
    if (!shaped) {
        return shaped.error();
    }
    return core::run_tx(d.db, TxMode::kWrite, [&](Tx& tx) -> Result<RoleChange> {
        auto t = load_target(tx, actor, p, expected_version);
        if (!t) {
            return t.error();
        }
        auto listed = resolve_all(tx, actor, *shaped);
        if (!listed) {
            return listed.error();
        }
        // Authorize every listed binding, held or not: the answer must not
        // depend on what the target holds.
        if (auto s = authorize_each(tx, actor, *listed); !s) {
            return s.error();
        }
        std::vector<RoleBinding> removed;
        std::copy_if(
            listed->begin(),
            listed->end(),
            std::back_inserter(removed),
            [&](auto const& b) { return contains(t->current, b); }
        );
        if (removed.empty()) {
            return std::move(*t);
        }
        return write_change(tx, d, actor, p, {}, removed, t->version, "identity.roles.removed");
    });
}

/// An agent id from a path: a UUID (kInvalidArgument naming agentId otherwise).
Result<Principal> agent_principal(std::string const& agent_id) {
    if (!detail::is_uuid(agent_id)) {
        return Error::invalid_field("agentId", "must be a UUID");
    }
    return Principal{kAgent, identity::lower(agent_id)};
}

template <class Out>
Result<Out> answer(std::string const& id, Result<RoleChange> r) {
    if (!r) {
        return r.error();
    }
    return Out{id, std::move(r->current), r->version};
}

}  // namespace

Result<std::span<identity::RoleDef const>> ApprovalsService::roles(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, Action::kRolesRead); !ok) {
        return ok.error();
    }
    return identity::role_catalog();
}

Result<UserRoles> ApprovalsService::user_roles(
    core::Actor const& actor, std::string const& user_id
) {
    return answer<UserRoles>(
        user_id, read_roles({db_, clock_, recorder_}, actor, {kHuman, user_id})
    );
}

Result<UserRoles> ApprovalsService::replace_user_roles(
    core::Actor const& actor,
    std::string const& user_id,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    return answer<UserRoles>(
        user_id,
        replace_roles({db_, clock_, recorder_}, actor, {kHuman, user_id}, roles, expected_version)
    );
}

Result<UserRoles> ApprovalsService::remove_user_roles(
    core::Actor const& actor,
    std::string const& user_id,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    return answer<UserRoles>(
        user_id,
        remove_roles({db_, clock_, recorder_}, actor, {kHuman, user_id}, roles, expected_version)
    );
}

Result<AgentRoles> ApprovalsService::agent_roles(
    core::Actor const& actor, std::string const& agent_id
) {
    auto p = agent_principal(agent_id);
    if (!p) {
        return p.error();
    }
    return answer<AgentRoles>(p->id, read_roles({db_, clock_, recorder_}, actor, *p));
}

Result<AgentRoles> ApprovalsService::replace_agent_roles(
    core::Actor const& actor,
    std::string const& agent_id,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    auto p = agent_principal(agent_id);
    if (!p) {
        return p.error();
    }
    return answer<AgentRoles>(
        p->id, replace_roles({db_, clock_, recorder_}, actor, *p, roles, expected_version)
    );
}

Result<AgentRoles> ApprovalsService::remove_agent_roles(
    core::Actor const& actor,
    std::string const& agent_id,
    std::vector<RoleInput> const& roles,
    std::optional<std::int64_t> expected_version
) {
    auto p = agent_principal(agent_id);
    if (!p) {
        return p.error();
    }
    return answer<AgentRoles>(
        p->id, remove_roles({db_, clock_, recorder_}, actor, *p, roles, expected_version)
    );
}

}  // namespace signoff::server::approvals
