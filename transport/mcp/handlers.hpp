// Declarations of the session engine's method handlers; the table in
// methods.cpp is the only caller. Lifecycle and utilities live in
// methods.cpp, tools/resources/prompts/completion in features.cpp.
#pragma once

#include "transport/mcp/engine_impl.hpp"

namespace signoff::transport::mcp::detail {

Outcome tools_list(EngineCore& engine, Call& call);
Outcome tools_call(EngineCore& engine, Call& call);
Outcome resources_list(EngineCore& engine, Call& call);
Outcome resource_templates_list(EngineCore& engine, Call& call);
Outcome resources_read(EngineCore& engine, Call& call);
Outcome prompts_list(EngineCore& engine, Call& call);
Outcome prompts_get(EngineCore& engine, Call& call);
Outcome completion_complete(EngineCore& engine, Call& call);

/// A required string field of params, or an invalid-params error naming it.
std::variant<std::string, MethodError> string_param(Call const& call, std::string_view field);

}  // namespace signoff::transport::mcp::detail
