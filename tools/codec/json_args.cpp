// Argument readers for tool handlers (see json_args.hpp).
#include "tools/codec/json_args.hpp"

#include <algorithm>

namespace signoff::tools::codec {

namespace json = boost::json;

std::optional<std::string> opt_string(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string{v->get_string()};
}

std::string string_or(json::object const& o, std::string_view key, std::string fallback) {
    return opt_string(o, key).value_or(std::move(fallback));
}

std::optional<std::optional<std::string>> nullable_string(
    json::object const& o, std::string_view key
) {
    auto const* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_null()) {
        return std::optional<std::string>{};
    }
    return opt_string(o, key);
}

std::optional<std::int64_t> opt_int(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64()) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        return static_cast<std::int64_t>(v->get_double());
    }
    return std::nullopt;
}

std::vector<std::string> strings(json::object const& o, std::string_view key) {
    std::vector<std::string> out;
    auto const* v = o.if_contains(key);
    if (v == nullptr || !v->is_array()) {
        return out;
    }
    for (auto const& e : v->get_array()) {
        if (e.is_string()) {
            out.emplace_back(e.get_string());
        }
    }
    return out;
}

json::value or_null(std::optional<std::string> const& s) {
    return s ? json::value(*s) : json::value(nullptr);
}

std::size_t depth_of(json::value const& v) {
    std::size_t inner = 0;
    if (auto const* o = v.if_object()) {
        for (auto const& m : *o) {
            inner = std::max(inner, depth_of(m.value()));
        }
        return inner + 1;
    }
    if (auto const* a = v.if_array()) {
        for (auto const& item : *a) {
            inner = std::max(inner, depth_of(item));
        }
        return inner + 1;
    }
    return 0;
}

server::core::Result<std::string> storable(json::value const& v, std::string const& field) {
    if (depth_of(v) > kMaxStoredDepth) {
        return server::core::Error::invalid_field(
            field, "nests deeper than " + std::to_string(kMaxStoredDepth) + " levels"
        );
    }
    return json::serialize(v);
}

json::value read_stored(std::string_view text) {
    json::parse_options opts;
    opts.max_depth = kStoredReadDepth;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, json::storage_ptr(), opts);
    if (ec) {
        return json::object{{"unparsed", text}};
    }
    return v;
}

}  // namespace signoff::tools::codec
