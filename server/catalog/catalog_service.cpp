// Catalog rows: create, list, get, update (optimistic version), delete
// (refused while grants are live). Approval operations are in approvals.cpp.
#include "server/catalog/catalog_service.hpp"

#include "server/catalog/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "storage/repos/catalog_repo.hpp"
#include "storage/repos/identity_repo.hpp"

namespace signoff::server::catalog {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxDisplayName = 200;
constexpr std::size_t kMaxDescription = 4000;
constexpr std::size_t kMaxCategory = 128;

CatalogRow to_row(repos::CatalogRowRecord const& r) {
    return CatalogRow{
        r.id,
        r.slug,
        r.display_name,
        r.description,
        r.owner_user_id,
        r.category,
        r.created_at,
        r.updated_at,
        r.version,
        r.workflow_template,
    };
}

std::string row_detail(repos::CatalogRowRecord const& r) {
    return events::JsonObject{}
        .str("slug", r.slug)
        .str("display_name", r.display_name)
        .str("description", r.description)
        .opt_str("owner_user_id", r.owner_user_id)
        .opt_str("category", r.category)
        .opt_str("workflow_template", r.workflow_template)
        .integer("version", r.version)
        .text();
}

/// The owner must be a user of the actor's org.
core::Status check_owner(Tx& tx, std::string const& org_id, std::optional<std::string> const& id) {
    if (!id) {
        return {};
    }
    auto user = core::from_db(repos::find_user_by_id(tx, org_id, *id));
    if (!user) {
        return user.error();
    }
    if (!*user) {
        return Error::invalid_field("owner_user_id", "no such user in this organisation");
    }
    return {};
}

Result<std::optional<std::string>> clean_category(std::optional<std::string> const& c) {
    return optional_text(c, "category", kMaxCategory);
}

/// Applies the patch's fields to `row`, validating each.
core::Status apply_patch(repos::CatalogRowRecord& row, RowPatch const& p) {
    if (p.display_name) {
        auto v = required_text(*p.display_name, "display_name", kMaxDisplayName);
        if (!v) {
            return v.error();
        }
        row.display_name = *v;
    }
    if (p.description) {
        auto v = optional_text(*p.description, "description", kMaxDescription);
        if (!v) {
            return v.error();
        }
        row.description = v->value_or("");
    }
    if (p.owner_user_id) {
        row.owner_user_id = *p.owner_user_id;
    }
    if (p.category) {
        auto v = clean_category(*p.category);
        if (!v) {
            return v.error();
        }
        row.category = *v;
    }
    return {};
}

/// The template a row names, resolved to its lowercase name by the starter
/// (nullopt clears it). Without a starter no row may name one.
Result<std::optional<std::string>> resolve_template(
    Tx& tx,
    approvals::WorkflowStarter* starter,
    std::string const& org_id,
    std::optional<std::string> const& id_or_name
) {
    if (!id_or_name) {
        return std::optional<std::string>{};
    }
    if (id_or_name->empty() || id_or_name->size() > 255) {
        return Error::invalid_field("workflow_template", "must be 1-255 characters");
    }
    if (starter == nullptr) {
        return Error::failed_precondition("workflows are not available on this server");
    }
    auto name = starter->template_name_of(tx, org_id, *id_or_name, "workflow_template");
    if (!name) {
        return name.error();
    }
    return std::optional<std::string>{std::move(*name)};
}

}  // namespace

CatalogService::CatalogService(storage::Db& db, core::Clock const& clock, core::IdSource& ids)
    : db_(db), clock_(clock), ids_(ids), recorder_(clock, ids) {}

Result<CatalogRow> CatalogService::create_row(core::Actor const& actor, RowInput const& in) {
    if (auto ok = identity::authorize(actor, Action::kCatalogManageRows); !ok) {
        return ok.error();
    }
    if (auto ok = check_slug(in.slug, "slug"); !ok) {
        return ok.error();
    }
    auto name = required_text(in.display_name, "display_name", kMaxDisplayName);
    auto description = optional_text(in.description, "description", kMaxDescription);
    auto category = clean_category(in.category);
    if (!name) {
        return name.error();
    }
    if (!description) {
        return description.error();
    }
    if (!category) {
        return category.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<CatalogRow> {
        if (auto ok = check_owner(tx, actor.org_id, in.owner_user_id); !ok) {
            return ok.error();
        }
        auto templ = resolve_template(tx, workflows_, actor.org_id, in.workflow_template);
        if (!templ) {
            return templ.error();
        }
        std::string now = core::to_rfc3339(clock_.now());
        repos::CatalogRowRecord rec{
            ids_.new_id(),
            actor.org_id,
            in.slug,
            *name,
            description->value_or(""),
            in.owner_user_id,
            *category,
            now,
            now,
            1,
            core::via_mcp(actor.channel),
            *templ};
        auto existing = core::from_db(repos::find_row_by_slug(tx, actor.org_id, in.slug));
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return Error::already_exists("catalog row '" + in.slug + "' already exists");
        }
        if (auto s = core::from_db(repos::insert_row(tx, rec)); !s) {
            return s.error();
        }
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "catalog.row.created", "catalog_row", rec.id, row_detail(rec)
                )
            );
            !s) {
            return s.error();
        }
        return to_row(rec);
    });
}

