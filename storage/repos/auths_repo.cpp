// Portable SQL for auths, their links and departments, and the auth_search
// view (see auths_repo.hpp). Lists of ids are bound as padded IN lists
// (auth_common_repo.hpp), so a page of summaries costs one query per table.
#include "storage/repos/auths_repo.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "storage/repos/auth_common_repo.hpp"
#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

constexpr std::int64_t kRebuildBatch = 500;
constexpr std::size_t kInsertRowsPerStatement = 100;

/// The auth columns and joined values, as every auth SELECT below lists them.
AuthView view_from(Row const& r) {
    return AuthView{
        AuthRecord{
            r.text(0),
            r.text(1),
            r.text(2),
            r.opt_text(3),
            r.opt_text(4),
            r.opt_text(5),
            r.text(6),
            r.text(7),
            r.text(8),
            r.integer(9),
            r.boolean(10),
        },
        r.text(11),
        r.opt_text(12),
        r.opt_text(13),
    };
}

LinkView link_from(Row const& r) {
    return LinkView{r.text(0), r.text(1), r.integer(2), r.text(3), r.text(4)};
}

OwnedDepartment owned_department_from(Row const& r) {
    return OwnedDepartment{
        r.text(0),
        DepartmentRecord{r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.boolean(6)},
    };
}

/// Runs `sql` (with an @IDS@ marker) with `head` parameters then the padded ids.

// ---- search generations (0011_search_generations.sql) ----

constexpr std::string_view kNextSearchGen =
    "INSERT INTO auth_search_state (org_id, gen, reload_below) VALUES ($1, 1, 0) "
    "ON CONFLICT (org_id) DO UPDATE SET gen = auth_search_state.gen + 1 RETURNING gen";

/// The org's next search generation; the row lock it takes orders the
/// generations of concurrent writers like their commits.
DbResult<std::int64_t> next_search_gen(Tx& tx, std::string const& org_id) {
    auto rows = tx.query(kNextSearchGen, {org_id});
    if (!rows) {
        return rows.error();
    }
    return rows->front().integer(0);
}

constexpr std::string_view kDeleteSearchRow =
    "DELETE FROM auth_search WHERE org_id = $1 AND auth_id = $2";
constexpr std::string_view kRecordSearchDeletion =
    "INSERT INTO auth_search_deletions (org_id, gen, auth_id) VALUES ($1, $2, $3)";

/// Deletes the auth's search row and records the deletion for the indexes
/// that still hold it.
DbStatus delete_search_row(Tx& tx, std::string const& org_id, std::string const& auth_id) {
    auto deleted = tx.exec(kDeleteSearchRow, {org_id, auth_id});
    if (!deleted) {
        return deleted.error();
    }
    if (*deleted == 0) {
        return {};
    }
    auto gen = next_search_gen(tx, org_id);
    if (!gen) {
        return gen.error();
    }
    return as_status(tx.exec(kRecordSearchDeletion, {org_id, *gen, auth_id}));
}

}  // namespace

// ---- auths -------------------------------------------------------------------

constexpr std::string_view kInsertAuth =
    "INSERT INTO auths (id, org_id, name_part_id, description_part_id, flag_part_id, group_id, "
    "created_by, created_at, updated_at, version, via_mcp) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

DbStatus insert_auth(Tx& tx, AuthRecord const& a) {
    return as_status(tx.exec(
        kInsertAuth,
        {a.id,
         a.org_id,
         a.name_part_id,
         opt_text(a.description_part_id),
         opt_text(a.flag_part_id),
         opt_text(a.group_id),
         a.created_by,
         a.created_at,
         a.updated_at,
         a.version,
         detail::flag(a.via_mcp)}
    ));
}

