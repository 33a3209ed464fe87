// The method table of the session engine, and the lifecycle and utility
// methods: initialize, notifications/initialized, ping, logging/setLevel,
// resources/(un)subscribe, notifications/cancelled, server/discover.
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/handlers.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;

namespace {

Outcome initialize(EngineCore& engine, Call& call) {
    auto const* requested = call.params.if_contains("protocolVersion");
    if (requested == nullptr || !requested->is_string()) {
        return invalid_params("initialize needs params.protocolVersion (a string)");
    }
    // Echo a version we serve; otherwise offer our newest and let the client
    // decide. Never reject an unknown version.
    std::string version = kHandshakeVersions.front();
    for (auto const& v : kHandshakeVersions) {
        if (v == requested->as_string()) {
            version = v;
        }
    }
    json::object caps;
    if (auto const* c = call.params.if_contains("capabilities"); c != nullptr && c->is_object()) {
        caps = c->as_object();
    }
    if (call.session) {
        if (!call.session->initialize(version, std::move(caps))) {
            return rpc_error(jsonrpc::kInvalidRequest, "session already initialized");
        }
        call.initialized_session = true;
    }
    json::object result{
        {"protocolVersion", version},
        {"capabilities", engine.capabilities(Era::kHandshake)},
        {"serverInfo", engine.server_info()}};
    if (!engine.options().instructions.empty()) {
        result["instructions"] = engine.options().instructions;
    }
    return result;
}

Outcome initialized(EngineCore&, Call&) {
    return json::object{};
}

Outcome ping(EngineCore&, Call&) {
    return json::object{};
}

Outcome set_level(EngineCore&, Call& call) {
    auto const* level = call.params.if_contains("level");
    auto index = (level != nullptr && level->is_string()) ? log_level_index(level->as_string())
                                                          : std::nullopt;
    if (!index) {
        return invalid_params(
            "level must be one of debug, info, notice, warning, error, critical, alert, emergency"
        );
    }
    if (call.session) {
        call.session->set_log_level(*index);
    }
    return json::object{};
}

Outcome subscribe(EngineCore&, Call& call) {
    auto uri = string_param(call, "uri");
    if (auto* e = std::get_if<MethodError>(&uri)) {
        return *e;
    }
    if (call.session) {
        call.session->subscribe(std::get<std::string>(std::move(uri)));
    }
    return json::object{};
}

Outcome unsubscribe(EngineCore&, Call& call) {
    auto uri = string_param(call, "uri");
    if (auto* e = std::get_if<MethodError>(&uri)) {
        return *e;
    }
    if (call.session) {
        call.session->unsubscribe(std::get<std::string>(uri));
    }
    return json::object{};
}

Outcome cancelled(EngineCore&, Call& call) {
    auto const* id = call.params.if_contains("requestId");
    if (call.session && id != nullptr && jsonrpc::is_valid_id(*id)) {
        call.session->cancel(json::serialize(*id));
    }
    return json::object{};
}

Outcome discover(EngineCore& engine, Call&) {
    json::object result{
        {"supportedVersions", json::array{kStatelessVersion}},
        {"capabilities", engine.capabilities(Era::kStateless)}};
    if (!engine.options().instructions.empty()) {
        result["instructions"] = engine.options().instructions;
    }
    return result;
}

}  // namespace

std::variant<std::string, MethodError> string_param(Call const& call, std::string_view field) {
    auto const* v = call.params.if_contains(field);
    if (v == nullptr || !v->is_string()) {
        return invalid_params(call.method + " needs params." + std::string(field) + " (a string)");
    }
    return std::string(v->as_string());
}

std::map<std::string, MethodInfo, std::less<>> method_table() {
    constexpr unsigned kListing = kBothEras | kParamsOptional | kCacheable;
    return {
        {"initialize", {kHandshakeEra | kBeforeInit, &initialize}},
        {"notifications/initialized", {kNotification | kParamsOptional, &initialized}},
        {"notifications/cancelled", {kNotification, &cancelled}},
        {"ping", {kHandshakeEra | kBeforeInit | kParamsOptional, &ping}},
        {"logging/setLevel", {kHandshakeEra, &set_level}},
        {"resources/subscribe", {kHandshakeEra, &subscribe}},
        {"resources/unsubscribe", {kHandshakeEra, &unsubscribe}},
        {"server/discover", {kStatelessEra | kParamsOptional | kCacheable, &discover}},
        {"tools/list", {kListing, &tools_list}},
        {"tools/call", {kBothEras | kInputRounds, &tools_call}},
        {"resources/list", {kListing, &resources_list}},
        {"resources/templates/list", {kListing, &resource_templates_list}},
        {"resources/read", {kBothEras | kCacheable | kInputRounds, &resources_read}},
        {"prompts/list", {kListing, &prompts_list}},
        {"prompts/get", {kBothEras | kInputRounds, &prompts_get}},
        {"completion/complete", {kBothEras, &completion_complete}},
    };
}

}  // namespace signoff::transport::mcp::detail
