// JSON ⇄ catalog and identity domain types, found by ADL from
// boost::json::value_from (the domain headers never include Boost.JSON).
// Field names are the wire contract: snake_case for the catalog (seed 000),
// camelCase for users (seed 001).
#pragma once

#include <boost/json.hpp>

#include "server/catalog/catalog_service.hpp"
#include "server/identity/identity_service.hpp"

namespace signoff::server::catalog {

/// {id, slug, display_name, description, owner_user_id, category, categoryDisplay,
///  created_at, updated_at, version}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, CatalogRow const& r);
/// {id, catalog_slug, email, state, note, reason, approver_id, requested_by,
///  expires_at, created_at, updated_at, version, category, categoryDisplay}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Approval const& a);

}  // namespace signoff::server::catalog

namespace signoff::server::identity {

/// {id, displayName, email, orgRole, createdAt}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, User const& u);
/// {id, userId, prefix, apiKey, createdAt}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, ApiKeyInfo const& k);
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, NewApiKey const& k);

}  // namespace signoff::server::identity
