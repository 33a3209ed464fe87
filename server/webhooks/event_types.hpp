// The event types a webhook endpoint may subscribe to, and the stored form of
// a subscription (types joined by commas in a fixed order, or "*" for all).
// Used by WebhooksService when an endpoint is configured and by the delivery
// worker when it picks the endpoints of an outbox event.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/error.hpp"

namespace signoff::server::webhooks {

/// Every type an endpoint may name, in the order stored lists use.
inline constexpr std::array<std::string_view, 11> kEventTypes{
    "team_support.requested",
    "team_support.approved",
    "team_support.revoked",
    "team_support.expired",
    "workflow.approved",
    "workflow.rejected",
    "workflow.expired",
    "workflow.canceled",
    "auth.published",
    "auth.deleted",
    "webhook.disabled",  // the delivery worker disabled an endpoint (docs/webhooks.md)
};

/// The subscription to every type of kEventTypes, including types added later.
inline constexpr std::string_view kAllEvents = "*";

/// True for the types of kEventTypes: the only outbox events delivered to
/// subscriptions (others, such as workflow.action.*, are internal).
bool is_event_type(std::string_view type);

/// The stored form of `events`: "*" alone, or known types (duplicates
/// dropped) joined by commas in kEventTypes order. kInvalidArgument with a
/// detail on `field` ("events[2]: unknown event type 'x'") for an unknown
/// type, an empty list, or "*" next to other types.
core::Result<std::string> normalize_events(
    std::vector<std::string> const& events, std::string const& field = "events"
);

/// The stored form back as a list (["*"] for all).
std::vector<std::string> split_events(std::string const& stored);

/// True when `event_type` is one of kEventTypes and the stored subscription
/// covers it.
bool subscribes(std::string const& stored, std::string_view event_type);

}  // namespace signoff::server::webhooks
