// The two reads of the auth domain: `get` (an auth or one of the caller's
// drafts as the form shows it: sections of selected parts and options,
// whether the caller may edit and why not) and `search` (text and department
// filter over the org's in-memory search index, department facets, paging).
// A search is one read of the org's search generation (plus the rows changed
// since the index's), a scan of the index for page, total and facet counts,
// one read of department names, and three reads for the page's auths, links
// and departments, whatever the page size.
#include <algorithm>

#include "server/auths/access.hpp"
#include "server/auths/auths_service.hpp"
#include "server/auths/content.hpp"
#include "server/auths/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/auth_drafts_repo.hpp"
#include "storage/repos/auth_parts_repo.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using storage::Tx;
using storage::TxMode;

std::vector<PartRef> one_or_none(std::optional<PartRef> const& p) {
    return p ? std::vector<PartRef>{*p} : std::vector<PartRef>{};
}

std::string actor_name_of(core::Actor const& actor) {
    return actor.display_name.empty() ? actor.email : actor.display_name;
}

/// The trimmed text folded like the documents; none when blank.
std::optional<std::string> folded(std::optional<std::string> const& text) {
    if (!text) {
        return std::nullopt;
    }
    std::string t{identity::trim(*text)};
    if (t.empty()) {
        return std::nullopt;
    }
    return repos::search_lower(t);
}

/// What `get` learns inside its transaction, before sections are added.
struct Shown {
    AuthDetail detail;
    AuthContent content;
};

/// The auth's facts: existence, version, group, and the edit decision.
core::Status describe_auth(Tx& tx, core::Actor const& actor, Auth const& auth, AuthDetail& d) {
    d.auth_id = auth.id;
    d.auth_exists = true;
    d.version = auth.version;
    auto refusal = detail::edit_refusal(tx, actor, auth);
    if (!refusal) {
        return refusal.error();
    }
    d.can_edit = !*refusal;
    d.disabled_reason = *refusal;
    return {};
}

Result<Shown> show_auth(Tx& tx, core::Actor const& actor, std::string const& auth_id) {
    auto auth = detail::load_auth(tx, actor.org_id, auth_id);
    if (!auth) {
        return auth.error();
    }
    if (!*auth) {
        return detail::auth_not_found(auth_id);
    }
    Shown s;
    if (auto ok = describe_auth(tx, actor, **auth, s.detail); !ok) {
        return ok.error();
    }
    s.detail.group_id = (*auth)->content.group_id;
    auto draft =
        core::from_db(repos::find_owner_draft_of_auth(tx, actor.org_id, actor.principal_id, auth_id)
        );
    if (!draft) {
        return draft.error();
    }
    if (*draft) {
        s.detail.draft_version = (*draft)->version;
    }
    s.content = std::move((*auth)->content);
    return s;
}

Result<Shown> show_draft(Tx& tx, core::Actor const& actor, std::string const& draft_id) {
    auto draft = detail::load_draft(tx, actor.org_id, draft_id);
    if (!draft) {
        return draft.error();
    }
    if (!*draft) {
        return detail::draft_not_found(draft_id);
    }
    if (auto ok = detail::require_draft_owner(actor, **draft); !ok) {
        return ok.error();
    }
    Shown s;
    s.detail.draft_id = draft_id;
    s.detail.draft_version = (*draft)->version;
    s.detail.group_id = (*draft)->content.group_id;
    s.detail.can_edit = true;  // a draft of a new auth is its owner's to shape
    if ((*draft)->auth_id) {
        auto auth = detail::load_auth(tx, actor.org_id, *(*draft)->auth_id);
        if (!auth) {
            return auth.error();
        }
        s.detail.auth_id = (*draft)->auth_id;
        if (*auth) {
            if (auto ok = describe_auth(tx, actor, **auth, s.detail); !ok) {
                return ok.error();
            }
        } else {
            s.detail.can_edit = false;
            s.detail.disabled_reason = "the auth this draft edits no longer exists";
        }
    }
    s.content = std::move((*draft)->content);
    return s;
}

Section section_of(
    std::vector<PartRef> selected, std::vector<Part> const& options, std::int64_t total
) {
    Section s;
    s.selected = std::move(selected);
    for (auto const& p : options) {
        s.options.push_back(PartRef{p.id, p.value});
    }
    s.options_total = total;
    return s;
}

