// Template actions: checks, redaction, canonical JSON (see template_actions.hpp).
#include "server/approvals/template_actions.hpp"

#include <algorithm>
#include <array>

#include "server/approvals/json_lite.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/roles.hpp"
#include "server/webhooks/url_policy.hpp"

namespace signoff::server::approvals {
namespace {

using core::Error;
using detail::JsonNode;

constexpr std::size_t kMaxRecipients = 5;
constexpr std::size_t kMaxHeaders = 32;
constexpr std::size_t kMaxHeaderName = 128;
constexpr std::size_t kMaxHeaderValue = 4096;
constexpr std::array<std::string_view, 3> kOutcomes{"APPROVED", "REJECTED", "EXPIRED"};
constexpr std::array<std::string_view, 3> kMethods{"POST", "PUT", "GET"};
// Headers the HTTP client owns; letting a template set them breaks framing.
// Set by the sender or by the delivery worker: an action may not replace the
// event and delivery ids a receiver dedupes on, nor the body's type.
constexpr std::array<std::string_view, 9> kReservedHeaders{
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "idempotency-key",
    "content-type",
    "x-signoff-event",
    "x-signoff-delivery",
    "x-signoff-signature"};
constexpr std::array<std::string_view, 7> kSecretWords{
    "auth", "token", "secret", "key", "password", "credential", "cookie"};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

template <std::size_t N>
bool one_of(std::array<std::string_view, N> const& set, std::string_view v) {
    return std::find(set.begin(), set.end(), v) != set.end();
}

/// The scheme's length (7 or 8) of an http:// or https:// URL, else 0.
std::size_t scheme_length(std::string_view url) {
    auto const l = lower(url.substr(0, 8));
    if (l.starts_with("https://")) {
        return 8;
    }
    return l.starts_with("http://") ? 7 : 0;
}

bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

core::Status check_outcomes(std::vector<std::string>& on, std::string const& field) {
    if (on.empty()) {
        on = {"APPROVED"};
        return {};
    }
    for (std::size_t i = 0; i < on.size(); ++i) {
        if (!one_of(kOutcomes, on[i])) {
            return Error::invalid_field(
                field + ".on[" + std::to_string(i) + "]", "must be APPROVED, REJECTED or EXPIRED"
            );
        }
        if (std::find(on.begin(), on.begin() + static_cast<std::ptrdiff_t>(i), on[i]) !=
            on.begin() + static_cast<std::ptrdiff_t>(i)) {
            return Error::invalid_field(field + ".on", "names " + on[i] + " twice");
        }
    }
    return {};
}

core::Status check_email(WorkflowAction const& a, std::string const& field) {
    if (a.url || a.method || a.headers) {
        return Error::invalid_field(
            field, "an EMAIL action takes recipients, not url/method/headers"
        );
    }
    if (!a.recipients || a.recipients->empty() || a.recipients->size() > kMaxRecipients) {
        return Error::invalid_field(field + ".recipients", "give 1-5 email addresses");
    }
    for (std::size_t i = 0; i < a.recipients->size(); ++i) {
        if (!identity::is_plain_email((*a.recipients)[i])) {
            return Error::invalid_field(
                field + ".recipients[" + std::to_string(i) + "]", "must be an email address"
            );
        }
    }
    return {};
}

core::Status check_headers(
    std::vector<std::pair<std::string, std::string>> const& hs, std::string const& field
) {
    if (hs.size() > kMaxHeaders) {
        return Error::invalid_field(field, "at most 32 headers");
    }
    std::vector<std::string> seen;
    for (auto const& [name, value] : hs) {
        std::string const f = field + "." + name;
        if (name.empty() || name.size() > kMaxHeaderName ||
            !std::all_of(name.begin(), name.end(), is_token_char)) {
            return Error::invalid_field(f, "a header name is 1-128 token characters");
        }
        if (one_of(kReservedHeaders, lower(name))) {
            return Error::invalid_field(f, "this header is set by the server");
        }
        if (std::find(seen.begin(), seen.end(), lower(name)) != seen.end()) {
            return Error::invalid_field(f, "header given twice (names ignore case)");
        }
        seen.push_back(lower(name));
        bool const bad_char = std::any_of(value.begin(), value.end(), [](unsigned char c) {
            return c == '\r' || c == '\n' || c == '\0';
        });
        if (value.size() > kMaxHeaderValue || bad_char) {
            return Error::invalid_field(f, "a header value is at most 4096 characters, one line");
        }
    }
    return {};
}

core::Status check_webhook(WorkflowAction& a, std::string const& field) {
    if (a.recipients) {
        return Error::invalid_field(
            field, "a WEBHOOK action takes url/method/headers, not recipients"
        );
    }
    if (!a.url) {
        return Error::invalid_field(field + ".url", "a WEBHOOK action needs a url");
    }
    // The sender's own URL rules (no user-info, no fragment, canonical hosts…),
    // so that nothing is stored that could never be sent. Addresses are vetted
    // at send time, when the host is resolved.
    if (auto parsed = webhooks::parse_webhook_url(*a.url, field + ".url"); !parsed) {
        return parsed.error();
    }
    if (!a.method) {
        a.method = "POST";
    }
    if (!one_of(kMethods, *a.method)) {
        return Error::invalid_field(field + ".method", "must be POST, PUT or GET");
    }
    return a.headers ? check_headers(*a.headers, field + ".headers") : core::Status{};
}

bool sounds_secret(std::string const& header) {
    auto const l = lower(header);
    return std::any_of(kSecretWords.begin(), kSecretWords.end(), [&](std::string_view w) {
        return l.find(w) != std::string::npos;
    });
}

/// scheme://user:pass@host… → scheme://***@host…
std::string redact_userinfo(std::string const& url) {
    std::size_t const start = scheme_length(url);
    std::size_t const end = url.find_first_of("/?#", start);
    std::size_t const at = url.rfind('@', end == std::string::npos ? url.size() : end);
    if (start == 0 || at == std::string::npos || at < start) {
        return url;
    }
    return url.substr(0, start) + "***" + url.substr(at);
}

std::string strings_json(std::vector<std::string> const& v) {
    std::string out = "[";
    for (auto const& s : v) {
        out += (out.size() > 1 ? "," : "") + events::json_quote(s);
    }
    return out + "]";
}

core::Error malformed(std::string const& why) {
    return Error::internal("stored template actions are malformed: " + why);
}

std::vector<std::string> strings_of(JsonNode const& n) {
    std::vector<std::string> out;
    for (auto const& item : n.items) {
        out.push_back(item.text);
    }
    return out;
}

core::Result<WorkflowAction> action_from(JsonNode const& n) {
    auto const* type = n.find("type");
    auto kind = type != nullptr ? parse_action_kind(type->text) : std::nullopt;
    if (!kind) {
        return malformed("unknown type");
    }
    WorkflowAction a{*kind};
    if (auto const* r = n.find("recipients")) {
        a.recipients = strings_of(*r);
    }
    if (auto const* u = n.find("url")) {
        a.url = u->text;
    }
    if (auto const* m = n.find("method")) {
        a.method = m->text;
    }
    if (auto const* h = n.find("headers")) {
        a.headers.emplace();
        for (auto const& [k, v] : h->members) {
            a.headers->emplace_back(k, v.text);
        }
    }
    if (auto const* on = n.find("on")) {
        a.on = strings_of(*on);
    }
    return a;
}

}  // namespace

std::string_view action_kind_name(ActionKind k) {
    return k == ActionKind::kEmail ? "EMAIL" : "WEBHOOK";
}

std::optional<ActionKind> parse_action_kind(std::string_view name) {
    if (name == "EMAIL") {
        return ActionKind::kEmail;
    }
    if (name == "WEBHOOK") {
        return ActionKind::kWebhook;
    }
    return std::nullopt;
}

core::Result<std::vector<WorkflowAction>> checked_actions(std::vector<WorkflowAction> actions) {
    if (actions.size() > kMaxActions) {
        return Error::invalid_field("actions", "at most 16 actions");
    }
    for (std::size_t i = 0; i < actions.size(); ++i) {
        std::string const field = "actions[" + std::to_string(i) + "]";
        auto& a = actions[i];
        auto s = a.kind == ActionKind::kEmail ? check_email(a, field) : check_webhook(a, field);
        if (!s) {
            return s.error();
        }
        if (auto o = check_outcomes(a.on, field); !o) {
            return o.error();
        }
    }
    return actions;
}

std::vector<WorkflowAction> redacted(std::vector<WorkflowAction> actions) {
    for (auto& a : actions) {
        if (a.url) {
            a.url = redact_userinfo(*a.url);
        }
        if (!a.headers) {
            continue;
        }
        for (auto& [name, value] : *a.headers) {
            if (sounds_secret(name)) {
                value = "***";
            }
        }
    }
    return actions;
}

std::string actions_to_json(std::vector<WorkflowAction> const& actions) {
    std::string out = "[";
    for (auto const& a : actions) {
        events::JsonObject o;
        o.str("type", action_kind_name(a.kind));
        if (a.recipients) {
            o.raw("recipients", strings_json(*a.recipients));
        }
        if (a.url) {
            o.str("url", *a.url);
        }
        if (a.method) {
            o.str("method", *a.method);
        }
        if (a.headers) {
            events::JsonObject h;
            for (auto const& [name, value] : *a.headers) {
                h.str(name, value);
            }
            o.raw("headers", h.text());
        }
        o.raw("on", strings_json(a.on));
        out += (out.size() > 1 ? "," : "") + o.text();
    }
    return out + "]";
}

core::Result<std::vector<WorkflowAction>> actions_from_json(std::string_view text) {
    auto node = detail::parse_json(text);
    if (!node) {
        return node.error();
    }
    if (node->kind != JsonNode::Kind::kArray) {
        return malformed("expected an array");
    }
    std::vector<WorkflowAction> out;
    for (auto const& item : node->items) {
        auto a = action_from(item);
        if (!a) {
            return a.error();
        }
        out.push_back(std::move(*a));
    }
    return out;
}

}  // namespace signoff::server::approvals
