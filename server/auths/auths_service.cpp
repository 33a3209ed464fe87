// AuthsService: construction and the part-kind table. The operations live in
// the files named after them (see auths_service.hpp).
#include "server/auths/auths_service.hpp"

namespace signoff::server::auths {

bool is_part_kind(std::string_view kind) {
    return kind == kKindName || kind == kKindDescription || kind == kKindFlag ||
           kind == kKindProtocol || kind == kKindSlug || kind == kKindItem;
}

AuthsService::AuthsService(storage::Db& db, core::Clock const& clock, core::IdSource& ids)
    : db_(db), clock_(clock), ids_(ids), recorder_(clock, ids) {}

}  // namespace signoff::server::auths
