// Row accessors and the storage error's exception hook. Repositories read every
// column through these, so both back ends' value types converge here.
#include "storage/db.hpp"

#include <charconv>
#include <stdexcept>

#include "storage/sql.hpp"

namespace signoff::storage {
namespace {

struct TextOf {
    std::string operator()(Null /*unused*/) const { return {}; }
    std::string operator()(std::int64_t v) const { return format_int(v); }
    std::string operator()(double v) const { return format_double(v); }
    std::string operator()(std::string const& v) const { return v; }
};

/// Parses decimal text; 0 when it is not a whole integer in range.
std::int64_t parse_int(std::string const& s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) {
        return 0;
    }
    return v;
}

struct IntegerOf {
    std::int64_t operator()(Null /*unused*/) const { return 0; }
    std::int64_t operator()(std::int64_t v) const { return v; }
    std::int64_t operator()(double v) const {
        // Out-of-range conversion is undefined behaviour; clamp to 0 like bad text.
        constexpr double kLimit = 9.2e18;
        return (v > -kLimit && v < kLimit) ? static_cast<std::int64_t>(v) : 0;
    }
    std::int64_t operator()(std::string const& v) const { return parse_int(v); }
};

}  // namespace

std::string Row::text(std::size_t i) const {
    return std::visit(TextOf{}, cols_.at(i));
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
    if (is_null(i)) {
        return std::nullopt;
    }
    return text(i);
}

std::int64_t Row::integer(std::size_t i) const {
    return std::visit(IntegerOf{}, cols_.at(i));
}

void throw_exception_from_error(DbError const& e, boost::source_location const& /*loc*/) {
    throw std::logic_error("unchecked storage error: " + e.message);
}

}  // namespace signoff::storage
