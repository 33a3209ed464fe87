// Conformance fixtures: rows whose names, texts and behaviour are those the
// official suite's server scenarios check (SERVER_REQUIREMENTS.md of
// modelcontextprotocol/conformance, scenarios of 0.1.16 and 0.2.0-alpha.12).
// Content-block tools return a raw CallToolResult (ToolSpec::raw_call_result).
#include "tools/families/conformance.hpp"

#include <chrono>
#include <thread>

namespace signoff::tools::families {

namespace json = boost::json;
using registry::ToolContext;
using registry::ToolSpec;
using server::core::Error;
using server::core::Result;

namespace {

// A 1x1 PNG and a 16-sample 8 kHz 8-bit mono WAV of silence.
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "==";
constexpr std::string_view kWav =
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YRAAAACAgICAgICAgICAgICAgICA";
constexpr std::chrono::milliseconds kStepDelay{50};

json::object text_block(std::string_view text) {
    return {{"type", "text"}, {"text", text}};
}
json::object image_block() {
    return {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}};
}
json::object resource_block(std::string_view uri, std::string_view mime, std::string_view text) {
    return {{"type", "resource"}, {"resource", {{"uri", uri}, {"mimeType", mime}, {"text", text}}}};
}
json::value content(json::array blocks) {
    return json::object{{"content", std::move(blocks)}};
}

/// Waits one step of a slow fixture; false when the call was cancelled meanwhile.
bool step(ToolContext const& ctx) {
    std::this_thread::sleep_for(kStepDelay);
    return !ctx.is_cancelled();
}

ToolSpec row(std::string name, std::string description, registry::Handler handler) {
    return detail::conformance_row(std::move(name), std::move(description), std::move(handler));
}

Result<json::value> simple_text(ToolContext&, json::object const&) {
    return content({text_block("This is a simple text response for testing.")});
}

Result<json::value> image_content(ToolContext&, json::object const&) {
    return content({image_block()});
}

Result<json::value> audio_content(ToolContext&, json::object const&) {
    return content({json::object{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}});
}

Result<json::value> embedded_resource(ToolContext&, json::object const&) {
    return content({resource_block(
        "test://embedded-resource", "text/plain", "This is an embedded resource content."
    )});
}

Result<json::value> multiple_content_types(ToolContext&, json::object const&) {
    return content(
        {text_block("Multiple content types test:"),
         image_block(),
         resource_block(
             "test://mixed-content-resource", "application/json", R"({"test":"data","value":123})"
         )}
    );
}

Result<json::value> tool_with_logging(ToolContext& ctx, json::object const&) {
    auto log = [&ctx](std::string_view text) {
        if (ctx.log) {
            ctx.log("info", json::string(text));
        }
    };
    log("Tool execution started");
    if (!step(ctx)) {
        return Error::failed_precondition("cancelled");
    }
    log("Tool processing data");
    if (!step(ctx)) {
        return Error::failed_precondition("cancelled");
    }
    log("Tool execution completed");
    return content({text_block("Tool with logging executed successfully")});
}

Result<json::value> tool_with_progress(ToolContext& ctx, json::object const&) {
    for (double p : {0.0, 50.0, 100.0}) {
        if (p > 0.0 && !step(ctx)) {
            return Error::failed_precondition("cancelled");
        }
        if (ctx.progress) {
            ctx.progress(p, 100.0, "");
        }
    }
    return content({text_block("Tool with progress executed successfully")});
}

Result<json::value> error_handling(ToolContext&, json::object const&) {
    json::object r{{"isError", true}};
    r["content"] = json::array{text_block("This tool intentionally returns an error for testing")};
    return r;
}

/// Client input under `key`: a server→client request in the handshake era, an
/// MRTR round in the stateless era; refused when the connection offers neither.
Result<json::value> ask_client(
    ToolContext& ctx, std::string const& key, std::string const& method, json::object params
) {
    if (!ctx.ask) {
        return Error::failed_precondition(method + " is not available on this connection");
    }
    return ctx.ask(key, method, params);
}

Result<json::value> sampling(ToolContext& ctx, json::object const& args) {
    json::object message{{"role", "user"}, {"content", text_block(args.at("prompt").as_string())}};
    json::object params{{"messages", json::array{message}}, {"maxTokens", 100}};
    auto answer = ask_client(ctx, "sampling", "sampling/createMessage", std::move(params));
    if (!answer) {
        return answer.error();
    }
    std::string text;
    if (auto const* c =
            answer->is_object() ? answer->as_object().if_contains("content") : nullptr) {
        if (auto const* t = c->is_object() ? c->as_object().if_contains("text") : nullptr) {
            text = t->is_string() ? std::string(t->as_string()) : json::serialize(*t);
        }
    }
    return content({text_block("LLM response: " + text)});
}

/// "action=<a>, content=<json>" from an ElicitResult.
std::string describe_elicitation(json::value const& answer) {
    auto const* o = answer.if_object();
    auto const* action = o != nullptr ? o->if_contains("action") : nullptr;
    auto const* body = o != nullptr ? o->if_contains("content") : nullptr;
    return "action=" +
           (action != nullptr && action->is_string() ? std::string(action->as_string()) : "") +
           ", content=" + (body != nullptr ? json::serialize(*body) : "{}");
}

Result<json::value> elicitation(ToolContext& ctx, json::object const& args) {
    json::object schema{
        {"type", "object"},
        {"properties",
         {{"username", {{"type", "string"}, {"description", "User's response"}}},
          {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
        {"required", json::array{"username", "email"}}};
    json::object params{{"message", args.at("message")}, {"requestedSchema", std::move(schema)}};
    auto answer = ask_client(ctx, "elicitation", "elicitation/create", std::move(params));
    if (!answer) {
        return answer.error();
    }
    return content({text_block("User response: " + describe_elicitation(*answer))});
}

Result<json::value> elicit_with_schema(ToolContext& ctx, std::string message, json::object props) {
    json::object schema{{"type", "object"}, {"properties", std::move(props)}};
    json::object params{{"message", std::move(message)}, {"requestedSchema", std::move(schema)}};
    auto answer = ask_client(ctx, "elicitation", "elicitation/create", std::move(params));
    if (!answer) {
        return answer.error();
    }
    return content({text_block("Elicitation completed: " + describe_elicitation(*answer))});
}

Result<json::value> elicitation_defaults(ToolContext& ctx, json::object const&) {
    json::object props{
        {"name", {{"type", "string"}, {"default", "John Doe"}}},
        {"age", {{"type", "integer"}, {"default", 30}}},
        {"score", {{"type", "number"}, {"default", 95.5}}},
        {"status",
         {{"type", "string"},
          {"enum", json::array{"active", "inactive", "pending"}},
          {"default", "active"}}},
        {"verified", {{"type", "boolean"}, {"default", true}}}};
    return elicit_with_schema(ctx, "Please review the defaults", std::move(props));
}

json::array titled(std::initializer_list<std::pair<std::string_view, std::string_view>> items) {
    json::array out;
    for (auto const& [value, title] : items) {
        out.push_back(json::object{{"const", value}, {"title", title}});
    }
    return out;
}

Result<json::value> elicitation_enums(ToolContext& ctx, json::object const&) {
    json::array three{"option1", "option2", "option3"};
    json::object props{
        {"untitledSingle", {{"type", "string"}, {"enum", three}}},
        {"titledSingle",
         {{"type", "string"},
          {"oneOf",
           titled(
               {{"value1", "First Option"}, {"value2", "Second Option"}, {"value3", "Third Option"}}
           )}}},
        {"legacyEnum",
         {{"type", "string"},
          {"enum", json::array{"opt1", "opt2", "opt3"}},
          {"enumNames", json::array{"Option One", "Option Two", "Option Three"}}}},
        {"untitledMulti", {{"type", "array"}, {"items", {{"type", "string"}, {"enum", three}}}}},
        {"titledMulti",
         {{"type", "array"},
          {"items",
           {{"anyOf",
             titled(
                 {{"value1", "First Choice"},
                  {"value2", "Second Choice"},
                  {"value3", "Third Choice"}}
             )}}}}}};
    return elicit_with_schema(ctx, "Please choose options", std::move(props));
}

Result<json::value> json_schema_2020_12(ToolContext&, json::object const& args) {
    return content({text_block("Received: " + json::serialize(args))});
}

Result<json::value> missing_capability(ToolContext& ctx, json::object const&) {
    json::object params{
        {"messages", json::array{json::object{{"role", "user"}, {"content", text_block("ping")}}}},
        {"maxTokens", 10}};
    auto answer = ask_client(ctx, "sampling", "sampling/createMessage", std::move(params));
    if (!answer) {
        return answer.error();
    }
    return content({text_block("sampling is available")});
}

Result<json::value> logging_tool(ToolContext& ctx, json::object const&) {
    if (ctx.log) {
        ctx.log("info", json::string("test_logging_tool ran"));
    }
    return content({text_block("Logging tool executed")});
}

void add_tools(registry::Registry& r) {
    r.add_tool(row("test_simple_text", "Returns a simple text block.", &simple_text));
    r.add_tool(row("test_image_content", "Returns a 1x1 PNG image block.", &image_content));
    r.add_tool(row("test_audio_content", "Returns a short WAV audio block.", &audio_content));
    r.add_tool(
        row("test_embedded_resource", "Returns an embedded text resource.", &embedded_resource)
    );
    r.add_tool(
        row("test_multiple_content_types",
            "Returns text, image and resource blocks.",
            &multiple_content_types)
    );
    r.add_tool(row("test_tool_with_logging", "Sends three info log messages.", &tool_with_logging));
    r.add_tool(
        row("test_tool_with_progress", "Reports progress 0, 50, 100 of 100.", &tool_with_progress)
    );
    r.add_tool(row("test_error_handling", "Always returns a tool error.", &error_handling));
    r.add_tool(row("test_sampling", "Asks the client to sample an LLM.", &sampling));
    r.add_tool(row("test_elicitation", "Asks the user for a username and email.", &elicitation));
    r.add_tool(
        row("test_elicitation_sep1034_defaults",
            "Elicits with defaults for every primitive type.",
            &elicitation_defaults)
    );
    r.add_tool(
        row("test_elicitation_sep1330_enums",
            "Elicits with all five enum schema variants.",
            &elicitation_enums)
    );
    r.add_tool(row(
        "json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", &json_schema_2020_12
    ));
    r.add_tool(row(
        "test_missing_capability", "Needs the client's sampling capability.", &missing_capability
    ));
    r.add_tool(row("test_logging_tool", "Sends one info log message.", &logging_tool));
}

json::array text_contents(std::string const& uri, std::string_view mime, std::string_view text) {
    return json::array{json::object{{"uri", uri}, {"mimeType", mime}, {"text", text}}};
}

/// The {id} of test://template/{id}/data, or "" when `uri` does not match.
std::string template_id(std::string_view uri) {
    constexpr std::string_view kPrefix = "test://template/";
    constexpr std::string_view kSuffix = "/data";
    if (uri.size() <= kPrefix.size() + kSuffix.size() || uri.substr(0, kPrefix.size()) != kPrefix ||
        uri.substr(uri.size() - kSuffix.size()) != kSuffix) {
        return "";
    }
    auto id = uri.substr(kPrefix.size(), uri.size() - kPrefix.size() - kSuffix.size());
    return id.find('/') == std::string_view::npos ? std::string(id) : "";
}

void add_resources(registry::Registry& r) {
    r.add_resource(
        {"test://static-text",
         "Static Text Resource",
         "",
         "A static text resource for testing",
         "text/plain",
         [](ToolContext&, std::string const& uri) -> Result<json::array> {
             return text_contents(
                 uri, "text/plain", "This is the content of the static text resource."
             );
         }}
    );
    r.add_resource(
        {"test://static-binary",
         "Static Binary Resource",
         "",
         "A static binary resource (image) for testing",
         "image/png",
         [](ToolContext&, std::string const& uri) -> Result<json::array> {
             return json::array{
                 json::object{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}}};
         }}
    );
    r.add_resource(
        {"test://watched-resource",
         "Watched Resource",
         "",
         "A resource that can be subscribed to",
         "text/plain",
         [](ToolContext&, std::string const& uri) -> Result<json::array> {
             return text_contents(uri, "text/plain", "Watched resource content");
         }}
    );
    r.add_template(
        {"test://template/{id}/data",
         "Resource Template",
         "",
         "A resource template with parameter substitution",
         "application/json",
         [](ToolContext&, std::string const& uri) -> Result<json::array> {
             std::string id = template_id(uri);
             if (id.empty()) {
                 return Error::not_found(uri);
             }
             json::object body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
             return text_contents(uri, "application/json", json::serialize(body));
         }}
    );
}

json::object user_message(json::object block) {
    return {{"role", "user"}, {"content", std::move(block)}};
}

json::object messages(json::array list) {
    return {{"messages", std::move(list)}};
}

std::vector<std::string> complete_from(
    std::vector<std::string> const& pool, std::string const& prefix
) {
    std::vector<std::string> out;
    for (auto const& v : pool) {
        if (v.compare(0, prefix.size(), prefix) == 0) {
            out.push_back(v);
        }
    }
    return out;
}

void add_prompts(registry::Registry& r) {
    registry::PromptSpec simple{
        "test_simple_prompt",
        "",
        "A simple prompt without arguments",
        {},
        [](ToolContext&, json::object const&) -> Result<json::object> {
            return messages({user_message(text_block("This is a simple prompt for testing."))});
        }};
    registry::PromptSpec with_args{
        "test_prompt_with_arguments",
        "",
        "A prompt with required arguments",
        {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}},
        [](ToolContext&, json::object const& a) -> Result<json::object> {
            std::string text = "Prompt with arguments: arg1='" +
                               std::string(a.at("arg1").as_string()) + "', arg2='" +
                               std::string(a.at("arg2").as_string()) + "'";
            return messages({user_message(text_block(text))});
        },
        [](std::string const&, std::string const& value) {
            return complete_from({"paris", "park", "party", "test", "testing"}, value);
        }};
    registry::PromptSpec embedded{
        "test_prompt_with_embedded_resource",
        "",
        "A prompt with an embedded resource",
        {{"resourceUri", "URI of the resource to embed", true}},
        [](ToolContext&, json::object const& a) -> Result<json::object> {
            return messages(
                {user_message(resource_block(
                     a.at("resourceUri").as_string(),
                     "text/plain",
                     "Embedded resource content for testing."
                 )),
                 user_message(text_block("Please process the embedded resource above."))}
            );
        }};
    registry::PromptSpec image{
        "test_prompt_with_image",
        "",
        "A prompt with image content",
        {},
        [](ToolContext&, json::object const&) -> Result<json::object> {
            return messages(
                {user_message(image_block()),
                 user_message(text_block("Please analyze the image above."))}
            );
        }};
    r.add_prompt(std::move(simple));
    r.add_prompt(std::move(with_args));
    r.add_prompt(std::move(embedded));
    r.add_prompt(std::move(image));
}

}  // namespace

namespace detail {

ToolSpec conformance_row(std::string name, std::string description, registry::Handler handler) {
    ToolSpec t;
    t.input_schema = "conformance/" + name + ".input";
    t.output_schema = "conformance/call_tool_result.output";
    t.title = name;
    t.name = std::move(name);
    t.description = std::move(description);
    t.annotations = {true, false, true, false};
    t.handler = std::move(handler);
    t.raw_call_result = true;
    t.permissions = "anyone (conformance mode only)";
    return t;
}

}  // namespace detail

void register_conformance_fixtures(registry::Registry& registry) {
    add_tools(registry);
    detail::add_input_fixtures(registry);
    add_resources(registry);
    add_prompts(registry);
}

}  // namespace signoff::tools::families
