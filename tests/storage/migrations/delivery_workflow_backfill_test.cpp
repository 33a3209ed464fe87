// Migration 0014_delivery_workflow on both back ends, against data written
// before it: a database migrated up to 0013 gets deliveries of workflow
// actions, of an endpoint and of an event whose payload cannot be read; then
// migrate() applies 0014, which must copy each action's workflow id out of its
// outbox payload, leave the others NULL, and not fail on the unreadable one.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "storage/migrations/migrate.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

std::string_view signoff_migration_text(std::string_view name);
std::vector<std::string_view> signoff_migration_names();

using namespace signoff::storage;
using signoff::testing::empty_test_db_url;
using signoff::testing::exec_committed;
using signoff::testing::PostgresBackend;
using signoff::testing::read_rows;
using signoff::testing::run_script;
using signoff::testing::SqliteBackend;

namespace {

constexpr std::string_view kFirstUnapplied = "0014_delivery_workflow";
constexpr char const* kOrg = "00000000-0000-7000-8000-000000000001";
constexpr char const* kAt = "2026-11-01T00:00:00Z";

/// Applies and records, as migrate() would, every script of the dialect
/// before `first_unapplied`.
void migrate_before(Db& db, std::string_view first_unapplied) {
    run_script(db, "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT)");
    std::string const prefix = std::string(db.dialect()) + "/";
    std::vector<std::string_view> names = signoff_migration_names();
    std::sort(names.begin(), names.end());
    for (auto name : names) {
        if (!name.starts_with(prefix)) {
            continue;
        }
        std::string const version(name.substr(prefix.size()));
        if (version >= first_unapplied) {
            break;
        }
        run_script(db, signoff_migration_text(name));
        exec_committed(db, "INSERT INTO schema_migrations VALUES ($1, $2)", {version, kAt});
    }
}

void event(Db& db, std::string const& id, std::string const& type, std::string const& payload) {
    exec_committed(
        db,
        "INSERT INTO outbox (id, org_id, event_type, payload_json, created_at, available_at) "
        "VALUES ($1, $2, $3, $4, $5, $5)",
        {id, kOrg, type, payload, kAt}
    );
}

void delivery(
    Db& db,
    std::string const& id,
    std::string const& event_id,
    std::string const& target,
    std::optional<std::string> const& endpoint_id = std::nullopt
) {
    Value endpoint = endpoint_id ? Value{*endpoint_id} : Value{};
    exec_committed(
        db,
        "INSERT INTO webhook_deliveries (id, org_id, event_id, event_type, endpoint_id, target, "
        "state, next_attempt_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'x', $4, $5, 'delivered', $6, $6, $6)",
        {id, kOrg, event_id, endpoint, target, kAt}
    );
}

}  // namespace

TEST_SUITE("storage/migrations/delivery_workflow_backfill") {
    TEST_CASE_TEMPLATE(
        "0014 fills workflow_id of earlier action deliveries from their events",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto opened = open_db(empty_test_db_url(T::kBackend));
        REQUIRE(opened.has_value());
        Db& db = **opened;
        migrate_before(db, kFirstUnapplied);

        // The emitter's shape (server/approvals/workflow_engine.cpp): workflow_id first in data.
        event(
            db,
            "e1",
            "workflow.action.webhook",
            R"({"version":1,"type":"workflow.action.webhook","data":{"workflow_id":"0190aaaa-0000-7000-8000-00000000000a","workflow_name":"Ship","action":{}}})"
        );
        event(
            db,
            "e2",
            "workflow.action.email",
            R"({"version":1,"type":"workflow.action.email","data":{"workflow_id":"0190aaaa-0000-7000-8000-00000000000b","outcome":"APPROVED"}})"
        );
        event(db, "e3", "team_support.approved", R"({"version":1,"data":{"slug":"vpn"}})");
        event(db, "e4", "workflow.action.email", "not json");
        delivery(db, "d1", "e1", "action_webhook");
        delivery(db, "d2", "e2", "action_email");
        delivery(db, "d3", "e3", "endpoint", "w1");
        delivery(db, "d4", "e4", "action_email");

        auto migrated = migrate(db);
        REQUIRE_MESSAGE(migrated.has_value(), migrated.error().message);

        auto rows = read_rows(db, "SELECT id, workflow_id FROM webhook_deliveries ORDER BY id");
        REQUIRE(rows.size() == 4);
        CHECK(rows[0].opt_text(1) == "0190aaaa-0000-7000-8000-00000000000a");
        CHECK(rows[1].opt_text(1) == "0190aaaa-0000-7000-8000-00000000000b");
        CHECK_FALSE(rows[2].opt_text(1).has_value());  // an endpoint delivery
        CHECK_FALSE(rows[3].opt_text(1).has_value());  // unreadable: left for nobody to find
        auto versions = read_rows(
            db,
            "SELECT version FROM schema_migrations WHERE version = $1",
            {std::string(kFirstUnapplied)}
        );
        CHECK(versions.size() == 1);
    }
}
