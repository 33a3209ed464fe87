// Parsing of individual request header values the HTTP routes decide on:
// credentials (Authorization: Bearer / X-Api-Key), the X-MCP flag, Accept and
// Content-Type media types. Pure string rules, used by the server before any
// body is read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace signoff::transport::http {

/// The API key of a request: the token of `Authorization: Bearer <key>`
/// (scheme case-insensitive), else the trimmed `X-Api-Key` value. Empty
/// values and other Authorization schemes yield no key from that header.
std::optional<std::string> api_key_from(std::string_view authorization, std::string_view x_api_key);

/// The scheme and token of `Authorization: Bearer <t>` or `Authorization:
/// DPoP <t>` (scheme case-insensitive, answered as "Bearer" or "DPoP"), else
/// ("Bearer", trimmed X-Api-Key); nullopt when neither holds a credential.
std::optional<std::pair<std::string, std::string>> credential_from(
    std::string_view authorization, std::string_view x_api_key
);

/// The value of cookie `name` in a Cookie header ("a=1; b=2"); nullopt when absent or empty.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

/// X-MCP header mode: truthy when the trimmed value is 1, true or yes in any case.
bool x_mcp_truthy(std::string_view value);

/// True when the Accept header lists `media_type` (exact type/subtype,
/// case-insensitive; parameters and q-values ignored; wildcards do not count).
bool accepts(std::string_view accept, std::string_view media_type);

/// True when the Content-Type is application/json or a `+json` type,
/// parameters (charset) ignored.
bool is_json_content_type(std::string_view content_type);

}  // namespace signoff::transport::http
