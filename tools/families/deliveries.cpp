// The delivery log tool rows (docs/webhooks.md, "Delivery log"): list an
// integration's, one's own or the workflow actions' deliveries with their
// attempts, read one, and redeliver one. Decode → one DeliveriesService call
// → encode.
//
//   MCP tools/call ─┐
//   REST /api/v1/…/deliveries, /api/v1/deliveries/{id}… ─┴─► handler ─► DeliveriesService
#include "server/delivery/deliveries_service.hpp"
#include "tools/codec/json_args.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace delivery = server::delivery;
namespace repos = storage::repos;
using codec::opt_int;
using codec::opt_string;
using codec::string_or;
using registry::Annotations;
using registry::ToolContext;
using server::core::Result;

constexpr FamilyRows tool{"webhooks"};
constexpr auto service = &service_of<&registry::Services::deliveries>;

json::value opt(std::optional<std::string> const& v) {
    return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(std::optional<std::int64_t> const& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::value to_json(delivery::DeliveryView const& v) {
    json::array log;
    for (auto const& a : v.attempts) {
        log.push_back(json::object{
            {"attempt_no", a.attempt_no},
            {"started_at", a.started_at},
            {"status_code", opt(a.status_code)},
            {"latency_ms", a.latency_ms},
            {"answer_head", a.answer_head},
            {"error", a.error}});
    }
    auto const& d = v.delivery;
    return json::object{
        {"id", d.id},
        {"event_id", d.event_id},
        {"event_type", d.event_type},
        {"endpoint_id", opt(d.endpoint_id)},
        {"target", d.target},
        {"state", d.state},
        {"attempts", d.attempts},
        {"next_attempt_at", d.next_attempt_at},
        {"first_attempt_at", opt(d.first_attempt_at)},
        {"last_status", opt(d.last_status)},
        {"last_error", opt(d.last_error)},
        {"created_at", d.created_at},
        {"updated_at", d.updated_at},
        {"attempt_log", std::move(log)}};
}

/// A page as JSON; the workflow-action log's items also name their workflow.
Result<json::value> page_json(Result<delivery::DeliveryPage> const& r, bool with_workflow = false) {
    if (!r) {
        return r.error();
    }
    json::array items;
    for (auto const& v : r->items) {
        auto item = to_json(v);
        if (with_workflow) {
            item.as_object()["workflow_id"] = opt(v.delivery.workflow_id);
        }
        items.push_back(std::move(item));
    }
    return json::object{{"items", std::move(items)}, {"next_cursor", opt(r->next_cursor)}};
}

Result<json::value> one_json(Result<delivery::DeliveryView> const& r) {
    if (!r) {
        return r.error();
    }
    return to_json(*r);
}

delivery::DeliveryQuery query(json::object const& a) {
    return delivery::DeliveryQuery{
        opt_string(a, "state"),
        opt_string(a, "event_type"),
        opt_string(a, "from"),
        opt_string(a, "to"),
        opt_string(a, "cursor"),
        opt_int(a, "limit")};
}

Result<json::value> list_integration(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return page_json((*svc)->list_for_endpoint(ctx.actor, string_or(a, "id", ""), query(a)));
}

Result<json::value> list_mine(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return page_json((*svc)->list_mine(ctx.actor, query(a)));
}

Result<json::value> list_actions(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    delivery::ActionDeliveryQuery q{query(a), opt_string(a, "kind"), opt_string(a, "workflow_id")};
    return page_json((*svc)->list_actions(ctx.actor, q), true);
}

Result<json::value> get(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return one_json((*svc)->get(ctx.actor, string_or(a, "id", "")));
}

Result<json::value> redeliver(ToolContext& ctx, json::object const& a) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    return one_json((*svc)->redeliver(ctx.actor, string_or(a, "id", "")));
}

constexpr Annotations kRead{.read_only = true, .idempotent = true};
constexpr const char* kFilters =
    " Each delivery carries its attempts (status code, latency, the first KiB of the answer, "
    "the transport error). Filters: state (pending, delivered, failed), event_type, from/to "
    "(RFC 3339 creation time; to exclusive); limit 1-100 (default 50), newest first; pass "
    "next_cursor back as cursor for the next page.";

}  // namespace

void register_deliveries_tools(registry::Registry& r) {
    r.add_tool(tool(
        "webhooks_deliveries_list",
        "List an integration's deliveries",
        std::string{"The delivery log of one integration."} + kFilters,
        kRead,
        {"GET", "/api/v1/admin/integrations/{id}/deliveries"},
        list_integration,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "webhooks_me_deliveries_list",
        "List my webhook's deliveries",
        std::string{"The delivery log of your own webhook endpoint."} + kFilters,
        kRead,
        {"GET", "/api/v1/me/agent/deliveries"},
        list_mine,
        "any human member, for their own endpoint"
    ));
    r.add_tool(tool(
        "webhooks_action_deliveries_list",
        "List workflow action deliveries",
        std::string{"The delivery log of the organization's workflow template actions (WEBHOOK "
                    "calls and EMAIL messages), each with the workflow whose outcome queued it. "
                    "Also filters by kind (webhook, email) and workflow_id."} +
            kFilters,
        kRead,
        {"GET", "/api/v1/admin/workflow-actions/deliveries"},
        list_actions,
        "admin, super_admin"
    ));
    r.add_tool(tool(
        "webhooks_delivery_get",
        "Get a delivery",
        "One delivery with its attempts.",
        kRead,
        {"GET", "/api/v1/deliveries/{id}"},
        get,
        "the endpoint's owner for an employee hook; admin, super_admin otherwise"
    ));
    r.add_tool(tool(
        "webhooks_redeliver",
        "Redeliver",
        "Sends the delivery's event again to the same target: a new pending delivery, due now, "
        "with the same event id (receivers that dedupe on it see a repeat). The endpoint must "
        "be enabled.",
        Annotations{},
        {"POST", "/api/v1/deliveries/{id}/redeliver", "", "", 201, "/api/v1/deliveries/{id}"},
        redeliver,
        "the endpoint's owner for an employee hook; admin, super_admin otherwise"
    ));
}

}  // namespace signoff::tools::families
