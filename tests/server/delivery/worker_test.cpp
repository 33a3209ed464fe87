// The delivery worker on both back ends with a FakeClock, a fake HttpSender
// and a fake MailSender: fan-out rules, signatures, the retry schedule, the
// 24 h horizon, 410 and 10-failure disabling, the lease guard, workflow
// actions (webhook and e-mail) and two workers racing on one database.
#include "server/delivery/worker.hpp"

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "server/approvals/template_actions.hpp"
#include "server/core/db_map.hpp"
#include "server/delivery/deliveries_service.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "tests/server/support/domain_fixture.hpp"
#include "tests/server/webhooks/fake_resolver.hpp"

using namespace signoff;
using namespace std::chrono_literals;
using server::core::Actor;
using server::delivery::Attempt;
using server::delivery::DeliveryWorker;
using server::delivery::HttpRequest;
using server::delivery::Recorded;
using server::delivery::WorkerOptions;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

/// Answers every request with `status` (settable) and keeps what it was sent.
class FakeSender final : public server::delivery::HttpSender {
public:
    Attempt send(HttpRequest const& r) override {
        std::lock_guard lock(mutex_);
        sent.push_back(r);
        return Attempt{status, 12ms, "ok \xff", status == 0 ? "timeout" : ""};
    }
    std::vector<HttpRequest> requests() {
        std::lock_guard lock(mutex_);
        return sent;
    }
    std::atomic<int> status{200};

private:
    std::mutex mutex_;
    std::vector<HttpRequest> sent;
};

class FakeMail final : public server::delivery::MailSender {
public:
    server::core::Status send(server::delivery::Email const& e) override {
        std::lock_guard lock(mutex_);
        mails.push_back(e);
        return {};
    }
    std::mutex mutex_;
    std::vector<server::delivery::Email> mails;
};

/// The largest draw: every back-off delay is its ceiling (10 s, 20 s, 40 s …).
class MaxRandom final : public server::delivery::RandomSource {
public:
    std::uint64_t next_u64() override { return ~std::uint64_t{0}; }
};

std::string header(HttpRequest const& r, std::string const& name) {
    for (auto const& h : r.headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return "";
}

struct World {
    explicit World(testing::Backend b, WorkerOptions opts = one_thread())
        : d(b),
          hooks(*d.tdb.db, d.clock, d.ids, dns, {}),
          worker(*d.tdb.db, d.clock, d.ids, http, &mail, vet(), random, std::move(opts)),
          log(*d.tdb.db, d.clock, d.ids) {
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        dns.table["intranet.example.com"] = {"10.20.30.40"};
        root = d.org_admin("acme", "root@acme.example");
        owner = d.member(root, "owner@acme.example");
        bob = d.member(root, "bob@acme.example");
        auto row = d.catalog.create_row(
            root,
            {"openai-team", "OpenAI Team", "Seat", owner.principal_id, std::string{"llm-backend"}}
        );
        REQUIRE(row.has_value());
    }

    static WorkerOptions one_thread() {
        WorkerOptions o;
        o.send_threads = 1;
        return o;
    }

    server::delivery::VetUrl vet() {
        return [this](std::string const& url) { return hooks.vet(url); };
    }

    /// An integration subscribed to `events`; answers (id, secret).
    std::pair<std::string, std::string> integration(
        std::string const& path, std::vector<std::string> events, std::string scheme = "signoff"
    ) {
        auto w = hooks.create_integration(
            root, {"int-" + path, std::nullopt, "https://hooks.example.com/" + path, events, scheme}
        );
        REQUIRE_MESSAGE(w.has_value(), w.error().message);
        return {w->webhook.id, *w->secret};
    }

    std::pair<std::string, std::string> mine(Actor const& a, std::string const& path) {
        server::webhooks::MyWebhookInput in{
            "https://hooks.example.com/" + path, {"*"}, std::nullopt, std::nullopt};
        auto w = hooks.set_mine(a, in);
        REQUIRE_MESSAGE(w.has_value(), w.error().message);
        return {w->webhook.id, *w->secret};
    }

    void assign(std::string const& email) {
        auto r = d.catalog.assign(root, "openai-team", email, {}, {});
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
    }

    server::delivery::RunReport run() {
        auto r = worker.run_once(d.clock.now());
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        return *r;
    }

    std::int64_t count(std::string const& sql, storage::Params const& p = {}) {
        return d.count(sql, p);
    }

    void emit(std::string const& type, std::string const& data) {
        server::events::Recorder rec{d.clock, d.ids};
        auto s = server::core::run_tx(*d.tdb.db, storage::TxMode::kWrite, [&](storage::Tx& tx) {
            std::string const payload =
                R"({"version":1,"type":")" + type + R"(","data":)" + data + "}";
            return rec.emit(tx, root.org_id, type, payload);
        });
        REQUIRE(s.has_value());
    }

    Domain d;
    testing::FakeResolver dns;
    server::webhooks::WebhooksService hooks;
    FakeSender http;
    FakeMail mail;
    MaxRandom random;
    DeliveryWorker worker;
    server::delivery::DeliveriesService log;
    Actor root, owner, bob;
};

std::string action_data(server::approvals::WorkflowAction const& a) {
    std::string const list = server::approvals::actions_to_json({a});
    return R"({"workflow_id":"w1","workflow_name":"Prod DB","outcome":"APPROVED","action":)" +
           list.substr(1, list.size() - 2) + "}";
}

}  // namespace

