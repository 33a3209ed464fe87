// Every state-changing operation of every domain service, on both back ends,
// writes exactly its audit row(s) in the transaction of the change: the rows
// each call added are compared with the expected actions, and a refused or
// conflicting call must add none (its transaction rolled back). Rows carry
// the actor's id, kind and channel, or "system" for the server's own changes.
#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/audit/audit_service.hpp"
#include "server/auths/auths_service.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "storage/repos/webhooks_repo.hpp"
#include "tests/server/approvals/approvals_fixture.hpp"
#include "tests/server/approvals/workflow_world.hpp"
#include "tests/server/webhooks/fake_resolver.hpp"

namespace {

using namespace signoff;
using namespace signoff::testing;
using namespace std::chrono_literals;
using server::core::Actor;
using server::core::Channel;
using Actions = std::vector<std::string>;

/// The audit rows written since the previous look, in write order (SeqIds
/// make ids increase with every write).
struct Ledger {
    Domain& d;
    std::int64_t seen{0};

    struct Row {
        std::string action;
        std::string actor_kind;
        std::string channel;
        bool has_before{false};
        bool has_after{false};
        std::string before{};  // the JSON text, or empty when null
        std::string after{};
    };

    std::vector<Row> rows() {
        auto tx = d.tdb.db->begin(storage::TxMode::kRead);
        REQUIRE(tx.has_value());
        auto all = (*tx)->query(
            "SELECT action, actor_kind, channel, before_json, after_json FROM audit_log "
            "ORDER BY id",
            {}
        );
        REQUIRE_MESSAGE(all.has_value(), all.error().message);
        std::vector<Row> out;
        for (auto i = static_cast<std::size_t>(seen); i < all->size(); ++i) {
            auto const& r = (*all)[i];
            out.push_back(
                {r.text(0),
                 r.text(1),
                 r.text(2),
                 !r.is_null(3),
                 !r.is_null(4),
                 r.is_null(3) ? "" : r.text(3),
                 r.is_null(4) ? "" : r.text(4)}
            );
        }
        seen = static_cast<std::int64_t>(all->size());
        return out;
    }

    /// The single row the last call wrote, REQUIREd to be `action`.
    Row only(std::string const& action) {
        auto all = rows();
        REQUIRE(all.size() == 1);
        CHECK(all[0].action == action);
        return all[0];
    }

    /// The last row the last call wrote, REQUIREd to be `action`.
    Row last(std::string const& action) {
        auto all = rows();
        REQUIRE_FALSE(all.empty());
        CHECK(all.back().action == action);
        return all.back();
    }

    Actions next() {
        Actions out;
        for (auto const& r : rows()) {
            out.push_back(r.action);
        }
        return out;
    }
};

/// Org admin over REST plus the audit/approvals/auths services on one database.
struct Everything : Approvals {
    explicit Everything(Backend b)
        : Approvals(b), auths(*tdb.db, clock, ids), audit(*tdb.db, clock, ids) {}
    server::auths::AuthsService auths;
    server::audit::AuditService audit;
};

bool contains(std::string const& json, std::string const& piece) {
    return json.find(piece) != std::string::npos;
}

/// A create's row has the created state as its "after" and no "before".
void is_create(Ledger::Row const& row) {
    CHECK_FALSE(row.has_before);
    CHECK(row.has_after);
}

/// A delete's row has the removed state as its "before" and no "after".
void is_delete(Ledger::Row const& row) {
    CHECK(row.has_before);
    CHECK_FALSE(row.has_after);
}

/// An append (a vote, an export) has neither side.
void is_append(Ledger::Row const& row) {
    CHECK_FALSE(row.has_before);
    CHECK_FALSE(row.has_after);
}

/// What the delivery worker does after too many failures: disables `id`.
void disable_as_worker(Domain& d, std::string const& id) {
    auto tx = d.tdb.db->begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    for (std::int64_t i = 0; i < server::webhooks::kMaxConsecutiveFailures; ++i) {
        REQUIRE(storage::repos::record_webhook_failure(**tx, id).has_value());
    }
    auto off = storage::repos::disable_webhook(**tx, id, "failing", "2026-01-01T00:00:00.000Z");
    REQUIRE(off.has_value());
    REQUIRE(*off == 1);
    REQUIRE((*tx)->commit().has_value());
}

/// Every audit document ever written, concatenated: no secret may be in it.
std::string all_audit_text(Domain& d) {
    auto tx = d.tdb.db->begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto all = (*tx)->query("SELECT detail_json, before_json, after_json FROM audit_log", {});
    REQUIRE(all.has_value());
    std::string out;
    for (auto const& r : *all) {
        for (int c = 0; c < 3; ++c) {
            out += r.is_null(c) ? "" : r.text(c);
        }
    }
    return out;
}

server::catalog::RowInput row_input(std::string const& slug) {
    return {slug, "Row " + slug, "", std::nullopt, std::nullopt};
}

}  // namespace

