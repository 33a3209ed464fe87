// Versioned workflow templates (see approvals_service.hpp). A template is a
// name with versions; each version is one row, at most one ACTIVE. Update
// writes the next version and retires the old one to PENDING_DEPRECATION;
// deprecate retires the ACTIVE one to DEPRECATED. Each write runs in one
// transaction with its audit row. The rule tree and the actions are stored as
// canonical JSON text (approval_rule.hpp, template_actions.hpp).
#include <algorithm>
#include <string_view>
#include <utility>

#include "server/approvals/approvals_service.hpp"
#include "server/approvals/checks.hpp"
#include "server/approvals/workflow_engine.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/permissions.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/groups_repo.hpp"
#include "storage/repos/spaces_repo.hpp"
#include "storage/repos/templates_repo.hpp"

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

constexpr std::size_t kMinName = 3;
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 2048;
constexpr std::size_t kMaxMetadata = 16384;
constexpr std::int64_t kMaxExpiresInHours = 8760;

/// 3–255 characters: letters and digits at both ends; letters, digits, '_',
/// '-' and spaces between. Never a UUID (lookups take an id or a name).
core::Status check_name(std::string const& name) {
    if (name.size() < kMinName || name.size() > kMaxName) {
        return Error::invalid_field("name", "must be 3-255 characters");
    }
    bool const middle = std::all_of(name.begin(), name.end(), [](char c) {
        return detail::is_alnum(c) || c == '_' || c == '-' || c == ' ';
    });
    if (!middle || !detail::is_alnum(name.front()) || !detail::is_alnum(name.back())) {
        return Error::invalid_field(
            "name",
            "letters, digits, '_', '-' and spaces only, starting and ending with a letter or digit"
        );
    }
    if (detail::is_uuid(name)) {
        return Error::invalid_field(
            "name", "must not be a UUID (templates are looked up by id or name)"
        );
    }
    return {};
}

/// Checks of the fields create and update share; absent fields pass.
core::Status check_fields(
    std::optional<std::string> const& description,
    std::optional<std::string> const& metadata,
    std::optional<std::int64_t> hours,
    std::optional<ApprovalRule> const& rule
) {
    if (description && description->size() > kMaxDescription) {
        return Error::invalid_field("description", "at most 2048 characters");
    }
    if (metadata && metadata->size() > kMaxMetadata) {
        return Error::invalid_field("metadata", "at most 16384 characters of JSON");
    }
    if (hours && (*hours < 1 || *hours > kMaxExpiresInHours)) {
        return Error::invalid_field("defaultExpiresInHours", "must be between 1 and 8760");
    }
    return rule ? check_rule(*rule) : core::Status{};
}

std::string status_text(TemplateStatus s) {
    return std::string(template_status_name(s));
}

/// The reader's view of a stored version: rule and actions parsed, actions redacted.
Result<WorkflowTemplate> to_template(repos::TemplateRecord const& r) {
    auto rule = rule_from_json(r.approval_rule);
    if (!rule) {
        return rule.error();
    }
    auto actions = actions_from_json(r.actions);
    if (!actions) {
        return actions.error();
    }
    WorkflowTemplate t;
    t.id = r.id;
    t.name = r.name;
    t.version = r.version;
    t.description = r.description;
    t.status = parse_template_status(r.status).value_or(TemplateStatus::kDeprecated);
    t.allow_voting_on_deprecated = r.allow_voting_on_deprecated;
    t.approval_rule = std::move(*rule);
    t.metadata_json = r.metadata;
    t.actions = redacted(std::move(*actions));
    t.default_expires_in_hours = r.default_expires_in_hours;
    t.space_id = r.space_id;
    t.created_at = r.created_at;
    t.updated_at = r.updated_at;
    t.concurrency_version = r.row_version;
    return t;
}

Target template_target(std::string const& space_id, std::string const& name_lower) {
    return Target{ResourceType::kWorkflowTemplate, "", space_id, name_lower};
}

core::Status authorize_on(Tx& tx, core::Actor const& actor, Action action, Target const& target) {
    auto bindings = identity::load_bindings(tx, actor);
    if (!bindings) {
        return bindings.error();
    }
    return identity::authorize(actor, action, {.bindings = &*bindings, .target = target});
}

