// MRTR (multi round-trip requests, SEP-2322) of the stateless era: a handler
// that needs client input makes the engine answer `input_required` with
// inputRequests and a signed requestState; the client retries with
// inputResponses and the state, and the handler runs again from the start.
// Sits between dispatch (engine.cpp) and the tools/prompts/resources handlers.
//
// requestState = base64url(payload) "." base64url(HMAC-SHA256(key, binding "\n"
// base64url(payload))), payload = {"v":1,"exp":<unix ms>,"round":n,
// "answers":{key: answer}}. The binding (method, name or uri, canonical
// arguments, org and principal) is not sent: a state only verifies on a retry
// of the same request by the same principal. The key is 32 random bytes made
// once per process, so a restart invalidates outstanding states.
#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "server/core/clock.hpp"
#include "transport/jsonrpc/codes.hpp"
#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

namespace json = boost::json;
using server::core::Error;
using server::core::Result;

namespace {

constexpr std::int64_t kStateVersion = 1;
constexpr std::int64_t kMaxRounds = 64;

using Key = std::array<unsigned char, 32>;

Key const& state_key() {
    // Thread-safe static initialisation; if RAND_bytes fails the exception
    // reaches Engine::handle (-32603) and the next call tries again.
    static Key const key = [] {
        Key k{};
        if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) {
            throw std::runtime_error("RAND_bytes failed for the requestState key");
        }
        return k;
    }();
    return key;
}

std::string hmac(std::string_view binding, std::string_view payload) {
    std::string message;
    message.reserve(binding.size() + 1 + payload.size());
    message.append(binding).append(1, '\n').append(payload);
    Key const& key = state_key();
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    if (HMAC(
            EVP_sha256(),
            key.data(),
            static_cast<int>(key.size()),
            reinterpret_cast<unsigned char const*>(message.data()),
            message.size(),
            out.data(),
            &len
        ) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<char const*>(out.data()), len);
}

/// JSON with object keys sorted at every level, so that a retry whose
/// arguments differ only in key order binds to the same state.
void canonical(json::value const& v, std::string& out) {
    if (v.is_object()) {
        std::vector<std::pair<std::string_view, json::value const*>> items;
        for (auto const& [k, sub] : v.get_object()) {
            items.emplace_back(k, &sub);
        }
        std::sort(items.begin(), items.end(), [](auto const& a, auto const& b) {
            return a.first < b.first;
        });
        out.push_back('{');
        for (std::size_t i = 0; i < items.size(); ++i) {
            out.append(i == 0 ? "" : ",")
                .append(json::serialize(json::string(items[i].first)))
                .push_back(':');
            canonical(*items[i].second, out);
        }
        out.push_back('}');
    } else if (v.is_array()) {
        out.push_back('[');
        bool first = true;
        for (auto const& sub : v.get_array()) {
            out.append(first ? "" : ",");
            first = false;
            canonical(sub, out);
        }
        out.push_back(']');
    } else {
        out.append(json::serialize(v));
    }
}

