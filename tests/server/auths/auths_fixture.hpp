// Test fixture for AuthsService: the Domain fixture (fresh database on one
// back end, FakeClock, SeqIds, identity) plus an AuthsService on it, an org
// with an admin and two members, and helpers for groups (inserted through
// groups_repo and plain SQL, independent of the approvals service).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/auths/auths_service.hpp"
#include "storage/repos/groups_repo.hpp"
#include "tests/server/support/domain_fixture.hpp"

namespace signoff::testing {

struct AuthsWorld : Domain {
    explicit AuthsWorld(Backend b) : Domain(b), auths(*tdb.db, clock, ids) {
        root = org_admin("acme", "root@acme.example");
        alice = member(root, "alice@acme.example");
        bob = member(root, "bob@acme.example");
    }

    /// Inserts a group of the org and answers its id.
    std::string group(std::string const& name) {
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        std::string id = ids.new_id();
        storage::repos::GroupRecord g{
            id,
            root.org_id,
            name,
            name,
            "",
            "2026-01-01T00:00:00.000Z",
            "2026-01-01T00:00:00.000Z",
            1,
            false};
        auto ok = storage::repos::insert_group(**tx, g);
        REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
        REQUIRE((*tx)->commit().has_value());
        return id;
    }

    void join(std::string const& group_id, server::core::Actor const& who) {
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto n = (*tx)->exec(
            "INSERT INTO group_members (org_id, group_id, entity_type, entity_id, added_at) "
            "VALUES ($1, $2, 'human', $3, '2026-01-01T00:00:00.000Z')",
            {who.org_id, group_id, who.principal_id}
        );
        REQUIRE_MESSAGE(n.has_value(), n.error().message);
        REQUIRE((*tx)->commit().has_value());
    }

    /// Creates one auth from `fields` and REQUIREs success.
    server::auths::Auth make(server::core::Actor const& who, server::auths::AuthFields fields) {
        auto out = auths.create(who, {server::auths::CreateItem{{}, std::move(fields)}});
        REQUIRE(out.size() == 1);
        REQUIRE_MESSAGE(out[0].result.has_value(), out[0].result.error().message);
        return *out[0].result;
    }

    server::auths::Department department(std::string const& name) {
        auto d = auths.create_department(root, name);
        REQUIRE_MESSAGE(d.has_value(), d.error().message);
        return *d;
    }

    /// Runs one statement in its own committed write transaction.
    void exec(std::string const& sql, storage::Params const& params) {
        auto tx = tdb.db->begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        auto n = (*tx)->exec(sql, params);
        REQUIRE_MESSAGE(n.has_value(), n.error().message);
        REQUIRE((*tx)->commit().has_value());
    }

    std::int64_t audits(std::string const& action) {
        return count(
            "SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = $2",
            {root.org_id, action}
        );
    }

    std::int64_t events(std::string const& type) {
        return count(
            "SELECT COUNT(*) FROM outbox WHERE org_id = $1 AND event_type = $2", {root.org_id, type}
        );
    }

    server::auths::AuthsService auths;
    server::core::Actor root;   // super_admin
    server::core::Actor alice;  // member
    server::core::Actor bob;    // member
};

/// AuthFields with just a name.
inline server::auths::AuthFields named(std::string name) {
    server::auths::AuthFields f;
    f.name = std::move(name);
    return f;
}

inline std::vector<std::string> values(std::vector<server::auths::PartRef> const& refs) {
    std::vector<std::string> out;
    for (auto const& r : refs) {
        out.push_back(r.value);
    }
    return out;
}

}  // namespace signoff::testing