/// Every group the rule names must be a group of the org.
core::Status require_groups(Tx& tx, std::string const& org_id, ApprovalRule const& rule) {
    for (auto const& ref : rule_groups(rule)) {
        auto g = core::from_db(repos::find_group_by_id(tx, org_id, ref.group_id));
        if (!g) {
            return g.error();
        }
        if (!*g) {
            return detail::field_error(
                ErrorKind::kNotFound, ref.field, "group " + ref.group_id + " not found"
            );
        }
    }
    return {};
}

/// A version by id, or a name's ACTIVE version (else its highest).
Result<repos::TemplateRecord> find_template(
    Tx& tx, std::string const& org_id, std::string const& id_or_name
) {
    auto found = detail::is_uuid(id_or_name)
                     ? repos::find_template_by_id(tx, org_id, identity::lower(id_or_name))
                     : repos::find_latest_template(tx, org_id, identity::lower(id_or_name));
    auto t = core::from_db(std::move(found));
    if (!t) {
        return t.error();
    }
    if (!*t) {
        return Error::not_found("workflow template not found");
    }
    return std::move(**t);
}

/// find_template, which must be ACTIVE (the version update and deprecate act on).
Result<repos::TemplateRecord> find_active(
    Tx& tx, std::string const& org_id, std::string const& id_or_name
) {
    auto t = find_template(tx, org_id, id_or_name);
    if (t && t->status != status_text(TemplateStatus::kActive)) {
        return Error::failed_precondition(
            "workflow template '" + t->name + "' version " + std::to_string(t->version) + " is " +
            t->status + ", not ACTIVE"
        );
    }
    return t;
}

core::Status check_expected(repos::TemplateRecord const& t, std::optional<std::int64_t> expected) {
    if (expected && *expected != t.row_version) {
        return detail::field_error(
            ErrorKind::kConflict,
            "concurrencyControl.version",
            "the template changed meanwhile: current version is " + std::to_string(t.row_version)
        );
    }
    return {};
}

/// Adds `key` to both sides of a change summary when its JSON values differ.
void note_change(
    events::JsonObject& before,
    events::JsonObject& after,
    std::string_view key,
    std::string const& old_json,
    std::string const& new_json
) {
    if (old_json != new_json) {
        before.raw(key, old_json);
        after.raw(key, new_json);
    }
}

std::string expiry_json(std::optional<std::int64_t> hours) {
    return hours ? std::to_string(*hours) : std::string{"null"};
}

/// The before/after of a template update (docs/audit.md): ids, versions and
/// statuses, the description and expiry when they changed, and the documents
/// (metadata, rule, actions) by name only, so the row stays small.
std::pair<std::string, std::string> update_change(
    repos::TemplateRecord const& old, repos::TemplateRecord const& next
) {
    events::JsonObject before;
    events::JsonObject after;
    before.str("id", old.id).integer("version", old.version).str("status", old.status);
    after.str("id", next.id)
        .integer("version", next.version)
        .str("status", next.status)
        .str("previous_version_status", status_text(TemplateStatus::kPendingDeprecation));
    note_change(
        before,
        after,
        "description",
        events::json_quote(old.description),
        events::json_quote(next.description)
    );
    note_change(
        before,
        after,
        "default_expires_in_hours",
        expiry_json(old.default_expires_in_hours),
        expiry_json(next.default_expires_in_hours)
    );
    std::string documents;
    auto add = [&](std::string_view name, bool changed) {
        if (changed) {
            documents += (documents.empty() ? "" : ",") + events::json_quote(name);
        }
    };
    add("metadata", old.metadata != next.metadata);
    add("approval_rule", old.approval_rule != next.approval_rule);
    add("actions", old.actions != next.actions);
    after.raw("documents_changed", "[" + documents + "]");
    return {before.text(), after.text()};
}

/// The before/after of a deprecation: status, and whether in-flight
/// workflows of the version may still be voted on.
std::pair<std::string, std::string> deprecate_change(
    repos::TemplateRecord const& t, bool cancel_workflows
) {
    auto side = [&](std::string const& status, bool voting) {
        return events::JsonObject{}
            .integer("version", t.version)
            .str("status", status)
            .raw("allow_voting_on_deprecated", voting ? "true" : "false")
            .text();
    };
    return {
        side(t.status, t.allow_voting_on_deprecated),
        side(status_text(TemplateStatus::kDeprecated), !cancel_workflows)};
}

}  // namespace