std::string string_field(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// What a requestState is bound to: the request (method, target, arguments)
/// and the principal making it.
std::string binding_of(Call const& call) {
    auto const* args = call.params.if_contains("arguments");
    json::array const parts{
        json::string(call.method),
        json::string(string_field(call.params, "name")),
        json::string(string_field(call.params, "uri")),
        args != nullptr ? *args : json::value(),
        json::string(call.in.actor.org_id),
        json::string(call.in.actor.principal_id)};
    std::string b;
    canonical(parts, b);  // a JSON array: no two bindings share a text
    return b;
}

std::int64_t now_ms(EngineCore const& engine) {
    auto const* clock = engine.services().clock;
    auto const t = clock != nullptr ? clock->now() : std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string seal_state(EngineCore const& engine, Call const& call) {
    json::object payload{
        {"v", kStateVersion},
        {"exp", now_ms(engine) + engine.options().input_state_ttl.count()},
        {"round", call.input.round + 1},
        {"answers", call.input.used}};
    std::string const body = encode_base64url(json::serialize(payload));
    return body + "." + encode_base64url(hmac(binding_of(call), body));
}

struct OpenedState {
    json::object answers;
    int round{0};
};

/// The verified payload of `token`, or the reason it is refused.
std::variant<OpenedState, std::string> open_state(
    EngineCore const& engine, Call const& call, std::string_view token
) {
    std::string const refused =
        "requestState failed its integrity check (it is not one this server issued for this "
        "request)";
    auto const dot = token.find('.');
    if (dot == std::string_view::npos) {
        return refused;
    }
    auto const body = token.substr(0, dot);
    auto const mac = decode_base64url(token.substr(dot + 1));
    std::string const expected = hmac(binding_of(call), body);
    if (!mac || mac->size() != expected.size() ||
        CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
        return refused;
    }
    auto const text = decode_base64url(body);
    boost::system::error_code ec;
    json::value payload = text ? json::parse(*text, ec) : json::value();
    auto const* o = payload.if_object();
    if (!text || ec || o == nullptr || o->if_contains("v") == nullptr ||
        o->at("v") != json::value(kStateVersion)) {
        return refused;  // signed by us but unreadable: a format from another build
    }
    auto const* exp = o->if_contains("exp");
    auto const* round = o->if_contains("round");
    auto const* answers = o->if_contains("answers");
    if (exp == nullptr || !exp->is_int64() || round == nullptr || !round->is_int64() ||
        round->get_int64() < 1 || round->get_int64() > kMaxRounds || answers == nullptr ||
        !answers->is_object()) {
        return refused;
    }
    if (exp->get_int64() <= now_ms(engine)) {
        return std::string("requestState has expired; call again without it");
    }
    return OpenedState{answers->get_object(), static_cast<int>(round->get_int64())};
}

/// True when `answer` has the shape of a result of `method`; anything else
/// counts as no answer, and the request is asked again.
bool answers_method(std::string_view method, json::value const& answer) {
    auto const* o = answer.if_object();
    if (o == nullptr) {
        return false;
    }
    if (method == "elicitation/create") {
        auto const action = string_field(*o, "action");
        return action == "accept" || action == "decline" || action == "cancel";
    }
    if (method == "sampling/createMessage") {
        auto const* c = o->if_contains("content");
        return c != nullptr && (c->is_object() || c->is_array());
    }
    auto const* roots = o->if_contains("roots");  // roots/list
    return roots != nullptr && roots->is_array();
}

Result<json::value> ask(
    Call& call, std::string const& key, std::string const& method, json::object const& params
) {
    std::string_view const cap = capability_for(method);
    if (cap.empty()) {
        return Error::invalid(method + " is not a request a server may send a client");
    }
    if (!call.client_capabilities.contains(cap)) {
        call.missing_capability = std::string(cap);
        return Error::failed_precondition(
            "the client did not declare the " + std::string(cap) + " capability"
        );
    }
    if (auto const* answer = call.input.answers.if_contains(key);
        answer != nullptr && answers_method(method, *answer)) {
        call.input.used[key] = *answer;
        return *answer;
    }
    call.input.requests[key] = json::object{{"method", method}, {"params", params}};
    return Error::unavailable("waiting for the client's answer to input request " + key);
}

/// A handler result that reports failure: a protocol error or an isError result.
bool failed(Outcome const& outcome) {
    if (std::holds_alternative<MethodError>(outcome)) {
        return true;
    }
    auto const* is_error = std::get<json::object>(outcome).if_contains("isError");
    return is_error != nullptr && is_error->is_bool() && is_error->get_bool();
}

}  // namespace

std::optional<MethodError> load_input_rounds(EngineCore const& engine, Call& call) {
    if (auto const* responses = call.params.if_contains("inputResponses")) {
        if (!responses->is_object()) {
            return invalid_params("inputResponses must be an object of answers by request key");
        }
        call.input.answers = responses->get_object();
        call.input.retry = true;
    }
    auto const* state = call.params.if_contains("requestState");
    if (state == nullptr) {
        return std::nullopt;
    }
    if (!state->is_string()) {
        return invalid_params("requestState must be the string the server returned");
    }
    auto opened = open_state(engine, call, state->get_string());
    if (auto const* reason = std::get_if<std::string>(&opened)) {
        return invalid_params(*reason);
    }
    auto& verified = std::get<OpenedState>(opened);
    for (auto& [key, answer] : verified.answers) {
        call.input.answers[key] = std::move(answer);  // answers already acted on win
    }
    call.input.round = verified.round;
    call.input.retry = true;
    return std::nullopt;
}

Outcome settle_input_rounds(EngineCore const& engine, Call& call, Outcome outcome) {
    if (!call.input.requests.empty()) {
        if (call.input.round >= kMaxRounds) {
            return invalid_params(
                call.method + " needs more than " + std::to_string(kMaxRounds) + " input rounds"
            );
        }
        call.input.required = true;
        return json::object{
            {"inputRequests", call.input.requests}, {"requestState", seal_state(engine, call)}};
    }
    if (call.missing_capability && failed(outcome)) {
        std::string const& cap = *call.missing_capability;
        MethodError e{
            {jsonrpc::kMissingRequiredClientCapability,
             call.method + " needs the client capability " + cap,
             {}},
            400};
        e.error.data = json::object{{"requiredCapabilities", json::object{{cap, json::object{}}}}};
        return e;
    }
    return outcome;
}

void install_input_hooks(Call& call, tools::registry::ToolContext& ctx) {
    Call* c = &call;
    ctx.input_round = call.input.round;
    ctx.ask = [c](std::string const& key, std::string const& method, json::object const& params) {
        return ask(*c, key, method, params);
    };
    // A keyless request gets a key by call order, stable while the handler is deterministic.
    ctx.client_request = [c](std::string const& method, json::object const& params) {
        return ask(*c, "request-" + std::to_string(++c->input.auto_keys), method, params);
    };
}

}  // namespace signoff::transport::mcp::detail
