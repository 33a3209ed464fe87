// Events and workflow template actions through the real binary: an EMAIL
// action reaching a local SMTP sink (and failing visibly without a relay), a
// WEBHOOK action reaching a local receiver with its method and headers, and
// the workflow.* and auth.* events reaching a signed org integration.
// Expiry is driven by moving a deadline into the past in the database.
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/delivery/signing.hpp"
#include "tests/e2e/approval_flow.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/server/delivery/local_receiver.hpp"
#include "tests/server/delivery/smtp_sink.hpp"

using namespace signoff::e2e;
using signoff::testing::LocalReceiver;
using signoff::testing::PostgresBackend;
using signoff::testing::Received;
using signoff::testing::SqliteBackend;
namespace delivery = signoff::server::delivery;

namespace {

std::string org_id_of(Deployment const& d) {
    return db_query(d, "SELECT org_id FROM users WHERE id = $1", {d.user_id}).at(0).text(0);
}

struct Hook {
    std::string id;
    std::string secret;
};

Hook integration(HttpClient& http, Deployment const& d, std::uint16_t port, json::array events) {
    auto made = http.rest(
        "POST",
        "/api/v1/admin/integrations",
        {{"name", "siem"},
         {"url", "http://127.0.0.1:" + std::to_string(port) + "/events"},
         {"events", std::move(events)}},
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(made.status == 201, made.body);
    return {text(made.json().at("id")), text(made.json().at("secret"))};
}

/// Ids of the workflow-action deliveries of `event_type`, oldest first, from
/// the admin's action log (webhooks_action_deliveries_list over REST).
std::vector<std::string> delivery_ids(
    HttpClient& http, Deployment const& d, std::string const& event_type
) {
    auto r = http.send(
        "GET",
        "/api/v1/admin/workflow-actions/deliveries?limit=100&event_type=" + event_type,
        "",
        bearer(d.api_key)
    );
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto const body = r.json();
    std::vector<std::string> out;
    for (auto const& item : body.at("items").as_array()) {
        out.insert(out.begin(), text(item.at("id")));  // the log is newest first
    }
    return out;
}

json::object delivery_log(HttpClient& http, Deployment const& d, std::string const& id) {
    auto r = http.send("GET", "/api/v1/deliveries/" + id, "", bearer(d.api_key));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().as_object();
}

/// Waits until the only delivery of `event_type` has left `pending`; answers its log.
json::object settled_delivery(HttpClient& http, Deployment const& d, std::string const& type) {
    json::object log;
    REQUIRE(eventually([&] {
        auto ids = delivery_ids(http, d, type);
        if (ids.size() != 1) {
            return false;
        }
        log = delivery_log(http, d, ids[0]);
        return log.at("state") != "pending";
    }));
    return log;
}

/// The requests the receiver got carrying X-Signoff-Event `type`.
std::vector<Received> of_type(LocalReceiver const& rx, std::string const& type) {
    std::vector<Received> out;
    for (auto& r : rx.received()) {
        if (r.headers["x-signoff-event"] == type) {
            out.push_back(r);
        }
    }
    return out;
}

/// The member names of a JSON object, in order.
std::vector<std::string> keys_of(json::object const& o) {
    std::vector<std::string> out;
    for (auto const& kv : o) {
        out.emplace_back(kv.key());
    }
    return out;
}

/// A signoff-shaped, validly signed event body of `type` from `org`; its data.
json::object signed_data(Received const& got, Hook const& hook, std::string const& org) {
    CHECK(got.method == "POST");
    CHECK(got.target == "/events");
    CHECK(
        delivery::verify_signoff(
            got.headers.at("x-signoff-signature"), got.body, hook.secret, unix_now()
        ) == delivery::Verdict::kValid
    );
    auto body = json::parse(got.body).as_object();
    CHECK(keys_of(body) == std::vector<std::string>{"id", "type", "created_at", "org", "data"});
    CHECK(text(body.at("id")) == got.headers.at("x-signoff-delivery"));
    CHECK(text(body.at("type")) == got.headers.at("x-signoff-event"));
    CHECK(text(body.at("org")) == org);
    return body.at("data").as_object();
}

json::object email_action(json::array recipients) {
    return {{"type", "EMAIL"}, {"recipients", std::move(recipients)}};
}

}  // namespace

TEST_SUITE("e2e/events_actions") {
    TEST_CASE_TEMPLATE(
        "an EMAIL action mails its recipients once when the workflow is approved",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        signoff::testing::SmtpSink sink;
        ServerProcess srv{
            d,
            {"--smtp-relay",
             "127.0.0.1:" + std::to_string(sink.port),
             "--smtp-from",
             "signoff@acme.example"}};
        HttpClient http{srv.port()};
        ApprovalFlow a{http, d};
        auto tid =
            a.make_template("deploy", {email_action({"ops@acme.example", "lead@acme.example"})});
        // A rejection first: the action runs on APPROVED only (the default).
        CHECK(a.vote(a.start(tid, "Ship 1.1"), "VETO") == "REJECTED");
        auto const wid = a.start(tid, "Ship 1.2");
        CHECK(a.vote(wid, "APPROVE") == "APPROVED");

        // One action event in all: the rejection queued none.
        CHECK(db_count(d, "outbox WHERE event_type = 'workflow.action.email'") == 1);
        auto log = settled_delivery(http, d, "workflow.action.email");
        CHECK(log.at("state") == "delivered");
        CHECK(log.at("target") == "action_email");
        CHECK(log.at("endpoint_id").is_null());
        CHECK(log.at("attempts") == 1);
        REQUIRE(log.at("attempt_log").as_array().size() == 1);
        CHECK(log.at("attempt_log").at(0).at("error") == "");

        auto mails = sink.drain();
        REQUIRE(mails.size() == 1);
        auto const& m = mails[0];
        CHECK(m.at("from") == "signoff@acme.example");
        CHECK(m.at("to") == json::array{"ops@acme.example", "lead@acme.example"});
        std::string const data{m.at("data").as_string()};
        CHECK(data.find("\r\nTo: ops@acme.example, lead@acme.example\r\n") != std::string::npos);
        CHECK(
            data.find("\r\nSubject: Signoff: workflow \"Ship 1.2\" approved\r\n") !=
            std::string::npos
        );
        CHECK(
            data.find("The approval workflow \"Ship 1.2\" (" + wid + ") ended APPROVED.") !=
            std::string::npos
        );
    }

    TEST_CASE("without --smtp-relay an EMAIL action fails at once, saying why") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        ApprovalFlow a{http, d};
        auto tid = a.make_template("deploy", {email_action({"ops@acme.example"})});
        CHECK(a.vote(a.start(tid, "Ship 1.2"), "APPROVE") == "APPROVED");

        auto log = settled_delivery(http, d, "workflow.action.email");
        CHECK(log.at("state") == "failed");
        CHECK(log.at("attempts") == 1);
        CHECK(log.at("last_error") == "no SMTP relay configured (--smtp-relay)");
        REQUIRE(log.at("attempt_log").as_array().size() == 1);
        CHECK(log.at("attempt_log").at(0).at("error") == "no SMTP relay configured (--smtp-relay)");
        CHECK(log.at("attempt_log").at(0).at("status_code").is_null());
    }

