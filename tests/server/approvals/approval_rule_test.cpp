// The approval rule tree and template actions as pure values: shape checks
// with field paths (depth, minCount, group ids, empty operators), canonical
// JSON round trips, the high-privilege helper, action checks and defaults,
// redaction, and the bounded JSON reader refusing malformed stored text.
#include "server/approvals/approval_rule.hpp"

#include <doctest/doctest.h>

#include "server/approvals/json_lite.hpp"
#include "server/approvals/template_actions.hpp"

using namespace signoff::server::approvals;
using signoff::server::core::ErrorKind;

namespace {

constexpr auto kA = "0000000A-0000-7000-8000-000000000000";
constexpr auto kB = "0000000b-0000-7000-8000-000000000000";

ApprovalRule need(std::string const& group, std::int64_t n, bool high = false) {
    return {RuleKind::kGroupRequirement, group, n, high};
}
ApprovalRule op(RuleKind k, std::vector<ApprovalRule> rules) {
    return {k, "", 0, false, std::move(rules)};
}

std::string refused_field(ApprovalRule const& r) {
    auto s = check_rule(r);
    REQUIRE(s.has_error());
    CHECK(s.error().kind == ErrorKind::kInvalidArgument);
    REQUIRE(s.error().details.size() == 1);
    return s.error().details[0].field;
}

WorkflowAction email(std::vector<std::string> to) {
    WorkflowAction a{ActionKind::kEmail};
    a.recipients = std::move(to);
    return a;
}
WorkflowAction webhook(std::string url) {
    WorkflowAction a{ActionKind::kWebhook};
    a.url = std::move(url);
    return a;
}

std::string action_error(WorkflowAction a) {
    auto r = checked_actions({std::move(a)});
    REQUIRE(r.has_error());
    CHECK(r.error().kind == ErrorKind::kInvalidArgument);
    return r.error().details.at(0).field;
}

}  // namespace

