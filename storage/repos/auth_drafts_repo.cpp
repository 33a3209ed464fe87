// Portable SQL for auth drafts, their links and departments (see
// auth_drafts_repo.hpp).
#include "storage/repos/auth_drafts_repo.hpp"

#include <string_view>

#include "storage/repos/auth_common_repo.hpp"
#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

Value opt_int(std::optional<std::int64_t> v) {
    return v ? Value{*v} : null_value();
}

std::optional<std::int64_t> opt_int_at(Row const& r, std::size_t i) {
    return r.is_null(i) ? std::nullopt : std::optional<std::int64_t>{r.integer(i)};
}

DraftRecord draft_from(Row const& r) {
    return DraftRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.opt_text(3),
        opt_int_at(r, 4),
        r.integer(5),
        r.opt_text(6),
        r.opt_text(7),
        r.opt_text(8),
        r.opt_text(9),
        r.text(10),
        r.text(11),
        r.boolean(12),
    };
}

DraftView draft_view_from(Row const& r) {
    return DraftView{draft_from(r), r.opt_text(13), r.opt_text(14), r.opt_text(15)};
}

}  // namespace

constexpr std::string_view kInsertDraft =
    "INSERT INTO auth_drafts (id, org_id, owner_id, auth_id, base_version, version, "
    "name_part_id, description_part_id, flag_part_id, group_id, created_at, updated_at, via_mcp) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

DbStatus insert_draft(Tx& tx, DraftRecord const& d) {
    return as_status(tx.exec(
        kInsertDraft,
        {d.id,
         d.org_id,
         d.owner_id,
         opt_text(d.auth_id),
         opt_int(d.base_version),
         d.version,
         opt_text(d.name_part_id),
         opt_text(d.description_part_id),
         opt_text(d.flag_part_id),
         opt_text(d.group_id),
         d.created_at,
         d.updated_at,
         detail::flag(d.via_mcp)}
    ));
}

// Columns 0-12: the draft; 13-15: the values of its name, description, flag.
constexpr std::string_view kSelectDraftById =
    "SELECT r.id, r.org_id, r.owner_id, r.auth_id, r.base_version, r.version, r.name_part_id, "
    "r.description_part_id, r.flag_part_id, r.group_id, r.created_at, r.updated_at, r.via_mcp, "
    "n.value, d.value, f.value FROM auth_drafts r "
    "LEFT JOIN auth_parts n ON n.id = r.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = r.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = r.flag_part_id "
    "WHERE r.org_id = $1 AND r.id = $2";

DbResult<std::optional<DraftView>> find_draft(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectDraftById, {org_id, id}), draft_view_from);
}

constexpr std::string_view kSelectDraftVersion =
    "SELECT version FROM auth_drafts WHERE org_id = $1 AND id = $2";

DbResult<std::optional<std::int64_t>> draft_version(
    Tx& tx, std::string const& org_id, std::string const& id
) {
    return first_row(tx.query(kSelectDraftVersion, {org_id, id}), [](Row const& r) {
        return r.integer(0);
    });
}

constexpr std::string_view kUpdateDraft =
    "UPDATE auth_drafts SET name_part_id = $3, description_part_id = $4, flag_part_id = $5, "
    "group_id = $6, updated_at = $7, via_mcp = $8, version = version + 1 "
    "WHERE org_id = $1 AND id = $2 AND version = $9";

DbResult<std::int64_t> update_draft(Tx& tx, DraftRecord const& d, std::int64_t expected_version) {
    return tx.exec(
        kUpdateDraft,
        {d.org_id,
         d.id,
         opt_text(d.name_part_id),
         opt_text(d.description_part_id),
         opt_text(d.flag_part_id),
         opt_text(d.group_id),
         d.updated_at,
         detail::flag(d.via_mcp),
         expected_version}
    );
}

constexpr std::string_view kDeleteDraftChildren[] = {
    "DELETE FROM draft_part_links WHERE org_id = $1 AND draft_id = $2",
    "DELETE FROM draft_departments WHERE org_id = $1 AND draft_id = $2",
};
constexpr std::string_view kDeleteDraft = "DELETE FROM auth_drafts WHERE org_id = $1 AND id = $2";

DbResult<std::int64_t> delete_draft(Tx& tx, std::string const& org_id, std::string const& id) {
    for (auto sql : kDeleteDraftChildren) {
        if (auto d = tx.exec(sql, {org_id, id}); !d) {
            return d.error();
        }
    }
    return tx.exec(kDeleteDraft, {org_id, id});
}

