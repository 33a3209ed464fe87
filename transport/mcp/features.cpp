// Server features of the session engine: tools, resources, resource
// templates, prompts and completion. Lists are paginated with opaque cursors
// in registry order (deterministic); tool calls go through Registry::invoke.
#include <algorithm>

#include "server/core/error.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/handlers.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;
using server::core::ErrorKind;
using namespace tools::registry;

namespace {

constexpr std::size_t kMaxCompletionValues = 100;

void put_if(json::object& o, std::string_view key, std::string const& value) {
    if (!value.empty()) {
        o[key] = value;
    }
}

/// One page of `items` starting at params.cursor, as {<key>: […], nextCursor?}.
template <class T, class ToJson>
Outcome paginate(
    EngineCore const& engine,
    Call const& call,
    std::vector<T> const& items,
    std::string_view key,
    ToJson to_json
) {
    std::size_t offset = 0;
    if (auto const* c = call.params.if_contains("cursor"); c != nullptr && !c->is_null()) {
        auto decoded = c->is_string() ? decode_cursor(c->as_string()) : std::nullopt;
        if (!decoded || *decoded == 0 || *decoded >= items.size()) {
            return invalid_params("invalid cursor");
        }
        offset = *decoded;
    }
    std::size_t const end = std::min(items.size(), offset + engine.options().tools_page_size);
    json::array page;
    for (std::size_t i = offset; i < end; ++i) {
        page.push_back(to_json(items[i]));
    }
    json::object result{{key, std::move(page)}};
    if (end < items.size()) {
        result["nextCursor"] = encode_cursor(end);
    }
    return result;
}

/// A failed resource or prompt handler as a protocol error. Messages of
/// internal errors are not sent.
MethodError handler_error(server::core::Error const& e) {
    if (e.kind == ErrorKind::kInvalidArgument) {
        return invalid_params(e.message);
    }
    if (e.kind == ErrorKind::kInternal) {
        return rpc_error(jsonrpc::kInternalError, "internal error");
    }
    return rpc_error(jsonrpc::kInternalError, e.message);
}

MethodError resource_not_found(Call const& call, std::string const& uri) {
    // -32002 until 2025-11-25; 2026-07-28 forbids it and uses -32602.
    int const code =
        call.era == Era::kStateless ? jsonrpc::kInvalidParams : jsonrpc::kResourceNotFound;
    MethodError e = rpc_error(code, "Resource not found");
    e.error.data = json::object{{"uri", uri}};
    return e;
}

json::object prompt_json(PromptSpec const& p) {
    json::object o{{"name", p.name}};
    put_if(o, "title", p.title);
    put_if(o, "description", p.description);
    json::array args;
    for (auto const& a : p.arguments) {
        json::object arg{{"name", a.name}, {"required", a.required}};
        put_if(arg, "description", a.description);
        args.push_back(std::move(arg));
    }
    o["arguments"] = std::move(args);
    return o;
}

/// prompts/get arguments: an object of strings; every required one present.
std::variant<json::object, MethodError> prompt_arguments(Call const& call, PromptSpec const& p) {
    json::object args;
    if (auto const* a = call.params.if_contains("arguments"); a != nullptr && !a->is_null()) {
        if (!a->is_object()) {
            return invalid_params("arguments must be an object of strings");
        }
        args = a->as_object();
    }
    for (auto const& [name, value] : args) {
        if (!value.is_string()) {
            return invalid_params("argument " + std::string(name) + " must be a string");
        }
    }
    for (auto const& spec : p.arguments) {
        if (spec.required && !args.contains(spec.name)) {
            return invalid_params("missing required argument: " + spec.name);
        }
    }
    return args;
}

}  // namespace

Outcome tools_list(EngineCore& engine, Call& call) {
    auto const& reg = engine.registry();
    return paginate(engine, call, reg.tools(), "tools", [&reg](ToolSpec const& t) {
        json::object d = reg.tool_descriptor(t);
        if (t.raw_call_result) {
            d.erase("outputSchema");  // the result is content blocks, not structured output
        }
        return d;
    });
}

Outcome tools_call(EngineCore& engine, Call& call) {
    auto name = string_param(call, "name");
    if (auto* e = std::get_if<MethodError>(&name)) {
        return *e;
    }
    static json::value const kNoArguments = nullptr;
    json::value const* args = &kNoArguments;
    if (auto const* a = call.params.if_contains("arguments"); a != nullptr && !a->is_null()) {
        if (!a->is_object()) {
            return invalid_params("tools/call arguments must be an object");
        }
        args = a;
    }
    ToolSpec const* tool = engine.registry().find_tool(std::get<std::string>(name));
    if (tool == nullptr) {
        return invalid_params("unknown tool: " + std::get<std::string>(name));
    }
    if (call.in.http && call.era == Era::kStateless) {
        if (auto mismatch = check_param_headers(engine, call, *tool, *args)) {
            return std::move(*mismatch);
        }
    }
    ToolContext ctx = engine.make_context(call, tool->name);
    auto result = engine.registry().invoke(*tool, *args, ctx);
    if (tool->raw_call_result && result && result->is_object()) {
        return result->as_object();
    }
    return call_tool_result(std::move(result));
}

