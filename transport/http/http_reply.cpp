// Reply builders (see http_reply.hpp). Run on the io thread or a worker.
#include "transport/http/http_reply.hpp"

#include "tools/codec/error_table.hpp"
#include "tools/registry/registry.hpp"
#include "transport/jsonrpc/codes.hpp"

namespace signoff::transport::http {

namespace json = boost::json;

HttpReply json_reply(unsigned status, json::value const& value) {
    return HttpReply{status, json::serialize(value)};
}

HttpReply empty_reply(unsigned status) {
    return HttpReply{status, {}, {}};
}

HttpReply rpc_error_reply(unsigned status, int code, std::string const& message) {
    json::object error{{"code", code}, {"message", message}};
    return json_reply(status, json::object{{"jsonrpc", "2.0"}, {"error", std::move(error)}});
}

HttpReply rest_error_reply(unsigned status, server::core::Error const& error) {
    return json_reply(status, tools::registry::error_body(error));
}

HttpReply rest_error_reply(server::core::Error const& error) {
    auto const status = tools::codec::error_row(error.kind).http_status;
    HttpReply r = rest_error_reply(static_cast<unsigned>(status), error);
    if (!error.auth_challenge.empty()) {
        r.headers.emplace_back("WWW-Authenticate", error.auth_challenge);
    }
    return r;
}

HttpReply method_not_allowed(std::vector<std::string> const& allowed, bool rest) {
    std::string allow;
    for (auto const& m : allowed) {
        allow += (allow.empty() ? "" : ", ") + m;
    }
    std::string const message = "method not allowed; allowed: " + allow;
    HttpReply r = rest ? json_reply(
                             405,
                             json::object{
                                 {"code", "method_not_allowed"},
                                 {"message", message},
                                 {"details", json::array{}},
                             }
                         )
                       : rpc_error_reply(405, jsonrpc::kInvalidRequest, message);
    r.headers.emplace_back("Allow", allow);
    return r;
}

}  // namespace signoff::transport::http
