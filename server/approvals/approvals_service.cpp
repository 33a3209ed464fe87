// ApprovalsService construction; the operations live in roles.cpp,
// org_admins.cpp and groups.cpp (see approvals_service.hpp).
#include "server/approvals/approvals_service.hpp"

namespace signoff::server::approvals {

ApprovalsService::ApprovalsService(storage::Db& db, core::Clock const& clock, core::IdSource& ids)
    : db_(db), clock_(clock), ids_(ids), recorder_(clock, ids) {}

}  // namespace signoff::server::approvals
