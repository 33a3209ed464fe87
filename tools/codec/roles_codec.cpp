// Role bindings ⇄ JSON (see roles_codec.hpp).
#include "tools/codec/roles_codec.hpp"

#include <charconv>

#include "tools/codec/json_args.hpp"

namespace signoff::tools::codec {

namespace json = boost::json;
namespace identity = server::identity;

std::vector<server::approvals::RoleInput> decode_role_inputs(json::object const& args) {
    std::vector<server::approvals::RoleInput> out;
    auto const* roles = args.if_contains("roles");
    if (roles == nullptr || !roles->is_array()) {
        return out;
    }
    for (auto const& r : roles->get_array()) {
        if (!r.is_object() || !r.get_object().contains("scope")) {
            continue;  // the schema requires both; never reached after validation
        }
        auto const& item = r.get_object();
        auto const& scope = item.at("scope").get_object();
        out.push_back(
            {string_or(item, "roleName"),
             string_or(scope, "type"),
             opt_string(scope, "groupId"),
             opt_string(scope, "spaceId"),
             opt_string(scope, "templateName"),
             opt_string(scope, "workflowTemplateId")}
        );
    }
    return out;
}

std::optional<std::int64_t> decode_concurrency_version(json::object const& args) {
    auto const* cc = args.if_contains("concurrencyControl");
    if (cc == nullptr || !cc->is_object()) {
        return std::nullopt;
    }
    auto const& o = cc->get_object();
    if (auto n = opt_int(o, "version")) {
        return n;
    }
    auto text = opt_string(o, "version");
    std::int64_t v = 0;
    if (!text || std::from_chars(text->data(), text->data() + text->size(), v).ec != std::errc{}) {
        return std::nullopt;
    }
    return v;
}

json::object encode_scope(identity::Scope const& s) {
    json::object o{{"type", identity::scope_type_name(s.type)}};
    switch (s.type) {
        case identity::ScopeType::kGroup:
            o["groupId"] = s.id;
            break;
        case identity::ScopeType::kSpace:
            o["spaceId"] = s.id;
            break;
        case identity::ScopeType::kWorkflowTemplate:
            o["templateName"] = s.id;
            break;
        case identity::ScopeType::kOrg:
            break;
    }
    return o;
}

json::array encode_bindings(std::vector<identity::RoleBinding> const& bindings) {
    json::array out;
    for (auto const& b : bindings) {
        out.push_back(json::object{{"roleName", b.role_name}, {"scope", encode_scope(b.scope)}});
    }
    return out;
}

}  // namespace signoff::tools::codec