    TEST_CASE("a relay refusing the recipients fails the EMAIL at once; deferring retries it") {
        auto d = bootstrap(signoff::testing::Backend::kSqlite);
        signoff::testing::SmtpSink sink;
        ServerProcess srv{
            d,
            {"--smtp-relay",
             "127.0.0.1:" + std::to_string(sink.port),
             "--delivery-retry-base-ms",
             "20"}};
        HttpClient http{srv.port()};
        ApprovalFlow a{http, d};
        auto refused = a.make_template("refused", {email_action({"reject@acme.example"})});
        CHECK(a.vote(a.start(refused, "Ship 1.2"), "APPROVE") == "APPROVED");
        auto log = settled_delivery(http, d, "workflow.action.email");
        CHECK(log.at("state") == "failed");
        CHECK(log.at("attempts") == 1);
        CHECK(text(log.at("last_error")).find("550 5.1.1 no such user") != std::string::npos);

        auto const first = text(log.at("id"));
        auto deferred = a.make_template("deferred", {email_action({"defer@acme.example"})});
        CHECK(a.vote(a.start(deferred, "Ship 1.3"), "APPROVE") == "APPROVED");
        REQUIRE(eventually([&] {
            auto ids = delivery_ids(http, d, "workflow.action.email");
            if (ids.size() != 2) {
                return false;
            }
            log = delivery_log(http, d, ids[0] == first ? ids[1] : ids[0]);
            return log.at("attempts").as_int64() >= 2;
        }));
        CHECK(log.at("state") == "pending");
        CHECK(text(log.at("last_error")).find("451 4.3.0 try again later") != std::string::npos);
        CHECK(sink.drain().empty());
    }

