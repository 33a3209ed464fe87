// JSON-RPC 2.0 and MCP protocol error codes: the only place these numbers live.
// Domain errors never become these codes except where the engine maps a
// protocol-level failure (unknown tool, resource not found) on purpose.
#pragma once

namespace signoff::transport::jsonrpc {

// JSON-RPC 2.0 standard codes.
inline constexpr int kParseError = -32700;      // not JSON (id null)
inline constexpr int kInvalidRequest = -32600;  // not a valid JSON-RPC object
inline constexpr int kMethodNotFound = -32601;  // unknown or undeclared method
inline constexpr int kInvalidParams = -32602;   // malformed or unacceptable params
inline constexpr int kInternalError = -32603;   // server fault

// Signoff codes (implementation-defined server errors, -32000 … -32099).
/// stdio: the process's credential no longer authenticates (revoked or expired
/// key, deactivated user); every later request is refused with it.
inline constexpr int kUnauthorized = -32001;

// MCP codes.
/// resources/read on an unknown URI, handshake era (2024-11-05 … 2025-11-25) only.
inline constexpr int kResourceNotFound = -32002;
/// 2025-11-25: the request needs a URL-mode elicitation first.
inline constexpr int kUrlElicitationRequired = -32042;
/// 2026-07-28 HTTP: a mirrored header is missing or disagrees with the body.
inline constexpr int kHeaderMismatch = -32020;
/// 2026-07-28: the request needs a client capability absent from `_meta`.
inline constexpr int kMissingRequiredClientCapability = -32021;
/// 2026-07-28: the requested protocol version is not served.
inline constexpr int kUnsupportedProtocolVersion = -32022;

}  // namespace signoff::transport::jsonrpc
