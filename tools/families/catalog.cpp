// The catalog_* tool rows: one row and one short handler per tool (decode →
// one CatalogService call → encode). Field names follow seed 000 (snake_case:
// catalog_slug, email, note, reason, expires_at, duration); answers carry
// category plus the server-rendered categoryDisplay.
//
//   MCP tools/call ─┐
//   REST /api/v1/catalog/... ─┴─► Registry::invoke ─► handler below ─► CatalogService
#include "server/catalog/catalog_service.hpp"
#include "server/catalog/categories.hpp"
#include "tools/codec/catalog_codec.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace catalog = server::catalog;
using codec::nullable_string;
using codec::opt_int;
using codec::opt_string;
using codec::or_null;
using codec::string_or;
using registry::Annotations;
using registry::RestRoute;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kApprovalsPath = "/api/v1/catalog/approvals";
constexpr const char* kRowsPath = "/api/v1/catalog/rows";
constexpr const char* kRowPath = "/api/v1/catalog/rows/{slug}";

constexpr FamilyRows tool{"catalog"};
constexpr auto service = &service_of<&registry::Services::catalog>;

template <class T>
Result<json::value> encode_page(Result<catalog::Page<T>> const& r) {
    if (!r) {
        return r.error();
    }
    return json::object{
        {"items", json::value_from(r->items)},
        {"next_cursor", or_null(r->next_cursor)},
        {"total_count", r->total_count},
    };
}

catalog::Expiry expiry(json::object const& a) {
    return {opt_string(a, "expires_at"), opt_string(a, "duration")};
}

catalog::PageRequest page(json::object const& a) {
    return {opt_int(a, "limit").value_or(20), opt_string(a, "cursor"), opt_int(a, "offset")};
}

// ---- handlers --------------------------------------------------------------

Result<json::value> rows_create(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    catalog::RowInput in{
        string_or(a, "slug"),
        string_or(a, "display_name"),
        string_or(a, "description"),
        opt_string(a, "owner_user_id"),
        opt_string(a, "category"),
        opt_string(a, "workflow_template")};
    return encode((*svc)->create_row(ctx.actor, in));
}

Result<json::value> rows_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode_page((*svc)->list_rows(ctx.actor, page(a)));
}

Result<json::value> rows_get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->get_row(ctx.actor, string_or(a, "slug")));
}

Result<json::value> rows_update(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    catalog::RowPatch p;
    p.display_name = opt_string(a, "display_name");
    p.description = opt_string(a, "description");
    p.owner_user_id = nullable_string(a, "owner_user_id");
    p.category = nullable_string(a, "category");
    p.expected_version = opt_int(a, "expected_version");
    p.workflow_template = nullable_string(a, "workflow_template");
    return encode((*svc)->update_row(ctx.actor, string_or(a, "slug"), p));
}

Result<json::value> rows_delete(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto r = (*svc)->delete_row(ctx.actor, string_or(a, "slug"));
    if (!r) {
        return r.error();
    }
    return json::object{{"deleted", true}, {"row", json::value_from(*r)}};
}

Result<json::value> assign(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->assign(
        ctx.actor,
        string_or(a, "catalog_slug"),
        string_or(a, "email"),
        opt_string(a, "note"),
        expiry(a)
    ));
}

Result<json::value> request(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->request(
        ctx.actor, string_or(a, "catalog_slug"), opt_string(a, "email"), opt_string(a, "note")
    ));
}

Result<json::value> approve(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->approve(
        ctx.actor,
        string_or(a, "catalog_slug"),
        string_or(a, "email"),
        opt_string(a, "note"),
        expiry(a)
    ));
}

Result<json::value> revoke(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return encode((*svc)->revoke(
        ctx.actor, string_or(a, "catalog_slug"), string_or(a, "email"), string_or(a, "reason")
    ));
}

Result<json::value> approvals_list(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto slug = opt_string(a, "catalog_slug");
    auto alias = opt_string(a, "slug");
    if (slug && alias && *slug != *alias) {
        return Error::invalid_field("slug", "differs from catalog_slug; give one of them");
    }
    catalog::ApprovalFilter f{slug ? slug : alias, opt_string(a, "email"), opt_string(a, "state")};
    return encode_page((*svc)->list_approvals(ctx.actor, f, page(a)));
}

Result<json::value> assign_many(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto outcomes = (*svc)->assign_many(
        ctx.actor,
        string_or(a, "email"),
        codec::strings(a, "catalog_slugs"),
        opt_string(a, "note"),
        expiry(a)
    );
    json::array results;
    for (auto const& o : outcomes) {
        bool ok = o.result.has_value();
        results.push_back(json::object{
            {"catalog_slug", o.slug},
            {"ok", ok},
            {"approval", ok ? json::value_from(*o.result) : json::value(nullptr)},
            {"error",
             ok ? json::value(nullptr) : json::value(registry::error_body(o.result.error()))},
        });
    }
    return json::object{{"results", std::move(results)}};
}

Result<json::array> read_categories(ToolContext&, std::string const& uri) {
    json::array list;
    for (auto const& c : catalog::categories()) {
        list.push_back(json::object{{"slug", c.slug}, {"en", c.en}, {"zh", c.zh}});
    }
    json::object doc{{"categories", std::move(list)}};
    return json::array{json::object{
        {"uri", uri}, {"mimeType", "application/json"}, {"text", json::serialize(doc)}}};
}