Result<Page<CatalogRow>> CatalogService::list_rows(
    core::Actor const& actor, PageRequest const& page
) {
    if (auto ok = identity::authorize(actor, Action::kCatalogRead); !ok) {
        return ok.error();
    }
    auto w = page_window(page);
    if (!w) {
        return w.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<CatalogRow>> {
        auto rows =
            core::from_db(repos::list_rows(tx, actor.org_id, w->after, w->limit + 1, w->offset));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_rows(tx, actor.org_id));
        if (!total) {
            return total.error();
        }
        Page<CatalogRow> out;
        out.total_count = *total;
        for (auto const& r : *rows) {
            if (static_cast<std::int64_t>(out.items.size()) == w->limit) {
                out.next_cursor = out.items.back().slug;
                break;
            }
            out.items.push_back(to_row(r));
        }
        return out;
    });
}

Result<CatalogRow> CatalogService::get_row(core::Actor const& actor, std::string const& slug) {
    if (auto ok = identity::authorize(actor, Action::kCatalogRead); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<CatalogRow> {
        auto row = require_row(tx, actor.org_id, slug);
        if (!row) {
            return row.error();
        }
        return to_row(*row);
    });
}

Result<CatalogRow> CatalogService::update_row(
    core::Actor const& actor, std::string const& slug, RowPatch const& patch
) {
    if (auto ok = identity::authorize(actor, Action::kCatalogManageRows); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<CatalogRow> {
        auto found = require_row(tx, actor.org_id, slug);
        if (!found) {
            return found.error();
        }
        repos::CatalogRowRecord row = *found;
        if (patch.expected_version && *patch.expected_version != row.version) {
            std::string current = std::to_string(row.version);
            Error e = Error::conflict("catalog row changed: current version is " + current);
            e.details.push_back({"expected_version", "current version is " + current});
            return e;
        }
        if (auto ok = apply_patch(row, patch); !ok) {
            return ok.error();
        }
        if (auto ok = check_owner(tx, actor.org_id, row.owner_user_id); !ok) {
            return ok.error();
        }
        if (patch.workflow_template) {
            auto templ = resolve_template(tx, workflows_, actor.org_id, *patch.workflow_template);
            if (!templ) {
                return templ.error();
            }
            row.workflow_template = *templ;
        }
        row.updated_at = core::to_rfc3339(clock_.now());
        row.via_mcp = core::via_mcp(actor.channel);
        auto changed = core::from_db(repos::update_row(tx, row, found->version));
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return core::retry_tx();  // a concurrent update won; re-read and re-check
        }
        row.version = found->version + 1;
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "catalog.row.updated", "catalog_row", row.id, row_detail(row)
                )
                    .with_change(row_detail(*found), row_detail(row))
            );
            !s) {
            return s.error();
        }
        return to_row(row);
    });
}

Result<CatalogRow> CatalogService::delete_row(core::Actor const& actor, std::string const& slug) {
    if (auto ok = identity::authorize(actor, Action::kCatalogManageRows); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<CatalogRow> {
        auto found = require_row(tx, actor.org_id, slug);
        if (!found) {
            return found.error();
        }
        auto live = core::from_db(repos::count_live_approvals(tx, actor.org_id, found->id));
        if (!live) {
            return live.error();
        }
        if (*live > 0) {
            return Error::failed_precondition(
                "catalog row '" + slug + "' has " + std::to_string(*live) +
                " pending or approved grant(s); revoke them before deleting the row"
            );
        }
        if (auto d = core::from_db(repos::delete_row(tx, actor.org_id, found->id)); !d) {
            return d.error();
        }
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "catalog.row.deleted", "catalog_row", found->id, row_detail(*found)
                )
            );
            !s) {
            return s.error();
        }
        return to_row(*found);
    });
}

Result<repos::CatalogRowRecord> CatalogService::require_row(
    Tx& tx, std::string const& org_id, std::string const& slug
) {
    auto row = core::from_db(repos::find_row_by_slug(tx, org_id, slug));
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return Error::not_found("catalog row '" + slug + "' not found");
    }
    return **row;
}

}  // namespace signoff::server::catalog
