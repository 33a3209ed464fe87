// Uploads and their chunks on both back ends: incomplete until completed
// once, chunks by sequence number, lookups scoped by org, delete removes all.
#include "storage/repos/uploads_repo.hpp"

#include <doctest/doctest.h>

#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::UploadRecord;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

template <class F>
auto in_tx(storage::Db& db, storage::TxMode mode, F&& f) {
    auto tx = db.begin(mode);
    REQUIRE(tx.has_value());
    auto out = f(**tx);
    REQUIRE((*tx)->commit().has_value());
    return out;
}

}  // namespace

TEST_SUITE("storage/repos/uploads_repo") {
    TEST_CASE_TEMPLATE(
        "an upload gains chunks, completes once, and deletes with them",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        using storage::TxMode;
        in_tx(db, TxMode::kWrite, [](storage::Tx& tx) {
            for (auto const* org : {"o1", "o2"}) {
                auto r = tx.exec(
                    "INSERT INTO orgs (id, name, created_at) VALUES ($1, $1, $2)",
                    {std::string{org}, std::string{"2026-01-01T00:00:00.000Z"}}
                );
                REQUIRE(r.has_value());
            }
            UploadRecord u{
                "up1",
                "o1",
                "user-1",
                "auths.csv",
                "text/csv; charset=utf-8",
                0,
                "2026-01-01T00:00:00.000Z",
                false,
                true};
            REQUIRE(storage::repos::insert_upload(tx, u).has_value());
            REQUIRE(storage::repos::insert_upload_chunk(tx, "up1", 0, "id,name\r\n").has_value());
            REQUIRE(storage::repos::insert_upload_chunk(tx, "up1", 1, "1,Zürich\r\n").has_value());
            return 0;
        });

        in_tx(db, TxMode::kRead, [](storage::Tx& tx) {
            auto found = storage::repos::find_upload(tx, "o1", "up1");
            REQUIRE(found.has_value());
            REQUIRE(found->has_value());
            CHECK_FALSE((*found)->complete);
            CHECK((*found)->owner_id == "user-1");
            CHECK((*found)->via_mcp);
            auto other_org = storage::repos::find_upload(tx, "o2", "up1");
            REQUIRE(other_org.has_value());
            CHECK_FALSE(other_org->has_value());
            auto c1 = storage::repos::find_upload_chunk(tx, "up1", 1);
            REQUIRE(c1.has_value());
            CHECK(*c1 == std::optional<std::string>{"1,Zürich\r\n"});
            auto c2 = storage::repos::find_upload_chunk(tx, "up1", 2);
            REQUIRE(c2.has_value());
            CHECK_FALSE(c2->has_value());
            return 0;
        });

        in_tx(db, TxMode::kWrite, [](storage::Tx& tx) {
            CHECK(*storage::repos::complete_upload(tx, "o2", "up1", 19) == 0);  // wrong org
            CHECK(*storage::repos::complete_upload(tx, "o1", "up1", 19) == 1);
            CHECK(*storage::repos::complete_upload(tx, "o1", "up1", 5) == 0);  // only once
            auto found = storage::repos::find_upload(tx, "o1", "up1");
            REQUIRE(found->has_value());
            CHECK((*found)->complete);
            CHECK((*found)->size == 19);
            CHECK(*storage::repos::delete_upload(tx, "o2", "up1") == 0);  // wrong org
            CHECK(*storage::repos::delete_upload(tx, "o1", "up1") == 1);
            CHECK_FALSE(storage::repos::find_upload(tx, "o1", "up1")->has_value());
            CHECK_FALSE(storage::repos::find_upload_chunk(tx, "up1", 0)->has_value());
            return 0;
        });
    }
}
