// Catalog and identity encoders (see catalog_codec.hpp). categoryDisplay is
// rendered here from the domain's label table.
#include "tools/codec/catalog_codec.hpp"

#include "server/catalog/categories.hpp"
#include "server/identity/roles.hpp"
#include "tools/codec/json_args.hpp"

namespace signoff::server::catalog {

namespace json = boost::json;
using tools::codec::or_null;

void tag_invoke(json::value_from_tag, json::value& jv, CatalogRow const& r) {
    jv = json::object{
        {"id", r.id},
        {"slug", r.slug},
        {"display_name", r.display_name},
        {"description", r.description},
        {"owner_user_id", or_null(r.owner_user_id)},
        {"category", or_null(r.category)},
        {"categoryDisplay", or_null(category_display(r.category))},
        {"created_at", r.created_at},
        {"updated_at", r.updated_at},
        {"version", r.version},
        {"workflow_template", or_null(r.workflow_template)},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, Approval const& a) {
    jv = json::object{
        {"id", a.id},
        {"catalog_slug", a.catalog_slug},
        {"email", a.email},
        {"state", a.state},
        {"note", or_null(a.note)},
        {"reason", or_null(a.reason)},
        {"approver_id", or_null(a.approver_id)},
        {"requested_by", or_null(a.requested_by)},
        {"expires_at", or_null(a.expires_at)},
        {"created_at", a.created_at},
        {"updated_at", a.updated_at},
        {"version", a.version},
        {"category", or_null(a.category)},
        {"categoryDisplay", or_null(category_display(a.category))},
        {"workflow_id", or_null(a.workflow_id)},
    };
}

}  // namespace signoff::server::catalog

namespace signoff::server::identity {

namespace json = boost::json;

void tag_invoke(json::value_from_tag, json::value& jv, User const& u) {
    json::object o{
        {"id", u.id},
        {"displayName", u.display_name},
        {"email", u.email},
        {"orgRole", role_name(u.org_role)},
        {"createdAt", u.created_at},
    };
    if (u.deactivated_at) {
        o["deactivatedAt"] = *u.deactivated_at;  // only off-boarded users carry it
    }
    jv = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& jv, ApiKeyInfo const& k) {
    using tools::codec::or_null;
    jv = json::object{
        {"id", k.id},
        {"userId", k.user_id},
        {"prefix", k.prefix},
        {"name", or_null(k.name)},
        {"createdAt", k.created_at},
        {"lastUsedAt", or_null(k.last_used_at)},
        {"expiresAt", or_null(k.expires_at)},
        {"revokedAt", or_null(k.revoked_at)},
        {"issuedBy", or_null(k.issued_by)},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, NewApiKey const& k) {
    json::value info = json::value_from(k.info);
    info.as_object()["apiKey"] = k.api_key;
    jv = std::move(info);
}

}  // namespace signoff::server::identity