Outcome resources_list(EngineCore& engine, Call& call) {
    return paginate(
        engine,
        call,
        engine.registry().resources(),
        "resources",
        [](ResourceSpec const& r) {
            json::object o{{"uri", r.uri}, {"name", r.name}};
            put_if(o, "title", r.title);
            put_if(o, "description", r.description);
            put_if(o, "mimeType", r.mime_type);
            return o;
        }
    );
}

Outcome resource_templates_list(EngineCore& engine, Call& call) {
    auto const& templates = engine.registry().templates();
    return paginate(
        engine,
        call,
        templates,
        "resourceTemplates",
        [](ResourceTemplateSpec const& t) {
            json::object o{{"uriTemplate", t.uri_template}, {"name", t.name}};
            put_if(o, "title", t.title);
            put_if(o, "description", t.description);
            put_if(o, "mimeType", t.mime_type);
            return o;
        }
    );
}

Outcome resources_read(EngineCore& engine, Call& call) {
    auto uri_param = string_param(call, "uri");
    if (auto* e = std::get_if<MethodError>(&uri_param)) {
        return *e;
    }
    std::string const& uri = std::get<std::string>(uri_param);
    ToolContext ctx = engine.make_context(call, "resources");
    server::core::Result<json::array> contents = server::core::Error::not_found(uri);
    if (auto const* r = engine.registry().find_resource(uri)) {
        contents = r->read(ctx, uri);
    } else if (auto const* t = engine.registry().match_template(uri)) {
        contents = t->read(ctx, uri);
    }
    if (!contents) {
        if (contents.error().kind == ErrorKind::kNotFound) {
            return resource_not_found(call, uri);
        }
        return handler_error(contents.error());
    }
    if (contents->empty()) {
        return resource_not_found(call, uri);  // an empty contents array is not allowed
    }
    return json::object{{"contents", std::move(*contents)}};
}

Outcome prompts_list(EngineCore& engine, Call& call) {
    return paginate(engine, call, engine.registry().prompts(), "prompts", &prompt_json);
}

Outcome prompts_get(EngineCore& engine, Call& call) {
    auto name = string_param(call, "name");
    if (auto* e = std::get_if<MethodError>(&name)) {
        return *e;
    }
    PromptSpec const* prompt = engine.registry().find_prompt(std::get<std::string>(name));
    if (prompt == nullptr) {
        return invalid_params("unknown prompt: " + std::get<std::string>(name));
    }
    auto args = prompt_arguments(call, *prompt);
    if (auto* e = std::get_if<MethodError>(&args)) {
        return *e;
    }
    ToolContext ctx = engine.make_context(call, prompt->name);
    auto result = prompt->get(ctx, std::get<json::object>(args));
    if (!result) {
        return handler_error(result.error());
    }
    return std::move(*result);
}

Outcome completion_complete(EngineCore& engine, Call& call) {
    auto const* ref = call.params.if_contains("ref");
    auto const* argument = call.params.if_contains("argument");
    if (ref == nullptr || !ref->is_object() || argument == nullptr || !argument->is_object()) {
        return invalid_params("completion/complete needs params.ref and params.argument objects");
    }
    auto const* arg_name = argument->as_object().if_contains("name");
    auto const* arg_value = argument->as_object().if_contains("value");
    if (arg_name == nullptr || !arg_name->is_string() || arg_value == nullptr ||
        !arg_value->is_string()) {
        return invalid_params("argument needs name and value strings");
    }
    auto const* type = ref->as_object().if_contains("type");
    std::vector<std::string> values;
    if (type != nullptr && type->is_string() && type->as_string() == "ref/prompt") {
        auto const* pname = ref->as_object().if_contains("name");
        PromptSpec const* prompt = (pname != nullptr && pname->is_string())
                                       ? engine.registry().find_prompt(pname->as_string())
                                       : nullptr;
        if (prompt == nullptr) {
            return invalid_params("ref/prompt names no known prompt");
        }
        if (prompt->complete) {
            values = prompt->complete(
                std::string(arg_name->as_string()), std::string(arg_value->as_string())
            );
        }
    } else if (type == nullptr || !type->is_string() || type->as_string() != "ref/resource") {
        return invalid_params("ref.type must be ref/prompt or ref/resource");
    }
    // ref/resource: templates carry no completer, so the answer is empty.
    std::size_t const total = values.size();
    json::array shown;
    for (std::size_t i = 0; i < total && i < kMaxCompletionValues; ++i) {
        shown.push_back(json::string(values[i]));
    }
    json::object completion{
        {"values", std::move(shown)}, {"total", total}, {"hasMore", total > kMaxCompletionValues}};
    return json::object{{"completion", std::move(completion)}};
}

}  // namespace signoff::transport::mcp::detail
