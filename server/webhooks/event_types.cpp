// Subscriptions to event types (see event_types.hpp).
#include "server/webhooks/event_types.hpp"

#include <algorithm>

namespace signoff::server::webhooks {
namespace {

std::string known_list() {
    std::string out;
    for (auto t : kEventTypes) {
        out += (out.empty() ? "" : ", ") + std::string(t);
    }
    return out;
}

}  // namespace

bool is_event_type(std::string_view type) {
    return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

core::Result<std::string> normalize_events(
    std::vector<std::string> const& events, std::string const& field
) {
    if (events.empty()) {
        return core::Error::invalid_field(
            field, "subscribe to at least one event type, or \"*\" for all"
        );
    }
    bool all = false;
    for (std::size_t i = 0; i < events.size(); ++i) {
        std::string const at = field + "[" + std::to_string(i) + "]";
        if (events[i] == kAllEvents) {
            all = true;
        } else if (!is_event_type(events[i])) {
            std::string shown = events[i].size() > 64 ? events[i].substr(0, 64) + "…" : events[i];
            return core::Error::invalid_field(
                at, "unknown event type '" + shown + "'; known: " + known_list() + ", or \"*\""
            );
        }
    }
    if (all) {
        if (std::any_of(events.begin(), events.end(), [](auto const& e) {
                return e != kAllEvents;
            })) {
            return core::Error::invalid_field(
                field, "\"*\" already means every event type; give it alone"
            );
        }
        return std::string(kAllEvents);
    }
    std::string out;
    for (auto t : kEventTypes) {
        if (std::find(events.begin(), events.end(), t) != events.end()) {
            out += (out.empty() ? "" : ",") + std::string(t);
        }
    }
    return out;
}

std::vector<std::string> split_events(std::string const& stored) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= stored.size() && !stored.empty()) {
        auto const comma = stored.find(',', start);
        out.push_back(stored.substr(start, comma == std::string::npos ? comma : comma - start));
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

bool subscribes(std::string const& stored, std::string_view event_type) {
    if (!is_event_type(event_type)) {
        return false;
    }
    if (stored == kAllEvents) {
        return true;
    }
    auto const list = split_events(stored);
    return std::find(list.begin(), list.end(), event_type) != list.end();
}

}  // namespace signoff::server::webhooks
