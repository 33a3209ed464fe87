// The audit log's opaque page cursor: the (created_at, id) of the last row of
// a page, base64url-encoded (no padding) so callers treat it as a token.
// Used by audit_service.cpp; decoding validates everything it returns.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/repos/audit_repo.hpp"

namespace signoff::server::audit {

std::string encode_cursor(storage::repos::AuditKey const& key);

/// The key inside a cursor made by encode_cursor; nullopt for anything else
/// (bad base64url, wrong shape, a time that is not RFC 3339, an empty id).
std::optional<storage::repos::AuditKey> decode_cursor(std::string_view cursor);

}  // namespace signoff::server::audit
