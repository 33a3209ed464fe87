// WebhooksService on both back ends: each member's own endpoint (secret shown
// once, replace, versions, isolation, agents refused), org integrations
// (admins only, patch, limits), rotation with its overlap on a FakeClock,
// re-enabling after the worker disabled an endpoint, input errors naming
// their field, refused URLs writing nothing, and audit rows in the change's
// transaction that never hold a secret.
#include "server/webhooks/webhooks_service.hpp"

#include <chrono>

#include <doctest/doctest.h>

#include "server/webhooks/secrets.hpp"
#include "storage/repos/webhooks_repo.hpp"
#include "tests/server/support/domain_fixture.hpp"
#include "tests/server/webhooks/fake_resolver.hpp"

using namespace signoff;
using server::core::Actor;
using server::core::Channel;
using server::core::ErrorKind;
using server::webhooks::IntegrationInput;
using server::webhooks::IntegrationPatch;
using server::webhooks::MyWebhookInput;
using server::webhooks::Rotation;
using server::webhooks::WebhooksService;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;
using Strings = std::vector<std::string>;

namespace {

constexpr auto kAuditOf =
    "SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = $2 AND channel = $3";

struct World {
    explicit World(testing::Backend b) : d(b), hooks(*d.tdb.db, d.clock, d.ids, dns, {}) {
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        dns.table["siem.example.com"] = {"2606:2800:220:1::248"};
        dns.table["intranet.example.com"] = {"10.20.30.40"};
        root = d.org_admin("acme", "root@acme.example");
        admin = d.member(root, "admin@acme.example", "admin");
        hr = d.member(root, "hr@acme.example", "hr_admin");
        alice = d.member(root, "alice@acme.example", "member", Channel::kMcpStdio);
        bob = d.member(root, "bob@acme.example");
    }

    std::int64_t audits(Actor const& a, std::string const& action, std::string const& channel) {
        return d.count(kAuditOf, {a.org_id, action, channel});
    }
    std::int64_t endpoints() { return d.count("SELECT COUNT(*) FROM webhook_endpoints", {}); }
    std::string stored_secret(std::string const& id) {
        return d.text("SELECT secret FROM webhook_endpoints WHERE id = $1", {id});
    }

    Domain d;
    testing::FakeResolver dns;
    WebhooksService hooks;
    Actor root, admin, hr, alice, bob;
};

MyWebhookInput hook(std::string url, Strings events = {"team_support.approved"}) {
    return MyWebhookInput{std::move(url), std::move(events), std::nullopt, std::nullopt};
}

IntegrationInput integration(std::string name, Strings events = {"*"}) {
    return IntegrationInput{
        std::move(name), std::nullopt, "https://siem.example.com/in", std::move(events), {}};
}

/// The single field error of a refused call.
template <class T>
server::core::FieldError field_error(server::core::Result<T> const& r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::kInvalidArgument);
    REQUIRE(r.error().details.size() == 1);
    return r.error().details[0];
}

}  // namespace