constexpr std::string_view kSelectAuthById =
    "SELECT a.id, a.org_id, a.name_part_id, a.description_part_id, a.flag_part_id, a.group_id, "
    "a.created_by, a.created_at, a.updated_at, a.version, a.via_mcp, n.value, d.value, f.value "
    "FROM auths a JOIN auth_parts n ON n.id = a.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = a.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = a.flag_part_id "
    "WHERE a.org_id = $1 AND a.id = $2";

DbResult<std::optional<AuthView>> find_auth(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectAuthById, {org_id, id}), view_from);
}

constexpr std::string_view kUpdateAuth =
    "UPDATE auths SET name_part_id = $3, description_part_id = $4, flag_part_id = $5, "
    "group_id = $6, updated_at = $7, via_mcp = $8, version = version + 1 "
    "WHERE org_id = $1 AND id = $2 AND version = $9";

DbResult<std::int64_t> update_auth(Tx& tx, AuthRecord const& a, std::int64_t expected_version) {
    return tx.exec(
        kUpdateAuth,
        {a.org_id,
         a.id,
         a.name_part_id,
         opt_text(a.description_part_id),
         opt_text(a.flag_part_id),
         opt_text(a.group_id),
         a.updated_at,
         detail::flag(a.via_mcp),
         expected_version}
    );
}

// Children first: the foreign keys point at the auth and at its drafts.
constexpr std::string_view kDeleteAuthChildren[] = {
    "DELETE FROM draft_part_links WHERE org_id = $1 AND draft_id IN "
    "(SELECT id FROM auth_drafts WHERE org_id = $1 AND auth_id = $2)",
    "DELETE FROM draft_departments WHERE org_id = $1 AND draft_id IN "
    "(SELECT id FROM auth_drafts WHERE org_id = $1 AND auth_id = $2)",
    "DELETE FROM auth_drafts WHERE org_id = $1 AND auth_id = $2",
    "DELETE FROM auth_part_links WHERE org_id = $1 AND auth_id = $2",
    "DELETE FROM auth_departments WHERE org_id = $1 AND auth_id = $2",
};
constexpr std::string_view kDeleteAuth = "DELETE FROM auths WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> delete_auth(Tx& tx, std::string const& org_id, std::string const& id) {
    for (auto sql : kDeleteAuthChildren) {
        if (auto d = tx.exec(sql, {org_id, id}); !d) {
            return d.error();
        }
    }
    if (auto st = delete_search_row(tx, org_id, id); !st) {
        return st.error();
    }
    return tx.exec(kDeleteAuth, {org_id, id});
}

constexpr std::string_view kDeleteAuthLinks =
    "DELETE FROM auth_part_links WHERE org_id = $1 AND auth_id = $2 AND kind = $3";
constexpr std::string_view kInsertAuthLink =
    "INSERT INTO auth_part_links (org_id, auth_id, kind, position, part_id) "
    "VALUES ($1, $2, $3, $4, $5)";

DbStatus replace_auth_links(
    Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    std::string const& kind,
    std::vector<std::string> const& part_ids
) {
    if (auto d = tx.exec(kDeleteAuthLinks, {org_id, auth_id, kind}); !d) {
        return d.error();
    }
    std::int64_t position = 0;
    for (auto const& part_id : part_ids) {
        if (auto i = tx.exec(kInsertAuthLink, {org_id, auth_id, kind, position++, part_id}); !i) {
            return i.error();
        }
    }
    return {};
}

constexpr std::string_view kDeleteAuthDepartments =
    "DELETE FROM auth_departments WHERE org_id = $1 AND auth_id = $2";
constexpr std::string_view kInsertAuthDepartment =
    "INSERT INTO auth_departments (org_id, auth_id, department_id) VALUES ($1, $2, $3)";

DbStatus replace_auth_departments(
    Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    std::vector<std::string> const& department_ids
) {
    if (auto d = tx.exec(kDeleteAuthDepartments, {org_id, auth_id}); !d) {
        return d.error();
    }
    for (auto const& id : department_ids) {
        if (auto i = tx.exec(kInsertAuthDepartment, {org_id, auth_id, id}); !i) {
            return i.error();
        }
    }
    return {};
}

