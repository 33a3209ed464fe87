// Storage's own small error type. Mapped to the domain Error in exactly one
// function (server/core/db_map.hpp); nothing above storage switches on it.
#pragma once

#include <cstdint>
#include <string>

#include <boost/system/result.hpp>

namespace signoff::storage {

enum class DbErrorKind : std::uint8_t {
    kConstraint,     // unique / foreign key / check violated
    kBusy,           // SQLite busy/locked past the timeout; PG lock timeout
    kSerialization,  // PG serialization failure / deadlock: retry the transaction
    kConnection,     // cannot reach or lost the database
    kOther,          // SQL error, type mismatch: a bug
};

struct DbError {
    DbErrorKind kind{DbErrorKind::kOther};
    std::string message;
    /// For kConstraint: the constraint or index name when the back end reports it.
    std::string constraint;
};

[[noreturn]] void throw_exception_from_error(DbError const& e, boost::source_location const& loc);

template <class T>
using DbResult = boost::system::result<T, DbError>;
using DbStatus = boost::system::result<void, DbError>;

}  // namespace signoff::storage
