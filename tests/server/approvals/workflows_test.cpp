// Workflows through ApprovalsService on both back ends: create (fields,
// expiry from the template, bad input, deprecated templates, duplicate
// names), get by id or name with template expansion, list with filters,
// paging and visibility, lazy and timed expiry (stored, with events), the
// cancelWorkflows of template updates, and the authorization matrix.
#include <doctest/doctest.h>

#include "tests/server/approvals/workflow_world.hpp"

using namespace signoff;
using server::approvals::WorkflowCreate;
using server::approvals::WorkflowListArgs;
using server::approvals::WorkflowStatus;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Approvals;
using testing::as_agent;
using testing::on_org;
using testing::on_space;
using testing::on_template;
using testing::PostgresBackend;
using testing::SqliteBackend;
using testing::WorkflowWorld;

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

}  // namespace

TEST_SUITE("server/approvals/workflows") {
    TEST_CASE_TEMPLATE(
        "create starts an in-progress workflow expiring after the template default, audited",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto mcp = w.root;
        mcp.channel = Channel::kMcpStdio;
        auto wf = d.approvals.create_workflow(
            mcp, {"Ship 1.2", "release", R"({"ticket":7})", w.templ.id}
        );
        REQUIRE_MESSAGE(wf.has_value(), wf.error().message);
        CHECK(wf->name == "Ship 1.2");
        CHECK(wf->description == "release");
        CHECK(wf->metadata_json == R"({"ticket":7})");
        CHECK(wf->status == WorkflowStatus::kInProgress);
        CHECK(wf->workflow_template_id == w.templ.id);
        CHECK(wf->created_at == "2026-01-01T00:00:00.000Z");
        // No defaultExpiresInHours on the template: 30 days.
        CHECK(wf->expires_at == "2026-01-31T00:00:00.000Z");
        CHECK(d.audits("approvals.workflow.created") == 1);
        CHECK(d.count("SELECT COUNT(*) FROM workflows WHERE via_mcp = 1", {}) == 1);

        auto in = Approvals::template_input(w.space.id, "short", w.group.id);
        in.default_expires_in_hours = 48;
        auto t = d.approvals.create_template(w.root, in);
        REQUIRE(t.has_value());
        auto quick = d.approvals.create_workflow(w.root, {"quick", "", "{}", t->id});
        REQUIRE(quick.has_value());
        CHECK(quick->expires_at == "2026-01-03T00:00:00.000Z");
    }

    TEST_CASE_TEMPLATE(
        "create refuses bad input field by field", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto create = [&](std::string name, std::string tid, std::string desc = "") {
            return d.approvals.create_workflow(
                w.root, {std::move(name), std::move(desc), "{}", tid}
            );
        };
        auto const id = w.templ.id;
        CHECK(field_of(create("", id)) == "name");
        CHECK(field_of(create(std::string(256, 'a'), id)) == "name");
        CHECK(field_of(create("bad/name", id)) == "name");
        CHECK(field_of(create(" lead", id)) == "name");
        CHECK(field_of(create(kNoSuchId, id)) == "name");
        CHECK(field_of(create("ok", id, std::string(2049, 'x'))) == "description");
        CHECK(field_of(create("ok", "not-a-uuid")) == "workflowTemplateId");
        CHECK(kind_of(create("ok", "not-a-uuid")) == ErrorKind::kInvalidArgument);
        CHECK(kind_of(create("ok", kNoSuchId)) == ErrorKind::kNotFound);
        CHECK(
            d.approvals.create_workflow(w.root, {"ok", "", std::string(16385, ' '), id})
                .error()
                .details[0]
                .field == "metadata"
        );
        REQUIRE(create("taken", id).has_value());
        CHECK(kind_of(create("TAKEN", id)) == ErrorKind::kAlreadyExists);
        CHECK(d.count("SELECT COUNT(*) FROM workflows", {}) == 1);
    }

    TEST_CASE_TEMPLATE(
        "no workflow starts from a pending or deprecated template",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        server::approvals::TemplateUpdate u;
        u.expected_version = w.templ.concurrency_version;
        auto v2 = d.approvals.update_template(w.root, "deploy", u);
        REQUIRE(v2.has_value());
        auto old = d.approvals.create_workflow(w.root, {"old", "", "{}", w.templ.id});
        CHECK(kind_of(old) == ErrorKind::kFailedPrecondition);
        CHECK(field_of(old) == "workflowTemplateId");
        REQUIRE(d.approvals.create_workflow(w.root, {"new", "", "{}", v2->id}).has_value());
        REQUIRE(d.approvals.deprecate_template(w.root, "deploy", false, std::nullopt).has_value());
        CHECK(
            kind_of(d.approvals.create_workflow(w.root, {"late", "", "{}", v2->id})) ==
            ErrorKind::kFailedPrecondition
        );
    }

    TEST_CASE_TEMPLATE(
        "get by id or name, with the template expanded on request",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto wf = w.start("Ship It");
        auto by_id = d.approvals.get_workflow(w.root, wf.id, false);
        REQUIRE(by_id.has_value());
        CHECK(by_id->name == "Ship It");
        CHECK_FALSE(by_id->workflow_template.has_value());
        auto by_name = d.approvals.get_workflow(w.root, "ship it", true);
        REQUIRE(by_name.has_value());
        CHECK(by_name->id == wf.id);
        REQUIRE(by_name->workflow_template.has_value());
        CHECK(by_name->workflow_template->id == w.templ.id);
        CHECK(kind_of(d.approvals.get_workflow(w.root, kNoSuchId, false)) == ErrorKind::kNotFound);
        CHECK(kind_of(d.approvals.get_workflow(w.root, "nope", false)) == ErrorKind::kNotFound);
        CHECK(
            kind_of(d.approvals.get_workflow(w.root, std::string(256, 'a'), false)) ==
            ErrorKind::kInvalidArgument
        );
    }

    TEST_CASE_TEMPLATE(
        "list filters by status and template, pages, and shows what the caller may list",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        for (int i = 0; i < 5; ++i) {
            w.start("wf-" + std::to_string(i));
            d.clock.advance(std::chrono::seconds(1));
        }
        auto other = d.templ(w.root, w.space.id, "other", w.group.id);
        REQUIRE(d.approvals.create_workflow(w.root, {"elsewhere", "", "{}", other.id}).has_value());

        auto all = d.approvals.list_workflows(w.root, {});
        REQUIRE(all.has_value());
        CHECK(all->total == 6);
        CHECK(all->items.front().name == "elsewhere");  // newest first
        WorkflowListArgs paged;
        paged.page = {2, 2};
        auto p2 = d.approvals.list_workflows(w.root, paged);
        REQUIRE(p2.has_value());
        REQUIRE(p2->items.size() == 2);
        CHECK(p2->items[0].name == "wf-3");
        CHECK(p2->page == 2);
        CHECK(p2->limit == 2);

        WorkflowListArgs by_name;
        by_name.template_identifier = "DEPLOY";
        by_name.include_template = true;
        auto deploys = d.approvals.list_workflows(w.root, by_name);
        REQUIRE(deploys.has_value());
        CHECK(deploys->total == 5);
        REQUIRE(deploys->items[0].workflow_template.has_value());
        WorkflowListArgs by_id;
        by_id.template_identifier = other.id;
        CHECK(d.approvals.list_workflows(w.root, by_id)->total == 1);
        WorkflowListArgs approved;
        approved.status = "APPROVED";
        CHECK(d.approvals.list_workflows(w.root, approved)->total == 0);

        WorkflowListArgs bad;
        bad.status = "DONE";
        CHECK(field_of(d.approvals.list_workflows(w.root, bad)) == "status");
        bad = {};
        bad.page = {1, 101};
        CHECK(field_of(d.approvals.list_workflows(w.root, bad)) == "limit");

        // Visibility: nothing without a role; WorkflowList on one template shows its
        // workflows; a starter always sees their own.
        auto m = d.member(w.root, "m@acme.example");
        CHECK(d.approvals.list_workflows(m, {})->total == 0);
        d.bind(w.root, m.principal_id, {on_template("WorkflowList", "other")});
        CHECK(d.approvals.list_workflows(m, {})->total == 1);
        d.bind(
            w.root,
            m.principal_id,
            {on_template("WorkflowList", "other"),
             on_template("WorkflowTemplateInstantiator", "deploy")}
        );
        REQUIRE(d.approvals.create_workflow(m, {"mine", "", "{}", w.templ.id}).has_value());
        CHECK(d.approvals.list_workflows(m, {})->total == 2);
        d.bind(w.root, m.principal_id, {on_space("SpaceWideWorkflowList", w.space.id)});
        CHECK(d.approvals.list_workflows(m, {})->total == 7);
    }

    TEST_CASE_TEMPLATE(
        "a read of an expired workflow stores EXPIRED and queues workflow.expired once",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto a = w.start("a");
        auto b = w.start("b");
        d.clock.advance(std::chrono::hours(30 * 24));
        auto got = d.approvals.get_workflow(w.root, a.id, false);
        REQUIRE(got.has_value());
        CHECK(got->status == WorkflowStatus::kExpired);
        CHECK(got->status_reason == "expired");
        CHECK(d.text("SELECT status FROM workflows WHERE id = $1", {a.id}) == "EXPIRED");
        CHECK(w.events("workflow.expired") == 1);
        CHECK(d.audits("approvals.workflow.expired") == 1);
        // The listing expires the rest before it shows them.
        WorkflowListArgs running;
        running.status = "EVALUATION_IN_PROGRESS";
        CHECK(d.approvals.list_workflows(w.root, running)->total == 0);
        CHECK(d.text("SELECT status FROM workflows WHERE id = $1", {b.id}) == "EXPIRED");
        CHECK(w.events("workflow.expired") == 2);
        // Reading again changes nothing: terminal states never change.
        REQUIRE(d.approvals.get_workflow(w.root, a.id, false).has_value());
        CHECK(w.events("workflow.expired") == 2);
        CHECK(w.events("workflow.action.email") == 0);  // the action runs on APPROVED only
    }

    TEST_CASE_TEMPLATE(
        "a listing expires every due workflow first, beyond one batch",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        for (int i = 0; i < 130; ++i) {
            w.start("wf-" + std::to_string(i));
        }
        d.clock.advance(std::chrono::hours(30 * 24));
        WorkflowListArgs running;
        running.status = "EVALUATION_IN_PROGRESS";
        CHECK(d.approvals.list_workflows(w.root, running)->total == 0);
        CHECK(d.count("SELECT COUNT(*) FROM workflows WHERE status = 'EXPIRED'", {}) == 130);
    }

    TEST_CASE_TEMPLATE(
        "the timer's sweep expires due workflows of every org", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld acme{d};
        WorkflowWorld beta{d, 1, "beta"};
        acme.start("one");
        beta.start("two");
        d.clock.advance(std::chrono::hours(24));
        beta.start("fresh");
        CHECK(d.approvals.expire_due_workflows(d.clock.now()).value() == 0);
        d.clock.advance(std::chrono::hours(29 * 24));
        CHECK(d.approvals.expire_due_workflows(d.clock.now()).value() == 2);
        CHECK(d.approvals.expire_due_workflows(d.clock.now()).value() == 0);
        CHECK(d.count("SELECT COUNT(*) FROM workflows WHERE status = 'EXPIRED'", {}) == 2);
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE actor_id IS NULL AND action = $1",
                {"approvals.workflow.expired"}
            ) == 2
        );
    }

    TEST_CASE_TEMPLATE(
        "cancelWorkflows cancels in-flight workflows of every version of the template",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto a = w.start("a");
        server::approvals::TemplateUpdate keep;
        keep.expected_version = w.templ.concurrency_version;
        auto v2 = d.approvals.update_template(w.root, "deploy", keep);
        REQUIRE(v2.has_value());
        // Without cancelWorkflows the old version's workflow runs on.
        CHECK(d.approvals.get_workflow(w.root, a.id, false)->status == WorkflowStatus::kInProgress);
        auto b = d.approvals.create_workflow(w.root, {"b", "", "{}", v2->id});
        REQUIRE(b.has_value());
        server::approvals::TemplateUpdate cancel;
        cancel.expected_version = v2->concurrency_version;
        cancel.cancel_workflows = true;
        REQUIRE(d.approvals.update_template(w.root, "deploy", cancel).has_value());
        CHECK(d.approvals.get_workflow(w.root, a.id, false)->status == WorkflowStatus::kCanceled);
        CHECK(d.approvals.get_workflow(w.root, b->id, false)->status == WorkflowStatus::kCanceled);
        CHECK(w.events("workflow.canceled") == 2);
        CHECK(d.audits("approvals.workflow.canceled") == 2);
        CHECK(
            d.text(
                 "SELECT detail_json FROM audit_log WHERE action = $1",
                 {"approvals.template.updated"}
            )
                .size() > 0
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'approvals.template.updated' AND "
                "detail_json LIKE '%\"canceled_workflows\":2%'",
                {}
            ) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "authorization matrix of create, get and list", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Approvals d{T::kBackend};
        WorkflowWorld w{d};
        auto wf = w.start("base");
        auto plain = d.member(w.root, "plain@acme.example");
        auto starter = d.member(w.root, "starter@acme.example");
        d.bind(
            w.root, starter.principal_id, {on_template("WorkflowTemplateInstantiator", "deploy")}
        );
        auto reader = d.member(w.root, "reader@acme.example");
        d.bind(w.root, reader.principal_id, {on_org("OrgWideWorkflowReadOnly")});
        auto outsider = d.org_admin("other", "root@other.example");
        auto agent = as_agent(starter);

        int n = 0;
        auto create = [&](server::core::Actor const& a) {
            return d.approvals.create_workflow(
                a, {"w" + std::to_string(++n), "", "{}", w.templ.id}
            );
        };
        CHECK(kind_of(create(plain)) == ErrorKind::kPermissionDenied);
        CHECK(create(starter).has_value());
        CHECK(create(w.root).has_value());
        CHECK(kind_of(create(agent)) == ErrorKind::kPermissionDenied);  // the agent holds no role
        CHECK(kind_of(create(outsider)) == ErrorKind::kNotFound);

        CHECK(
            kind_of(d.approvals.get_workflow(plain, wf.id, false)) == ErrorKind::kPermissionDenied
        );
        CHECK(d.approvals.get_workflow(reader, wf.id, false).has_value());
        CHECK(d.approvals.get_workflow(w.root, wf.id, false).has_value());
        CHECK(
            kind_of(d.approvals.get_workflow(agent, wf.id, false)) == ErrorKind::kPermissionDenied
        );
        CHECK(kind_of(d.approvals.get_workflow(outsider, wf.id, false)) == ErrorKind::kNotFound);

        CHECK(d.approvals.list_workflows(plain, {})->total == 0);
        CHECK(d.approvals.list_workflows(reader, {})->total == 0);  // read is not list
        CHECK(d.approvals.list_workflows(w.root, {})->total == 3);
        CHECK(d.approvals.list_workflows(starter, {})->total == 1);  // the one they started
        CHECK(d.approvals.list_workflows(outsider, {})->total == 0);
    }
}
