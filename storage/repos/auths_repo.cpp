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
    "DELETE FROM auth_search WHERE org_id = $1 AND auth_id = $2",
};
constexpr std::string_view kDeleteAuth = "DELETE FROM auths WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> delete_auth(Tx& tx, std::string const& org_id, std::string const& id) {
    for (auto sql : kDeleteAuthChildren) {
        if (auto d = tx.exec(sql, {org_id, id}); !d) {
            return d.error();
        }
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

struct SearchRow {
    std::string auth_id;
    std::string sort_name;
    std::string document;
    std::string departments;
};

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
        "INSERT INTO auth_search (auth_id, org_id, sort_name, document, departments) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        sql += i > 0 ? ", (" : "(";
        for (std::size_t c = 1; c <= 5; ++c) {
            sql += (c > 1 ? ", $" : "$") + std::to_string(i * 5 + c);
        }
        sql += ")";
    }
    return sql + " ON CONFLICT (auth_id) DO NOTHING";
}

DbStatus insert_search_rows(
    Tx& tx, std::string const& org_id, std::vector<SearchRow> const& rows, std::size_t from
) {
    std::size_t n = std::min(kInsertRowsPerStatement, rows.size() - from);
    std::size_t padded = detail::padded_size(n);
    Params params;
    params.reserve(padded * 5);
    for (std::size_t i = 0; i < padded; ++i) {
        auto const& r = rows[from + std::min(i, n - 1)];
        params.insert(params.end(), {r.auth_id, org_id, r.sort_name, r.document, r.departments});
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
    "INSERT INTO auth_search (auth_id, org_id, sort_name, document, departments) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (auth_id) DO UPDATE SET "
    "sort_name = excluded.sort_name, document = excluded.document, "
    "departments = excluded.departments";
constexpr std::string_view kDeleteSearchRow =
    "DELETE FROM auth_search WHERE org_id = $1 AND auth_id = $2";

DbStatus refresh_search_row(Tx& tx, std::string const& org_id, std::string const& auth_id) {
    auto auth = find_auth(tx, org_id, auth_id);
    if (!auth) {
        return auth.error();
    }
    if (!*auth) {
        return as_status(tx.exec(kDeleteSearchRow, {org_id, auth_id}));
    }
    auto rows = search_rows_of(tx, org_id, {**auth});
    if (!rows) {
        return rows.error();
    }
    SearchRow const& row = rows->front();
    return as_status(tx.exec(
        kUpsertSearchRow, {row.auth_id, org_id, row.sort_name, row.document, row.departments}
    ));
}

constexpr std::string_view kDeleteOrgSearchRows = "DELETE FROM auth_search WHERE org_id = $1";
constexpr std::string_view kSelectAuthsAfter =
    "SELECT a.id, a.org_id, a.name_part_id, a.description_part_id, a.flag_part_id, a.group_id, "
    "a.created_by, a.created_at, a.updated_at, a.version, a.via_mcp, n.value, d.value, f.value "
    "FROM auths a JOIN auth_parts n ON n.id = a.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = a.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = a.flag_part_id "
    "WHERE a.org_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3";

DbResult<std::int64_t> rebuild_search_rows(Tx& tx, std::string const& org_id) {
    if (auto d = tx.exec(kDeleteOrgSearchRows, {org_id}); !d) {
        return d.error();
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
            if (auto st = insert_search_rows(tx, org_id, *rows, from); !st) {
                return st.error();
            }
        }
        written += static_cast<std::int64_t>(rows->size());
        after = page->back().auth.id;
    }
}

// ---- search ----------------------------------------------------------------------

namespace {

/// `(<alias>.departments LIKE $first OR …)` over `count` patterns, or a true
/// condition without a department filter.
std::string department_condition(std::string_view alias, std::size_t first, std::size_t count) {
    if (count == 0) {
        return "1 = 1";
    }
    std::string sql = "(";
    for (std::size_t i = 0; i < count; ++i) {
        sql += i > 0 ? " OR " : "";
        sql +=
            std::string{alias} + ".departments LIKE $" + std::to_string(first + i) + " ESCAPE '\\'";
    }
    return sql + ")";
}

/// The department filter's patterns (padded like id lists); answers how many.
std::size_t append_department_patterns(Params& params, std::vector<std::string> const& ids) {
    if (ids.empty()) {
        return 0;
    }
    std::vector<std::string> patterns;
    for (auto const& id : ids) {
        patterns.push_back(like_contains("," + id + ","));
    }
    detail::append_padded(params, patterns);
    return detail::padded_size(ids.size());
}

std::string replace_all(std::string sql, std::string_view marker, std::string const& with) {
    for (auto at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at)) {
        sql.replace(at, marker.size(), with);
        at += with.size();
    }
    return sql;
}

/// Adds each department of a group key (",id1,id2,") to `counts`.
void count_key(
    std::string const& key, std::int64_t n, std::unordered_map<std::string, std::int64_t>& counts
) {
    std::size_t start = 1;
    for (auto comma = key.find(',', start); comma != std::string::npos;
         comma = key.find(',', start)) {
        if (comma > start) {
            counts[key.substr(start, comma - start)] += n;
        }
        start = comma + 1;
    }
}

// With a text: one scan materialises the matches (m); the total and the page
// apply the department filter to m, the facet groups do not. The page's rows
// are numbered after the LIMIT (at most 100 of them) so their order survives
// the UNION ALL.
constexpr std::string_view kSearchMatching =
    "WITH m AS MATERIALIZED (SELECT s.auth_id, s.sort_name, s.departments FROM auth_search s "
    "WHERE s.org_id = $1 AND s.document LIKE $2 ESCAPE '\\') "
    "SELECT 0, CAST(NULL AS TEXT), COUNT(*) FROM m WHERE @DEPTS@ "
    "UNION ALL "
    "SELECT 1, p.auth_id, ROW_NUMBER() OVER (ORDER BY p.sort_name, p.auth_id) FROM "
    "(SELECT m.auth_id, m.sort_name FROM m WHERE @DEPTS@ ORDER BY m.sort_name, m.auth_id "
    "LIMIT $3 OFFSET $4) p "
    "UNION ALL "
    "SELECT 2, m.departments, COUNT(*) FROM m GROUP BY m.departments";

DbResult<SearchPage> search_matching(
    Tx& tx,
    std::string const& org_id,
    SearchFilter const& f,
    std::int64_t limit,
    std::int64_t offset,
    std::unordered_map<std::string, std::int64_t>& counts
) {
    Params params{org_id, *f.pattern, limit, offset};
    std::size_t n = append_department_patterns(params, f.department_ids);
    std::string sql =
        replace_all(std::string{kSearchMatching}, "@DEPTS@", department_condition("m", 5, n));
    auto rows = tx.query(sql, params);
    if (!rows) {
        return rows.error();
    }
    SearchPage out;
    std::vector<std::pair<std::int64_t, std::string>> page;
    for (auto const& r : *rows) {
        switch (r.integer(0)) {
            case 0:
                out.total = r.integer(2);
                break;
            case 1:
                page.emplace_back(r.integer(2), r.text(1));
                break;
            default:
                count_key(r.text(1), r.integer(2), counts);
        }
    }
    std::sort(page.begin(), page.end());
    for (auto& [position, id] : page) {
        out.ids.push_back(std::move(id));
    }
    return out;
}

constexpr std::string_view kCountAll =
    "SELECT COUNT(*) FROM auth_search s WHERE s.org_id = $1 AND @DEPTS@";
constexpr std::string_view kPageAll =
    "SELECT s.auth_id FROM auth_search s WHERE s.org_id = $1 AND @DEPTS@ "
    "ORDER BY s.sort_name, s.auth_id LIMIT $2 OFFSET $3";

DbResult<SearchPage> search_all(
    Tx& tx,
    std::string const& org_id,
    SearchFilter const& f,
    std::int64_t limit,
    std::int64_t offset
) {
    SearchPage out;
    Params count_params{org_id};
    std::size_t n = append_department_patterns(count_params, f.department_ids);
    auto total = count_of(tx.query(
        replace_all(std::string{kCountAll}, "@DEPTS@", department_condition("s", 2, n)),
        count_params
    ));
    if (!total) {
        return total.error();
    }
    out.total = *total;
    Params page_params{org_id, limit, offset};
    append_department_patterns(page_params, f.department_ids);
    auto ids = detail::all_rows(
        tx.query(
            replace_all(std::string{kPageAll}, "@DEPTS@", department_condition("s", 4, n)),
            page_params
        ),
        [](Row const& r) { return r.text(0); }
    );
    if (!ids) {
        return ids.error();
    }
    out.ids = std::move(*ids);
    return out;
}

// Without a text, a department's count is its number of auth links, read
// from the (department_id, org_id, auth_id) index per listed department.
constexpr std::string_view kFacetsAll =
    "SELECT d.id, d.name, (SELECT COUNT(*) FROM auth_departments ad "
    "WHERE ad.department_id = d.id AND ad.org_id = d.org_id) FROM departments d "
    "WHERE d.org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR d.name_lower LIKE $2 ESCAPE '\\') "
    "ORDER BY d.name_lower, d.id LIMIT $3";

}  // namespace

DbResult<SearchPage> search_auths(
    Tx& tx,
    std::string const& org_id,
    SearchFilter const& filter,
    std::int64_t limit,
    std::int64_t offset,
    std::optional<std::string> const& facet_pattern,
    std::int64_t facet_limit
) {
    if (!filter.pattern) {
        auto out = search_all(tx, org_id, filter, limit, offset);
        if (!out) {
            return out.error();
        }
        auto facets = detail::all_rows(
            tx.query(kFacetsAll, {org_id, opt_text(facet_pattern), facet_limit}),
            [](Row const& r) {
                return FacetRow{r.text(0), r.text(1), r.integer(2)};
            }
        );
        if (!facets) {
            return facets.error();
        }
        out->facets = std::move(*facets);
        return out;
    }
    std::unordered_map<std::string, std::int64_t> counts;
    auto out = search_matching(tx, org_id, filter, limit, offset, counts);
    if (!out) {
        return out.error();
    }
    auto departments = list_departments(tx, org_id, facet_pattern, facet_limit, 0);
    if (!departments) {
        return departments.error();
    }
    for (auto const& d : *departments) {
        out->facets.push_back(FacetRow{d.id, d.name, counts[d.id]});
    }
    return out;
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
