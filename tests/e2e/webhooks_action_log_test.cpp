// The workflow-action delivery log through the real binary: a template with a
// WEBHOOK action (to a local receiver) and an EMAIL action (no relay, so it
// fails), two workflows decided over REST, then the admin's log read over
// REST (filters, paging, bad input, members, another org) and over MCP stdio.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/e2e/approval_flow.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/server/delivery/local_receiver.hpp"

using namespace signoff::e2e;
using signoff::testing::LocalReceiver;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr char const* kLog = "/api/v1/admin/workflow-actions/deliveries";

/// `s` percent-encoded for a query string value.
std::string query_value(std::string const& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned>(c));
            out += buf;
        }
    }
    return out;
}

/// The approval flow, plus reads of the admin's workflow-action log.
struct Flow : ApprovalFlow {
    using ApprovalFlow::ApprovalFlow;

    std::string make_template(json::array actions) {
        return ApprovalFlow::make_template("deploy", std::move(actions));
    }

    /// GET of the action log with `query` ("" or "a=b&c=d"), as `key` (root by default).
    HttpReply log(std::string const& query, httplib::Headers const* key = nullptr) {
        std::string const path = query.empty() ? kLog : std::string{kLog} + "?" + query;
        return http.send("GET", path, "", key == nullptr ? root : *key);
    }

    json::array items(std::string const& query) {
        auto r = log(query);
        REQUIRE_MESSAGE(r.status == 200, r.body);
        return r.json().at("items").as_array();
    }
};

std::vector<std::string> ids_of(json::array const& items) {
    std::vector<std::string> out;
    for (auto const& i : items) {
        out.push_back(text(i.at("id")));
    }
    return out;
}

/// A refused REST call: 400 invalid_argument with a detail naming `field`.
void check_bad(HttpReply const& r, std::string const& field) {
    CHECK_MESSAGE(r.status == 400, r.body);
    auto body = r.json();
    REQUIRE_MESSAGE(body.is_object(), r.body);
    CHECK_MESSAGE(body.at("code") == "invalid_argument", r.body);
    bool named = false;
    for (auto const& d : body.at("details").as_array()) {
        named = named || text(d.at("field")).find(field) != std::string::npos;
    }
    CHECK_MESSAGE(named, "no detail on " << field << ": " << r.body);
}

std::string user_key(HttpClient& http, Deployment const& d, std::string const& email) {
    auto made = http.rest("POST", "/api/v1/users", {{"email", email}}, bearer(d.api_key));
    REQUIRE_MESSAGE(made.status == 201, made.body);
    auto key = http.rest(
        "POST",
        "/api/v1/users/" + text(made.json().at("id")) + "/api-keys",
        json::object{},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(key.status == 201, key.body);
    return text(key.json().at("apiKey"));
}

}  // namespace

