// Test data for the export: writes auths, their parts, links and departments
// with plain SQL, so the export read and the CSV can be tested on both back
// ends without the auths write path. Used by tests/storage/repos and
// tests/server/auths (export tests) and the e2e export test.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "storage/db.hpp"

namespace signoff::testing {

struct SeedAuth {
    std::string id;
    std::string name;
    std::optional<std::string> description{};
    std::optional<std::string> flag{};
    std::vector<std::string> protocols{};
    std::vector<std::string> slugs{};
    std::vector<std::string> items{};
    std::vector<std::string> departments{};
    std::optional<std::string> group_id{};
    std::string created_by{"user-1"};
    std::int64_t version{1};
};

/// Writes auths of one org, reusing a part (or department) per distinct value.
class AuthSeeder {
public:
    AuthSeeder(storage::Db& db, std::string org_id) : db_(db), org_(std::move(org_id)) {}

    /// Inserts `auths` in one write transaction.
    void add(std::vector<SeedAuth> const& auths) {
        auto tx = db_.begin(storage::TxMode::kWrite);
        REQUIRE(tx.has_value());
        for (auto const& a : auths) {
            add(**tx, a);
        }
        auto committed = (*tx)->commit();
        REQUIRE_MESSAGE(committed.has_value(), committed.error().message);
    }

    void add(storage::Tx& tx, SeedAuth const& a) {
        auto const name = part(tx, "name", a.name);
        auto const desc = a.description ? storage::Value{part(tx, "description", *a.description)}
                                        : storage::null_value();
        auto const flag =
            a.flag ? storage::Value{part(tx, "flag", *a.flag)} : storage::null_value();
        exec(
            tx,
            "INSERT INTO auths (id, org_id, name_part_id, description_part_id, flag_part_id, "
            "group_id, created_by, created_at, updated_at, version) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            {a.id,
             org_,
             name,
             desc,
             flag,
             storage::opt_text(a.group_id),
             a.created_by,
             std::string{"2026-01-01T00:00:00.000Z"},
             std::string{"2026-01-02T00:00:00.000Z"},
             a.version}
        );
        link(tx, a.id, "protocol", a.protocols);
        link(tx, a.id, "slug", a.slugs);
        link(tx, a.id, "item", a.items);
        for (auto const& d : a.departments) {
            exec(
                tx,
                "INSERT INTO auth_departments (org_id, auth_id, department_id) VALUES ($1, $2, $3)",
                {org_, a.id, department(tx, d)}
            );
        }
    }

private:
    static void exec(storage::Tx& tx, std::string const& sql, storage::Params const& params) {
        auto r = tx.exec(sql, params);
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
    }

    static std::string lower(std::string s) {
        for (auto& c : s) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return s;
    }

    std::string part(storage::Tx& tx, std::string const& kind, std::string const& value) {
        auto key = std::make_pair(kind, lower(value));
        if (auto it = parts_.find(key); it != parts_.end()) {
            return it->second;
        }
        std::string id = org_ + "-part-" + std::to_string(parts_.size() + 1);
        exec(
            tx,
            "INSERT INTO auth_parts (id, org_id, kind, value, value_lower, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {id, org_, kind, value, key.second, std::string{"2026-01-01T00:00:00.000Z"}}
        );
        parts_.emplace(key, id);
        return id;
    }

    std::string department(storage::Tx& tx, std::string const& name) {
        auto key = lower(name);
        if (auto it = departments_.find(key); it != departments_.end()) {
            return it->second;
        }
        std::string id = org_ + "-dept-" + std::to_string(departments_.size() + 1);
        exec(
            tx,
            "INSERT INTO departments (id, org_id, name, name_lower, created_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            {id, org_, name, key, std::string{"2026-01-01T00:00:00.000Z"}}
        );
        departments_.emplace(key, id);
        return id;
    }

    void link(
        storage::Tx& tx,
        std::string const& auth_id,
        std::string const& kind,
        std::vector<std::string> const& values
    ) {
        for (std::size_t i = 0; i < values.size(); ++i) {
            exec(
                tx,
                "INSERT INTO auth_part_links (org_id, auth_id, kind, position, part_id) "
                "VALUES ($1, $2, $3, $4, $5)",
                {org_, auth_id, kind, static_cast<std::int64_t>(i), part(tx, kind, values[i])}
            );
        }
    }

    storage::Db& db_;
    std::string org_;
    std::map<std::pair<std::string, std::string>, std::string> parts_;
    std::map<std::string, std::string> departments_;
};

}  // namespace signoff::testing
