// The approval rule tree of a workflow template (APPROVALS.md "Workflow
// templates"): GROUP_REQUIREMENT leaves under at most two levels of AND / OR.
// Its shape checks, and its canonical JSON text: the tree is stored as that
// text and read back with rule_from_json (the domain has no Boost.JSON; the
// tools layer maps request JSON onto ApprovalRule). No storage, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/error.hpp"

namespace signoff::server::approvals {

enum class RuleKind : std::uint8_t { kGroupRequirement, kAnd, kOr };

struct ApprovalRule {
    RuleKind kind{RuleKind::kGroupRequirement};
    std::string group_id{};              // GROUP_REQUIREMENT
    std::int64_t min_count{0};           // GROUP_REQUIREMENT, at least 1
    bool require_high_privilege{false};  // GROUP_REQUIREMENT
    std::vector<ApprovalRule> rules{};   // AND / OR, at least one
    bool operator==(ApprovalRule const&) const = default;
};

/// The root is depth 0; a node deeper than this is refused.
inline constexpr int kMaxRuleDepth = 2;
/// Children of one AND / OR node.
inline constexpr std::size_t kMaxRuleChildren = 32;

std::string_view rule_kind_name(RuleKind k);
std::optional<RuleKind> parse_rule_kind(std::string_view name);

/// Shape checks, depth first, reporting the first problem with its field path
/// (`field`, then `.rules[i]`, `.groupId`, `.minCount`): a leaf needs a UUID
/// groupId and minCount ≥ 1 and has no rules; AND / OR need 1–32 rules and no
/// group fields; no node deeper than kMaxRuleDepth. kInvalidArgument.
core::Status check_rule(ApprovalRule const& rule, std::string const& field = "approvalRule");

/// The rule with every group id lowercased (ids compare as text).
ApprovalRule normalized(ApprovalRule rule);

/// A group the rule names, with the field path of its first mention.
struct GroupRef {
    std::string group_id;
    std::string field;
};
/// Every distinct group id in the tree, in depth-first order.
std::vector<GroupRef> rule_groups(
    ApprovalRule const& rule, std::string const& field = "approvalRule"
);

/// True when a GROUP_REQUIREMENT with requireHighPrivilege names one of `groups`
/// (anywhere in the tree, under AND or OR).
bool needs_high_privilege(ApprovalRule const& rule, std::vector<std::string> const& groups);

/// Canonical JSON text: {"type":"AND","rules":[…]} /
/// {"type":"GROUP_REQUIREMENT","groupId":…,"minCount":n,"requireHighPrivilege":b}.
std::string rule_to_json(ApprovalRule const& rule);
/// Reads what rule_to_json wrote; kInternal when the text is not such a tree.
core::Result<ApprovalRule> rule_from_json(std::string_view text);

}  // namespace signoff::server::approvals