TEST_SUITE("e2e/webhooks_action_log") {
    TEST_CASE_TEMPLATE(
        "admins list workflow action deliveries over REST and MCP",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{signoff::testing::Answer{}};
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        Flow f{http, d};
        auto tid = f.make_template(
            {json::object{
                 {"type", "WEBHOOK"},
                 {"url", "http://127.0.0.1:" + std::to_string(rx.port()) + "/deploy"},
                 {"on", {"APPROVED", "REJECTED"}}},
             json::object{{"type", "EMAIL"}, {"recipients", {"ops@acme.example"}}}}
        );
        auto const approved = f.decide(tid, "Ship 1.2", "APPROVE");
        auto const rejected = f.decide(tid, "Ship 1.3", "VETO");

        // Webhook (approved), e-mail (approved; no relay: fails), webhook (rejected).
        json::array all;
        REQUIRE(eventually([&] {
            all = f.items("");
            return all.size() == 3 && std::none_of(all.begin(), all.end(), [](auto const& i) {
                       return i.at("state") == "pending";
                   });
        }));
        CHECK(rx.received().size() == 2);
        for (auto const& i : all) {
            CHECK(i.at("endpoint_id").is_null());
            CHECK(i.at("attempt_log").as_array().size() == 1);
        }

        auto hooks = f.items("kind=webhook");
        REQUIRE(hooks.size() == 2);
        std::set<std::string> workflows;
        for (auto const& i : hooks) {
            CHECK(i.at("target") == "action_webhook");
            CHECK(i.at("state") == "delivered");
            CHECK(i.at("attempt_log").at(0).at("status_code") == 200);
            workflows.insert(text(i.at("workflow_id")));
        }
        CHECK(workflows == std::set<std::string>{approved, rejected});
        auto mails = f.items("kind=email");
        REQUIRE(mails.size() == 1);
        CHECK(mails[0].at("target") == "action_email");
        CHECK(mails[0].at("state") == "failed");
        CHECK(text(mails[0].at("workflow_id")) == approved);
        CHECK(mails[0].at("last_error") == "no SMTP relay configured (--smtp-relay)");
        CHECK(ids_of(f.items("state=failed")) == ids_of(mails));
        CHECK(f.items("workflow_id=" + approved).size() == 2);
        auto of_rejected = f.items("workflow_id=" + rejected + "&kind=webhook");
        REQUIRE(of_rejected.size() == 1);
        CHECK(text(of_rejected[0].at("workflow_id")) == rejected);
        CHECK(f.items("event_type=workflow.action.email").size() == 1);

        // The id in the list is the one the other delivery tools take.
        auto one = http.send(
            "GET", "/api/v1/deliveries/" + text(mails[0].at("id")), "", bearer(d.api_key)
        );
        REQUIRE_MESSAGE(one.status == 200, one.body);
        CHECK(one.json().at("state") == "failed");

        auto p1 = f.log("limit=2");
        REQUIRE_MESSAGE(p1.status == 200, p1.body);
        REQUIRE(p1.json().at("items").as_array().size() == 2);
        auto const cursor = text(p1.json().at("next_cursor"));
        auto p2 = f.items("limit=2&cursor=" + query_value(cursor));
        REQUIRE(p2.size() == 1);
        auto paged = ids_of(p1.json().at("items").as_array());
        paged.push_back(text(p2[0].at("id")));
        CHECK(paged == ids_of(all));

        check_bad(f.log("kind=sms"), "kind");
        check_bad(f.log("limit=0"), "limit");
        check_bad(f.log("limit=101"), "limit");
        check_bad(f.log("cursor=garbage"), "cursor");
        // A query parameter the route does not know is ignored (seed 001 clients
        // send page/limit/orderBy everywhere); bodies stay strict.
        CHECK(f.log("colour=blue").status == 200);

        auto const member = bearer(user_key(http, d, "m@acme.example"));
        auto denied = f.log("", &member);
        CHECK_MESSAGE(denied.status == 403, denied.body);
        CHECK(denied.json().at("code") == "permission_denied");
        auto const globex = bearer(bootstrap_org(d.db_url, "globex").api_key);
        auto theirs = f.log("", &globex);
        REQUIRE_MESSAGE(theirs.status == 200, theirs.body);
        CHECK(theirs.json().at("items").as_array().empty());
        CHECK(f.log("workflow_id=" + approved, &globex).json().at("items").as_array().empty());

        StdioClient mcp{d};
        mcp.initialize();
        auto listed = mcp.call(
            "webhooks_action_deliveries_list", {{"workflow_id", approved}, {"kind", "email"}}
        );
        REQUIRE_MESSAGE(listed.at("isError") == false, json::serialize(listed));
        auto const& items = listed.at("structuredContent").at("items").as_array();
        CHECK(ids_of(items) == ids_of(mails));
        auto bad = mcp.call("webhooks_action_deliveries_list", {{"kind", "sms"}});
        CHECK(bad.at("isError") == true);
        CHECK(bad.at("structuredContent").at("code") == "invalid_argument");
    }
}
