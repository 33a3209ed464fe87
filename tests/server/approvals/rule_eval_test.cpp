// The pure rule evaluator: standing votes per voter (latest wins, WITHDRAW
// clears), approvals counted per group only for current members and distinct
// voters, votedForGroups (empty = all the voter's groups), high-privilege
// requirements, AND / OR nesting, vetoes reported, and the missing list.
#include "server/approvals/rule_eval.hpp"

#include <doctest/doctest.h>

using namespace signoff::server::approvals;

namespace {

constexpr auto kA = "0000000a-0000-7000-8000-000000000000";
constexpr auto kB = "0000000b-0000-7000-8000-000000000000";
constexpr auto kC = "0000000c-0000-7000-8000-000000000000";

Voter human(std::string id) {
    return {"human", std::move(id)};
}

ApprovalRule need(std::string const& group, std::int64_t n, bool high = false) {
    return {RuleKind::kGroupRequirement, group, n, high};
}
ApprovalRule all_of(std::vector<ApprovalRule> rules) {
    return {RuleKind::kAnd, "", 0, false, std::move(rules)};
}
ApprovalRule any_of(std::vector<ApprovalRule> rules) {
    return {RuleKind::kOr, "", 0, false, std::move(rules)};
}

Vote approve(std::string const& who, std::vector<std::string> groups = {}, bool high = false) {
    return {human(who), VoteKind::kApprove, std::move(groups), high};
}
Vote veto(std::string const& who) {
    return {human(who), VoteKind::kVeto};
}
Vote withdraw(std::string const& who) {
    return {human(who), VoteKind::kWithdraw};
}

/// u1, u2, u3 in A; u3, u4 in B; u5 in C.
Memberships team() {
    return {
        {kA, {human("u1"), human("u2"), human("u3")}},
        {kB, {human("u3"), human("u4")}},
        {kC, {human("u5")}},
    };
}

Evaluation eval(ApprovalRule const& rule, std::vector<Vote> const& votes, Memberships m = team()) {
    return evaluate(rule, votes, m);
}

}  // namespace

