// Encoding of audit rows and pages, decoding of audit filters (see audit_codec.hpp).
#include "tools/codec/audit_codec.hpp"

#include "tools/codec/json_args.hpp"

namespace signoff::server::audit {
namespace {

namespace json = boost::json;

/// Stored JSON text as a value. The domain writes these documents itself, so a
/// parse failure means a damaged row: it is shown as its text, not dropped.
json::value stored_json(std::optional<std::string> const& text) {
    if (!text || text->empty()) {
        return nullptr;
    }
    return tools::codec::read_stored(*text);
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, AuditRow const& r) {
    jv = json::object{
        {"id", r.id},
        {"created_at", r.created_at},
        {"actor_id", tools::codec::or_null(r.actor_id)},
        {"actor_kind", r.actor_kind},
        {"channel", r.channel},
        {"action", r.action},
        {"target_type", r.target_type},
        {"target_id", r.target_id},
        {"detail", stored_json(r.detail_json)},
        {"before", stored_json(r.before_json)},
        {"after", stored_json(r.after_json)},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, AuditPage const& p) {
    jv = json::object{
        {"items", json::value_from(p.items)},
        {"next_cursor", tools::codec::or_null(p.next_cursor)},
    };
}

}  // namespace signoff::server::audit

namespace signoff::tools::codec {

server::audit::AuditFilter audit_filter(boost::json::object const& a) {
    return server::audit::AuditFilter{
        opt_string(a, "target_type"),
        opt_string(a, "target_id"),
        opt_string(a, "actor_id"),
        opt_string(a, "from"),
        opt_string(a, "to"),
        opt_string(a, "action_prefix"),
    };
}

}  // namespace signoff::tools::codec
