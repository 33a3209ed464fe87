// The auths_* tool rows (seed 002): one row and one short handler per operation
// (decode → one AuthsService call → encode), plus the parts and departments
// tools agents use to discover valid ids, and auths_docs, which is generated
// from these very rows and their schemas.
//
//   MCP tools/call ───────────────────┐
//   REST /api/v5/artifacts/auths/... ─┴─► Registry::invoke ─► handler below ─► AuthsService
#include <optional>
#include <string>
#include <vector>

#include "server/auths/auths_service.hpp"
#include "tools/codec/auths_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/auths_docs.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace auths = server::auths;
using codec::opt_int;
using codec::opt_string;
using codec::or_null;
using codec::string_or;
using registry::Annotations;
using registry::RestRoute;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kBase = "/api/v5/artifacts/auths";

constexpr FamilyRows tool{"auths"};
constexpr auto service = &service_of<&registry::Services::auths>;

/// The strings of the array at `key`; nullopt when absent or null.
std::optional<std::vector<std::string>> opt_strings(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v == nullptr || !v->is_array()) {
        return std::nullopt;
    }
    return codec::strings(o, key);
}

auths::AuthFields fields(json::object const& a) {
    auths::AuthFields f;
    f.name = opt_string(a, "name");
    f.name_id = opt_string(a, "name_id");
    f.description = opt_string(a, "description");
    f.description_id = opt_string(a, "description_id");
    f.flag_id = opt_string(a, "flag_id");
    f.department_ids = opt_strings(a, "department_ids");
    f.protocol_ids = opt_strings(a, "protocol_ids");
    f.slug_ids = opt_strings(a, "slug_ids");
    f.item_ids = opt_strings(a, "item_ids");
    f.group_id = opt_string(a, "group_id");
    return f;
}

/// The objects of the array at `key` (the schema has checked their shape).
std::vector<json::object const*> objects(json::object const& a, std::string_view key) {
    std::vector<json::object const*> out;
    if (auto const* v = a.if_contains(key); v != nullptr && v->is_array()) {
        for (auto const& item : v->get_array()) {
            if (item.is_object()) {
                out.push_back(&item.get_object());
            }
        }
    }
    return out;
}

json::value item_results(std::vector<auths::ItemOutcome> const& outcomes, char const* verb) {
    json::array results;
    for (auto const& o : outcomes) {
        bool ok = o.result.has_value();
        results.push_back(json::object{
            {"index", static_cast<std::int64_t>(o.index)},
            {"success", ok},
            {"auth_id", ok ? json::value(o.result->id) : json::value(nullptr)},
            {"version", ok ? json::value(o.result->version) : json::value(nullptr)},
            {"message", ok ? std::string("auth ") + verb : o.result.error().message},
            {"auth", ok ? json::value_from(*o.result) : json::value(nullptr)},
            {"error",
             ok ? json::value(nullptr) : json::value(registry::error_body(o.result.error()))},
        });
    }
    return json::object{{"results", std::move(results)}};
}

// ---- handlers --------------------------------------------------------------

Result<json::value> parts_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto parts = (*svc)->list_parts(
        ctx.actor,
        opt_string(a, "kind"),
        opt_string(a, "search"),
        opt_int(a, "limit").value_or(50),
        opt_int(a, "offset").value_or(0)
    );
    if (!parts) {
        return parts.error();
    }
    return json::object{{"parts", json::value_from(*parts)}};
}

Result<json::value> parts_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->create_part(ctx.actor, string_or(a, "kind"), string_or(a, "value")));
}

Result<json::value> departments_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto list = (*svc)->list_departments(ctx.actor, opt_string(a, "search"));
    if (!list) {
        return list.error();
    }
    return json::object{{"departments", json::value_from(*list)}};
}

Result<json::value> departments_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->create_department(ctx.actor, string_or(a, "name")));
}

Result<json::value> get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get(ctx.actor, opt_string(a, "auth_id"), opt_string(a, "draft_id")));
}

Result<json::value> search(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auths::SearchQuery q;
    q.search = opt_string(a, "search");
    q.filter_department_ids = codec::strings(a, "filter_department_ids");
    q.department_search = opt_string(a, "department_search");
    q.page_size = opt_int(a, "page_size").value_or(auths::kDefaultPageSize);
    q.page_offset = opt_int(a, "page_offset").value_or(0);
    auto r = (*svc)->search(ctx.actor, q);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"actor_name", r->actor_name},
        {"auths", json::value_from(r->auths)},
        {"department_filter",
         json::object{
             {"field", "filter_department_ids"},
             {"search", or_null(q.department_search)},
             {"options", json::value_from(r->department_filter)},
         }},
        {"total_count", r->total_count},
        {"page_size", q.page_size},
        {"page_offset", q.page_offset},
    };
}

