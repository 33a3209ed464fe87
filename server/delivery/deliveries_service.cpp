// The delivery log service (see deliveries_service.hpp): permission first,
// from the delivery's endpoint (owner or integration), then one repository
// read or one insert + audit row in a transaction.
#include "server/delivery/deliveries_service.hpp"

#include "server/core/db_map.hpp"
#include "server/delivery/worker.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/webhooks_repo.hpp"

namespace signoff::server::delivery {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using storage::Tx;
using storage::TxMode;

/// Who may see deliveries to `endpoint_id` (nullopt: a workflow action, or an
/// endpoint since deleted): its owner for an employee hook, else admins.
Result<std::optional<repos::WebhookEndpointRecord>> endpoint_of(
    Tx& tx, core::Actor const& actor, std::optional<std::string> const& endpoint_id
) {
    std::optional<repos::WebhookEndpointRecord> w;
    if (endpoint_id) {
        auto found = core::from_db(repos::find_webhook(tx, actor.org_id, *endpoint_id));
        if (!found) {
            return found.error();
        }
        w = *found;
    }
    identity::Subject s;
    if (w) {
        s.owner_user_id = w->owner_user_id;
    }
    if (auto ok = identity::authorize(actor, identity::Action::kWebhooksDeliveries, s); !ok) {
        return ok.error();
    }
    return w;
}

Result<DeliveryView> with_attempts(Tx& tx, repos::DeliveryRecord d) {
    auto attempts = core::from_db(repos::list_attempts(tx, d.id));
    if (!attempts) {
        return attempts.error();
    }
    return DeliveryView{std::move(d), std::move(*attempts)};
}

Result<repos::DeliveryRecord> load(Tx& tx, core::Actor const& actor, std::string const& id) {
    auto d = core::from_db(repos::find_delivery(tx, actor.org_id, id));
    if (!d) {
        return d.error();
    }
    if (!*d) {
        return Error::not_found("no delivery " + id + " in this organization");
    }
    return std::move(**d);
}

/// "<created_at>|<id>" as list() writes next_cursor; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> parse_cursor(std::string const& c) {
    auto const bar = c.find('|');
    if (bar == std::string::npos || bar + 1 == c.size()) {
        return std::nullopt;
    }
    std::string at = c.substr(0, bar);
    if (!core::parse_rfc3339(at)) {
        return std::nullopt;
    }
    return std::pair{std::move(at), c.substr(bar + 1)};
}

/// The delivery target of an action kind; nullopt for an unknown kind.
std::optional<std::string> action_target(std::string const& kind) {
    if (kind == "webhook") {
        return std::string{kTargetActionWebhook};
    }
    if (kind == "email") {
        return std::string{kTargetActionEmail};
    }
    return std::nullopt;
}

repos::DeliveryFilter scoped(std::string const& org_id, std::string const& endpoint_id) {
    repos::DeliveryFilter f;
    f.org_id = org_id;
    f.endpoint_id = endpoint_id;
    return f;
}

}  // namespace

DeliveriesService::DeliveriesService(storage::Db& db, core::Clock const& clock, core::IdSource& ids)
    : db_(db), clock_(clock), ids_(ids), recorder_(clock, ids) {}

Result<DeliveryPage> DeliveriesService::list(
    Tx& tx, repos::DeliveryFilter f, DeliveryQuery const& q
) {
    if (q.state && *q.state != kStatePending && *q.state != kStateDelivered &&
        *q.state != kStateFailed) {
        return Error::invalid_field("state", "must be pending, delivered or failed");
    }
    f.state = q.state;
    f.event_type = q.event_type;
    for (auto const* t : {&q.from, &q.to}) {
        if (*t && !core::parse_rfc3339(**t)) {
            return Error::invalid_field(t == &q.from ? "from" : "to", "must be an RFC 3339 time");
        }
    }
    f.created_from =
        q.from ? std::optional{core::to_rfc3339(*core::parse_rfc3339(*q.from))} : std::nullopt;
    f.created_to =
        q.to ? std::optional{core::to_rfc3339(*core::parse_rfc3339(*q.to))} : std::nullopt;
    std::int64_t const limit = q.limit.value_or(kDefaultDeliveryPage);
    if (limit < 1 || limit > kMaxDeliveryPage) {
        return Error::invalid_field("limit", "must be 1-100");
    }
    if (q.cursor) {
        auto keyset = parse_cursor(*q.cursor);
        if (!keyset) {
            return Error::invalid_field("cursor", "not a cursor this list answered");
        }
        f.before_created_at = std::move(keyset->first);
        f.before_id = std::move(keyset->second);
    }
    f.limit = limit + 1;  // one more tells whether another page exists
    auto rows = core::from_db(repos::list_deliveries(tx, f));
    if (!rows) {
        return rows.error();
    }
    DeliveryPage page;
    bool const more = static_cast<std::int64_t>(rows->size()) > limit;
    if (more) {
        rows->pop_back();
        page.next_cursor = rows->back().created_at + "|" + rows->back().id;
    }
    for (auto& d : *rows) {
        auto v = with_attempts(tx, std::move(d));
        if (!v) {
            return v.error();
        }
        page.items.push_back(std::move(*v));
    }
    return page;
}

