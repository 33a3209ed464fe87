// The JSON-RPC 2.0 codec: bounded parsing of one message, envelope
// classification (request / notification / response) and response builders.
// Transports parse bytes here; the MCP engine classifies and answers here.
//
//   bytes ─► parse(limits) ─► classify ─► Request | Notification | Response | Invalid
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

namespace signoff::transport::jsonrpc {

/// Input bounds applied before and while parsing.
struct Limits {
    std::size_t max_body_bytes{4u * 1024u * 1024u};
    /// Deepest nesting of arrays/objects accepted (64 accepts 64 levels).
    std::size_t max_depth{64};
};

/// A protocol-level error as it goes on the wire.
struct RpcError {
    int code{0};
    std::string message;
    std::optional<boost::json::value> data{};
};

/// Parses one message. Rejects bodies over the size limit, nesting deeper than
/// the depth limit, invalid UTF-8, and trailing garbage, each with a -32700
/// RpcError whose message says which. Never throws.
std::variant<boost::json::value, RpcError> parse(std::string_view text, Limits const& limits);

/// What a parsed value is, once the envelope has been checked.
struct Request {
    boost::json::value id;  // string or integer
    std::string method;
    boost::json::object params;  // {} when absent
    bool has_params{false};
};
struct Notification {
    std::string method;
    boost::json::object params;
};
/// A response from the peer to a request we sent (result or error).
struct Response {
    boost::json::value id;
    std::optional<boost::json::value> result;
    std::optional<RpcError> error;
};
/// An envelope that is not valid JSON-RPC. `id` is the request id when it
/// could be read (string or integer), else null. `notification` is true when
/// the message had a method but no id: such a message is never answered.
struct Invalid {
    boost::json::value id;
    RpcError error;
    bool notification{false};
};
using Envelope = std::variant<Request, Notification, Response, Invalid>;

/// Checks `jsonrpc` == "2.0", the id (string or integer; never null or
/// fractional), `method` (string), `params` (object if present). A JSON
/// array (a 2025-03-26 batch) is Invalid with -32600 "batch requests are not
/// supported": batching was removed in 2025-06-18 and we do not serve it.
Envelope classify(boost::json::value const& message);
/// The same, but a Request or Notification takes `params` out of `message`
/// instead of copying it; every other member of `message` stays in place.
Envelope classify(boost::json::value&& message);

/// True for a JSON-RPC id we accept: a string or an integer.
bool is_valid_id(boost::json::value const& id);

boost::json::object make_result(boost::json::value const& id, boost::json::object result);
boost::json::object make_error(boost::json::value const& id, RpcError const& error);
boost::json::object make_notification(std::string_view method, boost::json::object params);
boost::json::object make_request(
    boost::json::value const& id, std::string_view method, boost::json::object params
);

/// Compact serialisation (no whitespace, no raw newlines): safe for one line.
std::string to_line(boost::json::object const& message);

}  // namespace signoff::transport::jsonrpc