constexpr std::string_view kSelectAuthLinks =
    "SELECT l.auth_id, l.kind, l.position, p.id, p.value FROM auth_part_links l "
    "JOIN auth_parts p ON p.id = l.part_id "
    "WHERE l.org_id = $1 AND l.auth_id IN (@IDS@) ORDER BY l.auth_id, l.kind, l.position";

DbResult<std::vector<LinkView>> list_auth_links(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& auth_ids
) {
    if (auth_ids.empty()) {
        return std::vector<LinkView>{};
    }
    return detail::all_rows(detail::query_ids(tx, kSelectAuthLinks, {org_id}, auth_ids), link_from);
}

constexpr std::string_view kSelectAuthDepartments =
    "SELECT ad.auth_id, d.id, d.org_id, d.name, d.name_lower, d.created_at, d.via_mcp "
    "FROM auth_departments ad JOIN departments d ON d.id = ad.department_id "
    "WHERE ad.org_id = $1 AND ad.auth_id IN (@IDS@) ORDER BY ad.auth_id, d.name_lower, d.id";

DbResult<std::vector<OwnedDepartment>> list_auth_departments(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& auth_ids
) {
    if (auth_ids.empty()) {
        return std::vector<OwnedDepartment>{};
    }
    return detail::all_rows(
        detail::query_ids(tx, kSelectAuthDepartments, {org_id}, auth_ids), owned_department_from
    );
}

// ---- the search view -----------------------------------------------------------