// ---- the table ---------------------------------------------------------------

constexpr Annotations kRead{.read_only = true, .idempotent = true};
constexpr Annotations kWrite{};
constexpr Annotations kIdempotent{.idempotent = true};
constexpr Annotations kDestructive{.destructive = true};
constexpr Annotations kDestructiveIdempotent{.destructive = true, .idempotent = true};

RestRoute on_approvals(std::string const& method, std::string const& action) {
    return RestRoute{method, kApprovalsPath, action.empty() ? "" : "action", action};
}

}  // namespace

void register_catalog_tools(registry::Registry& r) {
    r.add_tool(tool(
        "catalog_rows_create",
        "Create a catalog row",
        "Defines a grantable resource type (e.g. openai-team): slug (unique in the org), display "
        "name, default description, owner (who may approve requests), category (a machine "
        "slug such as llm-backend, or a legacy free-form label kept verbatim) and optionally a "
        "workflow_template whose workflows decide requests.",
        kWrite,
        {{"POST", kRowsPath, "", "", 201, kRowPath}},
        rows_create,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "catalog_rows_list",
        "List catalog rows",
        "Lists the organisation's catalog rows by slug, with category and its English label "
        "(categoryDisplay). Pages with limit (default 20, max 100) and cursor or offset.",
        kRead,
        {{"GET", kRowsPath}},
        rows_list,
        "any member"
    ));
    r.add_tool(tool(
        "catalog_rows_get",
        "Get a catalog row",
        "Answers one catalog row by slug.",
        kRead,
        {{"GET", kRowPath}},
        rows_get,
        "any member"
    ));
    r.add_tool(tool(
        "catalog_rows_update",
        "Update a catalog row",
        "Changes the given fields of a row (null clears owner_user_id or category). With "
        "expected_version, a row changed meanwhile fails with a conflict naming the current "
        "version.",
        kWrite,
        {{"PATCH", kRowPath}},
        rows_update,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "catalog_rows_delete",
        "Delete a catalog row",
        "Deletes a row. Refused while any grant of it is pending or approved: revoke those "
        "first, so downstream systems hear about every ended access.",
        kDestructive,
        {{"DELETE", kRowPath}},
        rows_delete,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "catalog_assign",
        "Assign access directly",
        "Grants (catalog_slug, email) without a request step, e.g. on onboarding day 0. "
        "Idempotent: the same pair always answers the same approval, re-approving it if it was "
        "pending or revoked. Optional expires_at (RFC 3339) or duration (ISO 8601, e.g. P30D) "
        "makes the grant time-bound. Emits team_support.approved.",
        kIdempotent,
        {on_approvals("POST", "assign")},
        assign,
        "admin, hr_admin, super_admin (not for their own email)"
    ));
    r.add_tool(tool(
        "catalog_request",
        "Request access",
        "Asks for access to a catalog row; email defaults to the caller's. The row's owner or an "
        "admin then approves it with catalog_approve; when the row names a workflow_template, "
        "a workflow (workflow_id) is started and its outcome approves or revokes the request.",
        kIdempotent,
        {on_approvals("POST", "request")},
        request,
        "any member for themselves; admin, hr_admin, super_admin for anyone"
    ));
    r.add_tool(tool(
        "catalog_approve",
        "Approve a pending request",
        "Approves the pending request of (catalog_slug, email). Approving an approved grant "
        "changes nothing; a revoked one must be requested or assigned again. Emits "
        "team_support.approved.",
        kIdempotent,
        {on_approvals("POST", "approve")},
        approve,
        "the row's owner, admin, super_admin; never the grantee"
    ));
    r.add_tool(tool(
        "catalog_revoke",
        "Revoke access",
        "Marks the grant of (catalog_slug, email) revoked with a reason (required) and emits "
        "team_support.revoked so the source system can tear down its end. Revoking a revoked "
        "grant changes nothing.",
        kDestructiveIdempotent,
        {{"DELETE", kApprovalsPath}, on_approvals("POST", "revoke")},
        revoke,
        "admin, hr_admin, super_admin"
    ));
    r.add_tool(tool(
        "catalog_approvals_list",
        "List approvals",
        "Lists approvals, filtered by catalog_slug (or slug), email and state "
        "(pending|approved|revoked), oldest first. Pages with limit and cursor or offset. "
        "Grants whose time is up show as revoked with reason expired.",
        kRead,
        {{"GET", kApprovalsPath}},
        approvals_list,
        "any member"
    ));
    r.add_tool(tool(
        "catalog_assign_many",
        "Assign several rows to one person",
        "Assigns each of catalog_slugs to email (an onboarding kit). Each slug is its own "
        "transaction and gets its own result; one failure does not undo the others.",
        kIdempotent,
        {{"POST", "/api/v1/catalog/approvals/assign-many"}},
        assign_many,
        "admin, hr_admin, super_admin"
    ));
    r.add_resource(registry::ResourceSpec{
        "signoff://catalog/categories",
        "catalog-categories",
        "Catalog categories",
        "The seven category machine slugs with their English (en) and Chinese (zh) labels.",
        "application/json",
        read_categories,
    });
}

}  // namespace signoff::tools::families
