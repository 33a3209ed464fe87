// JSON ⇄ auth-artifact domain types, found by ADL from boost::json::value_from
// (the domain header never includes Boost.JSON). Field names are the wire
// contract of seed 002 (snake_case); schemas/auths/*.output.json describe them.
#pragma once

#include <boost/json.hpp>

#include "server/auths/auths_service.hpp"

namespace signoff::server::auths {

/// {id, kind, value, created_at}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Part const& p);
/// {id, name, created_at}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Department const& d);
/// {id, value}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, PartRef const& p);
/// {id, name, description, flag, protocols, slugs, items, departments, group_id,
///  created_by, created_at, updated_at, version}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Auth const& a);
/// {draft_id, auth_id, base_version, version, <content>, created_at, updated_at}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Draft const& d);
/// {draft, issues:[{field, message}], can_publish}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, FormState const& f);
/// The get answer: flags and one section per part kind, plus departments.
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, AuthDetail const& d);
/// {id, name, description, flag, protocols, slugs, departments, group_id, version, updated_at}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, AuthSummary const& s);
/// {id, name, count, selected}
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, Facet const& f);

}  // namespace signoff::server::auths
