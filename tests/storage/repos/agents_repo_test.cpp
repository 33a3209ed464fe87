// The agents repository on both back ends: a name key inserts once across
// the system (migration 0018), lookups by id and by name key never cross
// orgs while the global key finds the agent anywhere; a 1024-character name
// (4 KiB of UTF-8) is stored whole; revocation and renaming.
#include "storage/repos/agents_repo.hpp"

#include <doctest/doctest.h>

#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::AgentRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";

AgentRecord agent(std::string id, std::string org, std::string name, std::string key) {
    return {
        std::move(id),
        std::move(org),
        std::move(name),
        std::move(key),
        "-----BEGIN PUBLIC KEY-----\nMII...\n-----END PUBLIC KEY-----\n",
        "u1",
        kNow,
        kNow,
        1,
        true};
}

}  // namespace

TEST_SUITE("storage/repos/agents_repo") {
    TEST_CASE_TEMPLATE(
        "a name key inserts once across orgs and org lookups stay in the org",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        testing::run_script(
            db,
            "INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'acme', "
            "'2026-01-01T00:00:00.000Z'), ('o2', 'globex', '2026-01-01T00:00:00.000Z')"
        );
        std::string wide;
        for (int i = 0; i < 1024; ++i) {
            wide += "\xf0\x9f\xa4\x96";  // 🤖, four bytes each
        }
        auto tx = db.begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto& t = **tx;
        CHECK(storage::repos::insert_agent(t, agent("a1", "o1", "bot", "k1")).value() == 1);
        CHECK(storage::repos::insert_agent(t, agent("a2", "o1", "BOT", "k1")).value() == 0);
        CHECK(storage::repos::insert_agent(t, agent("a3", "o2", "bot", "k1")).value() == 0);
        CHECK(storage::repos::insert_agent(t, agent("a3", "o2", "bot2", "k3")).value() == 1);
        CHECK(storage::repos::insert_agent(t, agent("a4", "o1", wide, "k4")).value() == 1);
        CHECK(storage::repos::find_agent_by_global_key(t, "k1").value()->id == "a1");
        CHECK(storage::repos::find_agent_anywhere(t, "a3").value()->org_id == "o2");
        CHECK(storage::repos::list_agents(t, "o1", 10, 0).value().size() == 2);
        CHECK(storage::repos::count_agents(t, "o2").value() == 1);
        CHECK(storage::repos::revoke_agent(t, "o2", "a1", kNow).value() == 0);  // not o2's
        CHECK(storage::repos::revoke_agent(t, "o1", "a1", kNow).value() == 1);
        CHECK(storage::repos::revoke_agent(t, "o1", "a1", kNow).value() == 0);
        CHECK(storage::repos::find_agent_by_id(t, "o1", "a1").value()->revoked_at == kNow);
        CHECK(storage::repos::rename_agent(t, "a3", "bot", "k1", kNow).value() == 0);  // taken
        CHECK(storage::repos::rename_agent(t, "a3", "bot-3", "k5", kNow).value() == 1);
        CHECK(storage::repos::find_agent_by_global_key(t, "k5").value()->name == "bot-3");

        auto by_id = storage::repos::find_agent_by_id(t, "o1", "a1").value();
        REQUIRE(by_id.has_value());
        CHECK(by_id->name == "bot");
        CHECK(by_id->via_mcp);
        CHECK(by_id->version == 2);  // revoked above
        CHECK(by_id->created_by == "u1");
        CHECK(by_id->public_key.starts_with("-----BEGIN PUBLIC KEY-----"));
        CHECK_FALSE(storage::repos::find_agent_by_id(t, "o2", "a1").value().has_value());
        CHECK_FALSE(storage::repos::find_agent_by_id(t, "o1", "a2").value().has_value());
        CHECK(storage::repos::find_agent_by_name_key(t, "o2", "k5").value()->id == "a3");
        CHECK_FALSE(storage::repos::find_agent_by_name_key(t, "o2", "k1").value().has_value());
        CHECK(storage::repos::find_agent_by_name_key(t, "o1", "k4").value()->name == wide);
        CHECK_FALSE(storage::repos::find_agent_by_name_key(t, "o1", "k9").value().has_value());
        REQUIRE(t.commit().has_value());
    }
}