TEST_SUITE("server/approvals/rule_eval") {
    TEST_CASE("an empty vote set satisfies nothing and lists every requirement as missing") {
        auto e = eval(all_of({need(kA, 1), need(kB, 2)}), {});
        CHECK_FALSE(e.satisfied);
        CHECK_FALSE(e.vetoed);
        REQUIRE(e.missing.size() == 2);
        CHECK(e.missing[0] == MissingRequirement{kA, 1, 0, false});
        CHECK(e.missing[1] == MissingRequirement{kB, 2, 0, false});
    }

    TEST_CASE("a quorum counts distinct voters: one voter's repeated approvals count once") {
        auto rule = need(kA, 2);
        auto e = eval(rule, {approve("u1", {kA}), approve("u1", {kA}), approve("u1")});
        CHECK_FALSE(e.satisfied);
        CHECK(e.missing.at(0).counted == 1);
        CHECK(eval(rule, {approve("u1", {kA}), approve("u1"), approve("u2", {kA})}).satisfied);
    }

    TEST_CASE("the quorum is met exactly by the last of several votes") {
        auto rule = need(kA, 3);
        std::vector<Vote> votes{approve("u1"), approve("u2")};
        CHECK_FALSE(eval(rule, votes).satisfied);
        votes.push_back(approve("u3"));
        auto e = eval(rule, votes);
        CHECK(e.satisfied);
        CHECK(e.missing.empty());
    }

    TEST_CASE("votes from non-members never count, whatever groups they name") {
        auto e = eval(need(kA, 1), {approve("u4", {kA}), approve("u5"), approve("stranger")});
        CHECK_FALSE(e.satisfied);
        CHECK(e.missing.at(0).counted == 0);
    }

    TEST_CASE("a member removed after voting no longer counts") {
        std::vector<Vote> votes{approve("u1", {kA})};
        auto m = team();
        CHECK(eval(need(kA, 1), votes, m).satisfied);
        m[kA].erase(human("u1"));
        CHECK_FALSE(eval(need(kA, 1), votes, m).satisfied);
    }

    TEST_CASE("one voter in two groups counts in each group the approval is for") {
        auto rule = all_of({need(kA, 1), need(kB, 1)});
        SUBCASE("named groups") {
            CHECK(eval(rule, {approve("u3", {kA, kB})}).satisfied);
        }
        SUBCASE("no groups named means all of the voter's groups") {
            CHECK(eval(rule, {approve("u3")}).satisfied);
        }
        SUBCASE("an approval for one group does not count for the other") {
            auto e = eval(rule, {approve("u3", {kA})});
            CHECK_FALSE(e.satisfied);
            REQUIRE(e.missing.size() == 1);
            CHECK(e.missing[0].group_id == kB);
        }
    }

    TEST_CASE("the latest vote replaces the earlier one; WITHDRAW leaves none standing") {
        auto rule = need(kA, 2);
        SUBCASE("withdraw removes an approval") {
            auto e = eval(rule, {approve("u1"), approve("u2"), withdraw("u1")});
            CHECK_FALSE(e.satisfied);
            CHECK(e.missing.at(0).counted == 1);
        }
        SUBCASE("withdraw then approve again counts again") {
            CHECK(
                eval(rule, {approve("u1"), withdraw("u1"), approve("u1"), approve("u2")}).satisfied
            );
        }
        SUBCASE("re-approving for another group moves the approval") {
            auto two = all_of({need(kA, 1), need(kB, 1)});
            auto e = eval(two, {approve("u3", {kA}), approve("u3", {kB})});
            CHECK_FALSE(e.satisfied);
            CHECK(e.missing.at(0).group_id == kA);
        }
        SUBCASE("an approval after a veto replaces the veto") {
            auto e = eval(need(kA, 1), {veto("u1"), approve("u1")});
            CHECK(e.satisfied);
            CHECK_FALSE(e.vetoed);
        }
        SUBCASE("a veto after an approval replaces the approval") {
            auto e = eval(need(kA, 1), {approve("u1"), veto("u1")});
            CHECK_FALSE(e.satisfied);
            CHECK(e.vetoed);
        }
        SUBCASE("a withdrawn veto is no longer reported") {
            CHECK_FALSE(eval(need(kA, 1), {veto("u1"), withdraw("u1")}).vetoed);
        }
        SUBCASE("a withdraw with nothing standing changes nothing") {
            CHECK_FALSE(eval(need(kA, 1), {withdraw("u1")}).satisfied);
        }
    }

    TEST_CASE("a veto is reported alongside approvals that satisfy the rule") {
        auto e = eval(need(kA, 1), {approve("u1"), veto("u2")});
        CHECK(e.satisfied);
        CHECK(e.vetoed);
    }

    TEST_CASE("high-privilege requirements count only high-privilege approvals") {
        auto rule = all_of({need(kA, 1, true), need(kB, 1)});
        auto normal = eval(rule, {approve("u1", {kA}), approve("u4", {kB})});
        CHECK_FALSE(normal.satisfied);
        REQUIRE(normal.missing.size() == 1);
        CHECK(normal.missing[0] == MissingRequirement{kA, 1, 0, true});
        CHECK(eval(rule, {approve("u1", {kA}, true), approve("u4", {kB})}).satisfied);
        // A high-privilege approval also counts where none is required.
        CHECK(eval(need(kB, 1), {approve("u4", {}, true)}).satisfied);
    }

    TEST_CASE("AND needs every branch, OR any branch, nested two levels") {
        auto rule = all_of({any_of({need(kA, 1), need(kB, 1)}), need(kC, 1)});
        CHECK_FALSE(eval(rule, {approve("u1")}).satisfied);
        CHECK(eval(rule, {approve("u1"), approve("u5")}).satisfied);
        CHECK(eval(rule, {approve("u4"), approve("u5")}).satisfied);
        auto only_c = eval(rule, {approve("u5")});
        CHECK_FALSE(only_c.satisfied);
        // Both branches of the unmet OR are reported, the met C is not.
        REQUIRE(only_c.missing.size() == 2);
        CHECK(only_c.missing[0].group_id == kA);
        CHECK(only_c.missing[1].group_id == kB);
        auto or_of_ands = any_of({all_of({need(kA, 2), need(kB, 1)}), need(kC, 1)});
        CHECK(eval(or_of_ands, {approve("u5")}).satisfied);
        CHECK(eval(or_of_ands, {approve("u1"), approve("u2"), approve("u4")}).satisfied);
        auto partial = eval(or_of_ands, {approve("u1"), approve("u4")});
        CHECK_FALSE(partial.satisfied);
        REQUIRE(partial.missing.size() == 2);
        CHECK(partial.missing[0] == MissingRequirement{kA, 2, 1, false});
        CHECK(partial.missing[1] == MissingRequirement{kC, 1, 0, false});
    }

    TEST_CASE("the same group twice in a rule is judged by the same approvals") {
        auto rule = all_of({need(kA, 1), any_of({need(kA, 2), need(kC, 1)})});
        CHECK_FALSE(eval(rule, {approve("u1")}).satisfied);
        CHECK(eval(rule, {approve("u1"), approve("u2")}).satisfied);
    }

    TEST_CASE("humans and agents with the same id are different voters") {
        Memberships m{{kA, {human("x"), Voter{"agent", "x"}}}};
        std::vector<Vote> votes{approve("x"), {Voter{"agent", "x"}, VoteKind::kApprove}};
        CHECK(eval(need(kA, 2), votes, m).satisfied);
        // The agent withdrawing leaves the human's approval standing.
        votes.push_back({Voter{"agent", "x"}, VoteKind::kWithdraw});
        auto e = eval(need(kA, 2), votes, m);
        CHECK_FALSE(e.satisfied);
        CHECK(e.missing.at(0).counted == 1);
    }
}