Result<WorkflowTemplate> detail::template_view(repos::TemplateRecord const& r) {
    return to_template(r);
}

std::string_view template_status_name(TemplateStatus s) {
    switch (s) {
        case TemplateStatus::kActive:
            return "ACTIVE";
        case TemplateStatus::kPendingDeprecation:
            return "PENDING_DEPRECATION";
        case TemplateStatus::kDeprecated:
            return "DEPRECATED";
    }
    return "DEPRECATED";
}

std::optional<TemplateStatus> parse_template_status(std::string_view name) {
    for (auto s :
         {TemplateStatus::kActive,
          TemplateStatus::kPendingDeprecation,
          TemplateStatus::kDeprecated}) {
        if (template_status_name(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

Result<WorkflowTemplate> ApprovalsService::create_template(
    core::Actor const& actor, TemplateCreate const& in
) {
    if (auto s = check_name(in.name); !s) {
        return s.error();
    }
    if (!detail::is_uuid(in.space_id)) {
        return Error::invalid_field("spaceId", "must be a UUID");
    }
    if (auto s = check_fields(
            in.description, in.metadata_json, in.default_expires_in_hours, in.approval_rule
        );
        !s) {
        return s.error();
    }
    auto actions = checked_actions(in.actions);
    if (!actions) {
        return actions.error();
    }
    ApprovalRule const rule = normalized(in.approval_rule);
    std::string const name_lower = identity::lower(in.name);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<WorkflowTemplate> {
        auto space =
            core::from_db(repos::find_space_by_id(tx, actor.org_id, identity::lower(in.space_id)));
        if (!space) {
            return space.error();
        }
        if (!*space) {
            return detail::field_error(ErrorKind::kNotFound, "spaceId", "space not found");
        }
        auto const target = template_target((*space)->id, name_lower);
        if (auto ok = authorize_on(tx, actor, Action::kTemplateWrite, target); !ok) {
            return ok.error();
        }
        // A name belongs to its lineage for good (docs/approvals.md "Template
        // lineages"): once any version carried it, in any space and in any
        // status, nobody creates another template under it, so bindings,
        // catalog rows and workflows that hold the name can never pass to
        // someone else's template.
        auto last = core::from_db(repos::max_template_version(tx, actor.org_id, name_lower));
        if (!last) {
            return last.error();
        }
        if (*last > 0) {
            return detail::field_error(
                ErrorKind::kAlreadyExists,
                "name",
                "a workflow template with this name already exists (a deprecated template keeps "
                "its name for good)"
            );
        }
        if (auto s = require_groups(tx, actor.org_id, rule); !s) {
            return s.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        repos::TemplateRecord rec;
        rec.id = ids_.new_id();
        rec.org_id = actor.org_id;
        rec.space_id = (*space)->id;
        rec.name = in.name;
        rec.name_lower = name_lower;
        rec.version = 1;
        rec.status = status_text(TemplateStatus::kActive);
        rec.description = in.description;
        rec.metadata = in.metadata_json;
        rec.approval_rule = rule_to_json(rule);
        rec.actions = actions_to_json(*actions);
        rec.default_expires_in_hours = in.default_expires_in_hours;
        rec.created_at = now;
        rec.updated_at = now;
        rec.via_mcp = core::via_mcp(actor.channel);
        if (auto s = core::from_db(repos::insert_template(tx, rec)); !s) {
            return s.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("name", rec.name)
                               .integer("version", rec.version)
                               .str("space_id", rec.space_id)
                               .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "approvals.template.created", "workflow_template", rec.id, detail_json
                )
            );
            !s) {
            return s.error();
        }
        return to_template(rec);
    });
}

Result<Page<WorkflowTemplate>> ApprovalsService::list_templates(
    core::Actor const& actor, TemplateListArgs const& args
) {
    if (auto ok = identity::authorize(actor, Action::kTemplatesList); !ok) {
        return ok.error();
    }
    auto w = detail::window(args.page);
    if (!w) {
        return w.error();
    }
    if (args.space_id && args.space_id->empty()) {
        return Error::invalid_field("spaceIdentifier", "give a space's id or name");
    }
    std::string const status = args.status.value_or("ACTIVE");
    if (!parse_template_status(status)) {
        return Error::invalid_field("status", "must be ACTIVE, PENDING_DEPRECATION or DEPRECATED");
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<WorkflowTemplate>> {
        auto bindings = identity::load_bindings(tx, actor);
        if (!bindings) {
            return bindings.error();
        }
        using identity::ScopeType;
        auto const& b = *bindings;
        // What template_access allows, as a filter: org-wide readers see all;
        // otherwise templates in spaces read through a space-wide template
        // role or a space role, and templates whose name a role is bound to.
        repos::TemplateFilter f;
        f.visibility.all = identity::may(actor, b, Permission::kRead, template_target("", "")) ||
                           identity::may(actor, b, Permission::kRead, Target{ResourceType::kSpace});
        f.visibility.space_ids = identity::scope_ids_granting(
            b, Permission::kRead, ResourceType::kWorkflowTemplate, ScopeType::kSpace
        );
        for (auto const& id : identity::scope_ids_granting(
                 b, Permission::kRead, ResourceType::kSpace, ScopeType::kSpace
             )) {
            f.visibility.space_ids.push_back(id);
        }
        f.visibility.names = identity::scope_ids_granting(
            b, Permission::kRead, ResourceType::kWorkflowTemplate, ScopeType::kWorkflowTemplate
        );
        if (args.space_id) {
            // seed 001's spaceIdentifier: a space's id or its name.
            if (detail::is_uuid(*args.space_id)) {
                f.space_id = identity::lower(*args.space_id);
            } else {
                auto space = core::from_db(
                    repos::find_space_by_name(tx, actor.org_id, identity::lower(*args.space_id))
                );
                if (!space) {
                    return space.error();
                }
                // An unknown name lists nothing, as an unknown id does.
                f.space_id = *space ? (*space)->id : std::string("-");
            }
        }
        f.status = status;
        auto rows =
            core::from_db(repos::list_templates(tx, actor.org_id, f, w->limit, w->offset()));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_templates(tx, actor.org_id, f));
        if (!total) {
            return total.error();
        }
        Page<WorkflowTemplate> out{{}, *total, w->page, w->limit};
        for (auto const& r : *rows) {
            auto t = to_template(r);
            if (!t) {
                return t.error();
            }
            out.items.push_back(std::move(*t));
        }
        return out;
    });
}

Result<WorkflowTemplate> ApprovalsService::get_template(
    core::Actor const& actor, std::string const& id_or_name
) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<WorkflowTemplate> {
        auto t = find_template(tx, actor.org_id, id_or_name);
        if (!t) {
            return t.error();
        }
        auto const target = template_target(t->space_id, t->name_lower);
        if (auto ok = authorize_on(tx, actor, Action::kTemplateRead, target); !ok) {
            return ok.error();
        }
        return to_template(*t);
    });
}

