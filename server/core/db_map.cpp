// The one storage → domain error mapping (see db_map.hpp). Storage messages
// may quote SQL, so only the kind crosses into the domain error's message.
#include "server/core/db_map.hpp"

namespace signoff::server::core {
namespace {

constexpr std::string_view kRetryMessage = "transaction lost an optimistic race; retry";

}  // namespace

Error map_db_error(storage::DbError const& e) {
    switch (e.kind) {
        case storage::DbErrorKind::kConstraint:
            return Error::already_exists("a record with the same unique key already exists");
        case storage::DbErrorKind::kBusy:
        case storage::DbErrorKind::kSerialization:
            return Error::unavailable("database busy; retry later");
        case storage::DbErrorKind::kConnection:
            return Error::unavailable("database unavailable; retry later");
        case storage::DbErrorKind::kOther:
            break;
    }
    return Error::internal("database error");
}

Status from_db(storage::DbStatus r) {
    if (!r) {
        return map_db_error(r.error());
    }
    return {};
}

Error retry_tx() {
    return Error::conflict(std::string{kRetryMessage});
}

bool is_retry_tx(Error const& e) {
    return e.kind == ErrorKind::kConflict && e.message == kRetryMessage && e.details.empty();
}

}  // namespace signoff::server::core
