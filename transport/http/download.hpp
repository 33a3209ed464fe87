// File downloads over REST (Registry DownloadSpec rows, e.g. GET
// /api/v5/uploads/{upload_id}): the blocking steps the HTTP server runs on its
// worker pool (open, then one body piece at a time) and the response headers.
// The socket side (headers first, then each piece as it arrives) is in
// http_server.cpp.
//
//   GET ─► authenticate ─► open_download (pool) ─► headers ─► next_piece (pool) ─► write ─► …
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/error.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::transport::http {

/// Percent-decodes the match's captures and calls its DownloadSpec::open as
/// `actor`. Blocking; never throws (a throwing handler becomes kInternal).
server::core::Result<tools::registry::Download> open_download(
    tools::registry::Services const& services,
    tools::registry::DownloadMatch const& match,
    server::core::Actor const& actor
);

/// The next piece of the body (nullopt at the end). Blocking; never throws.
server::core::Result<std::optional<std::string>> next_piece(tools::registry::Download& download);

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): the plain form
/// with anything but printable ASCII (and `"`, `\`) replaced by `_`, the
/// extended form percent-encoding the UTF-8 name exactly.
std::string content_disposition(std::string_view file_name);

/// The headers of a download's 200 answer besides Content-Length /
/// Transfer-Encoding: Content-Type, Content-Disposition, and no caching or
/// sniffing (the file holds the caller's org data).
std::vector<std::pair<std::string, std::string>> download_headers(
    tools::registry::DownloadHead const& head
);

}  // namespace signoff::transport::http