Result<json::value> create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    std::vector<auths::CreateItem> items;
    for (auto const* o : objects(a, "auths")) {
        items.push_back(auths::CreateItem{opt_string(*o, "draft_id"), fields(*o)});
    }
    return item_results((*svc)->create(ctx.actor, items), "created");
}

Result<json::value> update(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    std::vector<auths::UpdateItem> items;
    for (auto const* o : objects(a, "auths")) {
        items.push_back(auths::UpdateItem{
            opt_string(*o, "auth_id"),
            opt_string(*o, "draft_id"),
            opt_int(*o, "expected_version"),
            fields(*o)});
    }
    return item_results((*svc)->update(ctx.actor, items), "updated");
}

Result<json::value> duplicate(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto copy = (*svc)->duplicate(ctx.actor, string_or(a, "auth_id"));
    if (!copy) {
        return copy.error();
    }
    return json::object{
        {"success", true},
        {"auth_id", copy->id},
        {"message", "auth " + string_or(a, "auth_id") + " duplicated as " + copy->id},
        {"auth", json::value_from(*copy)},
    };
}

Result<json::value> remove(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    json::array results;
    for (auto const& o : (*svc)->remove(ctx.actor, codec::strings(a, "auth_ids"))) {
        bool ok = o.status.has_value();
        results.push_back(json::object{
            {"auth_id", o.auth_id},
            {"success", ok},
            {"message", ok ? std::string("auth deleted") : o.status.error().message},
            {"error",
             ok ? json::value(nullptr) : json::value(registry::error_body(o.status.error()))},
        });
    }
    return json::object{{"results", std::move(results)}};
}

Result<json::value> patch_draft(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto id = opt_string(a, "input_draft_id");
    auto alias = opt_string(a, "draft_id");
    if (id && alias && *id != *alias) {
        return Error::invalid_field("draft_id", "differs from input_draft_id; give one of them");
    }
    auths::DraftPatch p{
        id ? id : alias, opt_string(a, "auth_id"), opt_int(a, "expected_version"), fields(a)};
    auto r = (*svc)->patch_draft(ctx.actor, p);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"success", true},
        {"draft_id", r->draft_id},
        {"new_version", r->new_version},
        {"message", r->message},
        {"form_state", json::value_from(r->form_state)},
    };
}

Result<json::value> drafts(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto list = (*svc)->list_drafts(ctx.actor);
    if (!list) {
        return list.error();
    }
    return json::object{{"entries", json::value_from(*list)}};
}

Result<json::value> export_csv(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto progress = [&ctx](std::int64_t done, std::int64_t total) {
        if (ctx.progress) {
            ctx.progress(
                static_cast<double>(done),
                static_cast<double>(total),
                "exported " + std::to_string(done) + " of " + std::to_string(total) + " auths"
            );
        }
    };
    auto cancelled = [&ctx] { return ctx.is_cancelled(); };
    auto r = (*svc)->export_csv(ctx.actor, opt_string(a, "auth_id"), progress, cancelled);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"upload_id", r->upload_id}, {"file_name", r->file_name}, {"row_count", r->row_count}};
}

Result<json::value> refresh(ToolContext& ctx, json::object const&) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->refresh(ctx.actor);
    if (!r) {
        return r.error();
    }
    return json::object{
        {"success", true},
        {"refreshed_views", json::value_from(r->refreshed_views)},
        {"invalidated_tags", json::value_from(r->invalidated_tags)},
    };
}

// ---- the table ---------------------------------------------------------------

RestRoute at(std::string method, std::string const& tail, int status = 200) {
    return RestRoute{std::move(method), std::string(kBase) + "/" + tail, "", "", status};
}

constexpr Annotations kRead{.read_only = true, .idempotent = true};
constexpr Annotations kWrite{};
constexpr Annotations kIdempotent{.idempotent = true};
constexpr Annotations kDestructive{.destructive = true, .idempotent = true};

constexpr const char* kEditors =
    "members of the auth's owning group and org admins (no group: its creator and org admins)";

}  // namespace

