// Mcp-Param-{Name} header validation (SEP-2243) for stateless-era tools/call
// over HTTP: a tool's inputSchema marks primitive top-level properties with
// `x-mcp-header: Name`, clients mirror those arguments into headers, and the
// engine refuses (-32020, HTTP 400) a request whose headers and body disagree.
// Called by tools_call (features.cpp) before the handler runs.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::optional<double> parse_number(std::string const& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    double const d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d)) {
        return std::nullopt;
    }
    return d;
}

/// True when the decoded header text stands for the body value.
bool header_matches(std::string const& header, json::value const& body) {
    switch (body.kind()) {
        case json::kind::string:
            return header == body.get_string();
        case json::kind::bool_:
            return header == (body.get_bool() ? "true" : "false");
        case json::kind::int64:
            return header == std::to_string(body.get_int64());
        case json::kind::uint64:
            return header == std::to_string(body.get_uint64());
        case json::kind::double_: {
            auto const d = parse_number(header);
            return d && std::fabs(*d - body.get_double()) <= 1e-9;
        }
        default:
            return false;
    }
}

MethodError mismatch(std::string message) {
    return MethodError{{jsonrpc::kHeaderMismatch, std::move(message), {}}, 400};
}

}  // namespace

std::optional<MethodError> check_param_headers(
    EngineCore const& engine,
    Call const& call,
    tools::registry::ToolSpec const& tool,
    json::value const& args
) {
    auto const* props =
        engine.registry().schema(tool.input_schema).as_object().if_contains("properties");
    if (props == nullptr || !props->is_object()) {
        return std::nullopt;
    }
    auto const& sent = call.in.http->params;
    for (auto const& [property, schema] : props->get_object()) {
        auto const* annotated =
            schema.is_object() ? schema.get_object().if_contains("x-mcp-header") : nullptr;
        if (annotated == nullptr || !annotated->is_string()) {
            continue;
        }
        std::string_view const name = annotated->get_string();
        auto header = std::find_if(sent.begin(), sent.end(), [&](auto const& h) {
            return iequals(h.first, name);
        });
        json::value const* body =
            args.is_object() ? args.get_object().if_contains(property) : nullptr;
        bool const in_body = body != nullptr && !body->is_null();
        std::string const header_name = "Mcp-Param-" + std::string(name);
        if (header == sent.end()) {
            if (in_body) {
                return mismatch(
                    header_name + " header is missing but arguments." + std::string(property) +
                    " is set"
                );
            }
            continue;
        }
        if (!in_body) {
            return mismatch(
                header_name + " header is sent but arguments." + std::string(property) + " is not"
            );
        }
        auto const decoded = decode_header_value(header->second);
        if (!decoded || !header_matches(*decoded, *body)) {
            return mismatch(
                header_name + " header differs from arguments." + std::string(property)
            );
        }
    }
    return std::nullopt;
}

}  // namespace signoff::transport::mcp::detail
