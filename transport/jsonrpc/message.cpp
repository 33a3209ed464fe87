// JSON-RPC 2.0 codec: bounded parse, envelope checks, builders. Used by the
// stdio loop and the HTTP endpoint (parse) and by the MCP engine (classify,
// builders). Boost.JSON validates UTF-8 inside strings itself (the default
// parse_options reject invalid sequences), so no separate pass is needed.
#include "transport/jsonrpc/message.hpp"

#include "transport/jsonrpc/codes.hpp"

namespace signoff::transport::jsonrpc {

namespace json = boost::json;

namespace {

RpcError parse_error(std::string message) {
    return {kParseError, std::move(message), {}};
}

std::string describe_parse_failure(boost::system::error_code const& ec, Limits const& limits) {
    if (ec == json::error::too_deep) {
        return "Parse error: JSON nested deeper than " + std::to_string(limits.max_depth) +
               " levels";
    }
    if (ec == json::error::syntax) {
        // Boost.JSON reports invalid UTF-8 inside a string as a syntax error.
        return "Parse error: invalid JSON text (syntax error or invalid UTF-8)";
    }
    if (ec == json::error::extra_data) {
        return "Parse error: unexpected data after the JSON value";
    }
    if (ec == json::error::incomplete) {
        return "Parse error: incomplete JSON text";
    }
    return "Parse error: " + ec.message();
}

Invalid invalid(json::value id, std::string message, bool notification = false) {
    return Invalid{std::move(id), RpcError{kInvalidRequest, std::move(message), {}}, notification};
}

/// The response side of classify(): a message without `method`.
Envelope classify_response(json::object const& o) {
    auto const* id = o.if_contains("id");
    auto const* result = o.if_contains("result");
    auto const* error = o.if_contains("error");
    if (id == nullptr || !is_valid_id(*id) || (result == nullptr) == (error == nullptr)) {
        json::value echo = (id != nullptr && is_valid_id(*id)) ? *id : json::value(nullptr);
        return invalid(echo, "message has no method and is not a valid response");
    }
    Response r{*id, {}, {}};
    if (result != nullptr) {
        r.result = *result;
        return r;
    }
    RpcError e{kInternalError, "malformed error object", {}};
    if (auto const* eo = error->if_object()) {
        if (auto const* c = eo->if_contains("code"); c != nullptr && c->is_int64()) {
            e.code = static_cast<int>(c->as_int64());
        }
        if (auto const* m = eo->if_contains("message"); m != nullptr && m->is_string()) {
            e.message = std::string(m->as_string());
        }
        if (auto const* d = eo->if_contains("data")) {
            e.data = *d;
        }
    }
    r.error = std::move(e);
    return r;
}

}  // namespace

std::variant<json::value, RpcError> parse(std::string_view text, Limits const& limits) {
    if (text.size() > limits.max_body_bytes) {
        return parse_error(
            "Parse error: message of " + std::to_string(text.size()) +
            " bytes exceeds the limit of " + std::to_string(limits.max_body_bytes) + " bytes"
        );
    }
    json::parse_options opts;
    opts.max_depth = limits.max_depth;
    opts.allow_invalid_utf8 = false;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, json::storage_ptr(), opts);
    if (ec) {
        return parse_error(describe_parse_failure(ec, limits));
    }
    return v;
}

bool is_valid_id(json::value const& id) {
    return id.is_string() || id.is_int64() || id.is_uint64();
}

namespace {

/// classify() for both overloads: `own_params`, when given, is the message's
/// params object, which the caller lets us move from.
Envelope classify_message(json::value const& message, json::object* own_params) {
    if (message.is_array()) {
        return invalid(nullptr, "batch requests are not supported");
    }
    auto const* o = message.if_object();
    if (o == nullptr) {
        return invalid(nullptr, "a JSON-RPC message must be a JSON object");
    }
    auto const* id = o->if_contains("id");
    json::value echo = (id != nullptr && is_valid_id(*id)) ? *id : json::value(nullptr);
    auto const* version = o->if_contains("jsonrpc");
    if (version == nullptr || !version->is_string() || version->as_string() != "2.0") {
        return invalid(echo, "jsonrpc must be \"2.0\"", id == nullptr && o->contains("method"));
    }
    auto const* method = o->if_contains("method");
    if (method == nullptr) {
        return classify_response(*o);
    }
    bool const notification = id == nullptr;
    if (!method->is_string()) {
        return invalid(echo, "method must be a string", notification);
    }
    if (id != nullptr && !is_valid_id(*id)) {
        return invalid(nullptr, "id must be a string or an integer (not null, not fractional)");
    }
    auto const* params = o->if_contains("params");
    if (params != nullptr && !params->is_object()) {
        return invalid(echo, "params must be an object", notification);
    }
    std::string name(method->as_string());
    json::object p;
    if (own_params != nullptr) {
        p = std::move(*own_params);
    } else if (params != nullptr) {
        p = params->as_object();
    }
    if (notification) {
        return Notification{std::move(name), std::move(p)};
    }
    return Request{*id, std::move(name), std::move(p), params != nullptr};
}

}  // namespace

Envelope classify(json::value const& message) {
    return classify_message(message, nullptr);
}

Envelope classify(json::value&& message) {
    json::object* params = nullptr;
    if (auto* o = message.if_object()) {
        if (auto* p = o->if_contains("params")) {
            params = p->if_object();
        }
    }
    return classify_message(message, params);
}

json::object make_result(json::value const& id, json::object result) {
    return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object make_error(json::value const& id, RpcError const& error) {
    json::object e{{"code", error.code}, {"message", error.message}};
    if (error.data) {
        e["data"] = *error.data;
    }
    return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

json::object make_notification(std::string_view method, json::object params) {
    return json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

json::object make_request(json::value const& id, std::string_view method, json::object params) {
    return json::object{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

std::string to_line(json::object const& message) {
    return json::serialize(message);
}

}  // namespace signoff::transport::jsonrpc