std::string search_lower(std::string const& s) {
    std::string out = s;
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string search_document(
    std::string const& name,
    std::optional<std::string> const& description,
    std::vector<std::string> const& slugs,
    std::vector<std::string> const& protocols
) {
    // One value per line: a search text (which may not contain a newline)
    // never matches across two values.
    std::string doc = name;
    doc += '\n';
    doc += description.value_or("");
    for (auto const* list : {&slugs, &protocols}) {
        for (auto const& v : *list) {
            doc += '\n';
            doc += v;
        }
    }
    return search_lower(doc);
}

namespace {

SearchRow search_row_of(
    AuthView const& a,
    std::vector<LinkView> const& links,
    std::vector<OwnedDepartment> const& departments
) {
    std::vector<std::string> slugs;
    std::vector<std::string> protocols;
    for (auto const& l : links) {
        if (l.kind == "slug") {
            slugs.push_back(l.value);
        } else if (l.kind == "protocol") {
            protocols.push_back(l.value);
        }
    }
    std::vector<std::string> department_ids;
    for (auto const& d : departments) {
        department_ids.push_back(d.department.id);
    }
    return SearchRow{
        a.auth.id,
        search_lower(a.name),
        search_document(a.name, a.description, slugs, protocols),
        departments_key(std::move(department_ids)),
    };
}

/// INSERT of `rows` search rows; with DO NOTHING, the padding rows (copies of
/// the last one) are skipped.
std::string insert_search_rows_sql(std::size_t rows) {
    std::string sql =
        "INSERT INTO auth_search (auth_id, org_id, sort_name, document, departments, gen) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        sql += i > 0 ? ", (" : "(";
        for (std::size_t c = 1; c <= 6; ++c) {
            sql += (c > 1 ? ", $" : "$") + std::to_string(i * 6 + c);
        }
        sql += ")";
    }
    return sql + " ON CONFLICT (auth_id) DO NOTHING";
}

DbStatus insert_search_rows(
    Tx& tx,
    std::string const& org_id,
    std::int64_t gen,
    std::vector<SearchRow> const& rows,
    std::size_t from
) {
    std::size_t n = std::min(kInsertRowsPerStatement, rows.size() - from);
    std::size_t padded = detail::padded_size(n);
    Params params;
    params.reserve(padded * 6);
    for (std::size_t i = 0; i < padded; ++i) {
        auto const& r = rows[from + std::min(i, n - 1)];
        params.insert(
            params.end(), {r.auth_id, org_id, r.sort_name, r.document, r.departments, gen}
        );
    }
    return as_status(tx.exec(insert_search_rows_sql(padded), params));
}

/// Search rows of a batch of auths: their links and departments in one query each.
DbResult<std::vector<SearchRow>> search_rows_of(
    Tx& tx, std::string const& org_id, std::vector<AuthView> const& auths
) {
    std::vector<std::string> ids;
    for (auto const& a : auths) {
        ids.push_back(a.auth.id);
    }
    auto links = list_auth_links(tx, org_id, ids);
    if (!links) {
        return links.error();
    }
    auto departments = list_auth_departments(tx, org_id, ids);
    if (!departments) {
        return departments.error();
    }
    std::unordered_map<std::string, std::vector<LinkView>> links_of;
    for (auto& l : *links) {
        links_of[l.owner_id].push_back(std::move(l));
    }
    std::unordered_map<std::string, std::vector<OwnedDepartment>> departments_of;
    for (auto& d : *departments) {
        departments_of[d.owner_id].push_back(std::move(d));
    }
    std::vector<SearchRow> rows;
    rows.reserve(auths.size());
    for (auto const& a : auths) {
        rows.push_back(search_row_of(a, links_of[a.auth.id], departments_of[a.auth.id]));
    }
    return rows;
}

}  // namespace

std::string departments_key(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    std::string key = ",";
    for (auto const& id : ids) {
        key += id + ",";
    }
    return key;
}

constexpr std::string_view kUpsertSearchRow =
    "INSERT INTO auth_search (auth_id, org_id, sort_name, document, departments, gen) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (auth_id) DO UPDATE SET "
    "sort_name = excluded.sort_name, document = excluded.document, "
    "departments = excluded.departments, gen = excluded.gen";

DbStatus refresh_search_row(Tx& tx, std::string const& org_id, std::string const& auth_id) {
    auto auth = find_auth(tx, org_id, auth_id);
    if (!auth) {
        return auth.error();
    }
    if (!*auth) {
        return delete_search_row(tx, org_id, auth_id);
    }
    auto rows = search_rows_of(tx, org_id, {**auth});
    if (!rows) {
        return rows.error();
    }
    auto gen = next_search_gen(tx, org_id);
    if (!gen) {
        return gen.error();
    }
    SearchRow const& row = rows->front();
    return as_status(tx.exec(
        kUpsertSearchRow, {row.auth_id, org_id, row.sort_name, row.document, row.departments, *gen}
    ));
}

constexpr std::string_view kDeleteOrgSearchRows = "DELETE FROM auth_search WHERE org_id = $1";
constexpr std::string_view kForgetDeletions = "DELETE FROM auth_search_deletions WHERE org_id = $1";
constexpr std::string_view kReloadBelow =
    "UPDATE auth_search_state SET reload_below = $2 WHERE org_id = $1";
constexpr std::string_view kSelectAuthsAfter =
    "SELECT a.id, a.org_id, a.name_part_id, a.description_part_id, a.flag_part_id, a.group_id, "
    "a.created_by, a.created_at, a.updated_at, a.version, a.via_mcp, n.value, d.value, f.value "
    "FROM auths a JOIN auth_parts n ON n.id = a.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = a.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = a.flag_part_id "
    "WHERE a.org_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3";

DbResult<std::int64_t> rebuild_search_rows(Tx& tx, std::string const& org_id) {
    auto gen = next_search_gen(tx, org_id);
    if (!gen) {
        return gen.error();
    }
    for (auto sql : {kDeleteOrgSearchRows, kForgetDeletions, kReloadBelow}) {
        Params params{org_id};
        if (sql == kReloadBelow) {
            params.emplace_back(*gen);
        }
        if (auto d = tx.exec(sql, params); !d) {
            return d.error();
        }
    }
    std::int64_t written = 0;
    std::string after;
    for (;;) {
        auto page = detail::all_rows(
            tx.query(kSelectAuthsAfter, {org_id, after, kRebuildBatch}), view_from
        );
        if (!page) {
            return page.error();
        }
        if (page->empty()) {
            return written;
        }
        auto rows = search_rows_of(tx, org_id, *page);
        if (!rows) {
            return rows.error();
        }
        for (std::size_t from = 0; from < rows->size(); from += kInsertRowsPerStatement) {
            if (auto st = insert_search_rows(tx, org_id, *gen, *rows, from); !st) {
                return st.error();
            }
        }
        written += static_cast<std::int64_t>(rows->size());
        after = page->back().auth.id;
    }
}

// ---- search generations ------------------------------------------------------------

constexpr std::string_view kSelectSearchGeneration =
    "SELECT gen, reload_below FROM auth_search_state WHERE org_id = $1";

DbResult<SearchGeneration> search_generation(Tx& tx, std::string const& org_id) {
    auto rows = tx.query(kSelectSearchGeneration, {org_id});
    if (!rows) {
        return rows.error();
    }
    if (rows->empty()) {
        return SearchGeneration{};
    }
    return SearchGeneration{rows->front().integer(0), rows->front().integer(1)};
}

// Row values keep the page on the (org_id, sort_name, auth_id) key of both
// back ends.
constexpr std::string_view kSelectSearchRowsPage =
    "SELECT auth_id, sort_name, document, departments FROM auth_search "
    "WHERE org_id = $1 AND (sort_name, auth_id) > ($2, $3) "
    "ORDER BY sort_name, auth_id LIMIT $4";

namespace {

SearchRow search_row_from(Row const& r) {
    return SearchRow{r.text(0), r.text(1), r.text(2), r.text(3)};
}

}  // namespace

DbResult<std::vector<SearchRow>> search_rows_page(
    Tx& tx,
    std::string const& org_id,
    std::string const& after_name,
    std::string const& after_id,
    std::int64_t limit
) {
    return detail::all_rows(
        tx.query(kSelectSearchRowsPage, {org_id, after_name, after_id, limit}), search_row_from
    );
}

constexpr std::string_view kSelectSearchRowsAfter =
    "SELECT auth_id, sort_name, document, departments FROM auth_search "
    "WHERE org_id = $1 AND gen > $2";

DbResult<std::vector<SearchRow>> search_rows_after(
    Tx& tx, std::string const& org_id, std::int64_t after
) {
    return detail::all_rows(tx.query(kSelectSearchRowsAfter, {org_id, after}), search_row_from);
}

constexpr std::string_view kSelectSearchDeletionsAfter =
    "SELECT auth_id FROM auth_search_deletions WHERE org_id = $1 AND gen > $2";

DbResult<std::vector<std::string>> search_deletions_after(
    Tx& tx, std::string const& org_id, std::int64_t after
) {
    return detail::all_rows(
        tx.query(kSelectSearchDeletionsAfter, {org_id, after}),
        [](Row const& r) { return r.text(0); }
    );
}

constexpr std::string_view kSelectAuthsByIds =
    "SELECT a.id, a.org_id, a.name_part_id, a.description_part_id, a.flag_part_id, a.group_id, "
    "a.created_by, a.created_at, a.updated_at, a.version, a.via_mcp, n.value, d.value, f.value "
    "FROM auths a JOIN auth_parts n ON n.id = a.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = a.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = a.flag_part_id "
    "WHERE a.org_id = $1 AND a.id IN (@IDS@)";

DbResult<std::vector<AuthView>> find_auths(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& ids
) {
    if (ids.empty()) {
        return std::vector<AuthView>{};
    }
    return detail::all_rows(detail::query_ids(tx, kSelectAuthsByIds, {org_id}, ids), view_from);
}

}  // namespace signoff::storage::repos
