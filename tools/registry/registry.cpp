// Registry plumbing (see registry.hpp): schema compilation at seal(), argument
// validation (precheck for specific messages, then valijson for the rest),
// handler invocation behind the layer's one catch, REST route matching.
#include "tools/registry/registry.hpp"

#include <algorithm>
#include <iostream>
#include <regex>
#include <set>

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "schemas/embedded.hpp"
#include "tools/codec/error_table.hpp"
#include "tools/registry/schema_check.hpp"

namespace signoff::tools::registry {

namespace json = boost::json;
using server::core::Error;
using server::core::FieldError;
using server::core::Result;
using server::core::Status;

struct Registry::Compiled {
    json::value doc;
    valijson::Schema schema;
};

namespace {

/// The next non-empty '/'-separated segment of `s` at or after `pos`, which it
/// moves past the segment; empty at the end. Repeated slashes count as one.
std::string_view next_segment(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && s[pos] == '/') {
        ++pos;
    }
    auto const end = std::min(s.find('/', pos), s.size());
    auto const segment = s.substr(pos, end - pos);
    pos = end;
    return segment;
}

/// Matches `path` against a route pattern; fills `{name}` captures. Walks both
/// in step without allocating: every REST request tries every route (twice).
bool path_matches(std::string_view pattern, std::string_view path, json::object* captures) {
    std::size_t at_pattern = 0;
    std::size_t at_path = 0;
    for (;;) {
        auto const want = next_segment(pattern, at_pattern);
        auto const got = next_segment(path, at_path);
        if (want.empty() || got.empty()) {
            return want.empty() && got.empty();
        }
        if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
            if (captures != nullptr) {
                (*captures)[want.substr(1, want.size() - 2)] = got;
            }
        } else if (want != got) {
            return false;
        }
    }
}

/// "<root>", "[items]", "[0]" → "items[0]"
std::string field_from_context(std::vector<std::string> const& context) {
    std::string out;
    for (auto const& part : context) {
        if (part == "<root>") {
            continue;
        }
        std::string p = part;
        if (p.size() >= 2 && p.front() == '[' && p.back() == ']') {
            p = p.substr(1, p.size() - 2);
        }
        bool const index = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) {
            return c >= '0' && c <= '9';
        });
        if (index) {
            out += "[" + p + "]";
        } else {
            out += (out.empty() ? "" : ".") + p;
        }
    }
    return out.empty() ? "arguments" : out;
}

/// The output schema as tools/list advertises it: the tool's own schema or the
/// error body. Clients (the TypeScript SDK among them) validate structuredContent
/// against outputSchema even on isError results, and ours carry {code, message,
/// details} there. `$schema` and `definitions` move to the top so that local
/// `#/definitions/…` references still resolve.
json::value advertised_output(json::value const& success) {
    static json::value const kError = json::parse(schemas::text("common/tool_error"));
    if (!success.is_object()) {
        return success;
    }
    json::object own = success.get_object();
    json::object out;
    for (auto const* hoisted : {"$schema", "definitions"}) {
        if (auto it = own.find(hoisted); it != own.end()) {
            out[hoisted] = it->value();
            own.erase(it);
        }
    }
    json::object error = kError.get_object();
    error.erase("$schema");
    out["type"] = "object";
    out["anyOf"] = json::array{std::move(own), std::move(error)};
    return out;
}

