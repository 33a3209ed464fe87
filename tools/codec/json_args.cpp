// Argument readers for tool handlers (see json_args.hpp).
#include "tools/codec/json_args.hpp"

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

}  // namespace signoff::tools::codec
