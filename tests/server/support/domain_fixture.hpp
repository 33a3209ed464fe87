// Test fixture for domain services: a fresh migrated database on one back end,
// a FakeClock, SeqIds, the identity and catalog services, and helpers that make
// orgs and users with real API keys (so tests run through authenticate()).
#pragma once

#include <cstdint>
#include <string>

#include <doctest/doctest.h>

#include "server/catalog/catalog_service.hpp"
#include "server/core/actor.hpp"
#include "server/identity/identity_service.hpp"
#include "tests/server/support/cached_keys.hpp"
#include "tests/support/fakes.hpp"
#include "tests/support/test_db.hpp"

namespace signoff::testing {

struct Domain {
    explicit Domain(Backend b)
        : tdb(open_test_db(b)),
          identity(*tdb.db, clock, ids, &keys),
          catalog(*tdb.db, clock, ids) {}

    /// Bootstraps `org` and answers its super_admin as an authenticated actor.
    server::core::Actor org_admin(
        std::string const& org,
        std::string const& email,
        server::core::Channel ch = server::core::Channel::kRest
    ) {
        auto boot = identity.bootstrap(org, email);
        REQUIRE_MESSAGE(boot.has_value(), boot.error().message);
        auto actor = identity.authenticate(boot->api_key, ch);
        REQUIRE(actor.has_value());
        return *actor;
    }

    /// Creates a user in the admin's org with `role` and authenticates it.
    server::core::Actor member(
        server::core::Actor const& admin,
        std::string const& email,
        std::string const& role = "member",
        server::core::Channel ch = server::core::Channel::kRest
    ) {
        auto user = identity.create_user(admin, {email, "", role});
        REQUIRE_MESSAGE(user.has_value(), user.error().message);
        auto key = identity.create_api_key(admin, {user->id});
        REQUIRE_MESSAGE(key.has_value(), key.error().message);
        auto actor = identity.authenticate(key->api_key, ch);
        REQUIRE(actor.has_value());
        return *actor;
    }

    /// Runs a COUNT(*) query (one $n parameter per string) in a read transaction.
    std::int64_t count(std::string const& sql, storage::Params const& params) {
        auto tx = tdb.db->begin(storage::TxMode::kRead);
        REQUIRE(tx.has_value());
        auto rows = (*tx)->query(sql, params);
        REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
        return rows->front().integer(0);
    }

    std::string text(std::string const& sql, storage::Params const& params) {
        auto tx = tdb.db->begin(storage::TxMode::kRead);
        REQUIRE(tx.has_value());
        auto rows = (*tx)->query(sql, params);
        REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
        REQUIRE(!rows->empty());
        return rows->front().text(0);
    }

    TestDb tdb;
    FakeClock clock;
    SeqIds ids;
    CachedKeys keys;  // agents' key pairs: one real pair, reused
    server::identity::IdentityService identity;
    server::catalog::CatalogService catalog;
};

}  // namespace signoff::testing
