// The rule evaluator: a pure function from (approval rule, the votes cast on a
// workflow, current group memberships) to an outcome (APPROVALS.md "Votes").
// No storage, no clock; the workflows slice calls it inside each vote's
// transaction with what it read there.
//
//   votes (in cast order) ──► standing vote per voter ──► counted approvals per
//   group (current members only) ──► AND / OR / quorum ──► Evaluation
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "server/approvals/approval_rule.hpp"

namespace signoff::server::approvals {

/// A voting entity: entity_type "human" (a user id) or "agent".
struct Voter {
    std::string entity_type;
    std::string entity_id;
    auto operator<=>(Voter const&) const = default;
};

enum class VoteKind : std::uint8_t { kApprove, kVeto, kWithdraw };

struct Vote {
    Voter voter;
    VoteKind kind{VoteKind::kApprove};
    /// APPROVE: the groups the approval is for; empty means every group the
    /// voter belongs to that the rule names.
    std::vector<std::string> voted_for_groups{};
    /// Cast with a step-up (high-privilege) token for this workflow.
    bool high_privilege{false};
};

/// group id → its current members.
using Memberships = std::map<std::string, std::set<Voter>>;

/// A GROUP_REQUIREMENT that does not hold, with how many approvals counted.
struct MissingRequirement {
    std::string group_id;
    std::int64_t min_count{0};
    std::int64_t counted{0};
    bool require_high_privilege{false};
    bool operator==(MissingRequirement const&) const = default;
};

struct Evaluation {
    /// The rule holds over the standing approvals.
    bool satisfied{false};
    /// Some voter's standing vote is a VETO (the workflow rejects on it; the
    /// evaluator only reports it).
    bool vetoed{false};
    /// When not satisfied: the unmet requirements on the branches that keep
    /// the rule from holding (every branch of an unmet OR), depth first.
    std::vector<MissingRequirement> missing;
};

/// Evaluates `rule` over `votes`, given in the order they were cast. Each
/// voter's latest vote replaces their earlier ones; a WITHDRAW leaves no
/// standing vote. A standing APPROVE counts for a group when the voter is a
/// current member of it and it is among voted_for_groups (or that list is
/// empty); a requirement with require_high_privilege counts only
/// high-privilege approvals. A voter counts at most once per group. Group ids
/// compare as given (pass them lowercase).
Evaluation evaluate(
    ApprovalRule const& rule, std::span<Vote const> votes, Memberships const& members
);

}  // namespace signoff::server::approvals
