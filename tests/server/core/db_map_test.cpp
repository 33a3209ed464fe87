// The one storage → domain error mapping and the transaction runner's retry.
#include "server/core/db_map.hpp"

#include <doctest/doctest.h>

using namespace signoff;
using server::core::ErrorKind;

TEST_SUITE("server/core/db_map") {
    TEST_CASE("each storage error kind maps to its domain kind without leaking SQL") {
        auto m = [](storage::DbErrorKind k) {
            return server::core::map_db_error({k, "near \"SELECT\": syntax error", "x"});
        };
        CHECK(m(storage::DbErrorKind::kConstraint).kind == ErrorKind::kAlreadyExists);
        CHECK(m(storage::DbErrorKind::kBusy).kind == ErrorKind::kUnavailable);
        CHECK(m(storage::DbErrorKind::kSerialization).kind == ErrorKind::kUnavailable);
        CHECK(m(storage::DbErrorKind::kConnection).kind == ErrorKind::kUnavailable);
        CHECK(m(storage::DbErrorKind::kOther).kind == ErrorKind::kInternal);
        CHECK(m(storage::DbErrorKind::kOther).message.find("SELECT") == std::string::npos);
    }

    TEST_CASE("retry_tx is recognised, an ordinary conflict is not") {
        CHECK(server::core::is_retry_tx(server::core::retry_tx()));
        CHECK_FALSE(server::core::is_retry_tx(server::core::Error::conflict("stale version")));
    }
}
