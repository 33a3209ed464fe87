// Auth-artifact encoders (see auths_codec.hpp).
#include "tools/codec/auths_codec.hpp"

#include <optional>

#include "tools/codec/json_args.hpp"

namespace signoff::server::auths {
namespace {

namespace json = boost::json;
using tools::codec::or_null;

json::value ref_or_null(std::optional<PartRef> const& p) {
    return p ? json::value_from(*p) : json::value(nullptr);
}

json::value int_or_null(std::optional<std::int64_t> const& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

/// The content fields shared by auths and drafts, added to `o`.
void put_content(json::object& o, AuthContent const& c) {
    o["name"] = ref_or_null(c.name);
    o["description"] = ref_or_null(c.description);
    o["flag"] = ref_or_null(c.flag);
    o["protocols"] = json::value_from(c.protocols);
    o["slugs"] = json::value_from(c.slugs);
    o["items"] = json::value_from(c.items);
    o["departments"] = json::value_from(c.departments);
    o["group_id"] = or_null(c.group_id);
}

json::object section(std::string_view kind, Section const& s) {
    return json::object{
        {"kind", kind},
        {"selected", json::value_from(s.selected)},
        {"options", json::value_from(s.options)},
        {"options_total", s.options_total},
    };
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, Part const& p) {
    jv = json::object{
        {"id", p.id}, {"kind", p.kind}, {"value", p.value}, {"created_at", p.created_at}};
}

void tag_invoke(json::value_from_tag, json::value& jv, Department const& d) {
    jv = json::object{{"id", d.id}, {"name", d.name}, {"created_at", d.created_at}};
}

void tag_invoke(json::value_from_tag, json::value& jv, PartRef const& p) {
    jv = json::object{{"id", p.id}, {"value", p.value}};
}

void tag_invoke(json::value_from_tag, json::value& jv, Auth const& a) {
    json::object o{{"id", a.id}};
    put_content(o, a.content);
    o["created_by"] = a.created_by;
    o["created_at"] = a.created_at;
    o["updated_at"] = a.updated_at;
    o["version"] = a.version;
    jv = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& jv, Draft const& d) {
    json::object o{
        {"draft_id", d.id},
        {"auth_id", or_null(d.auth_id)},
        {"base_version", int_or_null(d.base_version)},
        {"version", d.version},
    };
    put_content(o, d.content);
    o["created_at"] = d.created_at;
    o["updated_at"] = d.updated_at;
    jv = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& jv, FormState const& f) {
    json::array issues;
    for (auto const& i : f.issues) {
        issues.push_back(json::object{{"field", i.field}, {"message", i.message}});
    }
    jv = json::object{
        {"draft", json::value_from(f.draft)},
        {"issues", std::move(issues)},
        {"can_publish", f.can_publish},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, AuthDetail const& d) {
    jv = json::object{
        {"auth_id", or_null(d.auth_id)},
        {"draft_id", or_null(d.draft_id)},
        {"actor_name", d.actor_name},
        {"auth_exists", d.auth_exists},
        {"can_edit", d.can_edit},
        {"disabled_reason", or_null(d.disabled_reason)},
        {"draft_version", int_or_null(d.draft_version)},
        {"version", int_or_null(d.version)},
        {"group_id", or_null(d.group_id)},
        {"basic_show_ai_generate", d.basic_show_ai_generate},
        {"names", section(kKindName, d.names)},
        {"descriptions", section(kKindDescription, d.descriptions)},
        {"flags", section(kKindFlag, d.flags)},
        {"protocols", section(kKindProtocol, d.protocols)},
        {"slugs", section(kKindSlug, d.slugs)},
        {"items", section(kKindItem, d.items)},
        {"departments",
         json::object{
             {"selected", json::value_from(d.departments.selected)},
             {"options", json::value_from(d.departments.options)},
             {"options_total", d.departments.options_total},
         }},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, AuthSummary const& s) {
    jv = json::object{
        {"id", s.id},
        {"name", s.name},
        {"description", s.description},
        {"flag", or_null(s.flag)},
        {"protocols", json::value_from(s.protocols)},
        {"slugs", json::value_from(s.slugs)},
        {"departments", json::value_from(s.departments)},
        {"group_id", or_null(s.group_id)},
        {"version", s.version},
        {"updated_at", s.updated_at},
    };
}

void tag_invoke(json::value_from_tag, json::value& jv, Facet const& f) {
    jv = json::object{{"id", f.id}, {"name", f.name}, {"count", f.count}, {"selected", f.selected}};
}

}  // namespace signoff::server::auths
