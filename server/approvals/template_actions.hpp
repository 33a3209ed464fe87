// What a workflow template does when its workflows reach an outcome
// (APPROVALS.md "Actions"): EMAIL {recipients} and WEBHOOK {url, method?,
// headers?}, each naming the outcomes it runs on (`on`, default APPROVED).
// Checks, canonical JSON text for storage and its reader, and the redaction
// applied when a template is read back. Delivery belongs to a later slice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/error.hpp"

namespace signoff::server::approvals {

enum class ActionKind : std::uint8_t { kEmail, kWebhook };

struct WorkflowAction {
    ActionKind kind{ActionKind::kEmail};
    /// EMAIL only: 1–5 addresses.
    std::optional<std::vector<std::string>> recipients{};
    /// WEBHOOK only: an http(s) URL, the method (POST, PUT or GET; POST when
    /// absent) and extra request headers in the order given.
    std::optional<std::string> url{};
    std::optional<std::string> method{};
    std::optional<std::vector<std::pair<std::string, std::string>>> headers{};
    /// Outcomes it runs on: APPROVED, REJECTED, EXPIRED (default APPROVED).
    std::vector<std::string> on{};
    bool operator==(WorkflowAction const&) const = default;
};

inline constexpr std::size_t kMaxActions = 16;

std::string_view action_kind_name(ActionKind k);
std::optional<ActionKind> parse_action_kind(std::string_view name);

/// Checks every action and fills defaults (method POST, on [APPROVED]).
/// Field paths are `actions[i].…`. kInvalidArgument.
core::Result<std::vector<WorkflowAction>> checked_actions(std::vector<WorkflowAction> actions);

/// The actions as shown to readers: header values whose name suggests a
/// secret (auth, token, secret, key, password, credential, cookie) and URL
/// user-info become "***". Stored actions keep the real values for delivery.
std::vector<WorkflowAction> redacted(std::vector<WorkflowAction> actions);

std::string actions_to_json(std::vector<WorkflowAction> const& actions);
/// Reads what actions_to_json wrote; kInternal when it is not such a list.
core::Result<std::vector<WorkflowAction>> actions_from_json(std::string_view text);

}  // namespace signoff::server::approvals
