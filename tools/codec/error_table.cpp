// The error table (see error_table.hpp). One constexpr array, one row per kind.
#include "tools/codec/error_table.hpp"

#include <array>

namespace signoff::tools::codec {
namespace {

using server::core::ErrorKind;

constexpr std::array<ErrorRow, server::core::kErrorKindCount> kRows{{
    {ErrorKind::kInvalidArgument, "invalid_argument", 400, "invalid argument"},
    {ErrorKind::kUnauthenticated, "unauthenticated", 401, "missing or invalid credentials"},
    {ErrorKind::kPermissionDenied, "permission_denied", 403, "permission denied"},
    {ErrorKind::kNotFound, "not_found", 404, "not found"},
    {ErrorKind::kAlreadyExists, "already_exists", 409, "already exists"},
    {ErrorKind::kConflict, "conflict", 409, "conflict: the resource changed; re-read and retry"},
    {ErrorKind::kFailedPrecondition, "failed_precondition", 422, "failed precondition"},
    {ErrorKind::kResourceExhausted, "resource_exhausted", 429, "resource exhausted"},
    {ErrorKind::kUnavailable, "unavailable", 503, "service unavailable; retry later"},
    {ErrorKind::kInternal, "internal", 500, "internal error"},
}};

constexpr bool rows_in_enum_order() {
    for (std::size_t i = 0; i < kRows.size(); ++i) {
        if (static_cast<std::size_t>(kRows[i].kind) != i) {
            return false;
        }
    }
    return true;
}
static_assert(kRows.size() == static_cast<std::size_t>(ErrorKind::kInternal) + 1);
static_assert(rows_in_enum_order(), "error table rows must follow the ErrorKind order");

}  // namespace

ErrorRow const& error_row(ErrorKind kind) {
    return kRows.at(static_cast<std::size_t>(kind));
}

}  // namespace signoff::tools::codec
