// Placeholder rewriting and number formatting shared by both back ends; see sql.hpp.
// Runs once per statement-cache miss on SQLite and once per parameter on PostgreSQL.
#include "storage/sql.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace signoff::storage {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Index just past a quoted run that opens at `i` with `quote`; a doubled quote
/// is an escaped quote inside the run.
std::size_t skip_quoted(std::string_view sql, std::size_t i, char quote) {
    for (++i; i < sql.size(); ++i) {
        if (sql[i] != quote) {
            continue;
        }
        if (i + 1 < sql.size() && sql[i + 1] == quote) {
            ++i;
            continue;
        }
        return i + 1;
    }
    return sql.size();
}

/// Index just past a comment that opens at `i`, or `i` when none opens there.
std::size_t skip_comment(std::string_view sql, std::size_t i) {
    if (sql.substr(i, 2) == "--") {
        auto end = sql.find('\n', i);
        return end == std::string_view::npos ? sql.size() : end + 1;
    }
    if (sql.substr(i, 2) == "/*") {
        auto end = sql.find("*/", i + 2);
        return end == std::string_view::npos ? sql.size() : end + 2;
    }
    return i;
}

}  // namespace

std::string rewrite_dollar_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    std::size_t i = 0;
    while (i < sql.size()) {
        char c = sql[i];
        std::size_t next = i + 1;
        if (c == '\'' || c == '"') {
            next = skip_quoted(sql, i, c);
        } else if (std::size_t after = skip_comment(sql, i); after != i) {
            next = after;
        } else if (c == '$' && i + 1 < sql.size() && is_digit(sql[i + 1])) {
            out.push_back('?');
            ++i;  // copy the digits below unchanged
            next = i;
            while (next < sql.size() && is_digit(sql[next])) {
                ++next;
            }
        }
        out.append(sql.substr(i, next - i));
        i = next;
    }
    return out;
}

std::string format_double(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "Infinity" : "-Infinity";
    }
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    (void)ec;  // 32 bytes always hold the shortest round-trip form of a double
    return {buf.data(), end};
}

std::string format_int(std::int64_t v) {
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    (void)ec;  // 24 bytes hold any int64
    return {buf.data(), end};
}

}  // namespace signoff::storage
