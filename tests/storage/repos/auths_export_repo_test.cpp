// The export's batched read on both back ends: keyset pages by id, part values
// and department names resolved, many-valued order kept, one auth on its own,
// and nothing of another org, even with ids inside the batch's range.
#include "storage/repos/auths_export_repo.hpp"

#include <doctest/doctest.h>

#include "tests/storage/repos/auths_export_seed.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using storage::repos::AuthExportRecord;
using testing::AuthSeeder;
using testing::PostgresBackend;
using testing::SeedAuth;
using testing::SqliteBackend;

namespace {

void add_org(storage::Db& db, std::string const& id) {
    auto tx = db.begin(storage::TxMode::kWrite);
    REQUIRE(tx.has_value());
    auto r = (*tx)->exec(
        "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)",
        {id, id, std::string{"2026-01-01T00:00:00.000Z"}}
    );
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE((*tx)->commit().has_value());
}

std::vector<AuthExportRecord> batch(
    storage::Db& db,
    std::string const& org,
    std::string const& after,
    std::int64_t limit,
    std::optional<std::string> const& only = std::nullopt
) {
    auto tx = db.begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto b = storage::repos::export_auths_batch(**tx, org, after, limit, only);
    REQUIRE_MESSAGE(b.has_value(), b.error().message);
    return *b;
}

std::int64_t count(storage::Db& db, std::string const& org, std::optional<std::string> only) {
    auto tx = db.begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto n = storage::repos::count_export_auths(**tx, org, only);
    REQUIRE(n.has_value());
    return *n;
}

void seed(storage::Db& db) {
    add_org(db, "o1");
    add_org(db, "o2");
    {
        auto tx = db.begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto g = (*tx)->exec(
            "INSERT INTO approval_groups (id, org_id, name, name_lower, description, created_at, "
            "updated_at, version) VALUES ('g1', 'o1', 'G', 'g', '', '2026-01-01T00:00:00.000Z', "
            "'2026-01-01T00:00:00.000Z', 1)",
            {}
        );
        REQUIRE_MESSAGE(g.has_value(), g.error().message);
        REQUIRE((*tx)->commit().has_value());
    }  // the Tx holds the (single SQLite) write connection until it is destroyed
    AuthSeeder one(db, "o1");
    one.add({
        SeedAuth{
            "a1",
            "Okta SSO",
            "Single sign-on",
            "beta",
            {"oidc", "saml"},
            {"okta-sso"},
            {"zeta", "alpha", "mid"},
            {"Sales", "engineering", "Ops"},
            "g1",
            "u1",
            3,
        },
        SeedAuth{"a2", "Bare"},
        SeedAuth{"a3", "Third", std::nullopt, std::nullopt, {"oidc"}},
    });
    AuthSeeder two(db, "o2");
    // "a15" sorts between a1 and a2: the org filter must keep its links out.
    two.add({SeedAuth{"a15", "Other org", "x", std::nullopt, {"ldap"}, {}, {}, {"Sales"}}});
}

}  // namespace

TEST_SUITE("storage/repos/auths_export_repo") {
    TEST_CASE_TEMPLATE(
        "batches page by id and carry every column resolved", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        seed(db);

        CHECK(count(db, "o1", std::nullopt) == 3);
        CHECK(count(db, "o2", std::nullopt) == 1);

        auto first = batch(db, "o1", "", 2);
        REQUIRE(first.size() == 2);
        auto const& a = first[0];
        CHECK(a.id == "a1");
        CHECK(a.name == "Okta SSO");
        CHECK(a.description == "Single sign-on");
        CHECK(a.flag == std::optional<std::string>{"beta"});
        CHECK(a.protocols == std::vector<std::string>{"oidc", "saml"});
        CHECK(a.slugs == std::vector<std::string>{"okta-sso"});
        CHECK(a.items == std::vector<std::string>{"zeta", "alpha", "mid"});
        CHECK(a.departments == std::vector<std::string>{"engineering", "Ops", "Sales"});
        CHECK(a.group_id == std::optional<std::string>{"g1"});
        CHECK(a.version == 3);
        CHECK(a.created_by == "u1");
        CHECK(a.created_at == "2026-01-01T00:00:00.000Z");
        CHECK(a.updated_at == "2026-01-02T00:00:00.000Z");

        auto const& bare = first[1];
        CHECK(bare.id == "a2");
        CHECK(bare.description.empty());
        CHECK_FALSE(bare.flag.has_value());
        CHECK_FALSE(bare.group_id.has_value());
        CHECK(bare.protocols.empty());
        CHECK(bare.departments.empty());

        auto second = batch(db, "o1", "a2", 2);
        REQUIRE(second.size() == 1);
        CHECK(second[0].id == "a3");
        CHECK(second[0].protocols == std::vector<std::string>{"oidc"});
        CHECK(batch(db, "o1", "a3", 2).empty());
    }

    TEST_CASE_TEMPLATE(
        "only_id restricts the read to one auth of the org", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto& db = *tdb.db;
        seed(db);
        auto one = batch(db, "o1", "", 500, std::string{"a1"});
        REQUIRE(one.size() == 1);
        CHECK(one[0].items.size() == 3);
        CHECK(count(db, "o1", std::string{"a1"}) == 1);
        CHECK(batch(db, "o1", "", 500, std::string{"a15"}).empty());  // another org's
        CHECK(count(db, "o1", std::string{"a15"}) == 0);
        auto other = batch(db, "o2", "", 500);
        REQUIRE(other.size() == 1);
        CHECK(other[0].protocols == std::vector<std::string>{"ldap"});
        CHECK(other[0].departments == std::vector<std::string>{"Sales"});
    }
}