TEST_SUITE("server/audit/coverage") {
    TEST_CASE_TEMPLATE(
        "catalog: rows, grants and expiry each write their rows; refusals write none",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Everything w(T::kBackend);
        Actor root = w.org_admin("acme", "root@acme.example");
        Actor alice = w.member(root, "alice@acme.example", "member", Channel::kMcpStdio);
        Ledger l{w};
        l.next();

        REQUIRE(w.catalog.create_row(root, row_input("vpn")).has_value());
        is_create(l.only("catalog.row.created"));
        CHECK_FALSE(w.catalog.create_row(root, row_input("vpn")).has_value());     // exists
        CHECK_FALSE(w.catalog.create_row(alice, row_input("other")).has_value());  // member
        CHECK(l.next().empty());

        server::catalog::RowPatch patch;
        patch.description = "Corporate VPN";
        REQUIRE(w.catalog.update_row(root, "vpn", patch).has_value());
        auto updated = l.rows();
        REQUIRE(updated.size() == 1);
        CHECK(updated[0].action == "catalog.row.updated");
        CHECK(updated[0].has_before);
        CHECK(updated[0].has_after);
        // The summary shows what changed: the description, before and after.
        CHECK(updated[0].before.find(R"("description":"")") != std::string::npos);
        CHECK(updated[0].after.find(R"("description":"Corporate VPN")") != std::string::npos);
        patch.expected_version = 1;  // stale: the row is at version 2
        CHECK_FALSE(w.catalog.update_row(root, "vpn", patch).has_value());
        CHECK(l.next().empty());

        REQUIRE(w.catalog.request(alice, "vpn", std::nullopt, "please").has_value());
        auto requested = l.only("catalog.approval.requested");
        CHECK(requested.channel == "mcp-stdio");
        is_create(requested);  // a new grant
        CHECK_FALSE(w.catalog.approve(alice, "vpn", "alice@acme.example", {}, {}).has_value());
        CHECK(l.next().empty());  // no self-approval
        REQUIRE(w.catalog.approve(root, "vpn", "alice@acme.example", {}, {}).has_value());
        auto approved = l.rows();
        REQUIRE(approved.size() == 1);
        CHECK(approved[0].action == "catalog.approval.approved");
        CHECK(approved[0].has_before);  // pending → approved
        CHECK(approved[0].has_after);
        REQUIRE(w.catalog.revoke(root, "vpn", "alice@acme.example", "left").has_value());
        auto revoked = l.only("catalog.approval.revoked");
        CHECK(contains(revoked.before, "\"state\":\"approved\""));
        CHECK(contains(revoked.after, "\"state\":\"revoked\""));
        REQUIRE(w.catalog.revoke(root, "vpn", "alice@acme.example", "left").has_value());
        CHECK(l.next().empty());  // already revoked: nothing changed

        server::catalog::Expiry day{std::nullopt, "P1D"};
        REQUIRE(w.catalog.assign(root, "vpn", "bob@acme.example", std::nullopt, day).has_value());
        CHECK(l.next() == Actions{"catalog.approval.assigned"});
        auto many = w.catalog.assign_many(root, "carol@acme.example", {"vpn", "nope"}, {}, {});
        REQUIRE(many.size() == 2);
        CHECK(many[0].result.has_value());
        CHECK_FALSE(many[1].result.has_value());
        CHECK(l.next() == Actions{"catalog.approval.assigned"});  // the failed slug writes none

        w.clock.advance(std::chrono::hours{25});
        auto expired = w.catalog.expire_due(w.clock.now());
        REQUIRE(expired.has_value());
        CHECK(*expired == 1);
        auto system = l.rows();
        REQUIRE(system.size() == 1);
        CHECK(system[0].action == "catalog.approval.expired");
        CHECK(system[0].actor_kind == "system");
        CHECK(system[0].channel == "system");

        CHECK_FALSE(w.catalog.delete_row(root, "vpn").has_value());  // carol's grant is live
        CHECK(l.next().empty());
        REQUIRE(w.catalog.revoke(root, "vpn", "carol@acme.example", "done").has_value());
        l.next();
        REQUIRE(w.catalog.delete_row(root, "vpn").has_value());
        is_delete(l.only("catalog.row.deleted"));
    }

    TEST_CASE_TEMPLATE(
        "identity: users, API keys, agents, roles and org admins each write their rows",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Everything w(T::kBackend);
        Actor root = w.org_admin("acme", "root@acme.example");
        Ledger l{w};
        CHECK(l.next().empty());  // bootstrap is an operator step (docs/audit.md)

        auto user = w.identity.create_user(root, {"dana@acme.example", "", "member"});
        REQUIRE(user.has_value());
        is_create(l.only("identity.user.created"));
        CHECK_FALSE(w.identity.create_user(root, {"DANA@acme.example", "", "member"}).has_value());
        CHECK(l.next().empty());

        auto key = w.identity.create_api_key(root, {user->id});
        REQUIRE(key.has_value());
        CHECK(l.next() == Actions{"identity.api_key.created"});
        REQUIRE(w.identity.revoke_api_key(root, key->info.user_id, key->info.id).has_value());
        auto revoked = l.only("identity.api_key.revoked");
        CHECK(revoked.has_before);
        CHECK(contains(revoked.after, "revoked_at"));
        REQUIRE(w.identity.revoke_api_key(root, key->info.user_id, key->info.id).has_value());
        CHECK(l.next().empty());

        auto agent = w.identity.register_agent(root, "deploy-bot");
        REQUIRE(agent.has_value());
        is_create(l.only("identity.agent.registered"));
        CHECK_FALSE(w.identity.register_agent(root, "Deploy-Bot").has_value());
        CHECK(l.next().empty());

        w.bind(root, user->id, {on_org("AuditorViewer")});
        auto bound = l.only("identity.roles.replaced");
        CHECK(bound.has_before);
        CHECK(bound.has_after);
        auto stale = w.approvals.replace_user_roles(root, user->id, {}, 1);
        CHECK_FALSE(stale.has_value());
        CHECK(l.next().empty());
        REQUIRE(
            w.approvals.remove_user_roles(root, user->id, {on_org("AuditorViewer")}, {}).has_value()
        );
        CHECK(l.next() == Actions{"identity.roles.removed"});

        auto sp = w.space(root, "ops");
        l.next();
        w.templ(root, sp.id, "deploy", w.group(root, "approvers").id);
        l.next();
        auto agent_roles = w.approvals.replace_agent_roles(
            root, agent->agent.id, {on_template("WorkflowTemplateVoter", "deploy")}, 1
        );
        REQUIRE_MESSAGE(agent_roles.has_value(), agent_roles.error().message);
        CHECK(l.next() == Actions{"identity.roles.replaced"});
        REQUIRE(w.approvals
                    .remove_agent_roles(
                        root, agent->agent.id, {on_template("WorkflowTemplateVoter", "deploy")}, {}
                    )
                    .has_value());
        CHECK(l.next() == Actions{"identity.roles.removed"});

        REQUIRE(w.approvals.add_org_admin(root, "acme", "dana@acme.example").has_value());
        auto promoted = l.rows();
        REQUIRE(promoted.size() == 1);
        CHECK(promoted[0].action == "identity.org_admin.added");
        CHECK(promoted[0].has_before);
        CHECK(promoted[0].has_after);
        CHECK_FALSE(w.approvals.add_org_admin(root, "acme", "dana@acme.example").has_value());
        CHECK(l.next().empty());
        REQUIRE(w.approvals.remove_org_admin(root, "acme", user->id).has_value());
        CHECK(l.next() == Actions{"identity.org_admin.removed"});
    }

    TEST_CASE_TEMPLATE(
        "approvals: groups, spaces, templates, workflows, votes and expiry write their rows",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Everything w(T::kBackend);
        Actor root = w.org_admin("acme", "root@acme.example");
        Actor eve = w.member(root, "eve@acme.example");
        Ledger l{w};
        l.next();

        auto g = w.group(root, "approvers");
        is_create(l.only("approvals.group.created"));
        CHECK_FALSE(w.approvals.create_group(root, "APPROVERS", "").has_value());
        CHECK(l.next().empty());
        REQUIRE(w.approvals.add_members(root, g.id, humans({eve.principal_id})).has_value());
        auto added = l.only("approvals.group.members_added");
        CHECK(added.before == R"({"name":"approvers","entities_count":0})");
        CHECK(added.after == R"({"name":"approvers","entities_count":1})");
        CHECK_FALSE(w.approvals.add_members(root, g.id, humans({eve.principal_id})).has_value());
        CHECK(l.next().empty());
        REQUIRE(w.approvals.remove_members(root, g.id, humans({eve.principal_id})).has_value());
        auto removed = l.only("approvals.group.members_removed");
        CHECK(removed.before == R"({"name":"approvers","entities_count":1})");
        CHECK(removed.after == R"({"name":"approvers","entities_count":0})");

        auto sp = w.space(root, "ops");
        is_create(l.only("approvals.space.created"));
        auto t = w.templ(root, sp.id, "deploy", g.id);
        is_create(l.only("approvals.template.created"));
        server::approvals::TemplateUpdate up;
        up.description = "v2";
        up.expected_version = 99;
        CHECK_FALSE(w.approvals.update_template(root, "deploy", up).has_value());
        CHECK(l.next().empty());
        up.expected_version = t.version;
        auto t2 = w.approvals.update_template(root, "deploy", up);
        REQUIRE_MESSAGE(t2.has_value(), t2.error().message);
        auto tu = l.only("approvals.template.updated");
        CHECK(contains(tu.before, "\"id\":\"" + t.id + "\",\"version\":1,\"status\":\"ACTIVE\""));
        CHECK(contains(tu.after, "\"id\":\"" + t2->id + "\",\"version\":2,\"status\":\"ACTIVE\""));
        CHECK(contains(tu.after, "\"previous_version_status\":\"PENDING_DEPRECATION\""));
        CHECK(contains(tu.after, "\"description\":\"v2\""));
        CHECK(contains(tu.before, "\"description\":"));
        CHECK_FALSE(contains(tu.before, "default_expires_in_hours"));  // unchanged
        CHECK(contains(tu.after, "\"documents_changed\":[]"));

        REQUIRE(w.approvals.add_members(root, g.id, humans({eve.principal_id})).has_value());
        w.bind(root, eve.principal_id, {on_template("WorkflowTemplateVoter", "deploy")});
        l.next();
        server::approvals::WorkflowCreate wc{"release-1", "", "{}", t2->id};
        auto wf = w.approvals.create_workflow(root, wc);
        REQUIRE_MESSAGE(wf.has_value(), wf.error().message);
        CHECK(l.next() == Actions{"approvals.workflow.created"});
        auto vote = w.approvals.cast_vote(eve, wf->id, approve());
        REQUIRE_MESSAGE(vote.has_value(), vote.error().message);
        auto voted = l.rows();
        REQUIRE(voted.size() == 2);
        CHECK(voted[0].action == "approvals.workflow.voted");
        is_append(voted[0]);
        CHECK(voted[1].action == "approvals.workflow.approved");
        CHECK(contains(voted[1].after, "\"status\":\"APPROVED\""));
        CHECK_FALSE(w.approvals.cast_vote(eve, wf->id, approve()).has_value());  // decided
        CHECK(l.next().empty());

        wc.name = "release-2";
        auto wf2 = w.approvals.create_workflow(root, wc);
        REQUIRE(wf2.has_value());
        l.next();
        w.clock.advance(std::chrono::hours{24 * 365});
        auto expired = w.approvals.expire_due_workflows(w.clock.now());
        REQUIRE(expired.has_value());
        CHECK(*expired == 1);
        auto system = l.rows();
        REQUIRE(system.size() == 1);
        CHECK(system[0].action == "approvals.workflow.expired");
        CHECK(system[0].actor_kind == "system");
        CHECK(system[0].has_before);
        CHECK(system[0].has_after);

        auto dep = w.approvals.deprecate_template(root, "deploy", false, std::nullopt);
        REQUIRE_MESSAGE(dep.has_value(), dep.error().message);
        auto deprecated = l.only("approvals.template.deprecated");
        CHECK(contains(deprecated.before, "\"version\":2,\"status\":\"ACTIVE\""));
        CHECK(contains(deprecated.after, "\"version\":2,\"status\":\"DEPRECATED\""));
    }

    TEST_CASE_TEMPLATE(
        "auths: parts, departments, auths, drafts and export write their rows",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Everything w(T::kBackend);
        Actor root = w.org_admin("acme", "root@acme.example");
        Actor alice = w.member(root, "alice@acme.example");
        Ledger l{w};
        l.next();

        auto part = w.auths.create_part(root, "protocol", "oidc");
        REQUIRE_MESSAGE(part.has_value(), part.error().message);
        is_create(l.only("auths.part.created"));
        REQUIRE(w.auths.create_part(root, "protocol", "oidc").has_value());
        CHECK(l.next().empty());  // found, not created
        REQUIRE(w.auths.create_department(root, "Engineering").has_value());
        is_create(l.only("auths.department.created"));
        CHECK_FALSE(w.auths.create_department(alice, "Sales").has_value());
        CHECK(l.next().empty());

        server::auths::AuthFields f;
        f.name = "Okta";
        auto created = w.auths.create(root, {server::auths::CreateItem{{}, f}});
        REQUIRE(created.at(0).result.has_value());
        auto const auth = *created.at(0).result;
        CHECK(l.next() == Actions{"auths.part.created", "auths.auth.created"});

        server::auths::UpdateItem u;
        u.auth_id = auth.id;
        u.expected_version = 7;  // stale
        u.fields.description = "SSO";
        CHECK_FALSE(w.auths.update(root, {u}).at(0).result.has_value());
        CHECK(l.next().empty());
        u.expected_version = auth.version;
        REQUIRE(w.auths.update(root, {u}).at(0).result.has_value());
        auto auth_updated = l.rows();
        REQUIRE(auth_updated.size() == 2);
        CHECK(auth_updated[0].action == "auths.part.created");
        CHECK(auth_updated[1].action == "auths.auth.updated");
        // Only the fields that changed, and the versions.
        CHECK(auth_updated[1].before == R"({"description":"","version":1})");
        CHECK(auth_updated[1].after == R"({"description":"SSO","version":2})");

        auto copy = w.auths.duplicate(root, auth.id);
        REQUIRE_MESSAGE(copy.has_value(), copy.error().message);
        auto dup_rows = l.next();
        CHECK(dup_rows.back() == "auths.auth.duplicated");

        server::auths::DraftPatch p;
        p.auth_id = auth.id;
        p.fields.description = "draft text";
        auto draft = w.auths.patch_draft(root, p);
        REQUIRE_MESSAGE(draft.has_value(), draft.error().message);
        is_create(l.last("auths.draft.created"));
        server::auths::DraftPatch again;
        again.draft_id = draft->draft_id;
        again.expected_version = 5;  // stale
        CHECK_FALSE(w.auths.patch_draft(root, again).has_value());
        CHECK(l.next().empty());
        again.expected_version = 1;
        again.fields.name = "Okta 2";
        REQUIRE(w.auths.patch_draft(root, again).has_value());
        auto patched = l.last("auths.draft.patched");
        CHECK(patched.before == R"({"name":"Okta","version":1})");
        CHECK(patched.after == R"({"name":"Okta 2","version":2})");

        server::auths::UpdateItem publish;
        publish.draft_id = draft->draft_id;
        auto published = w.auths.update(root, {publish});
        REQUIRE_MESSAGE(published.at(0).result.has_value(), published.at(0).result.error().message);
        auto publish_row = l.last("auths.auth.updated");
        CHECK(publish_row.before == R"({"name":"Okta","description":"SSO","version":2})");
        CHECK(publish_row.after == R"({"name":"Okta 2","description":"draft text","version":3})");

        CHECK_FALSE(w.auths.remove(alice, {auth.id}).at(0).status.has_value());  // not hers
        CHECK(l.next().empty());
        REQUIRE(w.auths.remove(root, {copy->id}).at(0).status.has_value());
        is_delete(l.only("auths.auth.deleted"));

        auto exported = w.auths.export_csv(root, std::nullopt, {}, {});
        REQUIRE(exported.has_value());
        is_append(l.only("auths.exported"));
        REQUIRE(w.auths.refresh(root).has_value());
        is_append(l.only("auths.search.refreshed"));
        auto audit_export = w.audit.export_jsonl(root, {}, {}, {});
        REQUIRE(audit_export.has_value());
        is_append(l.only("audit.exported"));
    }

    TEST_CASE_TEMPLATE(
        "webhooks: own endpoint and integrations write their rows, never a secret",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Everything w(T::kBackend);
        FakeResolver dns;
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        dns.table["siem.example.com"] = {"93.184.216.35"};
        server::webhooks::WebhooksService hooks(*w.tdb.db, w.clock, w.ids, dns, {});
        Actor root = w.org_admin("acme", "root@acme.example");
        Actor alice = w.member(root, "alice@acme.example", "member", Channel::kMcpStdio);
        Ledger l{w};
        l.next();
        std::vector<std::string> secrets;
        auto keep = [&](auto const& r) {
            REQUIRE_MESSAGE(r.has_value(), r.error().message);
            REQUIRE(r->secret.has_value());
            secrets.push_back(*r->secret);
        };
        auto mine = [](std::string url, std::optional<std::int64_t> version) {
            return server::webhooks::MyWebhookInput{
                std::move(url), {"team_support.approved"}, std::nullopt, version};
        };

        auto made = hooks.set_mine(alice, mine("https://hooks.example.com/a", std::nullopt));
        keep(made);
        is_create(l.only("webhooks.employee.created"));
        CHECK_FALSE(hooks.set_mine(alice, mine("https://hooks.example.com/b", 9)).has_value());
        CHECK(l.next().empty());  // stale version
        REQUIRE(hooks.set_mine(alice, mine("https://hooks.example.com/b", 1)).has_value());
        auto edited = l.only("webhooks.employee.updated");
        CHECK(edited.before == R"({"url":"https://hooks.example.com/a","version":1})");
        CHECK(edited.after == R"({"url":"https://hooks.example.com/b","version":2})");

        keep(hooks.rotate_mine(alice, {std::int64_t{3600}, std::nullopt}));
        auto rotated = l.only("webhooks.employee.secret_rotated");
        CHECK(contains(rotated.before, "\"secret_hint\":"));
        CHECK(contains(rotated.before, "\"previous_secret_expires_at\":null"));
        CHECK(contains(rotated.after, "\"previous_secret_expires_at\":\""));

        REQUIRE(hooks.enable_mine(alice).has_value());
        CHECK(l.next().empty());  // already enabled: nothing changed
        disable_as_worker(w, made->webhook.id);
        REQUIRE(hooks.enable_mine(alice).has_value());
        auto enabled = l.only("webhooks.employee.enabled");
        CHECK(contains(enabled.before, "\"enabled\":false,\"disabled_reason\":\"failing\""));
        CHECK(contains(enabled.after, "\"enabled\":true,\"disabled_reason\":null"));
        REQUIRE(hooks.delete_mine(alice).has_value());
        is_delete(l.only("webhooks.employee.deleted"));

        server::webhooks::IntegrationInput siem{
            "siem", std::nullopt, "https://siem.example.com/in", {"*"}, {}};
        CHECK_FALSE(hooks.create_integration(alice, siem).has_value());  // members may not
        CHECK(l.next().empty());
        auto integration = hooks.create_integration(root, siem);
        keep(integration);
        is_create(l.only("webhooks.integration.created"));
        auto const id = integration->webhook.id;
        server::webhooks::IntegrationPatch rename;
        rename.name = "siem-2";
        REQUIRE(hooks.update_integration(root, id, rename).has_value());
        auto renamed = l.only("webhooks.integration.updated");
        CHECK(renamed.before == R"({"name":"siem","version":1})");
        CHECK(renamed.after == R"({"name":"siem-2","version":2})");
        keep(hooks.rotate_integration(root, id, {std::int64_t{0}, std::nullopt}));
        auto rotated_now = l.only("webhooks.integration.secret_rotated");
        CHECK(contains(rotated_now.after, "\"version\":3"));
        disable_as_worker(w, id);
        REQUIRE(hooks.enable_integration(root, id).has_value());
        CHECK(l.only("webhooks.integration.enabled").has_before);
        REQUIRE(hooks.delete_integration(root, id).has_value());
        is_delete(l.only("webhooks.integration.deleted"));

        auto const audit_text = all_audit_text(w);
        REQUIRE(secrets.size() == 4);
        for (auto const& secret : secrets) {
            CHECK_FALSE(contains(audit_text, secret));
        }
    }
}