Result<WorkflowTemplate> ApprovalsService::update_template(
    core::Actor const& actor, std::string const& id_or_name, TemplateUpdate const& in
) {
    // concurrencyControl is not in seed 001: without it the update applies to
    // the current version (and is audited like any other); given, it is checked.
    if (auto s = check_fields(
            in.description, in.metadata_json, in.default_expires_in_hours, in.approval_rule
        );
        !s) {
        return s.error();
    }
    std::optional<std::vector<WorkflowAction>> actions;
    if (in.actions) {
        auto checked = checked_actions(*in.actions);
        if (!checked) {
            return checked.error();
        }
        actions = std::move(*checked);
    }
    std::optional<ApprovalRule> rule;
    if (in.approval_rule) {
        rule = normalized(*in.approval_rule);
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<WorkflowTemplate> {
        auto old = find_active(tx, actor.org_id, id_or_name);
        if (!old) {
            return old.error();
        }
        auto const target = template_target(old->space_id, old->name_lower);
        if (auto ok = authorize_on(tx, actor, Action::kTemplateWrite, target); !ok) {
            return ok.error();
        }
        if (auto s = check_expected(*old, in.expected_version); !s) {
            return s.error();
        }
        if (rule) {
            if (auto s = require_groups(tx, actor.org_id, *rule); !s) {
                return s.error();
            }
        }
        std::string const now = core::to_rfc3339(clock_.now());
        auto retired = core::from_db(repos::set_template_status(
            tx,
            actor.org_id,
            old->id,
            status_text(TemplateStatus::kPendingDeprecation),
            !in.cancel_workflows,
            old->row_version,
            now
        ));
        if (!retired) {
            return retired.error();
        }
        if (*retired == 0) {
            return core::retry_tx();  // changed since we read it: re-read and re-check
        }
        std::int64_t canceled = 0;
        if (in.cancel_workflows) {
            auto n = stop_old_versions(tx, actor.org_id, old->name_lower, now);
            if (!n) {
                return n.error();
            }
            canceled = *n;
        }
        repos::TemplateRecord next = *old;
        next.id = ids_.new_id();
        next.version = old->version + 1;
        next.allow_voting_on_deprecated = true;
        next.description = in.description.value_or(old->description);
        next.metadata = in.metadata_json.value_or(old->metadata);
        next.approval_rule = rule ? rule_to_json(*rule) : old->approval_rule;
        next.actions = actions ? actions_to_json(*actions) : old->actions;
        next.default_expires_in_hours = in.default_expires_in_hours ? in.default_expires_in_hours
                                                                    : old->default_expires_in_hours;
        next.created_at = now;
        next.updated_at = now;
        // The optimistic version runs on across versions, so a client that
        // read the old version cannot update the new one by accident.
        next.row_version = old->row_version + 1;
        next.via_mcp = core::via_mcp(actor.channel);
        if (auto s = core::from_db(repos::insert_template(tx, next)); !s) {
            return s.error();
        }
        auto detail_json = events::JsonObject{}
                               .str("name", next.name)
                               .integer("from_version", old->version)
                               .integer("to_version", next.version)
                               .raw("cancel_workflows", in.cancel_workflows ? "true" : "false")
                               .integer("canceled_workflows", canceled)
                               .text();
        auto change = update_change(*old, next);
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "approvals.template.updated", "workflow_template", next.id, detail_json
                )
                    .with_change(change.first, change.second)
            );
            !s) {
            return s.error();
        }
        return to_template(next);
    });
}

