// A Beast-free HTTP answer (status, headers, body) that the /mcp endpoint and
// the REST router produce and the connection writes, plus the error-body
// builders both use: JSON-RPC-shaped for /mcp, {code, message, details} for REST.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "server/core/error.hpp"

namespace signoff::transport::http {

struct HttpReply {
    unsigned status{200};
    std::string body;  // empty: no body (Content-Length: 0)
    std::string content_type{"application/json"};
    std::vector<std::pair<std::string, std::string>> headers{};
};

/// `value` serialised as application/json.
HttpReply json_reply(unsigned status, boost::json::value const& value);

/// A status with no body (202, 204).
HttpReply empty_reply(unsigned status);

/// A JSON-RPC error without an id ({"jsonrpc":"2.0","error":{code,message}}):
/// transport-level refusals on /mcp before any request id is known.
HttpReply rpc_error_reply(unsigned status, int code, std::string const& message);

/// The REST error body {code, message, details} under an explicit status.
HttpReply rest_error_reply(unsigned status, server::core::Error const& error);

/// The REST error body under the status the error table gives its kind.
HttpReply rest_error_reply(server::core::Error const& error);

/// REST 405 body {code:"method_not_allowed", …} with the Allow header.
HttpReply method_not_allowed(std::vector<std::string> const& allowed, bool rest);

}  // namespace signoff::transport::http
