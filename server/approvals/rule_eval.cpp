// The pure rule evaluator (see rule_eval.hpp).
#include "server/approvals/rule_eval.hpp"

#include <algorithm>

namespace signoff::server::approvals {
namespace {

/// Each voter's last vote, unless it was a WITHDRAW.
std::map<Voter, Vote const*> standing_votes(std::span<Vote const> votes) {
    std::map<Voter, Vote const*> out;
    for (auto const& v : votes) {
        if (v.kind == VoteKind::kWithdraw) {
            out.erase(v.voter);
        } else {
            out[v.voter] = &v;
        }
    }
    return out;
}

bool is_member(Memberships const& members, std::string const& group, Voter const& voter) {
    auto it = members.find(group);
    return it != members.end() && it->second.contains(voter);
}

/// Distinct current members of `group` whose standing approval counts for it.
std::int64_t counted(
    std::map<Voter, Vote const*> const& standing,
    Memberships const& members,
    std::string const& group,
    bool high_privilege_only
) {
    std::int64_t n = 0;
    for (auto const& [voter, vote] : standing) {
        if (vote->kind != VoteKind::kApprove || (high_privilege_only && !vote->high_privilege) ||
            !is_member(members, group, voter)) {
            continue;
        }
        auto const& groups = vote->voted_for_groups;
        if (groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end()) {
            ++n;
        }
    }
    return n;
}

struct Walker {
    std::map<Voter, Vote const*> const& standing;
    Memberships const& members;

    /// Whether `r` holds; unmet requirements that keep it from holding go to `missing`.
    bool holds(ApprovalRule const& r, std::vector<MissingRequirement>& missing) const {
        if (r.kind == RuleKind::kGroupRequirement) {
            auto const n = counted(standing, members, r.group_id, r.require_high_privilege);
            if (n >= r.min_count) {
                return true;
            }
            missing.push_back({r.group_id, r.min_count, n, r.require_high_privilege});
            return false;
        }
        std::vector<MissingRequirement> below;
        bool const is_and = r.kind == RuleKind::kAnd;
        bool result = is_and;
        for (auto const& child : r.rules) {
            bool const h = holds(child, below);
            result = is_and ? (result && h) : (result || h);
        }
        if (!result) {
            missing.insert(missing.end(), below.begin(), below.end());
        }
        return result;
    }
};

}  // namespace

Evaluation evaluate(
    ApprovalRule const& rule, std::span<Vote const> votes, Memberships const& members
) {
    auto const standing = standing_votes(votes);
    Evaluation out;
    out.vetoed = std::any_of(standing.begin(), standing.end(), [](auto const& entry) {
        return entry.second->kind == VoteKind::kVeto;
    });
    out.satisfied = Walker{standing, members}.holds(rule, out.missing);
    return out;
}

}  // namespace signoff::server::approvals