Result<WorkflowTemplate> ApprovalsService::deprecate_template(
    core::Actor const& actor,
    std::string const& id_or_name,
    bool cancel_workflows,
    std::optional<std::int64_t> expected_version
) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<WorkflowTemplate> {
        auto t = find_active(tx, actor.org_id, id_or_name);
        if (!t) {
            return t.error();
        }
        auto const target = template_target(t->space_id, t->name_lower);
        if (auto ok = authorize_on(tx, actor, Action::kTemplateWrite, target); !ok) {
            return ok.error();
        }
        if (auto s = check_expected(*t, expected_version); !s) {
            return s.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        auto changed = core::from_db(repos::set_template_status(
            tx,
            actor.org_id,
            t->id,
            status_text(TemplateStatus::kDeprecated),
            !cancel_workflows,
            t->row_version,
            now
        ));
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return core::retry_tx();
        }
        std::int64_t canceled = 0;
        if (cancel_workflows) {
            auto n = stop_old_versions(tx, actor.org_id, t->name_lower, now);
            if (!n) {
                return n.error();
            }
            canceled = *n;
        }
        auto detail_json = events::JsonObject{}
                               .str("name", t->name)
                               .integer("version", t->version)
                               .raw("cancel_workflows", cancel_workflows ? "true" : "false")
                               .integer("canceled_workflows", canceled)
                               .text();
        auto change = deprecate_change(*t, cancel_workflows);
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "approvals.template.deprecated", "workflow_template", t->id, detail_json
                )
                    .with_change(change.first, change.second)
            );
            !s) {
            return s.error();
        }
        auto after = core::from_db(repos::find_template_by_id(tx, actor.org_id, t->id));
        if (!after) {
            return after.error();
        }
        if (!*after) {
            return Error::internal("deprecated template vanished");
        }
        return to_template(**after);
    });
}

core::Result<std::int64_t> ApprovalsService::stop_old_versions(
    Tx& tx, std::string const& org_id, std::string const& name_lower, std::string const& now
) {
    if (auto s = core::from_db(repos::disable_voting_on_old_versions(tx, org_id, name_lower, now));
        !s) {
        return s.error();
    }
    return cancel_in_flight_workflows(tx, org_id, name_lower, now);
}

}  // namespace signoff::server::approvals
