// See schema_check.hpp. Messages name the field and say what was expected.
#include "tools/registry/schema_check.hpp"

#include <array>
#include <string_view>

#include "server/auths/rules.hpp"

namespace signoff::tools::registry::detail {
namespace {

namespace json = boost::json;

std::string_view kind_of(json::value const& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "boolean";
        case json::kind::int64:
        case json::kind::uint64:
            return "integer";
        case json::kind::double_:
            return "number";
        case json::kind::string:
            return "string";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "unknown";
}

bool has_type(json::value const& v, std::string_view type) {
    auto const k = kind_of(v);
    if (type == "number") {
        return k == "integer" || k == "number";
    }
    if (type == "integer" && k == "number") {
        double const d = v.get_double();
        return d == static_cast<double>(static_cast<long long>(d));
    }
    return k == type;
}

/// True when the value matches one of the schema's declared types (or none is declared).
bool type_ok(json::object const& schema, json::value const& v, std::string& expected) {
    auto const* t = schema.if_contains("type");
    if (t == nullptr) {
        return true;
    }
    if (t->is_string()) {
        expected = t->get_string();
        return has_type(v, expected);
    }
    if (t->is_array()) {
        for (auto const& one : t->get_array()) {
            if (one.is_string() && has_type(v, one.get_string())) {
                return true;
            }
            if (one.is_string()) {
                expected += expected.empty() ? "" : " or ";
                expected += one.get_string();
            }
        }
        return false;
    }
    return true;
}

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}

std::string join(std::string const& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void check_object(
    json::object const& schema,
    json::object const& obj,
    std::string const& path,
    std::vector<server::core::FieldError>& out
) {
    json::object const* props = nullptr;
    if (auto const* p = schema.if_contains("properties"); p != nullptr && p->is_object()) {
        props = &p->get_object();
    }
    if (auto const* req = schema.if_contains("required"); req != nullptr && req->is_array()) {
        for (auto const& r : req->get_array()) {
            if (r.is_string() && !obj.contains(r.get_string())) {
                out.push_back({join(path, r.get_string()), "is required"});
            }
        }
    }
    auto const* extra = schema.if_contains("additionalProperties");
    bool const closed = extra != nullptr && extra->is_bool() && !extra->get_bool();
    for (auto const& [key, val] : obj) {
        json::value const* sub = props != nullptr ? props->if_contains(key) : nullptr;
        if (sub == nullptr) {
            if (closed) {
                out.push_back({join(path, key), "unknown field"});
            }
            continue;
        }
        precheck(*sub, val, join(path, key), out);
    }
}

}  // namespace

void precheck(
    json::value const& schema_value,
    json::value const& value,
    std::string const& path,
    std::vector<server::core::FieldError>& out
) {
    if (!schema_value.is_object()) {
        return;
    }
    auto const& schema = schema_value.get_object();
    std::string expected;
    if (!type_ok(schema, value, expected)) {
        out.push_back(
            {path.empty() ? "arguments" : path,
             "expected " + expected + ", got " + std::string(kind_of(value))}
        );
        return;
    }
    if (value.is_string()) {
        if (auto const* max = schema.if_contains("maxLength"); max != nullptr && max->is_int64()) {
            auto const len = utf8_length(value.get_string());
            if (len > static_cast<std::size_t>(max->get_int64())) {
                out.push_back(
                    {path, "must be at most " + std::to_string(max->get_int64()) + " characters"}
                );
            }
        }
        return;
    }
    if (value.is_object()) {
        check_object(schema, value.get_object(), path, out);
        return;
    }
    if (value.is_array()) {
        auto const* items = schema.if_contains("items");
        if (auto const* max = schema.if_contains("maxItems"); max != nullptr && max->is_int64()) {
            if (value.get_array().size() > static_cast<std::size_t>(max->get_int64())) {
                out.push_back(
                    {path, "must have at most " + std::to_string(max->get_int64()) + " items"}
                );
                return;
            }
        }
        if (items == nullptr) {
            return;
        }
        std::size_t i = 0;
        for (auto const& el : value.get_array()) {
            precheck(*items, el, path + "[" + std::to_string(i++) + "]", out);
        }
    }
}

bool is_supported_keyword(std::string_view keyword) {
    // if/then/else: valijson applies them when parsing as draft 7 (registry.cpp does).
    static constexpr std::array<std::string_view, 33> kKeywords{
        "$schema",
        "$id",
        "$ref",
        "definitions",
        "$defs",
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "format",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "default",
        "examples",
        "exclusiveMinimum",
        "if",
        "then",
        "else",
    };
    for (auto const k : kKeywords) {
        if (k == keyword) {
            return true;
        }
    }
    return false;
}

namespace {

std::string_view bad_text(std::string_view s) {
    if (s.find('\0') != std::string_view::npos) {
        return "must not contain U+0000 (NUL)";
    }
    if (!server::auths::utf8_length(s)) {
        return "is not valid UTF-8";
    }
    return {};
}

}  // namespace

void check_strings(
    json::value const& value, std::string const& path, std::vector<server::core::FieldError>& out
) {
    std::string const here = path.empty() ? "arguments" : path;
    if (auto const* str = value.if_string()) {
        if (auto why = bad_text(*str); !why.empty()) {
            out.push_back({here, std::string(why)});
        }
    } else if (auto const* arr = value.if_array()) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            check_strings((*arr)[i], here + "[" + std::to_string(i) + "]", out);
        }
    } else if (auto const* obj = value.if_object()) {
        for (auto const& m : *obj) {
            if (auto why = bad_text(m.key()); !why.empty()) {
                out.push_back({here, "a member name " + std::string(why)});
                continue;  // the name cannot go into a field path
            }
            check_strings(
                m.value(),
                path.empty() ? std::string(m.key()) : path + "." + std::string(m.key()),
                out
            );
        }
    }
}

}  // namespace signoff::tools::registry::detail