/// `views` in the order of `ids` (an auth deleted in between is skipped).
std::vector<repos::AuthView> in_order(
    std::vector<repos::AuthView> const& views, std::vector<std::string> const& ids
) {
    std::vector<repos::AuthView> out;
    out.reserve(ids.size());
    for (auto const& id : ids) {
        auto it = std::find_if(views.begin(), views.end(), [&](auto const& v) {
            return v.auth.id == id;
        });
        if (it != views.end()) {
            out.push_back(*it);
        }
    }
    return out;
}

}  // namespace

Result<AuthDetail> AuthsService::get(
    core::Actor const& actor,
    std::optional<std::string> const& auth_id,
    std::optional<std::string> const& draft_id
) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    if (auth_id.has_value() == draft_id.has_value()) {
        return Error::invalid(
            "give exactly one of auth_id and draft_id",
            {{"auth_id", "give exactly one of auth_id and draft_id"},
             {"draft_id", "give exactly one of auth_id and draft_id"}}
        );
    }
    auto shown = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Shown> {
        return auth_id ? show_auth(tx, actor, *auth_id) : show_draft(tx, actor, *draft_id);
    });
    if (!shown) {
        return shown.error();
    }
    auto lists = option_lists(actor.org_id);
    if (!lists) {
        return lists.error();
    }
    AuthDetail d = std::move(shown->detail);
    AuthContent const& c = shown->content;
    auto section = [&](std::string_view kind, std::vector<PartRef> selected) {
        auto const& entry = lists->at(std::string{kind});
        return section_of(std::move(selected), entry.options, entry.total);
    };
    d.actor_name = actor_name_of(actor);
    d.basic_show_ai_generate = !c.description || c.description->value.empty();
    d.names = section(kKindName, one_or_none(c.name));
    d.descriptions = section(kKindDescription, one_or_none(c.description));
    d.flags = section(kKindFlag, one_or_none(c.flag));
    d.protocols = section(kKindProtocol, c.protocols);
    d.slugs = section(kKindSlug, c.slugs);
    d.items = section(kKindItem, c.items);
    auto const& departments = lists->at(detail::kDepartmentKind);
    d.departments.selected = c.departments;
    for (auto const& p : departments.options) {
        d.departments.options.push_back(Department{p.id, p.value, p.created_at});
    }
    d.departments.options_total = departments.total;
    return d;
}

Result<SearchResult> AuthsService::search(core::Actor const& actor, SearchQuery const& query) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRead); !ok) {
        return ok.error();
    }
    if (auto ok = check_search(query); !ok) {
        return ok.error();
    }
    IndexQuery iq{
        folded(query.search), query.filter_department_ids, query.page_offset, query.page_size};
    auto name_text = folded(query.department_search);
    std::optional<std::string> name_pattern;
    if (name_text) {
        name_pattern = repos::like_contains(*name_text);
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<SearchResult> {
        auto index = search_cache_.current(tx, actor.org_id);
        if (!index) {
            return index.error();
        }
        IndexAnswer found = (*index)->query(iq);
        auto departments =
            core::from_db(repos::list_departments(tx, actor.org_id, name_pattern, kMaxOptions, 0));
        if (!departments) {
            return departments.error();
        }
        auto views = core::from_db(repos::find_auths(tx, actor.org_id, found.ids));
        if (!views) {
            return views.error();
        }
        auto summaries = detail::summaries_of(tx, actor.org_id, in_order(*views, found.ids));
        if (!summaries) {
            return summaries.error();
        }
        SearchResult out;
        out.actor_name = actor_name_of(actor);
        out.total_count = found.total;
        out.auths = std::move(*summaries);
        for (auto const& d : *departments) {
            auto const& chosen = iq.department_ids;
            bool selected = std::find(chosen.begin(), chosen.end(), d.id) != chosen.end();
            auto count = found.department_counts.find(d.id);
            out.department_filter.push_back(Facet{
                d.id,
                d.name,
                count == found.department_counts.end() ? 0 : count->second,
                selected,
            });
        }
        return out;
    });
}

}  // namespace signoff::server::auths
