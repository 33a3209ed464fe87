// Spaces (see approvals_service.hpp): where workflow templates live. Reads
// check space `read`; org admins and org-wide space roles see every space.
// Creation writes the space, the creator's SpaceManager binding (non-admins)
// and one audit row in one transaction.
#include <algorithm>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/spaces_repo.hpp"

namespace signoff::server::approvals {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::ErrorKind;
using core::Result;
using identity::Action;
using identity::Permission;
using identity::ResourceType;
using identity::Target;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 2048;

Space to_space(repos::SpaceRecord const& r) {
    return Space{r.id, r.name, r.description, r.created_at, r.updated_at};
}

/// Letters, digits, spaces, '_' and '-', not blank and not padded with spaces.
core::Status check_name(std::string const& name) {
    if (name.empty() || name.size() > kMaxName) {
        return Error::invalid_field("name", "must be 1-255 characters");
    }
    bool const charset = std::all_of(name.begin(), name.end(), [](char c) {
        return detail::is_alnum(c) || c == ' ' || c == '_' || c == '-';
    });
    if (!charset || name.front() == ' ' || name.back() == ' ') {
        return Error::invalid_field(
            "name", "letters, digits, spaces, '_' and '-' only, not starting or ending with a space"
        );
    }
    return {};
}

Target space_target(std::string const& id) {
    return Target{ResourceType::kSpace, "", id};
}

}  // namespace

Result<Space> ApprovalsService::create_space(
    core::Actor const& actor, std::string const& name, std::string const& description
) {
    if (auto ok = identity::authorize(actor, Action::kSpacesCreate); !ok) {
        return ok.error();
    }
    if (auto s = check_name(name); !s) {
        return s.error();
    }
    if (description.size() > kMaxDescription) {
        return Error::invalid_field("description", "at most 2048 characters");
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Space> {
        auto existing =
            core::from_db(repos::find_space_by_name(tx, actor.org_id, identity::lower(name)));
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return detail::field_error(
                ErrorKind::kAlreadyExists, "name", "a space with this name already exists"
            );
        }
        std::string const now = core::to_rfc3339(clock_.now());
        repos::SpaceRecord sp{
            ids_.new_id(),
            actor.org_id,
            name,
            identity::lower(name),
            description,
            now,
            now,
            1,
            core::via_mcp(actor.channel)};
        if (auto s = core::from_db(repos::insert_space(tx, sp)); !s) {
            return s.error();
        }
        // Admins already hold every permission; anyone else could not run
        // the space they made.
        if (!identity::may(actor, {}, Permission::kManage, space_target(sp.id))) {
            identity::RoleBinding b{"SpaceManager", {identity::ScopeType::kSpace, sp.id}};
            if (auto s = grant_creator_role(tx, actor, b, now); !s) {
                return s.error();
            }
        }
        auto detail_json =
            events::JsonObject{}.str("name", sp.name).str("description", sp.description).text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(actor, "approvals.space.created", "space", sp.id, detail_json)
            );
            !s) {
            return s.error();
        }
        return to_space(sp);
    });
}

Result<Page<Space>> ApprovalsService::list_spaces(
    core::Actor const& actor, PageArgs const& page, std::optional<std::string> const& search
) {
    if (auto ok = identity::authorize(actor, Action::kSpacesList); !ok) {
        return ok.error();
    }
    auto w = detail::window(page);
    if (!w) {
        return w.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<Space>> {
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        // A target naming no space is reached only by an org-wide binding.
        repos::SpaceVisibility vis{
            identity::may(actor, *bindings, Permission::kRead, space_target("")),
            std::string(identity::principal_type(actor)),
            actor.principal_id};
        if (search && !identity::trim(*search).empty()) {
            vis.name_contains = identity::lower(identity::trim(*search));
        }
        auto rows = core::from_db(repos::list_spaces(tx, actor.org_id, vis, w->limit, w->offset()));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_spaces(tx, actor.org_id, vis));
        if (!total) {
            return total.error();
        }
        Page<Space> out{{}, *total, w->page, w->limit};
        std::transform(rows->begin(), rows->end(), std::back_inserter(out.items), to_space);
        return out;
    });
}

Result<Space> ApprovalsService::get_space(core::Actor const& actor, std::string const& space_id) {
    if (!detail::is_uuid(space_id)) {
        return Error::invalid_field("spaceId", "must be a UUID");
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Space> {
        auto sp =
            core::from_db(repos::find_space_by_id(tx, actor.org_id, identity::lower(space_id)));
        if (!sp) {
            return sp.error();
        }
        if (!*sp) {
            return Error::not_found("space not found");
        }
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        if (auto ok = identity::authorize(
                actor,
                Action::kSpaceRead,
                {.bindings = &*bindings, .target = space_target((*sp)->id)}
            );
            !ok) {
            return ok.error();
        }
        return to_space(**sp);
    });
}

}  // namespace signoff::server::approvals
