// The webhook endpoints repository on both back ends: one employee endpoint
// per (org, owner) while integrations never clash; reads stay in their org;
// versioned updates; the delivery worker's operations (event matching with
// "*" and literal types, failure counting, disable keeping the first reason,
// re-enable resetting the count).
#include "storage/repos/webhooks_repo.hpp"

#include <doctest/doctest.h>

#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::WebhookEndpointRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;
namespace repos = storage::repos;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";
constexpr auto kLater = "2026-01-02T00:00:00.000Z";

constexpr auto kSeed =
    "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01T00:00:00.000Z'), "
    "('o2', 'globex', '2026-01-01T00:00:00.000Z');"
    "INSERT INTO users (id, org_id, email, email_lower, display_name, org_role, created_at) "
    "VALUES ('u1', 'o1', 'a@x', 'a@x', 'A', 'member', '2026-01-01T00:00:00.000Z'), "
    "('u2', 'o1', 'b@x', 'b@x', 'B', 'member', '2026-01-01T00:00:00.000Z'), "
    "('u3', 'o2', 'c@x', 'c@x', 'C', 'member', '2026-01-01T00:00:00.000Z')";

WebhookEndpointRecord employee(std::string id, std::string org, std::string owner) {
    WebhookEndpointRecord w;
    w.id = std::move(id);
    w.org_id = std::move(org);
    w.owner_user_id = std::move(owner);
    w.kind = "employee";
    w.url = "https://hooks.example/" + w.id;
    w.events = "team_support.approved";
    w.scheme = "signoff";
    w.secret = "whsec_" + w.id;
    w.created_at = kNow;
    w.updated_at = kNow;
    return w;
}

WebhookEndpointRecord integration(std::string id, std::string org, std::string events) {
    WebhookEndpointRecord w = employee(std::move(id), std::move(org), "");
    w.owner_user_id.reset();
    w.kind = "org";
    w.name = "SIEM " + w.id;
    w.events = std::move(events);
    return w;
}