TEST_SUITE("server/delivery/worker") {
    TEST_CASE_TEMPLATE(
        "fan-out reaches subscribed integrations and the hooks of the row owner and the grantee",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto [all_id, all_secret] = w.integration("all", {"team_support.approved"});
        auto [flux_id, flux_secret] = w.integration("flux", {"*"}, "fluxdesk");
        w.integration("other", {"auth.deleted"});
        auto [owner_id, owner_secret] = w.mine(w.owner, "owner");
        auto [bob_id, bob_secret] = w.mine(w.bob, "bob");

        w.assign("bob@acme.example");
        auto r = w.run();
        CHECK(r.fanned_out == 1);
        CHECK(r.created == 4);
        CHECK(r.delivered == 4);
        std::map<std::string, std::string> secrets{
            {"/all", all_secret}, {"/owner", owner_secret}, {"/bob", bob_secret}};
        auto sent = w.http.requests();
        REQUIRE(sent.size() == 4);
        auto const now =
            std::chrono::duration_cast<std::chrono::seconds>(w.d.clock.now().time_since_epoch())
                .count();
        for (auto const& req : sent) {
            CHECK(req.addresses == std::vector<std::string>{"93.184.216.34"});
            CHECK(req.body.find(R"("slug":"openai-team")") != std::string::npos);
            CHECK(req.body.find("bob@acme.example") != std::string::npos);
            auto const path = req.url.substr(req.url.find(".com") + 4);
            if (path == "/flux") {
                CHECK(
                    server::delivery::verify_fluxdesk(
                        header(req, "X-FluxDesk-Signature"), req.body, flux_secret
                    ) == server::delivery::Verdict::kValid
                );
                continue;
            }
            REQUIRE(secrets.count(path) == 1);
            CHECK(
                server::delivery::verify_signoff(
                    header(req, "X-Signoff-Signature"), req.body, secrets[path], now
                ) == server::delivery::Verdict::kValid
            );
        }

        SUBCASE("the owner granted to themselves gets one delivery, not two") {
            w.assign("owner@acme.example");
            auto again = w.run();
            CHECK(again.created == 3);  // all, flux, owner once
        }
        SUBCASE("an event nobody wants is only marked") {
            w.emit("auth.published", R"({"auth_id":"a1"})");
            auto again = w.run();
            CHECK(again.fanned_out == 1);
            CHECK(again.created == 1);  // only the "*" integration
            w.emit("workflow.created", R"({"x":1})");
            again = w.run();
            CHECK(again.fanned_out == 1);
            CHECK(again.created == 0);
            CHECK(w.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0);
        }
    }

    TEST_CASE_TEMPLATE(
        "a failing receiver is retried on the back-off schedule; success resets the count",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto [id, secret] = w.integration("all", {"*"});
        w.http.status = 500;
        w.assign("bob@acme.example");
        CHECK(w.run().retried == 1);
        w.d.clock.advance(9s);
        CHECK(w.run().claimed == 0);  // due at +10 s
        w.d.clock.advance(1s);
        CHECK(w.run().retried == 1);
        w.d.clock.advance(19s);
        CHECK(w.run().claimed == 0);  // due 20 s after the second attempt
        w.d.clock.advance(1s);
        CHECK(w.run().retried == 1);
        CHECK(
            w.count("SELECT consecutive_failures FROM webhook_endpoints WHERE id = $1", {id}) == 3
        );
        w.http.status = 204;
        w.d.clock.advance(40s);
        CHECK(w.run().delivered == 1);
        CHECK(
            w.count("SELECT consecutive_failures FROM webhook_endpoints WHERE id = $1", {id}) == 0
        );
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts") == 4);
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts WHERE status_code = 500") == 3);
        CHECK(w.count("SELECT attempts FROM webhook_deliveries") == 4);
        // The answer's bad byte is stored replaced, so the log is valid UTF-8.
        CHECK(
            w.d.text("SELECT answer_head FROM webhook_attempts WHERE attempt_no = 1", {}) ==
            "ok \xEF\xBF\xBD"
        );
    }

    TEST_CASE_TEMPLATE(
        "a delivery still failing at the horizon is failed for good",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        WorkerOptions opts = World::one_thread();
        opts.backoff.horizon = 60s;  // 10 s, 20 s, then 40 s would pass it
        World w{T::kBackend, opts};
        w.integration("all", {"*"});
        w.http.status = 0;  // no answer (timeout)
        w.assign("bob@acme.example");
        CHECK(w.run().retried == 1);
        w.d.clock.advance(10s);
        CHECK(w.run().retried == 1);
        w.d.clock.advance(20s);
        CHECK(w.run().failed == 1);
        CHECK(w.d.text("SELECT state FROM webhook_deliveries", {}) == "failed");
        CHECK(w.d.text("SELECT error FROM webhook_attempts WHERE attempt_no = 3", {}) == "timeout");
        w.d.clock.advance(1h);
        CHECK(w.run().claimed == 0);
    }

    TEST_CASE_TEMPLATE(
        "410 disables the endpoint at once and emits webhook.disabled",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto [id, secret] = w.integration("gone", {"team_support.approved"});
        auto [watch_id, watch_secret] = w.integration("watch", {"webhook.disabled"});
        w.http.status = 410;
        w.assign("bob@acme.example");
        auto r = w.run();
        CHECK(r.failed == 1);
        CHECK(r.disabled == 1);
        CHECK(w.count("SELECT enabled FROM webhook_endpoints WHERE id = $1", {id}) == 0);
        CHECK(w.count("SELECT COUNT(*) FROM outbox WHERE event_type = 'webhook.disabled'") == 1);
        CHECK(
            w.count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'webhooks.endpoint.disabled' "
                "AND target_id = $1",
                {id}
            ) == 1
        );
        w.http.status = 200;
        auto next = w.run();  // the disabled event reaches the integration watching for it
        CHECK(next.created == 1);
        CHECK(next.delivered == 1);
        CHECK(w.http.requests().back().url == "https://hooks.example.com/watch");
        CHECK(w.http.requests().back().body.find(id) != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "webhook.disabled reaches the admins' own hooks, not other members' ones",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto second_admin = w.d.member(w.root, "second@acme.example", "admin");
        auto hr = w.d.member(w.root, "hr@acme.example", "hr_admin");
        auto [root_hook, root_secret] = w.mine(w.root, "root");
        auto [second_hook, second_secret] = w.mine(second_admin, "second");
        auto [member_hook, member_secret] = w.mine(w.owner, "owner");
        auto [hr_hook, hr_secret] = w.mine(hr, "hr");
        // An admin whose hook does not subscribe to it hears nothing either.
        auto quiet_admin = w.d.member(w.root, "quiet@acme.example", "admin");
        server::webhooks::MyWebhookInput quiet{
            "https://hooks.example.com/quiet",
            {"team_support.approved"},
            std::nullopt,
            std::nullopt};
        REQUIRE(w.hooks.set_mine(quiet_admin, quiet).has_value());

        w.emit("webhook.disabled", R"({"endpoint_id":"x","reason":"410"})");
        auto r = w.run();
        CHECK(r.created == 2);
        CHECK(r.delivered == 2);
        std::set<std::string> urls;
        for (auto const& req : w.http.requests()) {
            urls.insert(req.url);
        }
        CHECK(
            urls ==
            std::set<std::string>{
                "https://hooks.example.com/root", "https://hooks.example.com/second"}
        );
    }

    TEST_CASE_TEMPLATE(
        "an event whose payload cannot be read is set aside and blocks nothing behind it",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        WorkerOptions opts = World::one_thread();
        opts.fanout_batch = 1;  // the bad event alone fills the first batch
        World w{T::kBackend, opts};
        w.integration("all", {"team_support.approved"});
        server::events::Recorder rec{w.d.clock, w.d.ids};
        auto bad = server::core::run_tx(*w.d.tdb.db, storage::TxMode::kWrite, [&](storage::Tx& tx) {
            return rec.emit(tx, w.root.org_id, "team_support.approved", "not json at all");
        });
        REQUIRE(bad.has_value());
        w.assign("bob@acme.example");

        auto first = w.run();
        CHECK(first.fanned_out == 1);
        CHECK(first.created == 0);
        CHECK(
            w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.event.set_aside' AND "
                    "target_type = 'outbox_event' AND actor_kind = 'system'") == 1
        );
        auto second = w.run();
        CHECK(second.created == 1);
        CHECK(second.delivered == 1);
        CHECK(w.http.requests().size() == 1);
        CHECK(w.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0);
    }

    TEST_CASE_TEMPLATE(
        "10 failed attempts in a row disable the endpoint; later deliveries to it fail",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto [id, secret] = w.integration("flaky", {"*"});
        w.http.status = 503;
        w.assign("bob@acme.example");
        std::int64_t disabled = 0;
        for (int i = 0; i < 10; ++i) {
            disabled += w.run().disabled;
            CHECK(
                w.count("SELECT enabled FROM webhook_endpoints WHERE id = $1", {id}) ==
                (i < 9 ? 1 : 0)
            );
            w.d.clock.advance(2h);
        }
        CHECK(disabled == 1);
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts") == 10);
        CHECK(
            w.d.text("SELECT disabled_reason FROM webhook_endpoints WHERE id = $1", {id}) ==
            "10 consecutive failed attempts"
        );
        auto after = w.run();  // the pending delivery meets a disabled endpoint
        CHECK(after.failed == 1);
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts") == 10);
    }

    TEST_CASE_TEMPLATE(
        "a stale leaseholder's record is refused; the new holder's counts",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        w.integration("all", {"*"});
        w.assign("bob@acme.example");
        auto fanned = w.worker.fan_out(w.d.clock.now());
        REQUIRE(fanned.has_value());
        auto a = w.worker.claim(w.d.clock.now());
        REQUIRE(a.has_value());
        REQUIRE(a->size() == 1);
        CHECK(w.worker.claim(w.d.clock.now())->empty());  // leased: nobody else gets it

        WorkerOptions opts = World::one_thread();
        opts.worker_id = "other";
        DeliveryWorker other{
            *w.d.tdb.db, w.d.clock, w.d.ids, w.http, nullptr, w.vet(), w.random, opts};
        w.d.clock.advance(61s);  // the first lease expired
        auto b = other.claim(w.d.clock.now());
        REQUIRE(b.has_value());
        REQUIRE(b->size() == 1);
        CHECK(w.worker.deliver(a->front(), w.d.clock.now()).value() == Recorded::kLeaseLost);
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts") == 0);
        CHECK(other.deliver(b->front(), w.d.clock.now()).value() == Recorded::kDelivered);
        CHECK(w.count("SELECT COUNT(*) FROM webhook_attempts") == 1);
        CHECK(w.d.text("SELECT state FROM webhook_deliveries", {}) == "delivered");
    }

    TEST_CASE_TEMPLATE(
        "workflow WEBHOOK actions are vetted at send time and EMAIL actions are mailed",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        server::approvals::WorkflowAction hook;
        hook.kind = server::approvals::ActionKind::kWebhook;
        hook.url = "https://hooks.example.com/action";
        hook.method = "PUT";
        hook.headers = std::vector<std::pair<std::string, std::string>>{{"X-Team", "db"}};
        hook.on = {"APPROVED"};
        w.emit("workflow.action.webhook", action_data(hook));
        hook.url = "https://intranet.example.com/action";
        w.emit("workflow.action.webhook", action_data(hook));
        server::approvals::WorkflowAction mail;
        mail.kind = server::approvals::ActionKind::kEmail;
        mail.recipients = std::vector<std::string>{"ops@acme.example"};
        mail.on = {"APPROVED"};
        w.emit("workflow.action.email", action_data(mail));

        auto r = w.run();
        CHECK(r.created == 3);
        CHECK(r.delivered == 2);
        CHECK(r.retried == 1);  // the private address is refused, and logged
        auto sent = w.http.requests();
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].method == "PUT");
        CHECK(header(sent[0], "X-Team") == "db");
        CHECK(
            w.count("SELECT COUNT(*) FROM webhook_attempts WHERE error LIKE 'refused by the URL "
                    "policy%'") == 1
        );
        REQUIRE(w.mail.mails.size() == 1);
        CHECK(w.mail.mails[0].to == std::vector<std::string>{"ops@acme.example"});
        CHECK(w.mail.mails[0].subject == "Signoff: workflow \"Prod DB\" approved");
    }

    TEST_CASE_TEMPLATE(
        "two workers on one database never send the same attempt twice",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        w.integration("all", {"team_support.approved"});
        for (int i = 0; i < 30; ++i) {
            w.assign("user" + std::to_string(i) + "@acme.example");
        }
        auto second_db = storage::open_db(w.d.tdb.url);
        REQUIRE(second_db.has_value());
        WorkerOptions opts;
        opts.claim_batch = 4;
        opts.fanout_batch = 3;
        opts.send_threads = 2;
        opts.worker_id = "a";
        DeliveryWorker a{*w.d.tdb.db, w.d.clock, w.d.ids, w.http, nullptr, w.vet(), w.random, opts};
        opts.worker_id = "b";
        DeliveryWorker b{**second_db, w.d.clock, w.d.ids, w.http, nullptr, w.vet(), w.random, opts};
        auto drive = [&](DeliveryWorker& worker) {
            for (int i = 0; i < 40; ++i) {
                auto r = worker.run_once(w.d.clock.now());
                CHECK(r.has_value());
            }
        };
        std::thread ta{[&] { drive(a); }};
        std::thread tb{[&] { drive(b); }};
        ta.join();
        tb.join();
        drive(a);  // whatever a busy database made either skip
        std::map<std::string, int> per_event;
        for (auto const& req : w.http.requests()) {
            ++per_event[header(req, "X-Signoff-Delivery")];
        }
        CHECK(per_event.size() == 30);
        for (auto const& [event, n] : per_event) {
            CHECK_MESSAGE(n == 1, event);
        }
        CHECK(w.count("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'") == 30);
    }

    TEST_CASE_TEMPLATE(
        "the delivery log lists attempts per endpoint to its owner or admins, and redelivers",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        auto [int_id, int_secret] = w.integration("all", {"*"});
        auto [bob_id, bob_secret] = w.mine(w.bob, "bob");
        w.http.status = 500;
        w.assign("bob@acme.example");
        w.run();
        w.http.status = 200;
        w.d.clock.advance(10s);
        w.run();
        w.d.clock.advance(1s);
        w.assign("owner@acme.example");  // a second event for the integration only
        w.run();

        server::delivery::DeliveryQuery q;
        auto page = w.log.list_for_endpoint(w.root, int_id, q);
        REQUIRE_MESSAGE(page.has_value(), page.error().message);
        REQUIRE(page->items.size() == 2);
        auto const& first = page->items[1];  // newest first
        CHECK(first.delivery.state == "delivered");
        REQUIRE(first.attempts.size() == 2);
        CHECK(first.attempts[0].status_code == 500);
        CHECK(first.attempts[1].status_code == 200);
        CHECK(first.attempts[1].latency_ms == 12);

        q.limit = 1;
        auto p1 = w.log.list_for_endpoint(w.root, int_id, q).value();
        REQUIRE(p1.next_cursor.has_value());
        q.cursor = p1.next_cursor;
        auto p2 = w.log.list_for_endpoint(w.root, int_id, q).value();
        REQUIRE(p2.items.size() == 1);
        CHECK(p2.items[0].delivery.id == first.delivery.id);
        CHECK_FALSE(p2.next_cursor.has_value());

        server::delivery::DeliveryQuery failed;
        failed.state = "failed";
        CHECK(w.log.list_for_endpoint(w.root, int_id, failed).value().items.empty());
        failed.state = "lost";
        CHECK(
            w.log.list_for_endpoint(w.root, int_id, failed).error().details.at(0).field == "state"
        );

        // bob sees his own hook's log, not the integration's; the owner has no hook.
        auto mine = w.log.list_mine(w.bob, {});
        REQUIRE(mine.has_value());
        REQUIRE(mine->items.size() == 1);
        CHECK(
            w.log.list_for_endpoint(w.bob, int_id, {}).error().kind ==
            server::core::ErrorKind::kPermissionDenied
        );
        CHECK(
            w.log.get(w.owner, mine->items[0].delivery.id).error().kind ==
            server::core::ErrorKind::kPermissionDenied
        );
        CHECK(w.log.list_mine(w.owner, {}).error().kind == server::core::ErrorKind::kNotFound);
        CHECK(
            w.log.get(w.root, mine->items[0].delivery.id).error().kind ==
            server::core::ErrorKind::kPermissionDenied
        );

        auto again = w.log.redeliver(w.root, first.delivery.id);
        REQUIRE_MESSAGE(again.has_value(), again.error().message);
        CHECK(again->delivery.id != first.delivery.id);
        CHECK(again->delivery.state == "pending");
        CHECK(again->delivery.event_id == first.delivery.event_id);
        CHECK(
            w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhooks.delivery.redelivered'"
            ) == 1
        );
        auto before = w.http.requests().size();
        CHECK(w.run().delivered == 1);
        REQUIRE(w.http.requests().size() == before + 1);
        CHECK(header(w.http.requests().back(), "X-Signoff-Delivery") == first.delivery.event_id);
        CHECK(w.log.get(w.root, again->delivery.id).value().attempts.size() == 1);
    }
}
