// The bounded JSON reader (see json_lite.hpp): recursive descent over a
// string_view, one character of look-ahead.
#include "server/approvals/json_lite.hpp"

#include <charconv>

namespace signoff::server::approvals::detail {
namespace {

class Reader {
public:
    Reader(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

    core::Result<JsonNode> document() {
        JsonNode out;
        if (!value(out, 0)) {
            return fail();
        }
        skip_space();
        if (pos_ != s_.size()) {
            error_ = "trailing characters";
            return fail();
        }
        return out;
    }

private:
    core::Error fail() const {
        return core::Error::internal(
            "stored JSON is malformed at offset " + std::to_string(pos_) + ": " + error_
        );
    }

    void skip_space() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) {
            error_ = "unexpected token";
            return false;
        }
        pos_ += word.size();
        return true;
    }

    bool value(JsonNode& out, int depth) {
        if (depth > max_depth_) {
            error_ = "nested too deeply";
            return false;
        }
        skip_space();
        if (pos_ >= s_.size()) {
            error_ = "unexpected end";
            return false;
        }
        char const c = s_[pos_];
        switch (c) {
            case '{':
                return object(out, depth);
            case '[':
                return array(out, depth);
            case '"':
                out.kind = JsonNode::Kind::kString;
                return string(out.text);
            case 't':
                out.kind = JsonNode::Kind::kBool;
                out.boolean = true;
                return literal("true");
            case 'f':
                out.kind = JsonNode::Kind::kBool;
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number(out);
        }
    }

    bool number(JsonNode& out) {
        auto const* begin = s_.data() + pos_;
        auto const* end = s_.data() + s_.size();
        auto [ptr, ec] = std::from_chars(begin, end, out.integer);
        if (ec != std::errc{} || (ptr < end && (*ptr == '.' || *ptr == 'e' || *ptr == 'E'))) {
            error_ = "only integers are supported";
            return false;
        }
        out.kind = JsonNode::Kind::kInt;
        pos_ += static_cast<std::size_t>(ptr - begin);
        return true;
    }

    bool array(JsonNode& out, int depth) {
        out.kind = JsonNode::Kind::kArray;
        ++pos_;  // [
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            out.items.emplace_back();
            if (!value(out.items.back(), depth + 1)) {
                return false;
            }
            if (!separator(']')) {
                return false;
            }
            if (s_[pos_ - 1] == ']') {
                return true;
            }
        }
    }

    bool object(JsonNode& out, int depth) {
        out.kind = JsonNode::Kind::kObject;
        ++pos_;  // {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_space();
            std::string key;
            if (pos_ >= s_.size() || s_[pos_] != '"' || !string(key)) {
                error_ = error_.empty() ? "expected a member name" : error_;
                return false;
            }
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != ':') {
                error_ = "expected ':'";
                return false;
            }
            ++pos_;
            out.members.emplace_back(std::move(key), JsonNode{});
            if (!value(out.members.back().second, depth + 1) || !separator('}')) {
                return false;
            }
            if (s_[pos_ - 1] == '}') {
                return true;
            }
        }
    }

    /// Consumes ',' (more follows) or `close` (done).
    bool separator(char close) {
        skip_space();
        if (pos_ < s_.size() && (s_[pos_] == ',' || s_[pos_] == close)) {
            ++pos_;
            return true;
        }
        error_ = std::string("expected ',' or '") + close + "'";
        return false;
    }

    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool hex4(std::uint32_t& cp) {
        if (pos_ + 4 > s_.size()) {
            error_ = "short \\u escape";
            return false;
        }
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, value, 16);
        if (ec != std::errc{} || ptr != s_.data() + pos_ + 4) {
            error_ = "bad \\u escape";
            return false;
        }
        pos_ += 4;
        cp = value;
        return true;
    }

    bool escape(std::string& out) {
        char const e = s_[pos_++];
        switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                return unicode(out);
            default:
                error_ = "unknown escape";
                return false;
        }
    }

    bool unicode(std::string& out) {
        std::uint32_t cp = 0;
        if (!hex4(cp)) {
            return false;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate needs its low half
            std::uint32_t low = 0;
            if (s_.substr(pos_, 2) != "\\u") {
                error_ = "lone surrogate";
                return false;
            }
            pos_ += 2;
            if (!hex4(low) || low < 0xDC00 || low >= 0xE000) {
                error_ = "lone surrogate";
                return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        ++pos_;  // opening quote
        while (pos_ < s_.size()) {
            char const c = s_[pos_++];
            if (c == '"') {
                return true;
            }
            if (c == '\\') {
                if (pos_ >= s_.size() || !escape(out)) {
                    error_ = error_.empty() ? "bad escape" : error_;
                    return false;
                }
                continue;
            }
            out += c;
        }
        error_ = "unterminated string";
        return false;
    }

    std::string_view s_;
    int max_depth_;
    std::size_t pos_{0};
    std::string error_;
};

}  // namespace

JsonNode const* JsonNode::find(std::string_view key) const {
    for (auto const& [k, v] : members) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

core::Result<JsonNode> parse_json(std::string_view text, int max_depth) {
    return Reader(text, max_depth).document();
}

}  // namespace signoff::server::approvals::detail