    TEST_CASE_TEMPLATE(
        "a WEBHOOK action sends its method and headers on the outcomes it names",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{signoff::testing::Answer{}};
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        ApprovalFlow a{http, d};
        std::string const base = "http://127.0.0.1:" + std::to_string(rx.port());
        auto tid = a.make_template(
            "deploy",
            {json::object{
                 {"type", "WEBHOOK"},
                 {"url", base + "/deploy?env=prod"},
                 {"method", "PUT"},
                 {"headers", {{"Authorization", "Bearer s3cret"}, {"X-Team", "sre"}}},
                 {"on", {"APPROVED", "REJECTED"}}},
             json::object{{"type", "WEBHOOK"}, {"url", base + "/approved-only"}}}
        );
        auto const approved = a.start(tid, "Ship 1.2");
        auto const rejected = a.start(tid, "Ship 1.3");
        CHECK(a.vote(approved, "APPROVE") == "APPROVED");
        CHECK(a.vote(rejected, "VETO") == "REJECTED");

        CHECK(db_count(d, "outbox WHERE event_type = 'workflow.action.webhook'") == 3);
        REQUIRE(eventually([&] { return rx.received().size() == 3; }));
        auto const org = org_id_of(d);
        std::map<std::string, Received> by_outcome;  // "<target> <outcome>"
        for (auto const& got : rx.received()) {
            CHECK(got.headers.at("x-signoff-event") == "workflow.action.webhook");
            CHECK(got.headers.count("x-signoff-signature") == 0);  // an action has no secret
            auto body = json::parse(got.body).as_object();
            CHECK(
                keys_of(body) == std::vector<std::string>{"id", "type", "created_at", "org", "data"}
            );
            CHECK(text(body.at("id")) == got.headers.at("x-signoff-delivery"));
            CHECK(body.at("type") == "workflow.action.webhook");
            CHECK(text(body.at("org")) == org);
            auto const& data = body.at("data").as_object();
            CHECK(text(data.at("workflow_template_id")) == tid);
            bool const yes = data.at("outcome") == "APPROVED";
            CHECK(text(data.at("workflow_id")) == (yes ? approved : rejected));
            CHECK(data.at("workflow_name") == (yes ? "Ship 1.2" : "Ship 1.3"));
            by_outcome[got.target + " " + text(data.at("outcome"))] = got;
        }
        REQUIRE(by_outcome.size() == 3);
        for (auto const* key : {"/deploy?env=prod APPROVED", "/deploy?env=prod REJECTED"}) {
            CAPTURE(key);
            REQUIRE(by_outcome.count(key) == 1);
            auto& got = by_outcome[key];
            CHECK(got.method == "PUT");
            CHECK(got.headers["authorization"] == "Bearer s3cret");  // the real value, unredacted
            CHECK(got.headers["x-team"] == "sre");
            CHECK(json::parse(got.body).at("data").at("action_index") == 0);
        }
        REQUIRE(by_outcome.count("/approved-only APPROVED") == 1);
        auto& plain = by_outcome["/approved-only APPROVED"];
        CHECK(plain.method == "POST");
        CHECK(plain.headers.count("x-team") == 0);
        CHECK(json::parse(plain.body).at("data").at("action_index") == 1);
        CHECK(json::parse(plain.body).at("data").at("action").at("on") == json::array{"APPROVED"});

        // The log shows all three delivered, each with one attempt.
        REQUIRE(eventually([&] {
            auto ids = delivery_ids(http, d, "workflow.action.webhook");
            return ids.size() == 3 && std::all_of(ids.begin(), ids.end(), [&](auto const& id) {
                       return delivery_log(http, d, id).at("state") == "delivered";
                   });
        }));
    }