TEST_SUITE("server/approvals/approval_rule") {
    TEST_CASE("two levels of operators are allowed, a third is refused") {
        CHECK(check_rule(need(kA, 1)).has_value());
        CHECK(check_rule(op(RuleKind::kAnd, {op(RuleKind::kOr, {need(kA, 1)})})).has_value());
        auto three = op(RuleKind::kAnd, {op(RuleKind::kOr, {op(RuleKind::kAnd, {need(kA, 1)})})});
        CHECK(refused_field(three) == "approvalRule.rules[0].rules[0].rules[0]");
    }

    TEST_CASE("leaves need a UUID group and minCount of at least 1; operators need rules") {
        CHECK(refused_field(need(kA, 0)) == "approvalRule.minCount");
        CHECK(refused_field(need(kA, -3)) == "approvalRule.minCount");
        CHECK(refused_field(need("not-a-uuid", 1)) == "approvalRule.groupId");
        CHECK(refused_field(need("", 1)) == "approvalRule.groupId");
        CHECK(refused_field(op(RuleKind::kAnd, {})) == "approvalRule.rules");
        CHECK(
            refused_field(op(RuleKind::kOr, {need(kA, 1), need(kB, 0)})) ==
            "approvalRule.rules[1].minCount"
        );
        std::vector<ApprovalRule> many(33, need(kA, 1));
        CHECK(refused_field(op(RuleKind::kOr, many)) == "approvalRule.rules");
        auto leaf_with_rules = need(kA, 1);
        leaf_with_rules.rules.push_back(need(kB, 1));
        CHECK(refused_field(leaf_with_rules) == "approvalRule.rules");
        auto and_with_group = op(RuleKind::kAnd, {need(kA, 1)});
        and_with_group.min_count = 2;
        CHECK(refused_field(and_with_group) == "approvalRule");
    }

    TEST_CASE("rule kinds parse only their wire names") {
        CHECK(parse_rule_kind("AND") == RuleKind::kAnd);
        CHECK(parse_rule_kind("GROUP_REQUIREMENT") == RuleKind::kGroupRequirement);
        CHECK_FALSE(parse_rule_kind("XOR").has_value());
        CHECK_FALSE(parse_rule_kind("and").has_value());
    }

    TEST_CASE("the canonical JSON reads back to the same tree, groups lowercased") {
        auto rule = normalized(
            op(RuleKind::kAnd, {op(RuleKind::kOr, {need(kA, 2, true), need(kB, 1)}), need(kB, 3)})
        );
        CHECK(rule.rules[0].rules[0].group_id == "0000000a-0000-7000-8000-000000000000");
        auto text = rule_to_json(rule);
        CHECK(
            text ==
            R"({"type":"AND","rules":[{"type":"OR","rules":[{"type":"GROUP_REQUIREMENT",)"
            R"("groupId":"0000000a-0000-7000-8000-000000000000","minCount":2,)"
            R"("requireHighPrivilege":true},{"type":"GROUP_REQUIREMENT","groupId":)"
            R"("0000000b-0000-7000-8000-000000000000","minCount":1,"requireHighPrivilege":false}]},)"
            R"({"type":"GROUP_REQUIREMENT","groupId":"0000000b-0000-7000-8000-000000000000",)"
            R"("minCount":3,"requireHighPrivilege":false}]})"
        );
        auto back = rule_from_json(text);
        REQUIRE(back.has_value());
        CHECK(*back == rule);
        auto groups = rule_groups(rule);
        REQUIRE(groups.size() == 2);
        CHECK(groups[0].field == "approvalRule.rules[0].rules[0].groupId");
        CHECK(groups[1].group_id == "0000000b-0000-7000-8000-000000000000");
    }

    TEST_CASE("malformed stored rules are internal errors, never crashes") {
        for (std::string bad :
             {"",
              "{",
              "[]",
              R"({"type":"XOR"})",
              R"({"type":"AND"})",
              R"({"type":"AND","rules":[1]})",
              R"({"type":"GROUP_REQUIREMENT","groupId":"x"})",
              R"({"type":"AND","rules":[]}x)",
              R"({"type":"OR","rules":[{"type":"OR","rules":[{"type":"OR","rules":[]}]}]})",
              R"({"minCount":1.5})",
              R"({"a":"\q"})",
              R"({"a":"\ud800"})"}) {
            INFO(bad);
            auto r = rule_from_json(bad);
            REQUIRE(r.has_error());
            CHECK(r.error().kind == ErrorKind::kInternal);
        }
    }

    TEST_CASE("the JSON reader decodes escapes and bounds depth") {
        auto n =
            detail::parse_json(R"({"s":"a\"b\\c\u00e9\ud83d\ude00\n","n":-7,"t":true,"z":null})");
        REQUIRE(n.has_value());
        CHECK(n->find("s")->text == "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80\n");
        CHECK(n->find("n")->integer == -7);
        CHECK(n->find("t")->boolean);
        CHECK(n->find("z")->kind == detail::JsonNode::Kind::kNull);
        CHECK(n->find("missing") == nullptr);
        CHECK(detail::parse_json(std::string(40, '[') + std::string(40, ']')).has_error());
        CHECK(detail::parse_json("[[[]]]", 2).has_value());
    }

    TEST_CASE("needs_high_privilege looks at every requirement naming the groups") {
        auto rule = normalized(op(RuleKind::kOr, {need(kA, 1, true), need(kB, 1)}));
        CHECK(needs_high_privilege(rule, {"0000000a-0000-7000-8000-000000000000"}));
        CHECK_FALSE(needs_high_privilege(rule, {"0000000b-0000-7000-8000-000000000000"}));
        CHECK_FALSE(needs_high_privilege(rule, {}));
    }
}

