// The one domain error type and the Result<T> every fallible domain call returns.
// Sits at the bottom of the request path: transports and tools only translate it
// (tools/codec/error_table.cpp), they never invent their own.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

namespace signoff::server::core {

/// Canonical error kinds, modelled on absl::StatusCode. Keep in step with the
/// error table in tools/codec/error_table.cpp (a static_assert checks the count).
enum class ErrorKind : std::uint8_t {
    /// The caller gave an argument that is malformed or out of range, regardless
    /// of the system's state (bad slug, unknown field, wrong type).
    kInvalidArgument,
    /// No credentials, or credentials that do not identify anyone.
    kUnauthenticated,
    /// The caller is known but may not do this.
    kPermissionDenied,
    /// The entity named does not exist (or is invisible to the caller's org).
    kNotFound,
    /// The entity the caller tried to create already exists.
    kAlreadyExists,
    /// A concurrent change won: stale `expected_version`. Retry after re-reading.
    kConflict,
    /// The system is not in the state the operation needs (e.g. approving a
    /// revoked grant); retrying without changing the state will not help.
    kFailedPrecondition,
    /// A quota or limit was hit (body too large, too many bindings).
    kResourceExhausted,
    /// Transient: the database was busy or unreachable. Retry with back-off.
    kUnavailable,
    /// A bug or an invariant broken; details are logged, never sent.
    kInternal,
};
inline constexpr std::size_t kErrorKindCount = 10;

struct FieldError {
    std::string field;
    std::string message;
};

struct Error {
    ErrorKind kind{ErrorKind::kInternal};
    std::string message;
    std::vector<FieldError> details;
    /// The WWW-Authenticate challenge a REST answer carries with this error
    /// (a step-up, RFC 9470); empty: the transport's default, if any.
    std::string auth_challenge{};

    static Error invalid(std::string msg, std::vector<FieldError> d = {}) {
        return {ErrorKind::kInvalidArgument, std::move(msg), std::move(d)};
    }
    static Error invalid_field(std::string field, std::string msg) {
        std::string m = msg;
        return {ErrorKind::kInvalidArgument, std::move(m), {{std::move(field), std::move(msg)}}};
    }
    static Error unauthenticated(std::string msg) {
        return {ErrorKind::kUnauthenticated, std::move(msg), {}};
    }
    static Error permission_denied(std::string msg) {
        return {ErrorKind::kPermissionDenied, std::move(msg), {}};
    }
    static Error not_found(std::string msg) { return {ErrorKind::kNotFound, std::move(msg), {}}; }
    static Error already_exists(std::string msg) {
        return {ErrorKind::kAlreadyExists, std::move(msg), {}};
    }
    static Error conflict(std::string msg) { return {ErrorKind::kConflict, std::move(msg), {}}; }
    static Error failed_precondition(std::string msg) {
        return {ErrorKind::kFailedPrecondition, std::move(msg), {}};
    }
    static Error exhausted(std::string msg) {
        return {ErrorKind::kResourceExhausted, std::move(msg), {}};
    }
    static Error unavailable(std::string msg) {
        return {ErrorKind::kUnavailable, std::move(msg), {}};
    }
    static Error internal(std::string msg) { return {ErrorKind::kInternal, std::move(msg), {}}; }
};

/// Thrown only when .value() is called on a failed Result: a bug by definition.
[[noreturn]] void throw_exception_from_error(Error const& e, boost::source_location const& loc);

template <class T>
using Result = boost::system::result<T, Error>;

/// Result of an operation with no value.
using Status = boost::system::result<void, Error>;

}  // namespace signoff::server::core
