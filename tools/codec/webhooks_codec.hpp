// JSON ⇄ webhook endpoint types, found by ADL from boost::json::value_from (the
// domain headers never include Boost.JSON). snake_case field names, as the
// catalog's (seed 000) that these endpoints serve. Used by tools/families/webhooks.cpp.
#pragma once

#include <boost/json.hpp>

#include "server/webhooks/webhooks_service.hpp"

namespace signoff::server::webhooks {

/// {id, kind, owner_user_id, name, description, url, events, scheme, secret_hint,
///  previous_secret_hint, previous_secret_expires_at, enabled, disabled_at,
///  disabled_reason, consecutive_failures, created_at, updated_at, version}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Webhook const& w);
/// The Webhook object plus `created` and, when shown, `secret`.
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, WebhookWithSecret const& w);

}  // namespace signoff::server::webhooks
