// The approval rule tree: checks, canonical JSON and its reader (see
// approval_rule.hpp).
#include "server/approvals/approval_rule.hpp"

#include <algorithm>

#include "server/approvals/checks.hpp"
#include "server/approvals/json_lite.hpp"
#include "server/events/json_text.hpp"

namespace signoff::server::approvals {
namespace {

using core::Error;
using detail::JsonNode;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return s;
}

core::Status check_node(ApprovalRule const& r, std::string const& field, int depth) {
    if (depth > kMaxRuleDepth) {
        return Error::invalid_field(
            field, "rules nest at most two levels of AND / OR below the root (depth 2)"
        );
    }
    if (r.kind == RuleKind::kGroupRequirement) {
        if (!r.rules.empty()) {
            return Error::invalid_field(field + ".rules", "a GROUP_REQUIREMENT has no rules");
        }
        if (!detail::is_uuid(r.group_id)) {
            return Error::invalid_field(field + ".groupId", "must be a group id (a UUID)");
        }
        if (r.min_count < 1) {
            return Error::invalid_field(field + ".minCount", "must be at least 1");
        }
        return {};
    }
    if (!r.group_id.empty() || r.min_count != 0 || r.require_high_privilege) {
        return Error::invalid_field(
            field,
            std::string(rule_kind_name(r.kind)) +
                " takes only rules (groupId, minCount and requireHighPrivilege belong to "
                "GROUP_REQUIREMENT)"
        );
    }
    if (r.rules.empty() || r.rules.size() > kMaxRuleChildren) {
        return Error::invalid_field(
            field + ".rules", std::string(rule_kind_name(r.kind)) + " needs 1-32 rules"
        );
    }
    for (std::size_t i = 0; i < r.rules.size(); ++i) {
        auto s = check_node(r.rules[i], field + ".rules[" + std::to_string(i) + "]", depth + 1);
        if (!s) {
            return s;
        }
    }
    return {};
}

void collect_groups(ApprovalRule const& r, std::string const& field, std::vector<GroupRef>& out) {
    if (r.kind == RuleKind::kGroupRequirement) {
        bool const seen = std::any_of(out.begin(), out.end(), [&](GroupRef const& g) {
            return g.group_id == r.group_id;
        });
        if (!seen) {
            out.push_back({r.group_id, field + ".groupId"});
        }
        return;
    }
    for (std::size_t i = 0; i < r.rules.size(); ++i) {
        collect_groups(r.rules[i], field + ".rules[" + std::to_string(i) + "]", out);
    }
}

core::Error malformed(std::string const& why) {
    return Error::internal("stored approval rule is malformed: " + why);
}

core::Result<ApprovalRule> from_node(JsonNode const& n, int depth) {
    if (n.kind != JsonNode::Kind::kObject || depth > kMaxRuleDepth) {
        return malformed("expected a rule object within the depth limit");
    }
    auto const* type = n.find("type");
    auto kind = type != nullptr ? parse_rule_kind(type->text) : std::nullopt;
    if (!kind) {
        return malformed("unknown type");
    }
    ApprovalRule out{*kind};
    if (*kind == RuleKind::kGroupRequirement) {
        auto const* group = n.find("groupId");
        auto const* min = n.find("minCount");
        auto const* high = n.find("requireHighPrivilege");
        if (group == nullptr || min == nullptr || min->kind != JsonNode::Kind::kInt) {
            return malformed("a group requirement needs groupId and minCount");
        }
        out.group_id = group->text;
        out.min_count = min->integer;
        out.require_high_privilege = high != nullptr && high->boolean;
        return out;
    }
    auto const* rules = n.find("rules");
    if (rules == nullptr || rules->kind != JsonNode::Kind::kArray) {
        return malformed("AND / OR need rules");
    }
    for (auto const& child : rules->items) {
        auto c = from_node(child, depth + 1);
        if (!c) {
            return c.error();
        }
        out.rules.push_back(std::move(*c));
    }
    return out;
}

}  // namespace

std::string_view rule_kind_name(RuleKind k) {
    switch (k) {
        case RuleKind::kGroupRequirement:
            return "GROUP_REQUIREMENT";
        case RuleKind::kAnd:
            return "AND";
        case RuleKind::kOr:
            return "OR";
    }
    return "GROUP_REQUIREMENT";
}

std::optional<RuleKind> parse_rule_kind(std::string_view name) {
    for (auto k : {RuleKind::kGroupRequirement, RuleKind::kAnd, RuleKind::kOr}) {
        if (rule_kind_name(k) == name) {
            return k;
        }
    }
    return std::nullopt;
}

core::Status check_rule(ApprovalRule const& rule, std::string const& field) {
    return check_node(rule, field, 0);
}

ApprovalRule normalized(ApprovalRule rule) {
    rule.group_id = lower(std::move(rule.group_id));
    for (auto& child : rule.rules) {
        child = normalized(std::move(child));
    }
    return rule;
}

std::vector<GroupRef> rule_groups(ApprovalRule const& rule, std::string const& field) {
    std::vector<GroupRef> out;
    collect_groups(rule, field, out);
    return out;
}

bool needs_high_privilege(ApprovalRule const& rule, std::vector<std::string> const& groups) {
    if (rule.kind == RuleKind::kGroupRequirement) {
        return rule.require_high_privilege &&
               std::find(groups.begin(), groups.end(), rule.group_id) != groups.end();
    }
    return std::any_of(rule.rules.begin(), rule.rules.end(), [&](ApprovalRule const& r) {
        return needs_high_privilege(r, groups);
    });
}

std::string rule_to_json(ApprovalRule const& rule) {
    events::JsonObject o;
    o.str("type", rule_kind_name(rule.kind));
    if (rule.kind == RuleKind::kGroupRequirement) {
        o.str("groupId", rule.group_id)
            .integer("minCount", rule.min_count)
            .raw("requireHighPrivilege", rule.require_high_privilege ? "true" : "false");
        return o.text();
    }
    std::string rules = "[";
    for (auto const& child : rule.rules) {
        rules += (rules.size() > 1 ? "," : "") + rule_to_json(child);
    }
    return o.raw("rules", rules + "]").text();
}

core::Result<ApprovalRule> rule_from_json(std::string_view text) {
    auto node = detail::parse_json(text);
    if (!node) {
        return node.error();
    }
    auto rule = from_node(*node, 0);
    if (rule) {
        // Rules are checked before they are written; one that no longer
        // passes was not written by us.
        if (auto s = check_rule(*rule); !s) {
            return malformed(s.error().message);
        }
    }
    return rule;
}

}  // namespace signoff::server::approvals