bool valid_tool_name(std::string const& name) {
    static std::regex const kName{"^[A-Za-z0-9_.-]{1,128}$"};
    return std::regex_match(name, kName);
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::add_tool(ToolSpec spec) {
    tools_.push_back(std::move(spec));
}
void Registry::add_resource(ResourceSpec spec) {
    resources_.push_back(std::move(spec));
}
void Registry::add_template(ResourceTemplateSpec spec) {
    templates_.push_back(std::move(spec));
}
void Registry::add_prompt(PromptSpec spec) {
    prompts_.push_back(std::move(spec));
}
void Registry::add_download(DownloadSpec spec) {
    downloads_.push_back(std::move(spec));
}

void Registry::add_endpoint(EndpointSpec spec) {
    endpoints_.push_back(std::move(spec));
}

Status Registry::seal() {
    std::set<std::string> names;
    std::set<std::string> routes;
    auto compile = [this](std::string const& name) -> Status {
        if (compiled_.contains(name)) {
            return {};
        }
        auto const text = schemas::text(name);
        if (text.empty()) {
            return Error::internal("schema '" + name + "' is not embedded");
        }
        boost::system::error_code ec;
        auto c = std::make_unique<Compiled>();
        c->doc = json::parse(text, ec);
        if (ec || !c->doc.is_object()) {
            return Error::internal("schema '" + name + "' is not a JSON object");
        }
        try {
            valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
            valijson::adapters::BoostJsonAdapter adapter(c->doc);
            parser.populateSchema(adapter, c->schema);
        } catch (std::exception const& e) {
            return Error::internal("schema '" + name + "' does not compile: " + e.what());
        }
        compiled_.emplace(name, std::move(c));
        return {};
    };
    if (auto st = compile("common/tool_error"); !st) {
        return st;  // advertised_output() needs it
    }
    for (auto const& t : tools_) {
        if (!valid_tool_name(t.name) || !names.insert(t.name).second) {
            return Error::internal("tool name '" + t.name + "' is invalid or duplicated");
        }
        for (auto const* s : {&t.input_schema, &t.output_schema}) {
            if (auto st = compile(*s); !st) {
                return st;
            }
        }
        for (auto const& r : t.routes) {
            auto key = r.method + " " + r.path + " " + r.discriminator_value;
            if (!routes.insert(key).second) {
                return Error::internal("REST route '" + key + "' is used twice");
            }
        }
    }
    for (auto const& d : downloads_) {
        // A download answers GET on its path: no tool route may claim it too.
        if (!routes.insert("GET " + d.path + " ").second || !methods_for(d.path).empty()) {
            return Error::internal("download path '" + d.path + "' is used twice");
        }
    }
    for (auto const& e : endpoints_) {
        // An endpoint runs before authentication: no tool route may share its path.
        if (!routes.insert(e.method + " " + e.path + " ").second || !methods_for(e.path).empty()) {
            return Error::internal("endpoint '" + e.method + " " + e.path + "' is used twice");
        }
        if (!e.input_schema.empty()) {
            if (auto st = compile(e.input_schema); !st) {
                return st;
            }
        }
    }
    sealed_ = true;
    return {};
}

std::vector<EndpointSpec const*> Registry::endpoints_at(std::string_view path) const {
    std::vector<EndpointSpec const*> out;
    for (auto const& e : endpoints_) {
        if (e.path == path) {
            out.push_back(&e);
        }
    }
    return out;
}

ToolSpec const* Registry::find_tool(std::string_view name) const {
    for (auto const& t : tools_) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

json::value const& Registry::schema(std::string_view name) const {
    static json::value const kEmpty = json::object{};
    auto it = compiled_.find(name);
    return it == compiled_.end() ? kEmpty : it->second->doc;
}

json::object Registry::tool_descriptor(ToolSpec const& tool) const {
    json::object annotations{
        {"title", tool.title},
        {"readOnlyHint", tool.annotations.read_only},
        {"destructiveHint", tool.annotations.destructive},
        {"idempotentHint", tool.annotations.idempotent},
        {"openWorldHint", tool.annotations.open_world},
    };
    // Schemas go out as written, `$schema` included: a client then validates with the
    // dialect the schema was written for instead of assuming 2020-12.
    json::value input = schema(tool.input_schema);
    json::value output = advertised_output(schema(tool.output_schema));
    return {
        {"name", tool.name},
        {"title", tool.title},
        {"description", tool.description},
        {"inputSchema", std::move(input)},
        {"outputSchema", std::move(output)},
        {"annotations", std::move(annotations)},
    };
}

namespace {

std::vector<FieldError> validate_with(Registry::Compiled const* c, json::value const& v) {
    std::vector<FieldError> errors;
    detail::precheck(c->doc, v, "", errors);
    if (!errors.empty()) {
        return errors;
    }
    // A Validator caches each `pattern` regex it compiles, and compiling one costs
    // far more than a whole validation; the cache is not thread-safe, so each
    // thread keeps its own. Patterns come from our schemas only, so it stays small.
    thread_local valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::BoostJsonAdapter target(v);
    if (!validator.validate(c->schema, target, &results)) {
        valijson::ValidationResults::Error e;
        std::set<std::string> seen;
        while (results.popError(e)) {
            auto field = field_from_context(e.context);
            // valijson reports an enclosing "oneOf"/"allOf" failure as well; keep the innermost.
            if (seen.insert(field + e.description).second) {
                errors.push_back({std::move(field), e.description});
            }
        }
    }
    return errors;
}

}  // namespace

Result<json::value> Registry::invoke(
    ToolSpec const& tool, json::value const& args, ToolContext& ctx
) const {
    static json::value const kNoArguments = json::object{};
    if (!args.is_null() && !args.is_object()) {
        return Error::invalid_field("arguments", "arguments must be a JSON object");
    }
    json::value const& as_value = args.is_object() ? args : kNoArguments;
    json::object const& obj = as_value.get_object();
    auto in = compiled_.find(tool.input_schema);
    if (in == compiled_.end()) {
        return Error::internal("registry not sealed");
    }
    // Text no store accepts (U+0000, invalid UTF-8) is refused before any
    // check could quote it; outputs are the domain's own and need no such pass.
    std::vector<FieldError> invalid;
    detail::check_strings(as_value, "", invalid);
    if (invalid.empty()) {
        invalid = validate_with(in->second.get(), as_value);
    }
    if (!invalid.empty()) {
        std::string msg = "invalid arguments for " + tool.name + ": " + invalid.front().field +
                          " " + invalid.front().message;
        return Error::invalid(std::move(msg), std::move(invalid));
    }
    Result<json::value> out = Error::internal("handler did not run");
    try {
        out = tool.handler(ctx, obj);
    } catch (std::exception const& e) {
        std::cerr << "signoff: tool " << tool.name << " threw: " << e.what() << "\n";
        return Error::internal("internal error");
    }
#ifdef SIGNOFF_CHECK_OUTPUT
    if (out) {
        auto o = compiled_.find(tool.output_schema);
        if (auto errors = validate_with(o->second.get(), *out); !errors.empty()) {
            std::cerr << "signoff: tool " << tool.name << " output violates its schema at "
                      << errors.front().field << ": " << errors.front().message << "\n";
            return Error::internal("output of " + tool.name + " violates its schema");
        }
    }
#endif
    return out;
}

Result<EndpointReply> Registry::call_endpoint(
    EndpointSpec const& endpoint,
    json::value const& args,
    Services const& services,
    EndpointRequest const& request
) const {
    static json::value const kNoArguments = json::object{};
    if (!args.is_null() && !args.is_object()) {
        return Error::invalid("the request body must be a JSON object");
    }
    json::value const& as_value = args.is_object() ? args : kNoArguments;
    std::vector<FieldError> invalid;
    detail::check_strings(as_value, "", invalid);
    if (invalid.empty() && !endpoint.input_schema.empty()) {
        auto in = compiled_.find(endpoint.input_schema);
        if (in == compiled_.end()) {
            return Error::internal("registry not sealed");
        }
        invalid = validate_with(in->second.get(), as_value);
    } else if (invalid.empty() && !as_value.get_object().empty()) {
        return Error::invalid("this endpoint takes no arguments");
    }
    if (!invalid.empty()) {
        std::string msg =
            "invalid request: " + invalid.front().field + " " + invalid.front().message;
        return Error::invalid(std::move(msg), std::move(invalid));
    }
    try {
        return endpoint.handle(services, as_value.get_object(), request);
    } catch (std::exception const& e) {
        std::cerr << "signoff: endpoint " << endpoint.path << " threw: " << e.what() << "\n";
        return Error::internal("internal error");
    }
}

std::variant<RouteMatch, RouteMiss> Registry::match_route(
    std::string_view method, std::string_view path, json::object const* body
) const {
    bool path_seen = false;
    bool method_seen = false;
    for (auto const& t : tools_) {
        for (auto const& r : t.routes) {
            RouteMatch m;
            if (!path_matches(r.path, path, &m.path_args)) {
                continue;
            }
            path_seen = true;
            if (r.method != method) {
                continue;
            }
            method_seen = true;
            if (!r.discriminator_field.empty()) {
                auto const* v =
                    body != nullptr ? body->if_contains(r.discriminator_field) : nullptr;
                if (v == nullptr || !v->is_string() || v->get_string() != r.discriminator_value) {
                    continue;
                }
            }
            m.tool = &t;
            m.route = &r;
            return m;
        }
    }
    if (method_seen) {
        return RouteMiss::kBadDiscriminator;
    }
    return path_seen ? RouteMiss::kMethodNotAllowed : RouteMiss::kNoSuchPath;
}

std::vector<std::string> Registry::methods_for(std::string_view path) const {
    std::set<std::string> methods;
    for (auto const& t : tools_) {
        for (auto const& r : t.routes) {
            if (path_matches(r.path, path, nullptr)) {
                methods.insert(r.method);
            }
        }
    }
    return {methods.begin(), methods.end()};
}

json::object Registry::args_from_query(
    ToolSpec const& tool, std::vector<std::pair<std::string, std::string>> const& query
) const {
    json::object out;
    json::object const* props = nullptr;
    auto const& doc = schema(tool.input_schema);
    if (doc.is_object()) {
        if (auto const* p = doc.get_object().if_contains("properties"); p && p->is_object()) {
            props = &p->get_object();
        }
    }
    for (auto const& [key, raw] : query) {
        std::string type;
        if (props != nullptr) {
            auto const* s = props->if_contains(key);
            if (s == nullptr) {
                // A query string may carry parameters this route does not
                // know (seed 001's clients send page/limit/orderBy on every
                // list): ignored, as HTTP APIs do. Path segments and bodies
                // stay strict, and so do the MCP tools.
                continue;
            }
            if (s->is_object()) {
                if (auto const* t = s->get_object().if_contains("type"); t && t->is_string()) {
                    type = t->get_string();
                }
            }
        }
        json::value v = json::string(raw);
        if (type == "integer" || type == "number") {
            boost::system::error_code ec;
            auto parsed = json::parse(raw, ec);
            if (!ec && parsed.is_number()) {
                v = parsed;
            }
        } else if (type == "boolean" && (raw == "true" || raw == "false")) {
            v = raw == "true";
        }
        out[key] = std::move(v);
    }
    return out;
}

std::optional<DownloadMatch> Registry::match_download(std::string_view path) const {
    for (auto const& d : downloads_) {
        DownloadMatch m;
        if (path_matches(d.path, path, &m.path_args)) {
            m.download = &d;
            return m;
        }
    }
    return std::nullopt;
}

ResourceSpec const* Registry::find_resource(std::string_view uri) const {
    for (auto const& r : resources_) {
        if (r.uri == uri) {
            return &r;
        }
    }
    return nullptr;
}

ResourceTemplateSpec const* Registry::match_template(std::string_view uri) const {
    for (auto const& t : templates_) {
        // Level-1 templates: literal text with {var} holes, each matching a non-empty run
        // without '/'.
        std::string_view pat = t.uri_template;
        std::size_t pi = 0;
        std::size_t ui = 0;
        bool ok = true;
        while (ok && pi < pat.size()) {
            if (pat[pi] == '{') {
                auto const close = pat.find('}', pi);
                if (close == std::string_view::npos) {
                    ok = false;
                    break;
                }
                pi = close + 1;
                char const next = pi < pat.size() ? pat[pi] : '\0';
                std::size_t const start = ui;
                while (ui < uri.size() && uri[ui] != '/' && uri[ui] != next) {
                    ++ui;
                }
                ok = ui > start;
            } else {
                ok = ui < uri.size() && uri[ui] == pat[pi];
                ++pi;
                ++ui;
            }
        }
        if (ok && ui == uri.size()) {
            return &t;
        }
    }
    return nullptr;
}

PromptSpec const* Registry::find_prompt(std::string_view name) const {
    for (auto const& p : prompts_) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

json::object error_body(Error const& e) {
    json::array details;
    for (auto const& d : e.details) {
        details.push_back(json::object{{"field", d.field}, {"message", d.message}});
    }
    return {
        {"code", std::string(codec::error_row(e.kind).slug)},
        {"message", e.message},
        {"details", std::move(details)},
    };
}

json::object call_tool_result(Result<json::value> const& r) {
    return call_tool_result(Result<json::value>(r));
}

json::object call_tool_result(Result<json::value>&& r) {
    if (r) {
        json::object out;
        out.reserve(3);
        out.emplace(
            "content", json::array{json::object{{"type", "text"}, {"text", json::serialize(*r)}}}
        );
        out.emplace("structuredContent", std::move(*r));  // initializer lists would copy it
        out.emplace("isError", false);
        return out;
    }
    auto body = error_body(r.error());
    json::array content{json::object{{"type", "text"}, {"text", json::serialize(body)}}};
    return {
        {"content", std::move(content)},
        {"structuredContent", std::move(body)},
        {"isError", true},
    };
}

}  // namespace signoff::tools::registry