TEST_SUITE("server/approvals/template_actions") {
    TEST_CASE("actions are checked and take their defaults") {
        auto ok = checked_actions({email({"a@x.io"}), webhook("https://hooks.example/x")});
        REQUIRE(ok.has_value());
        CHECK((*ok)[0].on == std::vector<std::string>{"APPROVED"});
        CHECK((*ok)[1].method == "POST");
        CHECK_FALSE((*ok)[0].method.has_value());
        auto text = actions_to_json(*ok);
        auto back = actions_from_json(text);
        REQUIRE(back.has_value());
        CHECK(*back == *ok);
        CHECK(checked_actions({}).has_value());
        CHECK(checked_actions(std::vector<WorkflowAction>(17, email({"a@x.io"}))).has_error());
    }

    TEST_CASE("bad actions name the field") {
        CHECK(action_error(email({})) == "actions[0].recipients");
        CHECK(
            action_error(email({"a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io"})) ==
            "actions[0].recipients"
        );
        CHECK(action_error(email({"a@x.io", "not-an-email"})) == "actions[0].recipients[1]");
        CHECK(action_error(email({"a b@x.io"})) == "actions[0].recipients[0]");
        CHECK(action_error(WorkflowAction{ActionKind::kEmail}) == "actions[0].recipients");
        auto email_with_url = email({"a@x.io"});
        email_with_url.url = "https://x.io";
        CHECK(action_error(email_with_url) == "actions[0]");
        CHECK(action_error(webhook("ftp://x.io")) == "actions[0].url");
        CHECK(action_error(webhook("https://")) == "actions[0].url");
        CHECK(action_error(webhook("https://x.io/a b")) == "actions[0].url");
        CHECK(action_error(webhook("https://" + std::string(2050, 'a'))) == "actions[0].url");
        CHECK(action_error(WorkflowAction{ActionKind::kWebhook}) == "actions[0].url");
        auto bad_method = webhook("https://x.io");
        bad_method.method = "DELETE";
        CHECK(action_error(bad_method) == "actions[0].method");
        auto hook_with_recipients = webhook("https://x.io");
        hook_with_recipients.recipients = std::vector<std::string>{"a@x.io"};
        CHECK(action_error(hook_with_recipients) == "actions[0]");
        auto bad_header = webhook("https://x.io");
        bad_header.headers = {{{"X Bad", "v"}}};
        CHECK(action_error(bad_header) == "actions[0].headers.X Bad");
        auto host = webhook("https://x.io");
        host.headers = {{{"Host", "evil"}}};
        CHECK(action_error(host) == "actions[0].headers.Host");
        for (std::string name : {"Content-Type", "X-Signoff-Event", "x-signoff-delivery"}) {
            auto ours = webhook("https://x.io");
            ours.headers = {{{name, "forged"}}};
            CHECK(action_error(ours) == "actions[0].headers." + name);
        }
        auto twice = webhook("https://x.io");
        twice.headers = {{{"X-A", "1"}, {"x-a", "2"}}};
        CHECK(action_error(twice) == "actions[0].headers.x-a");
        auto crlf = webhook("https://x.io");
        crlf.headers = {{{"X-A", "1\r\nX-B: 2"}}};
        CHECK(action_error(crlf) == "actions[0].headers.X-A");
        auto on = email({"a@x.io"});
        on.on = {"APPROVED", "CANCELED"};
        CHECK(action_error(on) == "actions[0].on[1]");
        on.on = {"REJECTED", "REJECTED"};
        CHECK(action_error(on) == "actions[0].on");
        CHECK_FALSE(parse_action_kind("SLACK").has_value());
    }

    TEST_CASE("readers see secret-looking header values and URL credentials redacted") {
        auto hook = webhook("https://user:pw@hooks.example/x?y=1");
        hook.headers = {
            {{"Authorization", "Bearer s3cret"}, {"X-Api-Key", "k"}, {"X-Team", "ops"}}};
        auto shown = redacted({hook});
        CHECK(shown[0].url == "https://***@hooks.example/x?y=1");
        CHECK((*shown[0].headers)[0].second == "***");
        CHECK((*shown[0].headers)[1].second == "***");
        CHECK((*shown[0].headers)[2].second == "ops");
        CHECK(
            redacted({webhook("https://hooks.example/a@b")})[0].url == "https://hooks.example/a@b"
        );
    }
}