void register_auths_tools(registry::Registry& r) {
    r.add_tool(tool(
        "auths_parts_list",
        "List auth parts",
        "Lists the reusable parts auths are made of (kind name, description, flag, protocol, "
        "slug, item), by value, so that an agent can find valid ids. Filters by kind and by a "
        "case-insensitive search; limit (default 50, max 100) and offset page.",
        kRead,
        at("GET", "parts"),
        parts_list,
        "any member"
    ));
    r.add_tool(tool(
        "auths_parts_create",
        "Create an auth part",
        "Creates a part of the given kind, or answers the existing one with the same value "
        "(compared case-insensitively).",
        kIdempotent,
        at("POST", "parts"),
        parts_create,
        "any member"
    ));
    r.add_tool(tool(
        "auths_departments_list",
        "List departments",
        "Lists the organisation's departments by name, optionally those whose name contains "
        "search.",
        kRead,
        at("GET", "departments"),
        departments_list,
        "any member"
    ));
    r.add_tool(tool(
        "auths_departments_create",
        "Create a department",
        "Creates a department; names are unique in the organisation, case-insensitively.",
        kWrite,
        at("POST", "departments", 201),
        departments_create,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "auths_get",
        "Get an auth or a draft",
        "Shows an auth (auth_id) or one of your drafts (draft_id) as the edit form does: one "
        "section per part kind with the current selection and the options to choose from, "
        "departments, can_edit with the reason when not, draft_version (your open draft of it), "
        "actor_name and basic_show_ai_generate (true when the description is empty).",
        kRead,
        at("POST", "get"),
        get,
        "any member (drafts: their owner only)"
    ));
    r.add_tool(tool(
        "auths_search",
        "Search auths",
        "Case-insensitive text search over names, descriptions, slugs and protocol names; "
        "filter_department_ids keeps auths in any of those departments; department_filter "
        "answers department facets with counts (narrowed by department_search); page_size "
        "(default 20, max 100) and page_offset page; total_count counts every match.",
        kRead,
        at("POST", "search"),
        search,
        "any member"
    ));
    r.add_tool(tool(
        "auths_create",
        "Create auths",
        "Creates one auth per item, from inline fields (name required; free text or part ids) "
        "or by publishing a draft of a new auth ({draft_id}). Each item is its own transaction "
        "with its own result: a failing item leaves the others done. Emits auth.published.",
        kWrite,
        at("POST", "create"),
        create,
        "any member (with group_id: members of that group and org admins)"
    ));
    r.add_tool(tool(
        "auths_update",
        "Update auths",
        "Changes auths: {auth_id, expected_version?, fields…} changes only the given fields; "
        "{draft_id} publishes a draft of an existing auth (a conflict if the auth changed since "
        "the draft began). A stale expected_version is a conflict naming the current version. "
        "One result per item. Emits auth.published.",
        kWrite,
        at("POST", "update"),
        update,
        kEditors
    ));
    r.add_tool(tool(
        "auths_duplicate",
        "Duplicate an auth",
        "Copies an auth under a new id with the name marked as a copy, the same parts, "
        "departments and owning group.",
        kWrite,
        at("POST", "duplicate"),
        duplicate,
        "any member (an auth with a group: members of that group and org admins)"
    ));
    r.add_tool(tool(
        "auths_delete",
        "Delete auths",
        "Deletes each listed auth (and every draft of it), with one result per id. Emits "
        "auth.deleted.",
        kDestructive,
        at("POST", "delete"),
        remove,
        kEditors
    ));
    r.add_tool(tool(
        "auths_patch_draft",
        "Patch an auth draft",
        "Without input_draft_id starts a private draft at version 1 (of auth_id when given). "
        "With input_draft_id (alias draft_id), expected_version is required and must equal the "
        "draft's version, else a conflict that changes nothing and names the current version; "
        "only non-null fields change and the version goes up by one. Answers the new version "
        "and form_state: the whole draft, field-level issues and whether it can be published.",
        kWrite,
        at("PATCH", "draft"),
        patch_draft,
        "the draft's owner; starting a draft of an auth: its editors"
    ));
    r.add_tool(tool(
        "auths_drafts",
        "List my auth drafts",
        "Lists the caller's own drafts, newest first, each with its form state.",
        kRead,
        at("POST", "drafts"),
        drafts,
        "any member (own drafts only)"
    ));
    r.add_tool(tool(
        "auths_docs",
        "Auth artifact documentation",
        "Documentation generated from these tool rows and their schemas: every operation with "
        "its REST route, schemas and permissions; with entity_id also that auth's content.",
        kRead,
        at("POST", "docs"),
        auths_docs_handler(r),
        "any member"
    ));
    r.add_tool(tool(
        "auths_export",
        "Export auths as CSV",
        "Writes one denormalised CSV row per auth (or only auth_id) to an upload, streaming, "
        "and answers upload_id, file_name and row_count. The file is at GET "
        "/api/v5/uploads/{upload_id} and at the resource signoff://uploads/{upload_id}. Sends "
        "progress notifications when the call carries a progress token.",
        kWrite,
        at("POST", "export"),
        export_csv,
        "any member (the upload: its owner and org admins)"
    ));
    r.add_tool(tool(
        "auths_refresh",
        "Refresh auth views",
        "Rebuilds the organisation's auth search view and drops its cached option lists; "
        "answers what it rebuilt and which cache tags it dropped.",
        kIdempotent,
        at("POST", "refresh"),
        refresh,
        "any member"
    ));
}

void register_domain_tools(registry::Registry& r) {
    register_identity_tools(r);
    register_catalog_tools(r);
    register_auths_tools(r);
    register_approvals_tools(r);
    register_audit_tools(r);
    register_webhooks_tools(r);
    register_auth_endpoints(r);
}

}  // namespace signoff::tools::families
