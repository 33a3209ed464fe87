// Portable SQL for the export read (see auths_export_repo.hpp). A batch is the
// id range [first, last] of its auths: the link and department statements
// select that range through their (auth_id, …) primary keys instead of an IN
// list, and their rows are attached to the batch's records through a map, so
// the result does not depend on how either dialect collates ids.
//
// The departments statement checks the org on the department, not on
// auth_departments: with `ad.org_id = $3` SQLite prefers the (org_id,
// department_id) index and scans every link of the org for each batch
// (100,000 auths: 35 s instead of well under one). Its CROSS JOIN fixes the
// join order for SQLite (PostgreSQL plans it as an inner join): with the
// (department_id, org_id, auth_id) index that migration 0013 dropped, SQLite
// drove the join from the org's departments and read every link of each,
// which the auth range cannot narrow: two thirds of a 100,000-auth export's
// time. The order stays pinned so no future index can bring that back.
// The links statement looks part values up with a scalar sub-select rather
// than a join: PostgreSQL otherwise hashes every part of the org for each
// batch (96 ms a batch instead of 5).
#include "storage/repos/auths_export_repo.hpp"

#include <string_view>
#include <unordered_map>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

AuthExportRecord record_from(Row const& r) {
    AuthExportRecord a;
    a.id = r.text(0);
    a.name = r.text(1);
    a.description = r.text(2);
    a.flag = r.opt_text(3);
    a.group_id = r.opt_text(4);
    a.version = r.integer(5);
    a.created_by = r.text(6);
    a.created_at = r.text(7);
    a.updated_at = r.text(8);
    return a;
}

using Index = std::unordered_map<std::string, std::size_t>;

Index index_of(std::vector<AuthExportRecord> const& batch) {
    Index index;
    index.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        index.emplace(batch[i].id, i);
    }
    return index;
}

std::vector<std::string>* list_for(AuthExportRecord& a, std::string const& kind) {
    if (kind == "protocol") {
        return &a.protocols;
    }
    if (kind == "slug") {
        return &a.slugs;
    }
    if (kind == "item") {
        return &a.items;
    }
    return nullptr;
}

}  // namespace

constexpr std::string_view kCountExportAuths =
    "SELECT COUNT(*) FROM auths WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id = $2)";

DbResult<std::int64_t> count_export_auths(
    Tx& tx, std::string const& org_id, std::optional<std::string> const& only_id
) {
    return count_of(tx.query(kCountExportAuths, {org_id, opt_text(only_id)}));
}

constexpr std::string_view kSelectExportAuths =
    "SELECT a.id, n.value, d.value, f.value, a.group_id, a.version, a.created_by, a.created_at, "
    "a.updated_at FROM auths a "
    "JOIN auth_parts n ON n.id = a.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = a.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = a.flag_part_id "
    "WHERE a.org_id = $1 AND a.id > $2 AND (CAST($3 AS TEXT) IS NULL OR a.id = $3) "
    "ORDER BY a.id LIMIT $4";

constexpr std::string_view kSelectExportLinks =
    "SELECT l.auth_id, l.kind, (SELECT p.value FROM auth_parts p WHERE p.id = l.part_id) "
    "FROM auth_part_links l "
    "WHERE l.auth_id >= $1 AND l.auth_id <= $2 AND l.org_id = $3 "
    "ORDER BY l.auth_id, l.kind, l.position";

constexpr std::string_view kSelectExportDepartments =
    "SELECT ad.auth_id, dp.name FROM auth_departments ad CROSS JOIN departments dp "
    "WHERE dp.id = ad.department_id AND dp.org_id = $3 "
    "AND ad.auth_id >= $1 AND ad.auth_id <= $2 "
    "ORDER BY ad.auth_id, dp.name_lower, dp.id";

DbResult<std::vector<AuthExportRecord>> export_auths_batch(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_id,
    std::int64_t limit,
    std::optional<std::string> const& only_id
) {
    auto rows = tx.query(kSelectExportAuths, {org_id, after_id, opt_text(only_id), limit});
    if (!rows) {
        return rows.error();
    }
    std::vector<AuthExportRecord> batch;
    batch.reserve(rows->size());
    for (auto const& r : *rows) {
        batch.push_back(record_from(r));
    }
    if (batch.empty()) {
        return batch;
    }
    auto const index = index_of(batch);
    Params const range{batch.front().id, batch.back().id, org_id};
    auto links = tx.query(kSelectExportLinks, range);
    if (!links) {
        return links.error();
    }
    for (auto const& r : *links) {
        auto it = index.find(r.text(0));
        auto* list = it == index.end() ? nullptr : list_for(batch[it->second], r.text(1));
        if (list != nullptr) {
            list->push_back(r.text(2));
        }
    }
    auto departments = tx.query(kSelectExportDepartments, range);
    if (!departments) {
        return departments.error();
    }
    for (auto const& r : *departments) {
        if (auto it = index.find(r.text(0)); it != index.end()) {
            batch[it->second].departments.push_back(r.text(1));
        }
    }
    return batch;
}

}  // namespace signoff::storage::repos
