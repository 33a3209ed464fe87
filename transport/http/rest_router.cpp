// REST routing and argument assembly (see rest_router.hpp). check_route runs on
// the io thread; handle runs on a worker thread.
#include "transport/http/rest_router.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "transport/http/header_values.hpp"
#include "transport/http/url.hpp"

namespace signoff::transport::http {

namespace json = boost::json;
using server::core::Error;
using tools::registry::RouteMatch;
using tools::registry::RouteMiss;

namespace {

bool only_whitespace(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    });
}

/// The body as a JSON object, null when there is none, or the 4xx answer.
std::variant<HttpReply, std::optional<json::object>> body_object(
    RestRequest const& request, jsonrpc::Limits const& limits
) {
    if (only_whitespace(request.body)) {
        return std::optional<json::object>{};
    }
    if (!is_json_content_type(request.content_type)) {
        return rest_error_reply(
            415, Error::invalid_field("Content-Type", "a request body must be application/json")
        );
    }
    auto parsed = jsonrpc::parse(request.body, limits);
    if (auto const* err = std::get_if<jsonrpc::RpcError>(&parsed)) {
        return rest_error_reply(
            Error::invalid_field("body", "request body is not valid JSON: " + err->message)
        );
    }
    auto& value = std::get<json::value>(parsed);
    if (!value.is_object()) {
        return rest_error_reply(Error::invalid_field("body", "request body must be a JSON object"));
    }
    return std::optional<json::object>{std::move(value.get_object())};
}

/// Percent-decodes the `{name}` captures, which the registry hands back raw.
std::optional<Error> decode_path_args(json::object& path_args) {
    for (auto& [name, value] : path_args) {
        if (!value.is_string()) {
            continue;
        }
        auto decoded = percent_decode(value.get_string(), false);
        if (!decoded) {
            return Error::invalid_field(
                std::string(name), "path segment has a malformed percent-encoding"
            );
        }
        value = json::string(*decoded);
    }
    return std::nullopt;
}

/// The path as an error message may show it: every byte outside visible
/// ASCII percent-encoded, so an answer never carries undecodable bytes.
std::string shown(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if (c <= 0x20 || c >= 0x7F) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

HttpReply miss_reply(RouteMiss miss, std::string_view method, std::string_view path) {
    switch (miss) {
        case RouteMiss::kNoSuchPath:
            return rest_error_reply(Error::not_found("no route for " + shown(path)));
        case RouteMiss::kMethodNotAllowed:  // answered with Allow by the caller
        case RouteMiss::kBadDiscriminator:
            break;
    }
    return rest_error_reply(Error::invalid(
        "the request body does not select an operation of " + shown(method) + " " + shown(path) +
        " (check its discriminator field)"
    ));
}

/// A route's `location` template filled from the result's fields, else from
/// the request's path segments; each value percent-encoded as one segment.
/// nullopt when a name has no string value.
std::optional<std::string> location_of(
    std::string_view pattern, json::value const& result, json::object const& path_args
) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    auto segment = [&out](std::string_view value) {
        for (unsigned char c : value) {
            if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
                out += static_cast<char>(c);
            } else {
                out += '%';
                out += kHex[c >> 4];
                out += kHex[c & 0xF];
            }
        }
    };
    while (!pattern.empty()) {
        auto const open = pattern.find('{');
        out += pattern.substr(0, open);
        if (open == std::string_view::npos) {
            break;
        }
        auto const close = pattern.find('}', open);
        auto const name = pattern.substr(open + 1, close - open - 1);
        pattern.remove_prefix(close + 1);
        json::value const* v = result.is_object() ? result.get_object().if_contains(name) : nullptr;
        if (v == nullptr || !v->is_string()) {
            v = path_args.if_contains(name);  // decoded by now
        }
        if (v == nullptr || !v->is_string()) {
            return std::nullopt;
        }
        segment(v->get_string());
    }
    return out;
}

}  // namespace

RestRouter::RestRouter(
    tools::registry::Registry const& registry,
    tools::registry::Services const& services,
    jsonrpc::Limits limits
)
    : registry_(registry), services_(services), limits_(limits) {}

std::optional<HttpReply> RestRouter::check_route(std::string_view method, std::string_view path)
    const {
    auto const methods = registry_.methods_for(path);
    if (methods.empty()) {
        return rest_error_reply(Error::not_found("no route for " + shown(path)));
    }
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
        return method_not_allowed(methods, true);
    }
    return std::nullopt;
}

HttpReply RestRouter::handle(RestRequest const& request, server::core::Actor const& actor) const {
    auto const target = split_target(request.target);
    auto body = body_object(request, limits_);
    if (auto* reply = std::get_if<HttpReply>(&body)) {
        return std::move(*reply);
    }
    auto& object = std::get<std::optional<json::object>>(body);
    auto routed = registry_.match_route(request.method, target.path, object ? &*object : nullptr);
    if (auto const* miss = std::get_if<RouteMiss>(&routed)) {
        if (*miss == RouteMiss::kMethodNotAllowed) {
            return method_not_allowed(registry_.methods_for(target.path), true);
        }
        return miss_reply(*miss, request.method, target.path);
    }
    auto& match = std::get<RouteMatch>(routed);
    json::object args;
    if (object) {
        args = std::move(*object);
    } else if (request.method == "GET" || request.method == "DELETE") {
        auto query = parse_query(target.query);
        if (!query) {
            return rest_error_reply(Error::invalid_field("query", "malformed query string"));
        }
        args = registry_.args_from_query(*match.tool, *query);
    }
    return invoke(std::move(match), std::move(args), actor);
}

HttpReply RestRouter::invoke(RouteMatch match, json::object args, server::core::Actor const& actor)
    const {
    if (auto err = decode_path_args(match.path_args)) {
        return rest_error_reply(*err);
    }
    // The path names the resource: its segments win over same-named body fields.
    for (auto const& [name, value] : match.path_args) {
        args[name] = value;
    }
    if (!match.route->discriminator_field.empty()) {
        args.erase(match.route->discriminator_field);
    }
    tools::registry::ToolContext ctx;
    ctx.actor = actor;
    ctx.services = &services_;
    auto result = registry_.invoke(*match.tool, json::value(std::move(args)), ctx);
    if (!result) {
        return rest_error_reply(result.error());
    }
    auto const status = static_cast<unsigned>(match.route->success_status);
    if (status == 204) {
        return empty_reply(204);
    }
    HttpReply reply = json_reply(status, *result);
    if (status == 201 && !match.route->location.empty()) {
        if (auto where = location_of(match.route->location, *result, match.path_args)) {
            reply.headers.emplace_back("Location", std::move(*where));
        }
    }
    return reply;
}

}  // namespace signoff::transport::http
