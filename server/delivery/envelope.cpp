// Webhook bodies from outbox rows (see envelope.hpp). The domain may not use
// Boost.JSON, and the body must carry the stored "data" text unchanged, so a
// small scanner finds that member's span and checks it is well-formed JSON.
#include "server/delivery/envelope.hpp"

#include <cctype>

#include "server/events/json_text.hpp"

namespace signoff::server::delivery {
namespace {

constexpr int kMaxDepth = 64;

/// Walks one JSON text; each skip_* consumes a well-formed value or fails.
class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}

    /// The raw text of the top-level object's member `name`; nullopt when the
    /// text is not one well-formed object or has no such member.
    std::optional<std::string_view> member(std::string_view name) {
        std::optional<std::string_view> found;
        space();
        if (!eat('{')) {
            return std::nullopt;
        }
        space();
        if (eat('}')) {
            return finish() ? found : std::nullopt;
        }
        do {
            space();
            std::size_t const key_start = pos_;
            if (!skip_string()) {
                return std::nullopt;
            }
            std::string_view const key = s_.substr(key_start + 1, pos_ - key_start - 2);
            space();
            if (!eat(':')) {
                return std::nullopt;
            }
            space();
            std::size_t const value_start = pos_;
            if (!skip_value(1)) {
                return std::nullopt;
            }
            if (key == name) {
                found = s_.substr(value_start, pos_ - value_start);
            }
            space();
        } while (eat(','));
        return eat('}') && finish() ? found : std::nullopt;
    }

private:
    bool finish() {
        space();
        return pos_ == s_.size();
    }

    void space() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool eat(char c) {
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    bool digits() {
        std::size_t const start = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
            ++pos_;
        }
        return pos_ > start;
    }

    bool skip_string() {
        if (!eat('"')) {
            return false;
        }
        while (pos_ < s_.size()) {
            auto const c = static_cast<unsigned char>(s_[pos_++]);
            if (c == '"') {
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\' && !skip_escape()) {
                return false;
            }
        }
        return false;
    }

    bool skip_escape() {
        if (pos_ >= s_.size()) {
            return false;
        }
        char const e = s_[pos_++];
        if (e != 'u') {
            return std::string_view{"\"\\/bfnrt"}.find(e) != std::string_view::npos;
        }
        for (int i = 0; i < 4; ++i) {
            if (pos_ >= s_.size() || std::isxdigit(static_cast<unsigned char>(s_[pos_])) == 0) {
                return false;
            }
            ++pos_;
        }
        return true;
    }

    bool skip_number() {
        eat('-');
        if (!digits()) {
            return false;
        }
        if (eat('.') && !digits()) {
            return false;
        }
        if (eat('e') || eat('E')) {
            if (!eat('+')) {
                eat('-');
            }
            return digits();
        }
        return true;
    }

    bool skip_word(std::string_view w) {
        if (s_.substr(pos_, w.size()) != w) {
            return false;
        }
        pos_ += w.size();
        return true;
    }

    /// `"key" :` and the space after it.
    bool skip_key() {
        if (!skip_string()) {
            return false;
        }
        space();
        if (!eat(':')) {
            return false;
        }
        space();
        return true;
    }

    /// Objects and arrays: `close` ends the list; members have "key":.
    bool skip_list(char close, bool members, int depth) {
        space();
        if (eat(close)) {
            return true;
        }
        do {
            space();
            if (members && !skip_key()) {
                return false;
            }
            if (!skip_value(depth + 1)) {
                return false;
            }
            space();
        } while (eat(','));
        return eat(close);
    }

    bool skip_value(int depth) {
        if (depth > kMaxDepth || pos_ >= s_.size()) {
            return false;
        }
        switch (s_[pos_]) {
            case '{':
                ++pos_;
                return skip_list('}', true, depth);
            case '[':
                ++pos_;
                return skip_list(']', false, depth);
            case '"':
                return skip_string();
            case 't':
                return skip_word("true");
            case 'f':
                return skip_word("false");
            case 'n':
                return skip_word("null");
            default:
                return skip_number();
        }
    }

    std::string_view s_;
    std::size_t pos_{0};
};

}  // namespace

std::string_view scheme_name(Scheme s) {
    return s == Scheme::kFluxdesk ? "fluxdesk" : "signoff";
}

std::optional<Scheme> parse_scheme(std::string_view name) {
    if (name == "signoff") {
        return Scheme::kSignoff;
    }
    if (name == "fluxdesk") {
        return Scheme::kFluxdesk;
    }
    return std::nullopt;
}

OutboxEvent event_of(storage::repos::OutboxRecord const& row) {
    return OutboxEvent{row.id, row.org_id, row.event_type, row.created_at, row.payload_json};
}

core::Result<std::string> payload_data(std::string_view payload_json) {
    auto data = Scanner{payload_json}.member("data");
    if (!data) {
        return core::Error::internal("outbox payload is not a JSON object with a \"data\" member");
    }
    return std::string{*data};
}

std::optional<std::string> json_member(std::string_view json, std::string_view name) {
    auto m = Scanner{json}.member(name);
    if (!m) {
        return std::nullopt;
    }
    return std::string{*m};
}

namespace {

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<char> simple_escape(char e) {
    switch (e) {
        case '"':
        case '\\':
        case '/':
            return e;
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<std::string> json_string(std::string_view literal) {
    if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') {
        return std::nullopt;
    }
    std::string out;
    std::string_view const s = literal.substr(1, literal.size() - 2);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i >= s.size()) {
            return std::nullopt;
        }
        if (s[i] != 'u') {
            auto c = simple_escape(s[i]);
            if (!c) {
                return std::nullopt;
            }
            out += *c;
            continue;
        }
        if (i + 4 >= s.size()) {
            return std::nullopt;
        }
        unsigned cp = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
            char const h = s[i + k];
            auto const v = static_cast<unsigned>(
                std::isdigit(static_cast<unsigned char>(h))
                    ? h - '0'
                    : (std::tolower(static_cast<unsigned char>(h)) - 'a' + 10)
            );
            if (std::isxdigit(static_cast<unsigned char>(h)) == 0) {
                return std::nullopt;
            }
            cp = cp * 16 + v;
        }
        i += 4;
        append_utf8(out, cp);
    }
    return out;
}

core::Result<std::string> build_body(Scheme scheme, OutboxEvent const& event) {
    auto data = payload_data(event.payload_json);
    if (!data) {
        return data.error();
    }
    events::JsonObject body;
    if (scheme == Scheme::kFluxdesk) {
        // Receivers written for the seed product check that the body begins
        // with {"version":1,"type":, so these two members come first.
        body.integer("version", 1)
            .str("type", event.type)
            .str("id", event.id)
            .str("created_at", event.created_at);
    } else {
        body.str("id", event.id)
            .str("type", event.type)
            .str("created_at", event.created_at)
            .str("org", event.org_id);
    }
    return body.raw("data", *data).text();
}

}  // namespace signoff::server::delivery