constexpr std::string_view kSelectOwnerDrafts =
    "SELECT r.id, r.org_id, r.owner_id, r.auth_id, r.base_version, r.version, r.name_part_id, "
    "r.description_part_id, r.flag_part_id, r.group_id, r.created_at, r.updated_at, r.via_mcp, "
    "n.value, d.value, f.value FROM auth_drafts r "
    "LEFT JOIN auth_parts n ON n.id = r.name_part_id "
    "LEFT JOIN auth_parts d ON d.id = r.description_part_id "
    "LEFT JOIN auth_parts f ON f.id = r.flag_part_id "
    "WHERE r.org_id = $1 AND r.owner_id = $2 ORDER BY r.updated_at DESC, r.id DESC";

DbResult<std::vector<DraftView>> list_owner_drafts(
    Tx& tx, std::string const& org_id, std::string const& owner_id
) {
    return detail::all_rows(tx.query(kSelectOwnerDrafts, {org_id, owner_id}), draft_view_from);
}

constexpr std::string_view kSelectOwnerDraftOfAuth =
    "SELECT id, org_id, owner_id, auth_id, base_version, version, name_part_id, "
    "description_part_id, flag_part_id, group_id, created_at, updated_at, via_mcp "
    "FROM auth_drafts WHERE org_id = $1 AND owner_id = $2 AND auth_id = $3 "
    "ORDER BY updated_at DESC, id DESC LIMIT 1";

DbResult<std::optional<DraftRecord>> find_owner_draft_of_auth(
    Tx& tx, std::string const& org_id, std::string const& owner_id, std::string const& auth_id
) {
    return first_row(tx.query(kSelectOwnerDraftOfAuth, {org_id, owner_id, auth_id}), draft_from);
}

constexpr std::string_view kDeleteDraftLinks =
    "DELETE FROM draft_part_links WHERE org_id = $1 AND draft_id = $2 AND kind = $3";
constexpr std::string_view kInsertDraftLink =
    "INSERT INTO draft_part_links (org_id, draft_id, kind, position, part_id) "
    "VALUES ($1, $2, $3, $4, $5)";

DbStatus replace_draft_links(
    Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    std::string const& kind,
    std::vector<std::string> const& part_ids
) {
    if (auto d = tx.exec(kDeleteDraftLinks, {org_id, draft_id, kind}); !d) {
        return d.error();
    }
    std::int64_t position = 0;
    for (auto const& part_id : part_ids) {
        if (auto i = tx.exec(kInsertDraftLink, {org_id, draft_id, kind, position++, part_id}); !i) {
            return i.error();
        }
    }
    return {};
}

constexpr std::string_view kDeleteDraftDepartments =
    "DELETE FROM draft_departments WHERE org_id = $1 AND draft_id = $2";
constexpr std::string_view kInsertDraftDepartment =
    "INSERT INTO draft_departments (org_id, draft_id, department_id) VALUES ($1, $2, $3)";

DbStatus replace_draft_departments(
    Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    std::vector<std::string> const& department_ids
) {
    if (auto d = tx.exec(kDeleteDraftDepartments, {org_id, draft_id}); !d) {
        return d.error();
    }
    for (auto const& id : department_ids) {
        if (auto i = tx.exec(kInsertDraftDepartment, {org_id, draft_id, id}); !i) {
            return i.error();
        }
    }
    return {};
}

constexpr std::string_view kSelectDraftLinks =
    "SELECT l.draft_id, l.kind, l.position, p.id, p.value FROM draft_part_links l "
    "JOIN auth_parts p ON p.id = l.part_id "
    "WHERE l.org_id = $1 AND l.draft_id IN (@IDS@) ORDER BY l.draft_id, l.kind, l.position";

DbResult<std::vector<LinkView>> list_draft_links(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& draft_ids
) {
    if (draft_ids.empty()) {
        return std::vector<LinkView>{};
    }
    return detail::all_rows(
        detail::query_ids(tx, kSelectDraftLinks, {org_id}, draft_ids),
        [](Row const& r) {
            return LinkView{r.text(0), r.text(1), r.integer(2), r.text(3), r.text(4)};
        }
    );
}

constexpr std::string_view kSelectDraftDepartments =
    "SELECT dd.draft_id, d.id, d.org_id, d.name, d.name_lower, d.created_at, d.via_mcp "
    "FROM draft_departments dd JOIN departments d ON d.id = dd.department_id "
    "WHERE dd.org_id = $1 AND dd.draft_id IN (@IDS@) ORDER BY dd.draft_id, d.name_lower, d.id";

DbResult<std::vector<OwnedDepartment>> list_draft_departments(
    Tx& tx, std::string const& org_id, std::vector<std::string> const& draft_ids
) {
    if (draft_ids.empty()) {
        return std::vector<OwnedDepartment>{};
    }
    return detail::all_rows(
        detail::query_ids(tx, kSelectDraftDepartments, {org_id}, draft_ids),
        [](Row const& r) {
            return OwnedDepartment{
                r.text(0),
                DepartmentRecord{
                    r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.boolean(6)},
            };
        }
    );
}

}  // namespace signoff::storage::repos
