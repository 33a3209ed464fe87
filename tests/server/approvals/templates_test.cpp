// Workflow templates through ApprovalsService on both back ends: create with
// every field rule (name, description, defaultExpiresInHours, rule depth,
// minCount, groups of the org, space, actions), versions (update writes the
// next ACTIVE version and retires the old one; cancelWorkflows disables
// voting; deprecate), optimistic versions, listing with filters and
// visibility, template-scoped roles bound to the name, and the authorization
// matrix for every template operation.
#include <doctest/doctest.h>

#include "tests/server/approvals/approvals_fixture.hpp"

using namespace signoff;
using server::approvals::ApprovalRule;
using server::approvals::RuleKind;
using server::approvals::TemplateStatus;
using server::approvals::TemplateUpdate;
using server::approvals::WorkflowAction;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::as_agent;
using testing::on_org;
using testing::on_space;
using testing::on_template;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNoSuchId = "00000000-0000-7000-8000-00000000ffff";

template <class T>
ErrorKind kind_of(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    return r.error().kind;
}

template <class T>
std::string field_of(server::core::Result<T> const& r) {
    REQUIRE(r.has_error());
    REQUIRE(!r.error().details.empty());
    return r.error().details[0].field;
}

ApprovalRule need(std::string const& group, std::int64_t n) {
    return {RuleKind::kGroupRequirement, group, n};
}
ApprovalRule op(RuleKind k, std::vector<ApprovalRule> rules) {
    return {k, "", 0, false, std::move(rules)};
}

TemplateUpdate update_at(std::int64_t version) {
    TemplateUpdate u;
    u.expected_version = version;
    return u;
}

/// An org with an admin, a space and a group, the usual template setting.
struct World {
    explicit World(Approvals& d)
        : root(d.org_admin("acme", "root@acme.example")),
          space(d.space(root, "ops")),
          group(d.group(root, "approvers")) {}
    server::core::Actor root;
    server::approvals::Space space;
    server::approvals::Group group;
};

}  // namespace

