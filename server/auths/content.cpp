// Loading and writing what auths and drafts are made of (see content.hpp).
#include "server/auths/content.hpp"

#include <map>

#include "server/core/db_map.hpp"

namespace signoff::server::auths::detail {
namespace {

namespace repos = storage::repos;
using core::Result;
using storage::Tx;

std::optional<PartRef> ref_of(
    std::optional<std::string> const& id, std::optional<std::string> const& value
) {
    if (!id) {
        return std::nullopt;
    }
    return PartRef{*id, value.value_or("")};
}

/// Links and departments of several owners (auths or drafts), by owner id.
struct Lists {
    std::map<std::string, std::vector<repos::LinkView>> links;
    std::map<std::string, std::vector<Department>> departments;
};

Lists group_lists(
    std::vector<repos::LinkView> links, std::vector<repos::OwnedDepartment> const& departments
) {
    Lists out;
    for (auto& l : links) {
        out.links[l.owner_id].push_back(std::move(l));
    }
    for (auto const& d : departments) {
        out.departments[d.owner_id].push_back(to_department(d.department));
    }
    return out;
}

/// Fills the many-valued parts and departments of `c` from the owner's lists.
void fill_lists(AuthContent& c, Lists const& lists, std::string const& owner_id) {
    if (auto it = lists.links.find(owner_id); it != lists.links.end()) {
        for (auto const& l : it->second) {
            PartRef ref{l.part_id, l.value};
            if (l.kind == kKindProtocol) {
                c.protocols.push_back(std::move(ref));
            } else if (l.kind == kKindSlug) {
                c.slugs.push_back(std::move(ref));
            } else if (l.kind == kKindItem) {
                c.items.push_back(std::move(ref));
            }
        }
    }
    if (auto it = lists.departments.find(owner_id); it != lists.departments.end()) {
        c.departments = it->second;
    }
}

Result<Lists> auth_lists(Tx& tx, std::string const& org_id, std::vector<std::string> const& ids) {
    auto links = core::from_db(repos::list_auth_links(tx, org_id, ids));
    if (!links) {
        return links.error();
    }
    auto departments = core::from_db(repos::list_auth_departments(tx, org_id, ids));
    if (!departments) {
        return departments.error();
    }
    return group_lists(std::move(*links), *departments);
}

Result<Lists> draft_lists(Tx& tx, std::string const& org_id, std::vector<std::string> const& ids) {
    auto links = core::from_db(repos::list_draft_links(tx, org_id, ids));
    if (!links) {
        return links.error();
    }
    auto departments = core::from_db(repos::list_draft_departments(tx, org_id, ids));
    if (!departments) {
        return departments.error();
    }
    return group_lists(std::move(*links), *departments);
}

Auth to_auth(repos::AuthView const& v, Lists const& lists) {
    Auth a;
    a.id = v.auth.id;
    a.content.name = PartRef{v.auth.name_part_id, v.name};
    a.content.description = ref_of(v.auth.description_part_id, v.description);
    a.content.flag = ref_of(v.auth.flag_part_id, v.flag);
    a.content.group_id = v.auth.group_id;
    fill_lists(a.content, lists, v.auth.id);
    a.created_by = v.auth.created_by;
    a.created_at = v.auth.created_at;
    a.updated_at = v.auth.updated_at;
    a.version = v.auth.version;
    return a;
}

Draft to_draft(repos::DraftView const& v, Lists const& lists) {
    Draft d;
    d.id = v.draft.id;
    d.auth_id = v.draft.auth_id;
    d.base_version = v.draft.base_version;
    d.version = v.draft.version;
    d.content.name = ref_of(v.draft.name_part_id, v.name);
    d.content.description = ref_of(v.draft.description_part_id, v.description);
    d.content.flag = ref_of(v.draft.flag_part_id, v.flag);
    d.content.group_id = v.draft.group_id;
    fill_lists(d.content, lists, v.draft.id);
    d.owner_id = v.draft.owner_id;
    d.created_at = v.draft.created_at;
    d.updated_at = v.draft.updated_at;
    return d;
}

std::vector<std::string> ids_of_refs(std::vector<PartRef> const& refs) {
    std::vector<std::string> out;
    out.reserve(refs.size());
    for (auto const& r : refs) {
        out.push_back(r.id);
    }
    return out;
}

std::vector<std::string> values_of(std::vector<PartRef> const& refs) {
    std::vector<std::string> out;
    out.reserve(refs.size());
    for (auto const& r : refs) {
        out.push_back(r.value);
    }
    return out;
}

template <class Replace>
core::Status write_lists(ContentIds const& c, ChangedLists const& changed, Replace replace) {
    struct Kind {
        bool changed;
        std::string_view kind;
        std::vector<std::string> const& ids;
    };
    for (Kind k :
         {Kind{changed.protocols, kKindProtocol, c.protocol_ids},
          Kind{changed.slugs, kKindSlug, c.slug_ids},
          Kind{changed.items, kKindItem, c.item_ids}}) {
        if (k.changed) {
            if (auto s = core::from_db(replace(std::string{k.kind}, k.ids)); !s) {
                return s;
            }
        }
    }
    return {};
}

}  // namespace

ContentIds ids_of(AuthContent const& c) {
    ContentIds out;
    if (c.name) {
        out.name_part_id = c.name->id;
    }
    if (c.description) {
        out.description_part_id = c.description->id;
    }
    if (c.flag) {
        out.flag_part_id = c.flag->id;
    }
    out.group_id = c.group_id;
    out.protocol_ids = ids_of_refs(c.protocols);
    out.slug_ids = ids_of_refs(c.slugs);
    out.item_ids = ids_of_refs(c.items);
    for (auto const& d : c.departments) {
        out.department_ids.push_back(d.id);
    }
    return out;
}

Department to_department(repos::DepartmentRecord const& d) {
    return Department{d.id, d.name, d.created_at};
}

Part to_part(repos::PartRecord const& p) {
    return Part{p.id, p.kind, p.value, p.created_at};
}

Result<std::optional<Auth>> load_auth(Tx& tx, std::string const& org_id, std::string const& id) {
    auto view = core::from_db(repos::find_auth(tx, org_id, id));
    if (!view) {
        return view.error();
    }
    if (!*view) {
        return std::optional<Auth>{};
    }
    auto lists = auth_lists(tx, org_id, {id});
    if (!lists) {
        return lists.error();
    }
    return std::optional<Auth>{to_auth(**view, *lists)};
}

Result<std::optional<Draft>> load_draft(Tx& tx, std::string const& org_id, std::string const& id) {
    auto view = core::from_db(repos::find_draft(tx, org_id, id));
    if (!view) {
        return view.error();
    }
    if (!*view) {
        return std::optional<Draft>{};
    }
    auto lists = draft_lists(tx, org_id, {id});
    if (!lists) {
        return lists.error();
    }
    return std::optional<Draft>{to_draft(**view, *lists)};
}

Result<std::vector<Draft>> load_owner_drafts(
    Tx& tx, std::string const& org_id, std::string const& owner_id
) {
    auto views = core::from_db(repos::list_owner_drafts(tx, org_id, owner_id));
    if (!views) {
        return views.error();
    }
    std::vector<std::string> ids;
    for (auto const& v : *views) {
        ids.push_back(v.draft.id);
    }
    auto lists = draft_lists(tx, org_id, ids);
    if (!lists) {
        return lists.error();
    }
    std::vector<Draft> out;
    out.reserve(views->size());
    for (auto const& v : *views) {
        out.push_back(to_draft(v, *lists));
    }
    return out;
}

Result<std::vector<AuthSummary>> summaries_of(
    Tx& tx, std::string const& org_id, std::vector<repos::AuthView> const& page
) {
    std::vector<std::string> ids;
    for (auto const& v : page) {
        ids.push_back(v.auth.id);
    }
    auto lists = auth_lists(tx, org_id, ids);
    if (!lists) {
        return lists.error();
    }
    std::vector<AuthSummary> out;
    out.reserve(page.size());
    for (auto const& v : page) {
        Auth a = to_auth(v, *lists);
        out.push_back(AuthSummary{
            a.id,
            v.name,
            v.description.value_or(""),
            v.flag,
            values_of(a.content.protocols),
            values_of(a.content.slugs),
            a.content.departments,
            a.content.group_id,
            a.version,
            a.updated_at,
        });
    }
    return out;
}

core::Status write_auth_lists(
    Tx& tx,
    std::string const& org_id,
    std::string const& auth_id,
    ContentIds const& content,
    ChangedLists const& changed
) {
    auto replaced = write_lists(content, changed, [&](std::string const& kind, auto const& ids) {
        return repos::replace_auth_links(tx, org_id, auth_id, kind, ids);
    });
    if (!replaced) {
        return replaced;
    }
    if (changed.departments) {
        auto d = repos::replace_auth_departments(tx, org_id, auth_id, content.department_ids);
        if (!d) {
            return core::from_db(d);
        }
    }
    return core::from_db(repos::refresh_search_row(tx, org_id, auth_id));
}

core::Status write_draft_lists(
    Tx& tx,
    std::string const& org_id,
    std::string const& draft_id,
    ContentIds const& content,
    ChangedLists const& changed
) {
    auto replaced = write_lists(content, changed, [&](std::string const& kind, auto const& ids) {
        return repos::replace_draft_links(tx, org_id, draft_id, kind, ids);
    });
    if (!replaced || !changed.departments) {
        return replaced;
    }
    return core::from_db(
        repos::replace_draft_departments(tx, org_id, draft_id, content.department_ids)
    );
}

}  // namespace signoff::server::auths::detail
