// Shared setting of the workflow and vote tests: an org with its admin, a
// space, an approver group, a template whose rule needs `min_count`
// approvals of that group, and shorthands to make voters and start workflows.
#pragma once

#include <string>

#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

namespace signoff::testing {

struct WorkflowWorld {
    WorkflowWorld(Approvals& domain, std::int64_t min_count = 1, std::string const& org = "acme")
        : d(domain),
          root(d.org_admin(org, "root@" + org + ".example")),
          space(d.space(root, "ops")),
          group(d.group(root, "approvers")),
          templ(make_template(min_count)) {}

    server::approvals::WorkflowTemplate make_template(std::int64_t min_count) {
        auto in = Approvals::template_input(space.id, "deploy", group.id);
        in.approval_rule.min_count = min_count;
        server::approvals::WorkflowAction mail{server::approvals::ActionKind::kEmail};
        mail.recipients = std::vector<std::string>{"ops@acme.example"};
        in.actions = {mail};
        auto t = d.approvals.create_template(root, in);
        REQUIRE_MESSAGE(t.has_value(), t.error().message);
        return *t;
    }

    /// A member of the org, of the approver group, with WorkflowTemplateVoter
    /// on the template.
    server::core::Actor voter(std::string const& local) {
        auto m = d.member(root, local + "@acme.example");
        join(m);
        d.bind(root, m.principal_id, {on_template("WorkflowTemplateVoter", "deploy")});
        return m;
    }

    void join(server::core::Actor const& m) {
        auto r = d.approvals.add_members(root, group.id, humans({m.principal_id}));
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
    }

    server::approvals::Workflow start(std::string const& name) {
        auto w = d.approvals.create_workflow(root, {name, "", "{}", templ.id});
        REQUIRE_MESSAGE(w.has_value(), w.error().message);
        return *w;
    }

    std::int64_t events(std::string const& type) {
        return d.count(
            "SELECT COUNT(*) FROM outbox WHERE org_id = $1 AND event_type = $2", {root.org_id, type}
        );
    }

    Approvals& d;
    server::core::Actor root;
    server::approvals::Space space;
    server::approvals::Group group;
    server::approvals::WorkflowTemplate templ;
};

inline server::approvals::VoteInput approve(std::vector<std::string> groups = {}) {
    return {"APPROVE", std::move(groups), std::nullopt};
}
inline server::approvals::VoteInput veto(std::string reason = "no") {
    return {"VETO", {}, std::move(reason)};
}
inline server::approvals::VoteInput withdraw() {
    return {"WITHDRAW", {}, std::nullopt};
}

}  // namespace signoff::testing
