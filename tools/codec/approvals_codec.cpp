// See approvals_codec.hpp.
#include "tools/codec/approvals_codec.hpp"

#include "tools/codec/json_args.hpp"

namespace signoff::tools::codec {
namespace {

namespace json = boost::json;
namespace approvals = server::approvals;
using server::core::Error;
using server::core::Result;

Result<approvals::ApprovalRule> decode_node(
    json::value const& v, std::string const& field, int depth
) {
    if (!v.is_object()) {
        return Error::invalid_field(field, "a rule is an object");
    }
    if (depth > approvals::kMaxRuleDepth + 1) {
        return Error::invalid_field(
            field, "rules nest at most two levels of AND / OR below the root (depth 2)"
        );
    }
    auto const& o = v.get_object();
    auto kind = approvals::parse_rule_kind(string_or(o, "type"));
    if (!kind) {
        return Error::invalid_field(field + ".type", "must be AND, OR or GROUP_REQUIREMENT");
    }
    approvals::ApprovalRule r{*kind};
    r.group_id = string_or(o, "groupId");
    r.min_count = opt_int(o, "minCount").value_or(0);
    if (auto const* high = o.if_contains("requireHighPrivilege");
        high != nullptr && high->is_bool()) {
        r.require_high_privilege = high->get_bool();
    }
    auto const* rules = o.if_contains("rules");
    if (rules == nullptr || !rules->is_array()) {
        return r;
    }
    std::size_t i = 0;
    for (auto const& child : rules->get_array()) {
        auto c = decode_node(child, field + ".rules[" + std::to_string(i++) + "]", depth + 1);
        if (!c) {
            return c.error();
        }
        r.rules.push_back(std::move(*c));
    }
    return r;
}

json::array string_array(std::vector<std::string> const& v) {
    json::array out;
    for (auto const& s : v) {
        out.emplace_back(s);
    }
    return out;
}

}  // namespace

Result<approvals::ApprovalRule> decode_rule(json::value const& v, std::string const& field) {
    return decode_node(v, field, 0);
}

std::vector<approvals::WorkflowAction> decode_actions(json::array const& a) {
    std::vector<approvals::WorkflowAction> out;
    for (auto const& item : a) {
        if (!item.is_object()) {
            continue;  // the schema requires objects
        }
        auto const& o = item.get_object();
        approvals::WorkflowAction act{approvals::parse_action_kind(string_or(o, "type"))
                                          .value_or(approvals::ActionKind::kEmail)};
        if (o.contains("recipients")) {
            act.recipients = strings(o, "recipients");
        }
        act.url = opt_string(o, "url");
        act.method = opt_string(o, "method");
        if (auto const* h = o.if_contains("headers"); h != nullptr && h->is_object()) {
            act.headers.emplace();
            for (auto const& [name, value] : h->get_object()) {
                act.headers->emplace_back(
                    std::string(name), value.is_string() ? std::string(value.get_string()) : ""
                );
            }
        }
        act.on = strings(o, "on");
        out.push_back(std::move(act));
    }
    return out;
}

json::value encode_rule(approvals::ApprovalRule const& r) {
    json::object o{{"type", approvals::rule_kind_name(r.kind)}};
    if (r.kind == approvals::RuleKind::kGroupRequirement) {
        o["groupId"] = r.group_id;
        o["minCount"] = r.min_count;
        o["requireHighPrivilege"] = r.require_high_privilege;
        return o;
    }
    json::array rules;
    for (auto const& child : r.rules) {
        rules.push_back(encode_rule(child));
    }
    o["rules"] = std::move(rules);
    return o;
}

json::array encode_actions(std::vector<approvals::WorkflowAction> const& actions) {
    json::array out;
    for (auto const& a : actions) {
        json::object o{{"type", approvals::action_kind_name(a.kind)}};
        if (a.recipients) {
            o["recipients"] = string_array(*a.recipients);
        }
        if (a.url) {
            o["url"] = *a.url;
        }
        if (a.method) {
            o["method"] = *a.method;
        }
        if (a.headers) {
            json::object h;
            for (auto const& [name, value] : *a.headers) {
                h[name] = value;
            }
            o["headers"] = std::move(h);
        }
        o["on"] = string_array(a.on);
        out.push_back(std::move(o));
    }
    return out;
}

Result<json::value> encode_template(approvals::WorkflowTemplate const& t) {
    auto metadata = read_stored(t.metadata_json);
    auto out = encode_template_summary(t).as_object();
    out["allowVotingOnDeprecatedTemplate"] = t.allow_voting_on_deprecated;
    out["approvalRule"] = encode_rule(t.approval_rule);
    out["metadata"] = std::move(metadata);
    out["actions"] = encode_actions(t.actions);
    if (t.default_expires_in_hours) {
        out["defaultExpiresInHours"] = *t.default_expires_in_hours;
    }
    out["concurrencyControl"] = {{"version", std::to_string(t.concurrency_version)}};
    return json::value(std::move(out));
}

json::value encode_template_summary(approvals::WorkflowTemplate const& t) {
    return json::object{
        {"id", t.id},
        {"name", t.name},
        {"version", std::to_string(t.version)},
        {"description", t.description},
        {"status", approvals::template_status_name(t.status)},
        {"spaceId", t.space_id},
        {"createdAt", t.created_at},
        {"updatedAt", t.updated_at},
    };
}

}  // namespace signoff::tools::codec
