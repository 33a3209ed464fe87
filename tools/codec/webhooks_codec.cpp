// See webhooks_codec.hpp.
#include "tools/codec/webhooks_codec.hpp"

#include "tools/codec/json_args.hpp"

namespace signoff::server::webhooks {

namespace json = boost::json;
using tools::codec::or_null;

void tag_invoke(json::value_from_tag, json::value& jv, Webhook const& w) {
    json::array events;
    for (auto const& e : w.events) {
        events.emplace_back(e);
    }
    jv = json::object{
        {"id", w.id},
        {"kind", w.kind},
        {"owner_user_id", or_null(w.owner_user_id)},
        {"name", or_null(w.name)},
        {"description", or_null(w.description)},
        {"url", w.url},
        {"events", std::move(events)},
        {"scheme", w.scheme},
        {"secret_hint", w.secret_hint},
        {"previous_secret_hint", or_null(w.previous_secret_hint)},
        {"previous_secret_expires_at", or_null(w.previous_secret_expires_at)},
        {"enabled", w.enabled},
        {"disabled_at", or_null(w.disabled_at)},
        {"disabled_reason", or_null(w.disabled_reason)},
        {"consecutive_failures", w.consecutive_failures},
        {"created_at", w.created_at},
        {"updated_at", w.updated_at},
        {"version", w.version},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, WebhookWithSecret const& w) {
    jv = json::value_from(w.webhook);
    auto& o = jv.as_object();
    if (w.secret) {
        o["secret"] = *w.secret;
    }
    o["created"] = w.created;
}

}  // namespace signoff::server::webhooks