TEST_SUITE("server/webhooks/webhooks_service") {
    TEST_CASE_TEMPLATE(
        "a member's first set answers the secret once; later reads show only its hint",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        auto made = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/alice"));
        REQUIRE_MESSAGE(made.has_value(), made.error().message);
        CHECK(made->created);
        REQUIRE(made->secret.has_value());
        std::string const secret = *made->secret;
        CHECK(secret.starts_with("whsec_"));
        CHECK(w.stored_secret(made->webhook.id) == secret);
        CHECK(made->webhook.kind == "employee");
        CHECK(made->webhook.owner_user_id == std::optional<std::string>{w.alice.principal_id});
        CHECK(made->webhook.scheme == "signoff");
        CHECK(made->webhook.events == Strings{"team_support.approved"});
        CHECK(made->webhook.secret_hint == server::webhooks::secret_hint(secret));
        CHECK(made->webhook.version == 1);
        CHECK(made->webhook.enabled);

        auto got = w.hooks.get_mine(w.alice);
        REQUIRE(got.has_value());
        CHECK(got->id == made->webhook.id);
        CHECK(got->secret_hint.find(secret.substr(6, 8)) == std::string::npos);
        CHECK_FALSE(got->previous_secret_hint.has_value());

        // Replacing answers no secret and keeps it; the scheme stays unless given.
        auto in = hook("https://hooks.example.com/v2", {"*"});
        in.scheme = "fluxdesk";
        auto replaced = w.hooks.set_mine(w.alice, in);
        REQUIRE(replaced.has_value());
        CHECK_FALSE(replaced->created);
        CHECK_FALSE(replaced->secret.has_value());
        CHECK(replaced->webhook.version == 2);
        CHECK(replaced->webhook.events == Strings{"*"});
        CHECK(replaced->webhook.scheme == "fluxdesk");
        CHECK(w.stored_secret(made->webhook.id) == secret);
        auto again = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/v2", {"*"}));
        REQUIRE(again.has_value());
        CHECK(again->webhook.version == 2);  // nothing changed: no write
        CHECK(again->webhook.scheme == "fluxdesk");

        CHECK(w.audits(w.alice, "webhooks.employee.created", "mcp-stdio") == 1);
        CHECK(w.audits(w.alice, "webhooks.employee.updated", "mcp-stdio") == 1);
        CHECK(
            w.d.count(
                "SELECT COUNT(*) FROM audit_log WHERE detail_json LIKE $1",
                {"%" + secret.substr(6) + "%"}
            ) == 0
        );
        CHECK(w.d.count("SELECT COUNT(*) FROM webhook_endpoints WHERE via_mcp = 1", {}) == 1);
    }

    TEST_CASE_TEMPLATE(
        "expected_version guards a replace, and a stale one changes nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        auto in = hook("https://hooks.example.com/a");
        in.expected_version = 1;
        auto none = w.hooks.set_mine(w.bob, in);
        REQUIRE_FALSE(none.has_value());
        CHECK(none.error().kind == ErrorKind::kConflict);
        CHECK(w.endpoints() == 0);

        REQUIRE(w.hooks.set_mine(w.bob, hook("https://hooks.example.com/a")).has_value());
        auto next = hook("https://hooks.example.com/b");
        next.expected_version = 1;
        REQUIRE(w.hooks.set_mine(w.bob, next).has_value());
        auto stale = w.hooks.set_mine(w.bob, hook("https://hooks.example.com/c"));
        REQUIRE(stale.has_value());
        next.url = "https://hooks.example.com/d";
        auto lost = w.hooks.set_mine(w.bob, next);  // still says version 1
        REQUIRE_FALSE(lost.has_value());
        CHECK(lost.error().kind == ErrorKind::kConflict);
        CHECK(lost.error().message.find("version 3") != std::string::npos);
        CHECK(w.hooks.get_mine(w.bob)->url == "https://hooks.example.com/c");
    }

    TEST_CASE_TEMPLATE(
        "each member sees only their own endpoint, and agents have none",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        REQUIRE(w.hooks.set_mine(w.alice, hook("https://hooks.example.com/alice")).has_value());
        auto bobs = w.hooks.get_mine(w.bob);
        REQUIRE_FALSE(bobs.has_value());
        CHECK(bobs.error().kind == ErrorKind::kNotFound);
        CHECK(w.hooks.delete_mine(w.bob).error().kind == ErrorKind::kNotFound);
        CHECK(w.hooks.rotate_mine(w.bob, {}).error().kind == ErrorKind::kNotFound);

        auto other = w.d.org_admin("globex", "root@globex.example");
        CHECK(w.hooks.get_mine(other).error().kind == ErrorKind::kNotFound);
        REQUIRE(w.hooks.set_mine(other, hook("https://hooks.example.com/globex")).has_value());
        CHECK(w.hooks.get_mine(w.alice)->url == "https://hooks.example.com/alice");

        Actor agent = w.alice;
        agent.principal_kind = "agent";
        auto refused = w.hooks.set_mine(agent, hook("https://hooks.example.com/bot"));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == ErrorKind::kPermissionDenied);
        CHECK(w.hooks.get_mine(agent).error().kind == ErrorKind::kPermissionDenied);

        auto gone = w.hooks.delete_mine(w.alice);
        REQUIRE(gone.has_value());
        CHECK(gone->url == "https://hooks.example.com/alice");
        CHECK(w.hooks.get_mine(w.alice).error().kind == ErrorKind::kNotFound);
        CHECK(w.audits(w.alice, "webhooks.employee.deleted", "mcp-stdio") == 1);
        // A new endpoint after deleting gets a new secret.
        auto fresh = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/alice"));
        REQUIRE(fresh.has_value());
        CHECK(fresh->created);
        CHECK(fresh->webhook.id != gone->id);
    }

    TEST_CASE_TEMPLATE(
        "bad input names its field and refused URLs write nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        auto e = field_error(w.hooks.set_mine(
            w.alice, hook("https://hooks.example.com/", {"auth.deleted", "auth.renamed"})
        ));
        CHECK(e.field == "events[1]");
        CHECK(e.message.find("'auth.renamed'") != std::string::npos);
        CHECK(
            field_error(w.hooks.set_mine(w.alice, hook("https://hooks.example.com/", {}))).field ==
            "events"
        );
        auto in = hook("https://hooks.example.com/");
        in.scheme = "github";
        CHECK(field_error(w.hooks.set_mine(w.alice, in)).field == "scheme");

        struct Case {
            char const* url;
            char const* says;
        };
        for (auto const& c : std::vector<Case>{
                 {"https://10.0.0.1/hook", "10.0.0.1 is a private address"},
                 {"https://169.254.169.254/latest/meta-data", "cloud metadata"},
                 {"http://hooks.example.com/", "plain http is allowed only to loopback"},
                 {"https://intranet.example.com/", "resolves to 10.20.30.40"},
                 {"https://nowhere.example.com/", "does not resolve"},
                 {"ftp://hooks.example.com/", "scheme must be https"},
                 {"https://u:p@hooks.example.com/", "credentials"},
             }) {
            auto err = field_error(w.hooks.set_mine(w.alice, hook(c.url)));
            CHECK(err.field == "url");
            CHECK_MESSAGE(err.message.find(c.says) != std::string::npos, err.message);
        }
        CHECK(w.endpoints() == 0);
        CHECK(w.d.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'webhooks.%'", {}) == 0);

        // Loopback receivers are accepted, over plain http too.
        w.dns.table["localhost"] = {"127.0.0.1", "::1"};
        CHECK(w.hooks.set_mine(w.alice, hook("http://127.0.0.1:9000/hook")).has_value());
        CHECK(w.hooks.set_mine(w.alice, hook("http://localhost:9000/hook")).has_value());
    }

    TEST_CASE_TEMPLATE(
        "the configured policy flags reach the service and vet()", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d(T::kBackend);
        testing::FakeResolver dns;
        dns.table["intranet.example.com"] = {"10.20.30.40"};
        WebhooksService open(
            *d.tdb.db, d.clock, d.ids, dns, {.allow_http = true, .allow_private = true}
        );
        auto root = d.org_admin("acme", "root@acme.example");
        CHECK(open.policy().allow_http);
        auto made = open.set_mine(root, hook("http://intranet.example.com/in"));
        REQUIRE_MESSAGE(made.has_value(), made.error().message);
        auto vetted = open.vet("http://intranet.example.com/in");
        REQUIRE(vetted.has_value());
        CHECK(vetted->address_texts() == Strings{"10.20.30.40"});
    }

    TEST_CASE_TEMPLATE(
        "rotation answers a new secret and keeps the old one signing for the overlap",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        auto made = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/a"));
        REQUIRE(made.has_value());
        std::string const first = *made->secret;

        auto rotated = w.hooks.rotate_mine(w.alice, {});
        REQUIRE(rotated.has_value());
        REQUIRE(rotated->secret.has_value());
        std::string const second = *rotated->secret;
        CHECK(second != first);
        CHECK(w.stored_secret(made->webhook.id) == second);
        CHECK(rotated->webhook.secret_hint == server::webhooks::secret_hint(second));
        CHECK(rotated->webhook.previous_secret_hint == server::webhooks::secret_hint(first));
        CHECK(
            rotated->webhook.previous_secret_expires_at ==
            std::optional<std::string>{"2026-01-02T00:00:00.000Z"}
        );
        CHECK(rotated->webhook.version == 2);

        auto rec = [&] {
            auto tx = w.d.tdb.db->begin(storage::TxMode::kRead);
            return storage::repos::find_webhook(**tx, w.alice.org_id, made->webhook.id)
                .value()
                .value();
        };
        CHECK(server::webhooks::signing_secrets(rec(), w.d.clock.now()) == Strings{second, first});
        w.d.clock.advance(std::chrono::hours{24});
        CHECK(server::webhooks::signing_secrets(rec(), w.d.clock.now()) == Strings{second});
        auto later = w.hooks.get_mine(w.alice);
        REQUIRE(later.has_value());
        CHECK_FALSE(later->previous_secret_hint.has_value());
        CHECK_FALSE(later->previous_secret_expires_at.has_value());

        // A custom overlap, then none at all; out-of-range overlaps are refused.
        auto hour = w.hooks.rotate_mine(w.alice, Rotation{3600, std::nullopt});
        REQUIRE(hour.has_value());
        CHECK(
            hour->webhook.previous_secret_expires_at ==
            std::optional<std::string>{"2026-01-02T01:00:00.000Z"}
        );
        auto now = w.hooks.rotate_mine(w.alice, Rotation{0, std::nullopt});
        REQUIRE(now.has_value());
        CHECK_FALSE(now->webhook.previous_secret_hint.has_value());
        CHECK(server::webhooks::signing_secrets(rec(), w.d.clock.now()) == Strings{*now->secret});
        CHECK(
            field_error(w.hooks.rotate_mine(w.alice, Rotation{604801, std::nullopt})).field ==
            "overlap_seconds"
        );
        CHECK(
            field_error(w.hooks.rotate_mine(w.alice, Rotation{-1, std::nullopt})).field ==
            "overlap_seconds"
        );
        auto stale = w.hooks.rotate_mine(w.alice, Rotation{std::nullopt, 1});
        REQUIRE_FALSE(stale.has_value());
        CHECK(stale.error().kind == ErrorKind::kConflict);
        CHECK(w.audits(w.alice, "webhooks.employee.secret_rotated", "mcp-stdio") == 3);
        for (auto const& s : {first, second, *hour->secret, *now->secret}) {
            CHECK(
                w.d.count(
                    "SELECT COUNT(*) FROM audit_log WHERE detail_json LIKE $1",
                    {"%" + s.substr(6) + "%"}
                ) == 0
            );
        }
    }

    TEST_CASE_TEMPLATE(
        "an endpoint the worker disabled is re-enabled only by an explicit call",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        auto made = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/a"));
        REQUIRE(made.has_value());
        {
            auto tx = w.d.tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            for (std::int64_t i = 0; i < server::webhooks::kMaxConsecutiveFailures; ++i) {
                REQUIRE(storage::repos::record_webhook_failure(**tx, made->webhook.id).has_value());
            }
            REQUIRE(
                storage::repos::disable_webhook(
                    **tx,
                    made->webhook.id,
                    "10 consecutive failed deliveries",
                    "2026-01-01T00:00:00.000Z"
                )
                    .value() == 1
            );
            REQUIRE((*tx)->commit().has_value());
        }
        auto off = w.hooks.get_mine(w.alice);
        REQUIRE(off.has_value());
        CHECK_FALSE(off->enabled);
        CHECK(off->consecutive_failures == 10);
        CHECK(
            off->disabled_reason == std::optional<std::string>{"10 consecutive failed deliveries"}
        );
        // Editing it does not switch it back on.
        auto edited = w.hooks.set_mine(w.alice, hook("https://hooks.example.com/b"));
        REQUIRE(edited.has_value());
        CHECK_FALSE(edited->webhook.enabled);

        auto on = w.hooks.enable_mine(w.alice);
        REQUIRE(on.has_value());
        CHECK(on->enabled);
        CHECK(on->consecutive_failures == 0);
        CHECK_FALSE(on->disabled_at.has_value());
        CHECK_FALSE(on->disabled_reason.has_value());
        auto twice = w.hooks.enable_mine(w.alice);
        REQUIRE(twice.has_value());
        CHECK(twice->version == on->version);
        CHECK(w.audits(w.alice, "webhooks.employee.enabled", "mcp-stdio") == 1);
    }

    TEST_CASE_TEMPLATE(
        "integrations are for admins; they are created, listed, patched and deleted",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        for (auto const* who : {&w.alice, &w.hr}) {
            CHECK(w.hooks.list_integrations(*who).error().kind == ErrorKind::kPermissionDenied);
            CHECK(
                w.hooks.create_integration(*who, integration("SIEM")).error().kind ==
                ErrorKind::kPermissionDenied
            );
        }
        Actor agent = w.admin;
        agent.principal_kind = "agent";
        CHECK(w.hooks.list_integrations(agent).error().kind == ErrorKind::kPermissionDenied);

        auto in = integration("  SIEM  ", {"workflow.approved", "team_support.approved"});
        in.description = "Security events";
        auto made = w.hooks.create_integration(w.admin, in);
        REQUIRE_MESSAGE(made.has_value(), made.error().message);
        CHECK(made->created);
        REQUIRE(made->secret.has_value());
        CHECK(made->webhook.kind == "org");
        CHECK_FALSE(made->webhook.owner_user_id.has_value());
        CHECK(made->webhook.name == std::optional<std::string>{"SIEM"});
        CHECK(made->webhook.events == Strings{"team_support.approved", "workflow.approved"});
        auto second = w.hooks.create_integration(w.root, integration("Slack bridge"));
        REQUIRE(second.has_value());

        auto list = w.hooks.list_integrations(w.root);
        REQUIRE(list.has_value());
        REQUIRE(list->size() == 2);
        CHECK((*list)[0].id == made->webhook.id);
        auto const id = made->webhook.id;
        CHECK(
            w.hooks.get_integration(w.admin, id)->description ==
            std::optional<std::string>{"Security events"}
        );

        IntegrationPatch p;
        p.description = std::optional<std::string>{};  // clear
        p.events = Strings{"*"};
        p.expected_version = 1;
        auto patched = w.hooks.update_integration(w.admin, id, p);
        REQUIRE_MESSAGE(patched.has_value(), patched.error().message);
        CHECK(patched->version == 2);
        CHECK_FALSE(patched->description.has_value());
        CHECK(patched->events == Strings{"*"});
        CHECK(patched->name == std::optional<std::string>{"SIEM"});
        auto stale = w.hooks.update_integration(w.admin, id, p);
        CHECK(stale.error().kind == ErrorKind::kConflict);
        IntegrationPatch bad_url;
        bad_url.url = "https://169.254.169.254/";
        CHECK(field_error(w.hooks.update_integration(w.admin, id, bad_url)).field == "url");
        IntegrationPatch bad_name;
        bad_name.name = " ";
        CHECK(field_error(w.hooks.update_integration(w.admin, id, bad_name)).field == "name");
        CHECK(w.hooks.get_integration(w.admin, id)->version == 2);

        // Employee endpoints are not integrations, and other orgs see nothing.
        auto mine = w.hooks.set_mine(w.admin, hook("https://hooks.example.com/admin"));
        REQUIRE(mine.has_value());
        CHECK(
            w.hooks.get_integration(w.admin, mine->webhook.id).error().kind == ErrorKind::kNotFound
        );
        CHECK(w.hooks.list_integrations(w.root)->size() == 2);
        auto globex = w.d.org_admin("globex", "root@globex.example");
        CHECK(w.hooks.get_integration(globex, id).error().kind == ErrorKind::kNotFound);
        CHECK(w.hooks.delete_integration(globex, id).error().kind == ErrorKind::kNotFound);
        CHECK(w.hooks.list_integrations(globex)->empty());

        auto gone = w.hooks.delete_integration(w.admin, id);
        REQUIRE(gone.has_value());
        CHECK(w.hooks.get_integration(w.admin, id).error().kind == ErrorKind::kNotFound);
        CHECK(w.audits(w.admin, "webhooks.integration.created", "rest") == 2);  // admin's, root's
        CHECK(w.audits(w.admin, "webhooks.integration.updated", "rest") == 1);
        CHECK(w.audits(w.admin, "webhooks.integration.deleted", "rest") == 1);
    }

    TEST_CASE_TEMPLATE(
        "integration input errors, rotation and the per-org limit",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        CHECK(field_error(w.hooks.create_integration(w.admin, integration(""))).field == "name");
        CHECK(
            field_error(w.hooks.create_integration(w.admin, integration(std::string(201, 'n'))))
                .field == "name"
        );
        auto in = integration("SIEM");
        in.description = std::string(2001, 'd');
        CHECK(field_error(w.hooks.create_integration(w.admin, in)).field == "description");
        CHECK(
            field_error(w.hooks.create_integration(w.admin, integration("SIEM", {"x"}))).field ==
            "events[0]"
        );
        in = integration("SIEM");
        in.url = "https://intranet.example.com/";
        CHECK(field_error(w.hooks.create_integration(w.admin, in)).field == "url");
        CHECK(w.endpoints() == 0);

        auto made = w.hooks.create_integration(w.admin, integration("SIEM"));
        REQUIRE(made.has_value());
        auto rotated = w.hooks.rotate_integration(w.admin, made->webhook.id, Rotation{60, 1});
        REQUIRE(rotated.has_value());
        CHECK(rotated->secret != made->secret);
        CHECK(rotated->webhook.previous_secret_hint == made->webhook.secret_hint);
        CHECK(
            rotated->webhook.previous_secret_expires_at ==
            std::optional<std::string>{"2026-01-01T00:01:00.000Z"}
        );
        CHECK(
            w.hooks.rotate_integration(w.alice, made->webhook.id, {}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(w.hooks.enable_integration(w.admin, made->webhook.id)->version == 2);

        for (std::int64_t i = 1; i < server::webhooks::kMaxOrgWebhooks; ++i) {
            REQUIRE(w.hooks.create_integration(w.admin, integration("n" + std::to_string(i)))
                        .has_value());
        }
        auto full = w.hooks.create_integration(w.admin, integration("one too many"));
        REQUIRE_FALSE(full.has_value());
        CHECK(full.error().kind == ErrorKind::kResourceExhausted);
    }
}
