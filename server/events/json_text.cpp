// JSON text building for audit details and outbox payloads (see json_text.hpp).
#include "server/events/json_text.hpp"

#include <cstdio>

namespace signoff::server::events {

std::string json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out.push_back(c);  // UTF-8 passes through unchanged
                }
        }
    }
    out.push_back('"');
    return out;
}

void JsonObject::key(std::string_view k) {
    if (body_.size() > 1) {
        body_.push_back(',');
    }
    body_ += json_quote(k);
    body_.push_back(':');
}

JsonObject& JsonObject::str(std::string_view k, std::string_view value) {
    key(k);
    body_ += json_quote(value);
    return *this;
}

JsonObject& JsonObject::opt_str(std::string_view k, std::optional<std::string> const& value) {
    return value ? str(k, *value) : null(k);
}

JsonObject& JsonObject::integer(std::string_view k, std::int64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

JsonObject& JsonObject::null(std::string_view k) {
    key(k);
    body_ += "null";
    return *this;
}

JsonObject& JsonObject::raw(std::string_view k, std::string_view json) {
    key(k);
    body_ += json;
    return *this;
}

}  // namespace signoff::server::events