TEST_SUITE("server/approvals/templates") {
    TEST_CASE_TEMPLATE(
        "create stores every field as version 1, ACTIVE, votable, audited",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example", Channel::kMcpHttp);
        auto sp = d.space(root, "ops");
        auto g = d.group(root, "approvers");
        auto in = Approvals::template_input(sp.id, "Deploy Prod", g.id);
        in.description = "ship to production";
        in.metadata_json = R"({"team":"sre"})";
        in.default_expires_in_hours = 48;
        in.approval_rule = op(RuleKind::kAnd, {need(g.id, 2), op(RuleKind::kOr, {need(g.id, 1)})});
        WorkflowAction mail{server::approvals::ActionKind::kEmail};
        mail.recipients = std::vector<std::string>{"ops@acme.example"};
        in.actions = {mail};
        auto t = d.approvals.create_template(root, in);
        REQUIRE_MESSAGE(t.has_value(), t.error().message);
        CHECK(t->name == "Deploy Prod");
        CHECK(t->version == 1);
        CHECK(t->status == TemplateStatus::kActive);
        CHECK(t->allow_voting_on_deprecated);
        CHECK(t->description == "ship to production");
        CHECK(t->metadata_json == R"({"team":"sre"})");
        CHECK(t->default_expires_in_hours == 48);
        CHECK(t->space_id == sp.id);
        CHECK(t->approval_rule == in.approval_rule);
        REQUIRE(t->actions.size() == 1);
        CHECK(t->actions[0].on == std::vector<std::string>{"APPROVED"});
        CHECK(t->concurrency_version == 1);
        CHECK(t->created_at == "2026-01-01T00:00:00.000Z");
        CHECK(d.audits("approvals.template.created") == 1);
        CHECK(d.count("SELECT COUNT(*) FROM workflow_templates WHERE via_mcp = 1", {}) == 1);
        CHECK(d.text("SELECT approval_rule FROM workflow_templates WHERE id = $1", {t->id})
                  .starts_with(R"({"type":"AND","rules":[{"type":"GROUP_REQUIREMENT")"));
        // Without defaultExpiresInHours the column stays NULL (workflows take 30 days).
        auto plain = d.templ(root, sp.id, "plain", g.id);
        CHECK_FALSE(plain.default_expires_in_hours.has_value());
        CHECK(plain.metadata_json == "{}");
    }

    TEST_CASE_TEMPLATE(
        "create refuses bad input field by field", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto bad = [&](auto mutate) {
            auto in = Approvals::template_input(w.space.id, "release", w.group.id);
            mutate(in);
            return d.approvals.create_template(w.root, in);
        };
        for (std::string name : std::vector<std::string>{
                 "ab",
                 "-abc",
                 "abc-",
                 "a;bc",
                 "abcé",
                 " abc",
                 "abcdef01-2345-7890-abcd-ef0123456789",
                 std::string(256, 'a')}) {
            INFO(name);
            auto r = bad([&](auto& in) { in.name = name; });
            CHECK(kind_of(r) == ErrorKind::kInvalidArgument);
            CHECK(field_of(r) == "name");
        }
        CHECK(bad([](auto& in) { in.name = "a_b"; }).has_value());
        CHECK(bad([](auto& in) { in.name = std::string(255, 'z'); }).has_value());
        CHECK(field_of(bad([](auto& in) {
                  in.description = std::string(2049, 'x');
              })) == "description");
        CHECK(field_of(bad([](auto& in) {
                  in.metadata_json = std::string(16385, ' ');
              })) == "metadata");
        for (std::int64_t hours : {0, -1, 8761}) {
            INFO(hours);
            auto r = bad([&](auto& in) { in.default_expires_in_hours = hours; });
            CHECK(kind_of(r) == ErrorKind::kInvalidArgument);
            CHECK(field_of(r) == "defaultExpiresInHours");
        }
        CHECK(bad([](auto& in) {
                  in.name = "one-hour";
                  in.default_expires_in_hours = 1;
              }).has_value());
        CHECK(bad([](auto& in) {
                  in.name = "one-year";
                  in.default_expires_in_hours = 8760;
              }).has_value());
        auto g = w.group.id;
        auto depth3 = bad([&](auto& in) {
            in.approval_rule =
                op(RuleKind::kAnd, {op(RuleKind::kOr, {op(RuleKind::kAnd, {need(g, 1)})})});
        });
        CHECK(kind_of(depth3) == ErrorKind::kInvalidArgument);
        CHECK(field_of(depth3) == "approvalRule.rules[0].rules[0].rules[0]");
        CHECK(field_of(bad([&](auto& in) {
                  in.approval_rule = need(g, 0);
              })) == "approvalRule.minCount");
        CHECK(field_of(bad([&](auto& in) {
                  in.approval_rule = need("nope", 1);
              })) == "approvalRule.groupId");
        CHECK(field_of(bad([&](auto& in) {
                  in.approval_rule = op(RuleKind::kOr, {});
              })) == "approvalRule.rules");
        auto unknown = bad([&](auto& in) {
            in.approval_rule = op(RuleKind::kAnd, {need(g, 1), need(kNoSuchId, 1)});
        });
        CHECK(kind_of(unknown) == ErrorKind::kNotFound);
        CHECK(field_of(unknown) == "approvalRule.rules[1].groupId");
        auto other = d.org_admin("globex", "root@globex.example");
        auto foreign = d.group(other, "theirs");
        CHECK(kind_of(bad([&](auto& in) {
                  in.approval_rule = need(foreign.id, 1);
              })) == ErrorKind::kNotFound);
        CHECK(field_of(bad([](auto& in) { in.space_id = "space"; })) == "spaceId");
        auto no_space = bad([](auto& in) { in.space_id = kNoSuchId; });
        CHECK(kind_of(no_space) == ErrorKind::kNotFound);
        CHECK(field_of(no_space) == "spaceId");
        CHECK(field_of(bad([](auto& in) {
                  in.actions = {WorkflowAction{server::approvals::ActionKind::kWebhook}};
              })) == "actions[0].url");
        CHECK(d.audits("approvals.template.created") == 4);
    }

    TEST_CASE_TEMPLATE(
        "a name belongs to its lineage for good, in any space and after deprecation",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto second_space = d.space(w.root, "other");
        auto v1 = d.templ(w.root, w.space.id, "Deploy", w.group.id);
        auto dup = d.approvals.create_template(
            w.root, Approvals::template_input(second_space.id, "DEPLOY", w.group.id)
        );
        CHECK(kind_of(dup) == ErrorKind::kAlreadyExists);
        CHECK(field_of(dup) == "name");
        // Still live while pending deprecation.
        auto v2 = d.approvals.update_template(w.root, "deploy", update_at(1));
        REQUIRE(v2.has_value());
        CHECK(
            kind_of(d.approvals.create_template(
                w.root, Approvals::template_input(w.space.id, "Deploy", w.group.id)
            )) == ErrorKind::kAlreadyExists
        );
        // Deprecation keeps the name: it never passes to another lineage.
        REQUIRE(d.approvals.deprecate_template(w.root, "Deploy", false, std::nullopt).has_value());
        CHECK(
            kind_of(d.approvals.create_template(
                w.root, Approvals::template_input(w.space.id, "Deploy", w.group.id)
            )) == ErrorKind::kAlreadyExists
        );  // v1 is still PENDING_DEPRECATION
        // Only the workflows slice retires a PENDING_DEPRECATION version for
        // good; stand in for it here.
        {
            auto tx = d.tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto n = (*tx)->exec(
                "UPDATE workflow_templates SET status = 'DEPRECATED' WHERE id = $1", {v1.id}
            );
            REQUIRE(n.has_value());
            CHECK(*n == 1);
            REQUIRE((*tx)->commit().has_value());
        }
        for (auto const* space : {&second_space.id, &w.space.id}) {
            auto again = d.approvals.create_template(
                w.root, Approvals::template_input(*space, "deploy", w.group.id)
            );
            CHECK(kind_of(again) == ErrorKind::kAlreadyExists);
            CHECK(field_of(again) == "name");
        }
    }

    TEST_CASE_TEMPLATE(
        "an update without concurrencyControl applies to the current version (seed 001)",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto v1 = d.approvals.create_template(
            w.root, Approvals::template_input(w.space.id, "Release", w.group.id)
        );
        REQUIRE(v1.has_value());
        TemplateUpdate blind;
        blind.description = "no version given";
        auto v2 = d.approvals.update_template(w.root, "release", blind);
        REQUIRE_MESSAGE(v2.has_value(), v2.error().message);
        CHECK(v2->version == 2);
        CHECK(v2->description == "no version given");
        // Given, it is checked.
        CHECK(
            kind_of(d.approvals.update_template(w.root, "release", update_at(1))) ==
            ErrorKind::kConflict
        );
    }

    TEST_CASE_TEMPLATE(
        "update writes the next version and retires the old one", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto g2 = d.group(w.root, "second");
        auto in = Approvals::template_input(w.space.id, "Release", w.group.id);
        in.description = "v1";
        in.default_expires_in_hours = 24;
        in.metadata_json = R"({"k":1})";
        auto v1 = d.approvals.create_template(w.root, in);
        REQUIRE(v1.has_value());
        d.clock.advance(std::chrono::minutes{1});

        auto stale = d.approvals.update_template(w.root, "release", update_at(7));
        CHECK(kind_of(stale) == ErrorKind::kConflict);
        CHECK(stale.error().message.find("current version is 1") != std::string::npos);

        auto u = update_at(1);
        u.approval_rule = need(g2.id, 2);
        u.description = "v2";
        auto v2 = d.approvals.update_template(w.root, "RELEASE", u);
        REQUIRE_MESSAGE(v2.has_value(), v2.error().message);
        CHECK(v2->id != v1->id);
        CHECK(v2->version == 2);
        CHECK(v2->status == TemplateStatus::kActive);
        CHECK(v2->description == "v2");
        CHECK(v2->approval_rule == need(g2.id, 2));
        // Omitted fields are copied; name and space never change.
        CHECK(v2->default_expires_in_hours == 24);
        CHECK(v2->metadata_json == R"({"k":1})");
        CHECK(v2->name == "Release");
        CHECK(v2->space_id == w.space.id);
        CHECK(v2->concurrency_version == 2);
        CHECK(v2->created_at == "2026-01-01T00:01:00.000Z");

        auto old = d.approvals.get_template(w.root, v1->id);
        REQUIRE(old.has_value());
        CHECK(old->status == TemplateStatus::kPendingDeprecation);
        CHECK(old->allow_voting_on_deprecated);
        CHECK(old->concurrency_version == 2);
        CHECK(old->description == "v1");
        CHECK(d.approvals.get_template(w.root, "release")->id == v2->id);
        // A client that read v1 cannot update v2 with v1's version.
        CHECK(
            kind_of(d.approvals.update_template(w.root, "Release", update_at(1))) ==
            ErrorKind::kConflict
        );
        // The retired version is not updatable by id.
        CHECK(
            kind_of(d.approvals.update_template(w.root, v1->id, update_at(2))) ==
            ErrorKind::kFailedPrecondition
        );
        // An update naming an unknown group changes nothing.
        auto broken = update_at(2);
        broken.approval_rule = need(kNoSuchId, 1);
        CHECK(kind_of(d.approvals.update_template(w.root, v2->id, broken)) == ErrorKind::kNotFound);
        auto bad_hours = update_at(2);
        bad_hours.default_expires_in_hours = 8761;
        CHECK(
            field_of(d.approvals.update_template(w.root, v2->id, bad_hours)) ==
            "defaultExpiresInHours"
        );
        CHECK(d.count("SELECT COUNT(*) FROM workflow_templates", {}) == 2);
        CHECK(d.audits("approvals.template.updated") == 1);
        CHECK(
            kind_of(d.approvals.update_template(w.root, "nothing-here", update_at(1))) ==
            ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE(
        "cancelWorkflows disables voting on every earlier version",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto v1 = d.templ(w.root, w.space.id, "Release", w.group.id);
        auto v2 = d.approvals.update_template(w.root, "Release", update_at(1));
        REQUIRE(v2.has_value());
        auto u = update_at(2);
        u.cancel_workflows = true;
        auto v3 = d.approvals.update_template(w.root, "Release", u);
        REQUIRE_MESSAGE(v3.has_value(), v3.error().message);
        CHECK(v3->version == 3);
        CHECK(v3->allow_voting_on_deprecated);
        for (auto const& id : {v1.id, v2->id}) {
            auto old = d.approvals.get_template(w.root, id);
            REQUIRE(old.has_value());
            CHECK(old->status == TemplateStatus::kPendingDeprecation);
            CHECK_FALSE(old->allow_voting_on_deprecated);
        }
        // No workflow table exists yet: nothing in flight, nothing canceled.
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'approvals.template.updated' AND "
                "detail_json LIKE $1",
                {std::string(R"(%"cancel_workflows":true,"canceled_workflows":0%)")}
            ) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "deprecate retires the active version; reads by name then show the latest",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto v1 = d.templ(w.root, w.space.id, "Release", w.group.id);
        REQUIRE(d.approvals.update_template(w.root, "Release", update_at(1)).has_value());
        CHECK(
            kind_of(d.approvals.deprecate_template(w.root, "Release", false, 1)) ==
            ErrorKind::kConflict
        );
        auto dep = d.approvals.deprecate_template(w.root, "release", false, std::nullopt);
        REQUIRE_MESSAGE(dep.has_value(), dep.error().message);
        CHECK(dep->version == 2);
        CHECK(dep->status == TemplateStatus::kDeprecated);
        CHECK(dep->allow_voting_on_deprecated);
        CHECK(dep->concurrency_version == 3);
        // v1 keeps allowing votes: cancelWorkflows was false.
        CHECK(d.approvals.get_template(w.root, v1.id)->allow_voting_on_deprecated);
        // By name with no ACTIVE version: the highest version.
        CHECK(d.approvals.get_template(w.root, "Release")->version == 2);
        auto twice = d.approvals.deprecate_template(w.root, "Release", false, std::nullopt);
        CHECK(kind_of(twice) == ErrorKind::kFailedPrecondition);
        CHECK(
            kind_of(d.approvals.update_template(w.root, "Release", update_at(3))) ==
            ErrorKind::kFailedPrecondition
        );
        CHECK(
            kind_of(d.approvals.deprecate_template(w.root, kNoSuchId, false, std::nullopt)) ==
            ErrorKind::kNotFound
        );
        CHECK(d.audits("approvals.template.deprecated") == 1);

        auto other = d.templ(w.root, w.space.id, "Other", w.group.id);
        auto cancel = d.approvals.deprecate_template(w.root, other.id, true, 1);
        REQUIRE(cancel.has_value());
        CHECK(cancel->status == TemplateStatus::kDeprecated);
        CHECK_FALSE(cancel->allow_voting_on_deprecated);
    }

    TEST_CASE_TEMPLATE(
        "list filters by status and space, pages, and shows only what the caller may read",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto lab = d.space(w.root, "lab");
        d.templ(w.root, w.space.id, "bravo", w.group.id);
        d.templ(w.root, w.space.id, "Alpha", w.group.id);
        d.templ(w.root, lab.id, "charlie", w.group.id);
        REQUIRE(d.approvals.update_template(w.root, "bravo", update_at(1)).has_value());

        auto active = d.approvals.list_templates(w.root, {});
        REQUIRE(active.has_value());
        CHECK(active->total == 3);
        REQUIRE(active->items.size() == 3);
        CHECK(active->items[0].name == "Alpha");
        CHECK(active->items[1].name == "bravo");
        CHECK(active->items[1].version == 2);
        auto pending =
            d.approvals.list_templates(w.root, {{}, std::nullopt, "PENDING_DEPRECATION"});
        REQUIRE(pending.has_value());
        REQUIRE(pending->items.size() == 1);
        CHECK(pending->items[0].version == 1);
        auto in_lab = d.approvals.list_templates(w.root, {{}, lab.id});
        REQUIRE(in_lab.has_value());
        REQUIRE(in_lab->items.size() == 1);
        CHECK(in_lab->items[0].name == "charlie");
        auto paged = d.approvals.list_templates(w.root, {{2, 2}});
        REQUIRE(paged.has_value());
        CHECK(paged->total == 3);
        REQUIRE(paged->items.size() == 1);
        CHECK(paged->items[0].name == "charlie");
        CHECK(
            field_of(d.approvals.list_templates(w.root, {{}, std::nullopt, "RETIRED"})) == "status"
        );
        // spaceIdentifier takes a name too; an unknown one lists nothing.
        auto unknown_space = d.approvals.list_templates(w.root, {{}, "no such space"});
        REQUIRE(unknown_space.has_value());
        CHECK(unknown_space->items.empty());
        auto named = d.approvals.list_templates(w.root, {{}, "LAB"});
        REQUIRE(named.has_value());
        CHECK(named->total == d.approvals.list_templates(w.root, {{}, lab.id})->total);
        CHECK(field_of(d.approvals.list_templates(w.root, {{}, ""})) == "spaceIdentifier");
        CHECK(
            kind_of(d.approvals.list_templates(w.root, {{1, 101}})) == ErrorKind::kInvalidArgument
        );

        auto none = d.member(w.root, "none@acme.example");
        auto by_name = d.member(w.root, "name@acme.example");
        auto by_space = d.member(w.root, "space@acme.example");
        auto space_reader = d.member(w.root, "reader@acme.example");
        auto org_wide = d.member(w.root, "org@acme.example");
        d.bind(w.root, by_name.principal_id, {on_template("WorkflowTemplateVoter", "ALPHA")});
        d.bind(
            w.root, by_space.principal_id, {on_space("SpaceWideWorkflowTemplateReadOnly", lab.id)}
        );
        d.bind(w.root, space_reader.principal_id, {on_space("SpaceReadOnly", w.space.id)});
        d.bind(w.root, org_wide.principal_id, {on_org("OrgWideWorkflowTemplateReadOnly")});
        auto names = [&](server::core::Actor const& a) {
            auto r = d.approvals.list_templates(a, {});
            REQUIRE_MESSAGE(r.has_value(), r.error().message);
            std::vector<std::string> out;
            for (auto const& t : r->items) {
                out.push_back(t.name);
            }
            CHECK(r->total == static_cast<std::int64_t>(out.size()));
            return out;
        };
        CHECK(names(none).empty());
        CHECK(names(by_name) == std::vector<std::string>{"Alpha"});
        CHECK(names(by_space) == std::vector<std::string>{"charlie"});
        CHECK(names(space_reader) == std::vector<std::string>{"Alpha", "bravo"});
        CHECK(names(org_wide).size() == 3);
        // A workflow role is not a template read.
        auto workflow_only = d.member(w.root, "wf@acme.example");
        d.bind(w.root, workflow_only.principal_id, {on_org("OrgWideWorkflowReadOnly")});
        CHECK(names(workflow_only).empty());
        auto other = d.org_admin("globex", "root@globex.example");
        CHECK(names(other).empty());
    }

    TEST_CASE_TEMPLATE(
        "authorization matrix: get, create, update and deprecate", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto none = d.member(w.root, "none@acme.example");
        auto writer = d.member(w.root, "writer@acme.example");
        auto reader = d.member(w.root, "reader@acme.example");
        auto manager = d.member(w.root, "manager@acme.example");
        auto other = d.org_admin("globex", "root@globex.example");
        auto t = d.templ(w.root, w.space.id, "Release", w.group.id);
        d.bind(w.root, writer.principal_id, {on_template("WorkflowTemplateWrite", "release")});
        d.bind(w.root, reader.principal_id, {on_template("WorkflowTemplateReadOnly", "Release")});
        d.bind(w.root, manager.principal_id, {on_space("SpaceManager", w.space.id)});

        // get
        CHECK(kind_of(d.approvals.get_template(none, t.id)) == ErrorKind::kPermissionDenied);
        CHECK(d.approvals.get_template(reader, "Release").has_value());
        CHECK(d.approvals.get_template(writer, t.id).has_value());
        CHECK(d.approvals.get_template(manager, t.id).has_value());
        CHECK(kind_of(d.approvals.get_template(other, t.id)) == ErrorKind::kNotFound);
        CHECK(kind_of(d.approvals.get_template(other, "Release")) == ErrorKind::kNotFound);

        // create: template write covering (space, name), or SpaceManager
        auto create = [&](server::core::Actor const& a, std::string const& name) {
            return d.approvals.create_template(
                a, Approvals::template_input(w.space.id, name, w.group.id)
            );
        };
        CHECK(kind_of(create(none, "nope")) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(create(reader, "nope")) == ErrorKind::kPermissionDenied);
        CHECK(kind_of(create(writer, "fresh")) == ErrorKind::kPermissionDenied);
        CHECK(create(manager, "by-manager").has_value());
        auto space_writer = d.member(w.root, "sw@acme.example");
        d.bind(
            w.root,
            space_writer.principal_id,
            {on_space("SpaceWideWorkflowTemplateFullAccess", w.space.id)}
        );
        CHECK(create(space_writer, "by-space-writer").has_value());
        CHECK(kind_of(create(as_agent(space_writer), "by-agent")) == ErrorKind::kPermissionDenied);
        CHECK(create(w.root, "by-admin").has_value());
        CHECK(kind_of(create(other, "theirs")) == ErrorKind::kNotFound);  // the space is ours

        // update and deprecate: template write (any scope covering it), SpaceManager, admins
        CHECK(
            kind_of(d.approvals.update_template(none, "Release", update_at(1))) ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            kind_of(d.approvals.update_template(reader, "Release", update_at(1))) ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            kind_of(d.approvals.update_template(other, "Release", update_at(1))) ==
            ErrorKind::kNotFound
        );
        auto v2 = d.approvals.update_template(writer, "Release", update_at(1));
        REQUIRE_MESSAGE(v2.has_value(), v2.error().message);
        // The name-scoped role survives the new version.
        auto v3 = d.approvals.update_template(writer, "Release", update_at(2));
        REQUIRE(v3.has_value());
        CHECK(d.approvals.update_template(manager, "Release", update_at(3)).has_value());
        CHECK(d.approvals.update_template(w.root, "Release", update_at(4)).has_value());
        CHECK(
            kind_of(d.approvals.deprecate_template(none, "Release", false, std::nullopt)) ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            kind_of(d.approvals.deprecate_template(other, "Release", false, std::nullopt)) ==
            ErrorKind::kNotFound
        );
        CHECK(d.approvals.deprecate_template(writer, "Release", false, std::nullopt).has_value());
        CHECK(d.approvals.deprecate_template(manager, "by-admin", false, std::nullopt).has_value());
        CHECK(d.approvals.deprecate_template(w.root, "by-manager", true, std::nullopt).has_value());
    }

    TEST_CASE_TEMPLATE(
        "template roles bind to an existing template's name, by name or by id",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        World w{d};
        auto bob = d.member(w.root, "bob@acme.example");
        auto carol = d.member(w.root, "carol@acme.example");
        auto t = d.templ(w.root, w.space.id, "Release", w.group.id);

        auto unknown = d.approvals.replace_user_roles(
            w.root, bob.principal_id, {on_template("WorkflowTemplateVoter", "ghost")}, 1
        );
        CHECK(kind_of(unknown) == ErrorKind::kNotFound);
        CHECK(field_of(unknown) == "roles.scope.templateName");
        server::approvals::RoleInput by_id{"WorkflowTemplateVoter", "workflow_template"};
        by_id.workflow_template_id = t.id;
        auto bound = d.approvals.replace_user_roles(w.root, bob.principal_id, {by_id}, 1);
        REQUIRE_MESSAGE(bound.has_value(), bound.error().message);
        REQUIRE(bound->roles.size() == 1);
        CHECK(bound->roles[0].scope.type == server::identity::ScopeType::kWorkflowTemplate);
        CHECK(bound->roles[0].scope.id == "release");
        // The same binding by name is the same binding.
        auto same = d.approvals.replace_user_roles(
            w.root, bob.principal_id, {on_template("WorkflowTemplateVoter", "RELEASE"), by_id}, 2
        );
        REQUIRE(same.has_value());
        CHECK(same->roles.size() == 1);
        CHECK(same->version == 2);

        by_id.workflow_template_id = kNoSuchId;
        auto missing_id = d.approvals.replace_user_roles(w.root, bob.principal_id, {by_id}, 2);
        CHECK(kind_of(missing_id) == ErrorKind::kNotFound);
        CHECK(field_of(missing_id) == "roles[0].scope.workflowTemplateId");
        server::approvals::RoleInput both{"WorkflowTemplateVoter", "workflow_template"};
        both.template_name = "Release";
        both.workflow_template_id = t.id;
        CHECK(
            field_of(d.approvals.replace_user_roles(w.root, bob.principal_id, {both}, 2)) ==
            "roles[0].scope"
        );
        server::approvals::RoleInput neither{"WorkflowTemplateVoter", "workflow_template"};
        CHECK(
            field_of(d.approvals.replace_user_roles(w.root, bob.principal_id, {neither}, 2)) ==
            "roles[0].scope"
        );
        CHECK(
            kind_of(d.approvals.replace_user_roles(
                w.root, bob.principal_id, {on_template("GroupReadOnly", "Release")}, 2
            )) == ErrorKind::kInvalidArgument
        );

        // Managers of the template's space bind template roles; others may not.
        CHECK(
            kind_of(d.approvals.replace_user_roles(
                bob, carol.principal_id, {on_template("WorkflowTemplateVoter", "Release")}, 1
            )) == ErrorKind::kPermissionDenied
        );
        d.bind(w.root, bob.principal_id, {on_space("SpaceManager", w.space.id)});
        CHECK(d.approvals
                  .replace_user_roles(
                      bob, carol.principal_id, {on_template("WorkflowTemplateVoter", "Release")}, 1
                  )
                  .has_value());
        // The binding survives a new version and still grants read on it.
        REQUIRE(d.approvals.update_template(w.root, "Release", update_at(1)).has_value());
        CHECK(d.approvals.get_template(carol, "Release")->version == 2);
        CHECK(d.approvals
                  .remove_user_roles(
                      bob, carol.principal_id, {on_template("WorkflowTemplateVoter", "Release")}, 2
                  )
                  ->roles.empty());
    }
}
