// A tiny JSON text builder for the domain's own documents (audit details,
// outbox payloads). The domain may not include Boost.JSON (tools/ owns JSON
// mapping), yet events are stored as JSON text, so this writes it by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signoff::server::events {

/// `s` as a JSON string literal, quotes included; control characters escaped.
std::string json_quote(std::string_view s);

/// Builds one JSON object, member by member, in insertion order.
class JsonObject {
public:
    JsonObject& str(std::string_view key, std::string_view value);
    /// A string, or null when absent.
    JsonObject& opt_str(std::string_view key, std::optional<std::string> const& value);
    JsonObject& integer(std::string_view key, std::int64_t value);
    JsonObject& null(std::string_view key);
    /// `json` must already be valid JSON text (a nested object).
    JsonObject& raw(std::string_view key, std::string_view json);
    std::string text() const { return body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_{"{"};
};

}  // namespace signoff::server::events