std::vector<std::string> ids_of(std::vector<WebhookEndpointRecord> const& list) {
    std::vector<std::string> out;
    for (auto const& w : list) {
        out.push_back(w.id);
    }
    return out;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_SUITE("storage/repos/webhooks_repo") {
    TEST_CASE_TEMPLATE(
        "one employee endpoint per owner, integrations never clash, reads stay in the org",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        testing::run_script(*tdb.db, kSeed);
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto& t = **tx;
        CHECK(repos::insert_webhook(t, employee("e1", "o1", "u1")).value() == 1);
        CHECK(repos::insert_webhook(t, employee("e2", "o1", "u1")).value() == 0);
        CHECK(repos::insert_webhook(t, employee("e3", "o1", "u2")).value() == 1);
        CHECK(repos::insert_webhook(t, integration("i1", "o1", "*")).value() == 1);
        CHECK(repos::insert_webhook(t, integration("i2", "o1", "auth.deleted")).value() == 1);
        CHECK(repos::insert_webhook(t, integration("i3", "o2", "*")).value() == 1);

        auto mine = repos::find_employee_webhook(t, "o1", "u1").value();
        REQUIRE(mine.has_value());
        CHECK(mine->id == "e1");
        CHECK(mine->kind == "employee");
        CHECK(mine->enabled);
        CHECK(mine->consecutive_failures == 0);
        CHECK(mine->version == 1);
        CHECK(mine->secret == "whsec_e1");
        CHECK_FALSE(mine->previous_secret.has_value());
        CHECK_FALSE(repos::find_employee_webhook(t, "o2", "u1").value().has_value());
        CHECK_FALSE(repos::find_webhook(t, "o2", "e1").value().has_value());
        CHECK(repos::find_webhook(t, "o1", "i2").value()->name == "SIEM i2");
        CHECK(ids_of(repos::list_org_webhooks(t, "o1").value()) == Ids{"i1", "i2"});
        CHECK(repos::count_org_webhooks(t, "o1").value() == 2);
        CHECK(repos::delete_webhook(t, "o2", "i1").value() == 0);
        CHECK(repos::delete_webhook(t, "o1", "i1").value() == 1);
        CHECK(repos::count_org_webhooks(t, "o1").value() == 1);
        REQUIRE(t.commit().has_value());
    }

    TEST_CASE_TEMPLATE(
        "the database refuses an employee endpoint without an owner and an unknown scheme",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        testing::run_script(*tdb.db, kSeed);
        auto bad_kind = employee("e1", "o1", "u1");
        bad_kind.owner_user_id.reset();
        auto bad_scheme = employee("e2", "o1", "u2");
        bad_scheme.scheme = "github";
        for (auto const& w : {bad_kind, bad_scheme}) {
            auto tx = tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto r = repos::insert_webhook(**tx, w);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().kind == storage::DbErrorKind::kConstraint);
        }
    }

    TEST_CASE_TEMPLATE(
        "updates are versioned and a re-enable resets the failure count",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        testing::run_script(*tdb.db, kSeed);
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto& t = **tx;
        auto w = integration("i1", "o1", "*");
        REQUIRE(repos::insert_webhook(t, w).value() == 1);

        w.url = "https://siem.example/in";
        w.previous_secret = w.secret;
        w.previous_secret_expires_at = kLater;
        w.secret = "whsec_new";
        w.updated_at = kLater;
        CHECK(repos::update_webhook(t, w, 2).value() == 0);  // stale
        CHECK(repos::update_webhook(t, w, 1).value() == 1);
        auto got = repos::find_webhook(t, "o1", "i1").value().value();
        CHECK(got.version == 2);
        CHECK(got.url == "https://siem.example/in");
        CHECK(got.secret == "whsec_new");
        CHECK(got.previous_secret == std::optional<std::string>{"whsec_i1"});
        CHECK(got.previous_secret_expires_at == std::optional<std::string>{kLater});

        for (int i = 1; i <= 10; ++i) {
            CHECK(repos::record_webhook_failure(t, "i1").value() == std::optional<std::int64_t>{i});
        }
        CHECK(repos::disable_webhook(t, "i1", "10 consecutive failures", kLater).value() == 1);
        CHECK(repos::disable_webhook(t, "i1", "second reason", kLater).value() == 0);
        got = repos::find_webhook(t, "o1", "i1").value().value();
        CHECK_FALSE(got.enabled);
        CHECK(got.disabled_reason == std::optional<std::string>{"10 consecutive failures"});
        CHECK(got.disabled_at == std::optional<std::string>{kLater});
        CHECK(got.consecutive_failures == 10);
        CHECK(got.version == 3);

        // A config change that leaves it disabled keeps the count; enabling resets it.
        got.description = "still off";
        CHECK(repos::update_webhook(t, got, 3).value() == 1);
        CHECK(repos::find_webhook(t, "o1", "i1").value()->consecutive_failures == 10);
        got = repos::find_webhook(t, "o1", "i1").value().value();
        got.enabled = true;
        got.disabled_at.reset();
        got.disabled_reason.reset();
        CHECK(repos::update_webhook(t, got, 4).value() == 1);
        got = repos::find_webhook(t, "o1", "i1").value().value();
        CHECK(got.enabled);
        CHECK(got.consecutive_failures == 0);
        CHECK_FALSE(got.disabled_reason.has_value());
        REQUIRE(t.commit().has_value());
    }

    TEST_CASE_TEMPLATE(
        "the worker's operations: matching, success, failure, disable",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        testing::run_script(*tdb.db, kSeed);
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto& t = **tx;
        REQUIRE(repos::insert_webhook(t, integration("i1", "o1", "*")).value() == 1);
        REQUIRE(
            repos::insert_webhook(t, integration("i2", "o1", "team_support.approved,auth.deleted"))
                .value() == 1
        );
        REQUIRE(
            repos::insert_webhook(t, integration("i3", "o1", "workflow.approved")).value() == 1
        );
        REQUIRE(repos::insert_webhook(t, integration("i4", "o2", "*")).value() == 1);
        REQUIRE(repos::insert_webhook(t, employee("e1", "o1", "u1")).value() == 1);

        auto match = [&](std::string const& type) {
            return ids_of(repos::list_org_webhooks_for_event(t, "o1", type).value());
        };
        CHECK(match("team_support.approved") == Ids{"i1", "i2"});
        CHECK(match("auth.deleted") == Ids{"i1", "i2"});
        CHECK(match("workflow.approved") == Ids{"i1", "i3"});
        CHECK(match("workflow.rejected") == Ids{"i1"});
        // `_` is literal: no wildcard match of team_support against teamXsupport.
        CHECK(match("teamXsupport.approved") == Ids{"i1"});
        CHECK(match("approved") == Ids{"i1"});  // whole entries only
        CHECK(match("%") == Ids{"i1"});

        CHECK(repos::record_webhook_success(t, "i2").value() == 0);
        CHECK(repos::record_webhook_failure(t, "i2").value() == std::optional<std::int64_t>{1});
        CHECK(repos::record_webhook_failure(t, "i2").value() == std::optional<std::int64_t>{2});
        CHECK(repos::record_webhook_success(t, "i2").value() == 1);
        CHECK(repos::find_webhook(t, "o1", "i2").value()->consecutive_failures == 0);
        CHECK(repos::find_webhook(t, "o1", "i2").value()->version == 1);  // counting is no edit
        CHECK_FALSE(repos::record_webhook_failure(t, "nope").value().has_value());

        CHECK(repos::disable_webhook(t, "i2", "gone", kLater).value() == 1);
        CHECK(match("team_support.approved") == Ids{"i1"});
        CHECK(repos::disable_webhook(t, "e1", "gone", kLater).value() == 1);
        CHECK_FALSE(repos::find_employee_webhook(t, "o1", "u1").value()->enabled);
        REQUIRE(t.commit().has_value());
    }
}
