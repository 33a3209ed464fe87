// Conformance fixtures that need input from the client: the MRTR tools and
// prompt of the 2026-07-28 suite (input-required-result-*, SEP-2322), the
// streamed elicitation of server-stateless, and the x-mcp-header tool of
// http-custom-header-server-validation (SEP-2243). Each asks through
// ToolContext::ask, so it works in both eras: a server→client request in the
// handshake era, an input_required round in the stateless era.
#include "tools/families/conformance.hpp"

namespace signoff::tools::families::detail {

namespace json = boost::json;
using registry::ToolContext;
using server::core::Error;
using server::core::ErrorKind;
using server::core::Result;

namespace {

using Answer = Result<json::value>;

json::object text_block(std::string_view text) {
    return {{"type", "text"}, {"text", text}};
}
json::value text_result(std::string_view text) {
    return json::object{{"content", json::array{text_block(text)}}};
}

Answer ask(
    ToolContext& ctx, std::string const& key, std::string const& method, json::object params
) {
    if (!ctx.ask) {
        return Error::failed_precondition(method + " is not available on this connection");
    }
    return ctx.ask(key, method, params);
}

/// An elicitation/create form asking for one property of `type`.
json::object form(std::string_view message, std::string_view property, std::string_view type) {
    json::object schema{
        {"type", "object"},
        {"properties", {{property, {{"type", type}}}}},
        {"required", json::array{property}}};
    return {{"message", message}, {"requestedSchema", std::move(schema)}};
}

json::object sampling_request(std::string_view text, int max_tokens) {
    json::object message{{"role", "user"}, {"content", text_block(text)}};
    return {{"messages", json::array{std::move(message)}}, {"maxTokens", max_tokens}};
}

/// content.<field> of an accepted ElicitResult as text ("" when absent).
std::string accepted(json::value const& answer, std::string_view field) {
    auto const* content = answer.as_object().if_contains("content");
    auto const* v = content != nullptr && content->is_object()
                        ? content->as_object().if_contains(field)
                        : nullptr;
    if (v == nullptr) {
        return "";
    }
    return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

/// The text of a CreateMessageResult ("" when it has no text block).
std::string sampled(json::value const& answer) {
    auto const* c = answer.as_object().if_contains("content");
    auto const* t = c != nullptr && c->is_object() ? c->as_object().if_contains("text") : nullptr;
    return t != nullptr && t->is_string() ? std::string(t->as_string()) : "";
}

/// The root URIs of a ListRootsResult, comma-separated.
std::string root_uris(json::value const& answer) {
    std::string out;
    if (auto const* roots = answer.as_object().if_contains("roots");
        roots != nullptr && roots->is_array()) {
        for (auto const& r : roots->as_array()) {
            auto const* uri = r.is_object() ? r.as_object().if_contains("uri") : nullptr;
            if (uri != nullptr && uri->is_string()) {
                out += (out.empty() ? "" : ", ") + std::string(uri->as_string());
            }
        }
    }
    return out;
}

Answer ask_name(ToolContext& ctx) {
    return ask(
        ctx, "user_name", "elicitation/create", form("What is your name?", "name", "string")
    );
}

Result<json::value> elicitation(ToolContext& ctx, json::object const&) {
    auto name = ask_name(ctx);
    if (!name) {
        return name.error();
    }
    return text_result("Hello, " + accepted(*name, "name") + "!");
}

Result<json::value> sampling(ToolContext& ctx, json::object const&) {
    auto answer =
        ask(ctx,
            "capital_question",
            "sampling/createMessage",
            sampling_request("What is the capital of France?", 100));
    if (!answer) {
        return answer.error();
    }
    return text_result("LLM response: " + sampled(*answer));
}

Result<json::value> list_roots(ToolContext& ctx, json::object const&) {
    auto answer = ask(ctx, "client_roots", "roots/list", json::object{});
    if (!answer) {
        return answer.error();
    }
    return text_result("Client roots: " + root_uris(*answer));
}

Answer ask_confirm(ToolContext& ctx) {
    return ask(ctx, "confirm", "elicitation/create", form("Please confirm", "ok", "boolean"));
}

Result<json::value> request_state(ToolContext& ctx, json::object const&) {
    auto answer = ask_confirm(ctx);
    if (!answer) {
        return answer.error();
    }
    // A run with input_round > 0 resumed from a requestState the engine verified.
    std::string const state = ctx.input_round > 0 ? "state-ok" : "no requestState";
    return text_result("Confirmed (ok=" + accepted(*answer, "ok") + "): " + state);
}

Result<json::value> tampered_state(ToolContext& ctx, json::object const&) {
    auto answer = ask_confirm(ctx);
    if (!answer) {
        return answer.error();
    }
    return text_result("Confirmed (ok=" + accepted(*answer, "ok") + ")");
}

Result<json::value> multiple_inputs(ToolContext& ctx, json::object const&) {
    // All three are asked before any is checked, so that one round collects them.
    auto name = ask_name(ctx);
    auto greeting =
        ask(ctx, "greeting", "sampling/createMessage", sampling_request("Generate a greeting", 50));
    auto roots = ask(ctx, "client_roots", "roots/list", json::object{});
    for (auto const* a : {&name, &greeting, &roots}) {
        if (!*a) {
            return a->error();
        }
    }
    return text_result(
        sampled(*greeting) + " " + accepted(*name, "name") + " (roots: " + root_uris(*roots) + ")"
    );
}

Result<json::value> multi_round(ToolContext& ctx, json::object const&) {
    auto name =
        ask(ctx, "step1", "elicitation/create", form("Step 1: What is your name?", "name", "string")
        );
    if (!name) {
        return name.error();
    }
    auto color =
        ask(ctx,
            "step2",
            "elicitation/create",
            form("Step 2: What is your favorite color?", "color", "string"));
    if (!color) {
        return color.error();
    }
    return text_result(accepted(*name, "name") + " likes " + accepted(*color, "color"));
}

/// Elicits when the client can; falls back to sampling when it declared only that.
Result<json::value> capabilities(ToolContext& ctx, json::object const&) {
    auto name = ask_name(ctx);
    if (name) {
        return text_result("Hello, " + accepted(*name, "name") + "!");
    }
    if (name.error().kind != ErrorKind::kFailedPrecondition) {
        return name.error();
    }
    auto answer =
        ask(ctx, "name_suggestion", "sampling/createMessage", sampling_request("Suggest a name", 20)
        );
    if (!answer) {
        return answer.error();
    }
    return text_result("Suggested name: " + sampled(*answer));
}

Result<json::value> streaming_elicitation(ToolContext& ctx, json::object const&) {
    auto answer = ask(
        ctx, "user_input", "elicitation/create", form("Please provide a value", "value", "string")
    );
    if (!answer) {
        return answer.error();
    }
    return text_result("Received: " + accepted(*answer, "value"));
}

Result<json::value> custom_headers(ToolContext&, json::object const& args) {
    return text_result("Arguments mirrored in Mcp-Param headers: " + json::serialize(args));
}

registry::PromptSpec input_prompt() {
    registry::PromptSpec p;
    p.name = "test_input_required_result_prompt";
    p.description = "A prompt that asks the client for context first (MRTR)";
    p.get = [](ToolContext& ctx, json::object const&) -> Result<json::object> {
        auto answer =
            ask(ctx,
                "user_context",
                "elicitation/create",
                form("What context should the prompt use?", "context", "string"));
        if (!answer) {
            return answer.error();
        }
        json::object message{
            {"role", "user"}, {"content", text_block("Context: " + accepted(*answer, "context"))}};
        return json::object{{"messages", json::array{std::move(message)}}};
    };
    return p;
}

}  // namespace

void add_input_fixtures(registry::Registry& r) {
    struct Row {
        char const* name;
        char const* description;
        registry::Handler handler;
    };
    Row const rows[] = {
        {"test_input_required_result_elicitation",
         "Asks the user's name (MRTR elicitation).",
         &elicitation},
        {"test_input_required_result_sampling",
         "Asks the client's LLM a question (MRTR sampling).",
         &sampling},
        {"test_input_required_result_list_roots",
         "Asks the client's roots (MRTR roots/list).",
         &list_roots},
        {"test_input_required_result_request_state",
         "Confirms through a signed requestState.",
         &request_state},
        {"test_input_required_result_multiple_inputs",
         "Asks for three inputs in one round.",
         &multiple_inputs},
        {"test_input_required_result_multi_round", "Asks in two rounds.", &multi_round},
        {"test_input_required_result_tampered_state",
         "Refuses a tampered requestState.",
         &tampered_state},
        {"test_input_required_result_capabilities",
         "Asks only for declared capabilities.",
         &capabilities},
        {"test_streaming_elicitation",
         "Elicits a value on the request's own stream.",
         &streaming_elicitation},
        {"test_custom_headers",
         "Mirrors arguments into Mcp-Param headers (x-mcp-header).",
         &custom_headers},
    };
    for (auto const& row : rows) {
        r.add_tool(conformance_row(row.name, row.description, row.handler));
    }
    r.add_prompt(input_prompt());
}

}  // namespace signoff::tools::families::detail