    TEST_CASE_TEMPLATE(
        "workflow outcomes reach a subscribed integration, signed and naming the workflow",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{signoff::testing::Answer{}};
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        auto hook = integration(
            http,
            d,
            rx.port(),
            {"workflow.approved", "workflow.rejected", "workflow.expired", "workflow.canceled"}
        );
        // An action on EXPIRED only, at a receiver of its own.
        LocalReceiver action_rx{signoff::testing::Answer{}};
        ApprovalFlow a{http, d};
        auto const tid = a.make_template(
            "deploy",
            {json::object{
                {"type", "WEBHOOK"},
                {"url", "http://127.0.0.1:" + std::to_string(action_rx.port()) + "/expired"},
                {"on", {"EXPIRED"}}}}
        );
        auto const doomed_tid = a.make_template("retired", {});
        auto const approved = a.start(tid, "Ship 1.2");
        auto const rejected = a.start(tid, "Ship 1.3");
        auto const expired = a.start(tid, "Ship 1.4");
        auto const canceled = a.start(doomed_tid, "Ship 2.0");
        CHECK(a.vote(approved, "APPROVE") == "APPROVED");
        CHECK(a.vote(rejected, "VETO") == "REJECTED");
        // No clock flag exists: the workflow's deadline is moved into the past
        // in the database, and the binary's lazy expiry (run before every
        // workflow listing) ends it.
        auto db = signoff::storage::open_db(d.db_url);
        REQUIRE(db.has_value());
        {
            auto tx = (*db)->begin(signoff::storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto n = (*tx)->exec(
                "UPDATE workflows SET expires_at = '2000-01-01T00:00:00Z' WHERE id = $1", {expired}
            );
            REQUIRE(n.has_value());
            REQUIRE((*tx)->commit().has_value());
        }
        auto listed = http.send("GET", "/api/v1/workflows?status=EXPIRED", "", bearer(d.api_key));
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        REQUIRE(listed.json().at("data").as_array().size() == 1);
        CHECK(text(listed.json().at("data").at(0).at("id")) == expired);
        auto dep = http.rest(
            "POST",
            "/api/v1/workflow-templates/retired/deprecate",
            {{"cancelWorkflows", true}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(dep.status == 200, dep.body);

        REQUIRE(eventually([&] { return rx.received().size() == 4; }));
        auto const org = org_id_of(d);
        struct Want {
            char const* type;
            std::string wid;
            char const* name;
            char const* status;
        };
        for (auto const& w :
             {Want{"workflow.approved", approved, "Ship 1.2", "APPROVED"},
              Want{"workflow.rejected", rejected, "Ship 1.3", "REJECTED"},
              Want{"workflow.expired", expired, "Ship 1.4", "EXPIRED"},
              Want{"workflow.canceled", canceled, "Ship 2.0", "CANCELED"}}) {
            CAPTURE(w.type);
            auto got = of_type(rx, w.type);
            REQUIRE(got.size() == 1);
            auto data = signed_data(got[0], hook, org);
            CHECK(text(data.at("workflow_id")) == w.wid);
            CHECK(data.at("workflow_name") == w.name);
            CHECK(data.at("status") == w.status);
            CHECK(text(data.at("workflow_template_id")) == (w.wid == canceled ? doomed_tid : tid));
        }
        auto expired_data = json::parse(of_type(rx, "workflow.expired")[0].body).at("data");
        CHECK(expired_data.at("reason") == "expired");
        auto canceled_data = json::parse(of_type(rx, "workflow.canceled")[0].body).at("data");
        CHECK(text(canceled_data.at("reason")).find("cancelWorkflows") != std::string::npos);

        CHECK(db_count(d, "outbox WHERE event_type = 'workflow.action.webhook'") == 1);
        REQUIRE(eventually([&] { return action_rx.received().size() == 1; }));
        auto action = json::parse(action_rx.received()[0].body).at("data");
        CHECK(action.at("outcome") == "EXPIRED");
        CHECK(text(action.at("workflow_id")) == expired);

        REQUIRE(eventually([&] {
            auto r = http.send(
                "GET",
                "/api/v1/admin/integrations/" + hook.id + "/deliveries?state=delivered",
                "",
                bearer(d.api_key)
            );
            return r.status == 200 && r.json().at("items").as_array().size() == 4;
        }));
    }

    TEST_CASE_TEMPLATE(
        "publishing and deleting an auth reach a subscribed integration",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        LocalReceiver rx{signoff::testing::Answer{}};
        ServerProcess srv{d};
        HttpClient http{srv.port()};
        auto const root = bearer(d.api_key);
        auto hook = integration(http, d, rx.port(), {"auth.published", "auth.deleted"});

        auto created = http.rest(
            "POST",
            "/api/v5/artifacts/auths/create",
            {{"auths", json::array{json::object{{"name", "Payroll SSO"}}}}},
            root
        );
        REQUIRE_MESSAGE(created.status == 200, created.body);
        auto const result = created.json().at("results").at(0);
        REQUIRE_MESSAGE(result.at("success") == true, created.body);
        auto const auth_id = text(result.at("auth_id"));
        auto updated = http.rest(
            "POST",
            "/api/v5/artifacts/auths/update",
            {{"auths",
              json::array{json::object{
                  {"auth_id", auth_id}, {"expected_version", 1}, {"name", "Payroll"}}}}},
            root
        );
        REQUIRE_MESSAGE(updated.status == 200, updated.body);
        REQUIRE_MESSAGE(updated.json().at("results").at(0).at("success") == true, updated.body);
        auto deleted = http.rest(
            "POST", "/api/v5/artifacts/auths/delete", {{"auth_ids", json::array{auth_id}}}, root
        );
        REQUIRE_MESSAGE(deleted.status == 200, deleted.body);
        REQUIRE_MESSAGE(deleted.json().at("results").at(0).at("success") == true, deleted.body);

        REQUIRE(eventually([&] { return rx.received().size() == 3; }));
        auto const org = org_id_of(d);
        auto published = of_type(rx, "auth.published");
        REQUIRE(published.size() == 2);
        std::map<std::string, json::object> by_how;
        for (auto const& got : published) {
            auto data = signed_data(got, hook, org);
            CHECK(text(data.at("auth_id")) == auth_id);
            CHECK(text(data.at("actor").at("id")) == d.user_id);
            by_how[text(data.at("how"))] = data;
        }
        REQUIRE(by_how.count("created") == 1);
        CHECK(by_how["created"].at("version") == 1);
        CHECK(by_how["created"].at("name") == "Payroll SSO");
        REQUIRE(by_how.count("updated") == 1);
        CHECK(by_how["updated"].at("version") == 2);
        CHECK(by_how["updated"].at("name") == "Payroll");

        auto gone = of_type(rx, "auth.deleted");
        REQUIRE(gone.size() == 1);
        auto data = signed_data(gone[0], hook, org);
        CHECK(text(data.at("auth_id")) == auth_id);
        CHECK(data.at("name") == "Payroll");
        CHECK(data.at("version") == 2);
        CHECK(text(data.at("actor").at("id")) == d.user_id);
    }
}