Result<DeliveryPage> DeliveriesService::list_for_endpoint(
    core::Actor const& actor, std::string const& endpoint_id, DeliveryQuery const& q
) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<DeliveryPage> {
        auto w = endpoint_of(tx, actor, endpoint_id);
        if (!w) {
            return w.error();
        }
        if (!*w) {
            return Error::not_found("no webhook endpoint " + endpoint_id + " in this organization");
        }
        return list(tx, scoped(actor.org_id, endpoint_id), q);
    });
}

Result<DeliveryPage> DeliveriesService::list_mine(
    core::Actor const& actor, DeliveryQuery const& q
) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<DeliveryPage> {
        auto mine =
            core::from_db(repos::find_employee_webhook(tx, actor.org_id, actor.principal_id));
        if (!mine) {
            return mine.error();
        }
        if (!*mine) {
            return Error::not_found("you have no webhook endpoint; set one first");
        }
        auto w = endpoint_of(tx, actor, (*mine)->id);
        if (!w) {
            return w.error();
        }
        return list(tx, scoped(actor.org_id, (*mine)->id), q);
    });
}

Result<DeliveryPage> DeliveriesService::list_actions(
    core::Actor const& actor, ActionDeliveryQuery const& q
) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<DeliveryPage> {
        if (auto w = endpoint_of(tx, actor, std::nullopt); !w) {
            return w.error();
        }
        repos::DeliveryFilter f;
        f.org_id = actor.org_id;
        f.actions_only = true;
        if (q.kind) {
            f.target = action_target(*q.kind);
            if (!f.target) {
                return Error::invalid_field("kind", "must be webhook or email");
            }
        }
        if (q.workflow_id) {
            f.workflow_id = identity::lower(*q.workflow_id);  // workflow ids are lower-case
        }
        return list(tx, std::move(f), q.common);
    });
}

Result<DeliveryView> DeliveriesService::get(core::Actor const& actor, std::string const& id) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<DeliveryView> {
        auto d = load(tx, actor, id);
        if (!d) {
            return d.error();
        }
        if (auto w = endpoint_of(tx, actor, d->endpoint_id); !w) {
            return w.error();
        }
        return with_attempts(tx, std::move(*d));
    });
}

Result<DeliveryView> DeliveriesService::redeliver(core::Actor const& actor, std::string const& id) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<DeliveryView> {
        auto old = load(tx, actor, id);
        if (!old) {
            return old.error();
        }
        auto w = endpoint_of(tx, actor, old->endpoint_id);
        if (!w) {
            return w.error();
        }
        if (old->endpoint_id && (!*w || !(*w)->enabled)) {
            return Error::failed_precondition(
                "the endpoint is disabled or deleted; enable it before redelivering"
            );
        }
        std::string const now = core::to_rfc3339(clock_.now());
        repos::DeliveryRecord d;
        d.id = ids_.new_id();
        d.org_id = old->org_id;
        d.event_id = old->event_id;
        d.event_type = old->event_type;
        d.endpoint_id = old->endpoint_id;
        d.target = old->target;
        d.state = kStatePending;
        d.next_attempt_at = now;
        d.created_at = now;
        d.updated_at = now;
        d.workflow_id = old->workflow_id;
        if (auto s = core::from_db(repos::insert_delivery(tx, d)); !s) {
            return s.error();
        }
        tx.note_outbox_work();  // the worker sends it at once, not at its next poll
        std::string const detail = events::JsonObject{}
                                       .str("redelivery_of", old->id)
                                       .str("event_id", old->event_id)
                                       .text();
        auto entry = events::Recorder::by(
            actor, "webhooks.delivery.redelivered", "webhook_delivery", d.id, detail
        );
        if (auto s = recorder_.audit(tx, entry); !s) {
            return s.error();
        }
        return DeliveryView{std::move(d), {}};
    });
}

}  // namespace signoff::server::delivery
