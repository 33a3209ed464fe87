// The MCP session engine: envelope → era → checks → method table → reply.
// Era rule: a request whose params._meta names a protocol version (or any
// other io.modelcontextprotocol/ request key) is stateless (2026-07-28); so is
// server/discover, and a session-less HTTP request whose MCP-Protocol-Version
// header is not a handshake version. `initialize` with params.protocolVersion
// always starts the handshake era; everything else is handshake era.
#include "transport/mcp/engine.hpp"

#include <cstdio>
#include <exception>

#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine_impl.hpp"
#include "transport/mcp/session.hpp"

namespace signoff::transport::mcp {

namespace json = boost::json;
using namespace detail;

namespace {

constexpr std::string_view kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";

json::object const* meta_of(json::object const& params) {
    auto const* m = params.if_contains("_meta");
    return m != nullptr ? m->if_object() : nullptr;
}

bool is_handshake_version(std::string_view v) {
    for (auto const& known : kHandshakeVersions) {
        if (known == v) {
            return true;
        }
    }
    return false;
}

std::string trim_ows(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    return std::string(v);
}

/// A mirrored header value after OWS trimming and `=?base64?…?=` decoding;
/// nullopt when the encoded form does not decode.
std::optional<std::string> header_value(std::string const& raw) {
    std::string v = trim_ows(raw);
    constexpr std::string_view kPrefix = "=?base64?";
    constexpr std::string_view kSuffix = "?=";
    if (v.size() >= kPrefix.size() + kSuffix.size() && v.rfind(kPrefix, 0) == 0 &&
        v.compare(v.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
        return decode_base64(
            std::string_view(v).substr(kPrefix.size(), v.size() - kPrefix.size() - kSuffix.size())
        );
    }
    return v;
}

Era detect_era(Inbound const& in, jsonrpc::Request const& req) {
    if (req.method == "initialize" && req.params.contains("protocolVersion")) {
        return Era::kHandshake;
    }
    if (auto const* meta = meta_of(req.params)) {
        if (meta->contains(kMetaVersion) || meta->contains(kMetaCapabilities) ||
            meta->contains(kMetaClientInfo)) {
            return Era::kStateless;
        }
    }
    if (in.http && !in.session && in.http->protocol_version) {
        std::string v = trim_ows(*in.http->protocol_version);
        if (!v.empty() && !is_handshake_version(v)) {
            return Era::kStateless;
        }
    }
    return req.method == "server/discover" ? Era::kStateless : Era::kHandshake;
}

MethodError bad_meta(std::string message) {
    MethodError e = invalid_params(std::move(message));
    e.http_status = 400;
    return e;
}

MethodError header_mismatch(std::string message) {
    return MethodError{{jsonrpc::kHeaderMismatch, std::move(message), {}}, 400};
}

/// The body value a mirrored Mcp-Name header must equal, if the method has one.
std::optional<std::string> name_in_body(Call const& call) {
    std::string_view field;
    if (call.method == "tools/call" || call.method == "prompts/get") {
        field = "name";
    } else if (call.method == "resources/read") {
        field = "uri";
    } else {
        return std::nullopt;
    }
    auto const* v = call.params.if_contains(field);
    return (v != nullptr && v->is_string())
               ? std::optional<std::string>(std::string(v->as_string()))
               : std::optional<std::string>(std::string());
}

std::optional<MethodError> check_headers(Call const& call, std::string const& version) {
    HttpHeaders const& h = *call.in.http;
    auto pv = h.protocol_version ? header_value(*h.protocol_version) : std::nullopt;
    if (!pv || *pv != version) {
        return header_mismatch("MCP-Protocol-Version header is missing or differs from _meta");
    }
    auto method = h.method ? header_value(*h.method) : std::nullopt;
    if (!method || *method != call.method) {
        return header_mismatch("Mcp-Method header is missing or differs from the body method");
    }
    if (auto expected = name_in_body(call)) {
        auto name = h.name ? header_value(*h.name) : std::nullopt;
        if (!name || *name != *expected) {
            return header_mismatch("Mcp-Name header is missing or differs from the body");
        }
    }
    return std::nullopt;
}

int derived_status(Call const& call, MethodError const& e) {
    if (!call.in.http) {
        return 200;
    }
    if (e.http_status != 0) {
        return e.http_status;
    }
    int const code = e.error.code;
    if (code == jsonrpc::kParseError || code == jsonrpc::kInvalidRequest) {
        return 400;
    }
    if (call.era == Era::kStateless) {
        if (code == jsonrpc::kMethodNotFound) {
            return 404;
        }
        if (code == jsonrpc::kHeaderMismatch || code == jsonrpc::kMissingRequiredClientCapability ||
            code == jsonrpc::kUnsupportedProtocolVersion) {
            return 400;
        }
    }
    return 200;
}

Reply no_body() {
    return Reply{std::nullopt, 202, false};
}

}  // namespace

namespace detail {

std::optional<std::string> decode_header_value(std::string const& raw) {
    return header_value(raw);
}

MethodError invalid_params(std::string message) {
    return rpc_error(jsonrpc::kInvalidParams, std::move(message));
}

EngineCore::EngineCore(
    tools::registry::Registry const& registry,
    tools::registry::Services const& services,
    EngineOptions options
)
    : registry_(registry),
      services_(services),
      options_(std::move(options)),
      methods_(method_table()) {
    if (options_.tools_page_size == 0) {
        options_.tools_page_size = 1;
    }
}

json::object EngineCore::server_info() const {
    return json::object{{"name", options_.server_name}, {"version", options_.server_version}};
}

json::object EngineCore::capabilities(Era era) const {
    // The registry is sealed at start-up, so lists never change while we run;
    // listChanged is still declared in the handshake era, where clients and the
    // conformance suite expect it. The stateless era declares only what it
    // serves: subscriptions/listen is not implemented, so no listChanged there.
    if (era == Era::kStateless) {
        return json::object{
            {"tools", json::object{}},
            {"resources", json::object{}},
            {"prompts", json::object{}},
            {"logging", json::object{}},
            {"completions", json::object{}}};
    }
    return json::object{
        {"tools", {{"listChanged", true}}},
        {"resources", {{"subscribe", true}, {"listChanged", true}}},
        {"prompts", {{"listChanged", true}}},
        {"logging", json::object{}},
        {"completions", json::object{}}};
}

Reply EngineCore::handle(Inbound& in) {
    jsonrpc::Envelope env = jsonrpc::classify(std::move(in.message));
    if (auto* bad = std::get_if<jsonrpc::Invalid>(&env)) {
        if (bad->notification) {
            return no_body();
        }
        return Reply{jsonrpc::make_error(bad->id, bad->error), in.http ? 400 : 200, false};
    }
    if (auto* response = std::get_if<jsonrpc::Response>(&env)) {
        if (in.session) {
            in.session->deliver(std::move(*response));
        }
        return no_body();
    }
    if (auto* note = std::get_if<jsonrpc::Notification>(&env)) {
        handle_notification(in, *note);
        return no_body();
    }
    return handle_request(in, std::get<jsonrpc::Request>(env));
}

void EngineCore::handle_notification(Inbound const& in, jsonrpc::Notification const& note) {
    auto it = methods_.find(note.method);
    if (it == methods_.end() || (it->second.flags & kNotification) == 0) {
        return;  // unknown notifications are ignored, never answered
    }
    Call call{in, in.session, Era::kHandshake, nullptr, note.method, note.params};
    (void)it->second.handler(*this, call);
}

Reply EngineCore::handle_request(Inbound const& in, jsonrpc::Request const& req) {
    Call call{in, in.session, detect_era(in, req), req.id, req.method, req.params};
    auto it = methods_.find(req.method);
    MethodInfo const* info = it == methods_.end() ? nullptr : &it->second;
    std::optional<MethodError> refused =
        call.era == Era::kStateless ? check_stateless(call) : check_handshake(call);
    if (refused) {
        return finish(call, info, std::move(*refused));
    }
    std::string const key = json::serialize(req.id);
    if (call.session && !call.session->begin_request(key, call.cancel)) {
        return finish(
            call,
            info,
            rpc_error(jsonrpc::kInvalidRequest, "request id " + key + " is already in flight")
        );
    }
    Outcome outcome = dispatch(info, call, req.has_params);
    if (call.session) {
        call.session->end_request(key);
    }
    if (call.cancel->load()) {
        return no_body();  // cancelled: the spec says send no response
    }
    return finish(call, info, std::move(outcome));
}

Outcome EngineCore::dispatch(MethodInfo const* info, Call& call, bool has_params) {
    unsigned const era_flag = call.era == Era::kStateless ? kStatelessEra : kHandshakeEra;
    if (info == nullptr || (info->flags & kNotification) != 0 || (info->flags & era_flag) == 0) {
        return rpc_error(jsonrpc::kMethodNotFound, "method not found: " + call.method);
    }
    if (!has_params && (info->flags & kParamsOptional) == 0) {
        return invalid_params(call.method + " needs params");
    }
    if (call.era != Era::kStateless || (info->flags & kInputRounds) == 0) {
        return info->handler(*this, call);
    }
    if (auto refused = load_input_rounds(*this, call)) {
        return std::move(*refused);
    }
    return settle_input_rounds(*this, call, info->handler(*this, call));
}

std::optional<MethodError> EngineCore::check_handshake(Call const& call) const {
    if (!call.session || call.session->initialized()) {
        return std::nullopt;  // initialize on an initialized session is refused by its handler
    }
    auto it = methods_.find(call.method);
    bool const allowed = it != methods_.end() && (it->second.flags & kBeforeInit) != 0;
    if (allowed || it == methods_.end()) {
        return std::nullopt;  // unknown methods still get -32601
    }
    return rpc_error(jsonrpc::kInvalidRequest, "session not initialized: send initialize first");
}

std::optional<MethodError> EngineCore::check_stateless(Call& call) const {
    json::object const* meta = meta_of(call.params);
    if (meta == nullptr) {
        return bad_meta("a 2026-07-28 request needs params._meta");
    }
    auto const* version = meta->if_contains(kMetaVersion);
    if (version == nullptr || !version->is_string()) {
        return bad_meta("params._meta needs io.modelcontextprotocol/protocolVersion (a string)");
    }
    auto const* caps = meta->if_contains(kMetaCapabilities);
    if (caps == nullptr || !caps->is_object()) {
        return bad_meta("params._meta needs io.modelcontextprotocol/clientCapabilities (an object)"
        );
    }
    std::string const requested(version->as_string());
    if (call.in.http) {
        if (auto mismatch = check_headers(call, requested)) {
            return mismatch;
        }
    }
    if (requested != kStatelessVersion) {
        MethodError e{
            {jsonrpc::kUnsupportedProtocolVersion, "unsupported protocol version", {}}, 400};
        e.error.data =
            json::object{{"supported", json::array{kStatelessVersion}}, {"requested", requested}};
        return e;
    }
    call.client_capabilities = caps->as_object();
    if (auto const* level = meta->if_contains(kMetaLogLevel)) {
        auto index = level->is_string() ? log_level_index(level->as_string()) : std::nullopt;
        if (!index) {
            return bad_meta("io.modelcontextprotocol/logLevel is not a log level");
        }
        call.log_level = index;
    }
    return std::nullopt;
}

Reply EngineCore::finish(Call& call, MethodInfo const* info, Outcome outcome) const {
    if (auto* e = std::get_if<MethodError>(&outcome)) {
        return Reply{jsonrpc::make_error(call.id, e->error), derived_status(call, *e), false};
    }
    json::object result = std::move(std::get<json::object>(outcome));
    if (call.era == Era::kStateless) {
        result["resultType"] = call.input.required ? "input_required" : "complete";
        json::value& meta = result["_meta"];
        if (!meta.is_object()) {
            meta.emplace_object();
        }
        meta.as_object()["io.modelcontextprotocol/serverInfo"] = server_info();
        // Results that depend on input rounds are never cached.
        bool const cacheable = info != nullptr && (info->flags & kCacheable) != 0;
        if (cacheable && !call.input.retry && !call.input.required) {
            result["ttlMs"] = options_.cache_ttl_ms;
            result["cacheScope"] = "private";
        }
    }
    return Reply{jsonrpc::make_result(call.id, std::move(result)), 200, call.initialized_session};
}

}  // namespace detail

struct Engine::Impl {
    EngineCore core;
};

Engine::Engine(
    tools::registry::Registry const& registry,
    tools::registry::Services const& services,
    EngineOptions options
)
    : impl_(std::make_unique<Impl>(Impl{EngineCore(registry, services, std::move(options))})) {}

Engine::~Engine() = default;

std::shared_ptr<Session> Engine::new_session() {
    return std::make_shared<Session>();
}

Reply Engine::handle(Inbound in) {
    try {
        return impl_->core.handle(in);
    } catch (std::exception const& ex) {
        // A bug: log it, answer -32603 without leaking the message.
        std::fprintf(stderr, "signoff: engine error: %s\n", ex.what());
    } catch (...) {
        std::fprintf(stderr, "signoff: engine error (unknown exception)\n");
    }
    json::value id = nullptr;
    if (auto const* o = in.message.if_object()) {
        auto const* v = o->if_contains("id");
        if (v == nullptr) {
            return Reply{std::nullopt, 202, false};  // a notification is never answered
        }
        if (jsonrpc::is_valid_id(*v)) {
            id = *v;
        }
    }
    return Reply{
        jsonrpc::make_error(id, {jsonrpc::kInternalError, "internal error", {}}),
        in.http ? 500 : 200,
        false};
}

void Engine::cancel_all(Session& session) {
    session.cancel_all();
}

void Engine::end_input(Session& session) {
    session.close_input();
}

std::string Engine::negotiated_version(Session const& session) {
    return session.version();
}

}  // namespace signoff::transport::mcp
