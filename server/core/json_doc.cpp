#include "server/core/json_doc.hpp"

#include <cmath>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace signoff::server::core::json_doc {

Result<Value> parse(std::string_view text, std::string_view what) {
    if (text.size() > kMaxBytes) {
        return Error::invalid(std::string(what) + " is too large");
    }
    boost::json::parse_options opts;
    opts.max_depth = kMaxDepth;
    boost::system::error_code ec;
    Value v = boost::json::parse(text, ec, {}, opts);
    if (ec) {
        return Error::invalid(std::string(what) + " is not valid JSON");
    }
    return v;
}

Result<Object> parse_object(std::string_view text, std::string_view what) {
    auto v = parse(text, what);
    if (!v) {
        return v.error();
    }
    if (!v->is_object()) {
        return Error::invalid(std::string(what) + " is not a JSON object");
    }
    return std::move(v->as_object());
}

std::string print(Value const& value) {
    return boost::json::serialize(value);
}

std::string print(Object const& object) {
    return boost::json::serialize(object);
}

std::optional<std::string> string_at(Object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string(v->as_string());
}

std::optional<std::int64_t> integer_at(Object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->as_int64();
    }
    if (v->is_uint64() &&
        v->as_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(v->as_uint64());
    }
    if (v->is_double()) {
        double const d = v->as_double();
        // Exact integers written with an exponent or ".0" by some libraries.
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

}  // namespace signoff::server::core::json_doc
