// Input rules of the auth domain (see rules.hpp).
#include "server/auths/rules.hpp"

#include <algorithm>

#include "server/identity/roles.hpp"

namespace signoff::server::auths {
namespace {

using core::Error;
using core::FieldError;

bool is_control(unsigned char c, bool multiline) {
    if (multiline && (c == '\t' || c == '\n' || c == '\r')) {
        return false;
    }
    return c < 0x20 || c == 0x7f;
}

/// Length of the UTF-8 sequence led by `c`, 0 when `c` cannot lead one.
std::size_t sequence_length(unsigned char c) {
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        return 4;
    }
    return 0;
}

/// Rejects overlong forms, surrogates and code points past U+10FFFF.
bool valid_sequence(std::string_view s, std::size_t at, std::size_t n) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[at + i]); };
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xc0) != 0x80) {
            return false;
        }
    }
    unsigned char lead = byte(0);
    unsigned char next = n > 1 ? byte(1) : 0;
    if (lead == 0xe0 && next < 0xa0) {
        return false;
    }
    if (lead == 0xed && next > 0x9f) {
        return false;
    }
    if (lead == 0xf0 && next < 0x90) {
        return false;
    }
    return !(lead == 0xf4 && next > 0x8f);
}

void check_text(
    std::optional<std::string> const& s,
    std::string const& field,
    std::size_t max,
    bool multiline,
    bool may_be_empty,
    std::vector<FieldError>& out
) {
    if (!s || (may_be_empty && identity::trim(*s).empty())) {
        return;
    }
    if (auto t = clean_text(*s, field, max, multiline); !t) {
        out.push_back(t.error().details.front());
    }
}

void check_list(
    std::optional<std::vector<std::string>> const& list,
    std::string const& field,
    std::size_t max_chars,
    std::vector<FieldError>& out
) {
    if (!list) {
        return;
    }
    if (list->size() > kMaxListEntries) {
        out.push_back({field, "at most " + std::to_string(kMaxListEntries) + " entries"});
        return;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        std::string entry_field = field + "[" + std::to_string(i) + "]";
        check_text((*list)[i], entry_field, max_chars, false, false, out);
    }
}

void check_exclusive(
    std::optional<std::string> const& text,
    std::optional<std::string> const& id,
    std::string const& text_field,
    std::vector<FieldError>& out
) {
    if (text && id) {
        out.push_back(
            {text_field, "give either " + text_field + " or " + text_field + "_id, not both"}
        );
    }
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t chars = 0;
    for (std::size_t at = 0; at < s.size(); ++chars) {
        std::size_t n = sequence_length(static_cast<unsigned char>(s[at]));
        if (n == 0 || at + n > s.size() || !valid_sequence(s, at, n)) {
            return std::nullopt;
        }
        at += n;
    }
    return chars;
}

core::Result<std::string> clean_text(
    std::string_view s, std::string const& field, std::size_t max, bool multiline
) {
    std::string_view t = identity::trim(s);
    for (char c : t) {
        if (is_control(static_cast<unsigned char>(c), multiline)) {
            return invalid_fields({{field, "must not contain control characters"}});
        }
    }
    auto chars = utf8_length(t);
    if (!chars) {
        return invalid_fields({{field, "must be valid UTF-8 text"}});
    }
    if (*chars == 0) {
        return invalid_fields({{field, "must not be empty"}});
    }
    if (*chars > max) {
        return invalid_fields({{field, "at most " + std::to_string(max) + " characters"}});
    }
    return std::string{t};
}

std::size_t max_chars_of(std::string_view kind) {
    return kind == kKindDescription ? kMaxDescriptionChars : kMaxValueChars;
}

bool looks_like_id(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex) {
            return false;
        }
    }
    return true;
}

std::string with_suffix(std::string const& value, std::string const& suffix, std::size_t max) {
    std::size_t keep = max - std::min(max, utf8_length(suffix).value_or(suffix.size()));
    std::size_t at = 0;
    for (std::size_t chars = 0; at < value.size() && chars < keep; ++chars) {
        at += std::max<std::size_t>(1, sequence_length(static_cast<unsigned char>(value[at])));
    }
    return value.substr(0, std::min(at, value.size())) + suffix;
}

core::Status check_fields(AuthFields const& f) {
    std::vector<FieldError> out;
    check_exclusive(f.name, f.name_id, "name", out);
    check_exclusive(f.description, f.description_id, "description", out);
    check_text(f.name, "name", kMaxValueChars, false, false, out);
    check_text(f.description, "description", kMaxDescriptionChars, true, true, out);
    check_list(f.protocol_ids, "protocol_ids", kMaxValueChars, out);
    check_list(f.slug_ids, "slug_ids", kMaxValueChars, out);
    check_list(f.item_ids, "item_ids", kMaxValueChars, out);
    check_list(f.department_ids, "department_ids", kMaxDepartmentChars, out);
    if (!out.empty()) {
        return invalid_fields(std::move(out));
    }
    return {};
}

core::Status check_search(SearchQuery const& q) {
    std::vector<FieldError> out;
    if (q.page_size < 1 || q.page_size > kMaxPageSize) {
        out.push_back({"page_size", "must be between 1 and " + std::to_string(kMaxPageSize)});
    }
    if (q.page_offset < 0) {
        out.push_back({"page_offset", "must not be negative"});
    }
    check_text(q.search, "search", kMaxSearchChars, false, true, out);
    check_text(q.department_search, "department_search", kMaxSearchChars, false, true, out);
    if (q.filter_department_ids.size() > kMaxListEntries) {
        out.push_back(
            {"filter_department_ids", "at most " + std::to_string(kMaxListEntries) + " entries"}
        );
    }
    if (!out.empty()) {
        return invalid_fields(std::move(out));
    }
    return {};
}

Error invalid_fields(std::vector<FieldError> details) {
    std::string message = details.front().field + ": " + details.front().message;
    if (details.size() > 1) {
        message += " (and " + std::to_string(details.size() - 1) + " more)";
    }
    return Error::invalid(std::move(message), std::move(details));
}

Error version_conflict(std::string const& what, std::int64_t current) {
    std::string now_at = "current version is " + std::to_string(current);
    Error e = Error::conflict(what + " changed: " + now_at);
    e.details.push_back({"expected_version", now_at});
    return e;
}

std::vector<std::string> kinds_of(std::vector<Part> const& parts) {
    std::vector<std::string> kinds;
    for (auto const& p : parts) {
        if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) {
            kinds.push_back(p.kind);
        }
    }
    return kinds;
}

}  // namespace signoff::server::auths
