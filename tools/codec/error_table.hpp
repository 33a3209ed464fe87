// All projections of an ErrorKind on one row: wire slug, HTTP status, default
// message. The only mapping from domain errors to HTTP; JSON-RPC protocol codes
// live in transport/jsonrpc/codes.hpp and are not domain errors.
#pragma once

#include <string_view>

#include "server/core/error.hpp"

namespace signoff::tools::codec {

struct ErrorRow {
    server::core::ErrorKind kind;
    std::string_view slug;
    int http_status;
    std::string_view default_message;
};

ErrorRow const& error_row(server::core::ErrorKind kind);

}  // namespace signoff::tools::codec
