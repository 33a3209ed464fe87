// Test fixture for the approvals services: the identity/catalog Domain
// fixture plus an ApprovalsService on the same database, clock and ids, and
// shorthands for role inputs and entity lists.
#pragma once

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/approvals/approvals_service.hpp"
#include "tests/server/support/domain_fixture.hpp"

namespace signoff::testing {

struct Approvals : Domain {
    explicit Approvals(Backend b) : Domain(b), approvals(*tdb.db, clock, ids) {
        // The catalog tie, wired as the composition root wires it.
        approvals.set_outcome_hook(&catalog);
        catalog.set_workflow_starter(&approvals);
    }

    /// Creates a group as `actor` and REQUIREs success.
    server::approvals::Group group(server::core::Actor const& actor, std::string const& name) {
        auto g = approvals.create_group(actor, name, "");
        REQUIRE_MESSAGE(g.has_value(), g.error().message);
        return *g;
    }

    /// Replaces `user_id`'s roles as `actor` at the current version; REQUIREs success.
    void bind(
        server::core::Actor const& actor,
        std::string const& user_id,
        std::vector<server::approvals::RoleInput> const& roles
    ) {
        auto cur = approvals.user_roles(actor, user_id);
        REQUIRE_MESSAGE(cur.has_value(), cur.error().message);
        auto r = approvals.replace_user_roles(actor, user_id, roles, cur->version);
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
    }

    /// Creates a space as `actor` and REQUIREs success.
    server::approvals::Space space(server::core::Actor const& actor, std::string const& name) {
        auto sp = approvals.create_space(actor, name, "");
        REQUIRE_MESSAGE(sp.has_value(), sp.error().message);
        return *sp;
    }

    /// Creates template `name` in `space_id` whose rule needs one approval
    /// from `group_id`; REQUIREs success.
    server::approvals::WorkflowTemplate templ(
        server::core::Actor const& actor,
        std::string const& space_id,
        std::string const& name,
        std::string const& group_id
    ) {
        auto t = approvals.create_template(actor, template_input(space_id, name, group_id));
        REQUIRE_MESSAGE(t.has_value(), t.error().message);
        return *t;
    }

    static server::approvals::TemplateCreate template_input(
        std::string const& space_id, std::string const& name, std::string const& group_id
    ) {
        server::approvals::TemplateCreate in;
        in.name = name;
        in.space_id = space_id;
        in.approval_rule = {server::approvals::RuleKind::kGroupRequirement, group_id, 1};
        return in;
    }

    std::int64_t audits(std::string const& action) {
        return count("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action});
    }

    server::approvals::ApprovalsService approvals;
};

inline server::approvals::RoleInput on_group(std::string role, std::string const& group_id) {
    return {std::move(role), "group", group_id};
}
inline server::approvals::RoleInput on_org(std::string role) {
    return {std::move(role), "org"};
}
inline server::approvals::RoleInput on_space(std::string role, std::string const& space_id) {
    return {std::move(role), "space", std::nullopt, space_id};
}
inline server::approvals::RoleInput on_template(std::string role, std::string const& name) {
    return {std::move(role), "workflow_template", std::nullopt, std::nullopt, name};
}
/// The same principal presenting as an agent (agents arrive with a later slice).
inline server::core::Actor as_agent(server::core::Actor a) {
    a.principal_kind = "agent";
    return a;
}
inline std::vector<server::approvals::EntityRef> humans(std::vector<std::string> const& ids) {
    std::vector<server::approvals::EntityRef> out;
    for (auto const& id : ids) {
        out.push_back({"human", id});
    }
    return out;
}

}  // namespace signoff::testing
