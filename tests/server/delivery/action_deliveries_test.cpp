// The workflow-action delivery log (DeliveriesService::list_actions) on both
// back ends: action events fanned out by the real worker (fake HTTP and mail
// senders, FakeClock), then listed by kind, workflow, state, type and time,
// paged by cursor, refused to members, and kept to the caller's org.
#include <doctest/doctest.h>

#include "server/approvals/template_actions.hpp"
#include "server/core/db_map.hpp"
#include "server/delivery/deliveries_service.hpp"
#include "server/delivery/worker.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "tests/server/support/domain_fixture.hpp"
#include "tests/server/webhooks/fake_resolver.hpp"

using namespace signoff;
using namespace std::chrono_literals;
using server::approvals::ActionKind;
using server::approvals::WorkflowAction;
using server::core::Actor;
using server::core::ErrorKind;
using server::delivery::ActionDeliveryQuery;
using server::delivery::DeliveryPage;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

/// Answers 500 to URLs with "/fail" in them and 200 to the rest.
class PathSender final : public server::delivery::HttpSender {
public:
    server::delivery::Attempt send(server::delivery::HttpRequest const& r) override {
        int const status = r.url.find("/fail") == std::string::npos ? 200 : 500;
        return server::delivery::Attempt{status, 5ms, "answer", ""};
    }
};

class OkMail final : public server::delivery::MailSender {
public:
    server::core::Status send(server::delivery::Email const&) override { return {}; }
};

class MaxRandom final : public server::delivery::RandomSource {
public:
    std::uint64_t next_u64() override { return ~std::uint64_t{0}; }
};

server::delivery::WorkerOptions one_thread() {
    server::delivery::WorkerOptions o;
    o.send_threads = 1;
    return o;
}

struct World {
    explicit World(testing::Backend b)
        : d(b),
          hooks(*d.tdb.db, d.clock, d.ids, dns, {}),
          worker(
              *d.tdb.db,
              d.clock,
              d.ids,
              http,
              &mail,
              [this](std::string const& url) { return hooks.vet(url); },
              random,
              one_thread()
          ),
          log(*d.tdb.db, d.clock, d.ids) {
        dns.table["hooks.example.com"] = {"93.184.216.34"};
        root = d.org_admin("acme", "root@acme.example");
        admin = d.member(root, "admin@acme.example", "admin");
        member = d.member(root, "member@acme.example");
        other = d.org_admin("globex", "root@globex.example");
    }

    /// Emits one workflow.action.<kind> event for `workflow_id` in `org`'s
    /// organization, then lets the worker fan it out and send it.
    void action(Actor const& org, ActionKind kind, std::string const& workflow_id, bool fail) {
        WorkflowAction a;
        a.kind = kind;
        a.on = {"APPROVED"};
        if (kind == ActionKind::kWebhook) {
            a.url = std::string{"https://hooks.example.com/"} + (fail ? "fail" : "ok");
        } else {
            a.recipients = std::vector<std::string>{"ops@acme.example"};
        }
        std::string const list = server::approvals::actions_to_json({a});
        std::string const type =
            kind == ActionKind::kWebhook ? "workflow.action.webhook" : "workflow.action.email";
        std::string const payload = R"({"version":1,"type":")" + type +
                                    R"(","data":{"workflow_id":")" + workflow_id +
                                    R"(","workflow_name":"Deploy","outcome":"APPROVED","action":)" +
                                    list.substr(1, list.size() - 2) + "}}";
        server::events::Recorder rec{d.clock, d.ids};
        auto s = server::core::run_tx(*d.tdb.db, storage::TxMode::kWrite, [&](storage::Tx& tx) {
            return rec.emit(tx, org.org_id, type, payload);
        });
        REQUIRE(s.has_value());
        run();
    }

    void run() {
        auto r = worker.run_once(d.clock.now());
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
    }

    DeliveryPage list(ActionDeliveryQuery const& q, Actor const* who = nullptr) {
        auto page = log.list_actions(who == nullptr ? root : *who, q);
        REQUIRE_MESSAGE(page.has_value(), page.error().message);
        return *page;
    }

    std::vector<std::string> ids(ActionDeliveryQuery const& q) {
        std::vector<std::string> out;
        for (auto const& v : list(q).items) {
            out.push_back(v.delivery.id);
        }
        return out;
    }

    /// The field a refused list names.
    std::string refused_field(ActionDeliveryQuery const& q) {
        auto page = log.list_actions(root, q);
        REQUIRE_FALSE(page.has_value());
        CHECK(page.error().kind == ErrorKind::kInvalidArgument);
        REQUIRE(page.error().details.size() == 1);
        return page.error().details[0].field;
    }

    testing::Domain d;
    testing::FakeResolver dns;
    server::webhooks::WebhooksService hooks;
    PathSender http;
    OkMail mail;
    MaxRandom random;
    server::delivery::DeliveryWorker worker;
    server::delivery::DeliveriesService log;
    Actor root, admin, member, other;
};

ActionDeliveryQuery by_kind(std::string kind) {
    ActionDeliveryQuery q;
    q.kind = std::move(kind);
    return q;
}

ActionDeliveryQuery by_workflow(std::string id) {
    ActionDeliveryQuery q;
    q.workflow_id = std::move(id);
    return q;
}

constexpr char const* kWfA = "0190aaaa-0000-7000-8000-00000000000a";
constexpr char const* kWfB = "0190bbbb-0000-7000-8000-00000000000b";

}  // namespace

TEST_SUITE("server/delivery/action_deliveries") {
    TEST_CASE_TEMPLATE(
        "the workflow-action log filters by kind, workflow, state, type and time, newest first",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        // An integration's delivery in the same org must stay out of the action log.
        auto hook = w.hooks.create_integration(
            w.root, {"siem", std::nullopt, "https://hooks.example.com/siem", {"*"}, "signoff"}
        );
        REQUIRE_MESSAGE(hook.has_value(), hook.error().message);
        w.action(w.root, ActionKind::kWebhook, kWfA, false);
        auto const second_at = w.d.clock.now() + 1s;
        w.d.clock.advance(1s);
        w.action(w.root, ActionKind::kEmail, kWfA, false);
        w.d.clock.advance(1s);
        w.action(w.root, ActionKind::kWebhook, kWfB, true);
        w.d.clock.advance(1s);
        server::events::Recorder rec{w.d.clock, w.d.ids};
        auto s = server::core::run_tx(*w.d.tdb.db, storage::TxMode::kWrite, [&](storage::Tx& tx) {
            return rec.emit(
                tx,
                w.root.org_id,
                "workflow.approved",
                R"({"version":1,"type":"workflow.approved","data":{"workflow_id":")" +
                    std::string{kWfB} + R"("}})"
            );
        });
        REQUIRE(s.has_value());
        w.run();
        CHECK(
            w.d.count("SELECT COUNT(*) FROM webhook_deliveries WHERE target = 'endpoint'", {}) == 1
        );

        auto all = w.list({});
        REQUIRE(all.items.size() == 3);
        CHECK_FALSE(all.next_cursor.has_value());
        auto const& newest = all.items[0];
        CHECK(newest.delivery.target == "action_webhook");
        CHECK(newest.delivery.workflow_id == std::optional<std::string>{kWfB});
        CHECK(newest.delivery.state == "pending");  // 500: retried later
        REQUIRE(newest.attempts.size() == 1);
        CHECK(newest.attempts[0].status_code == 500);
        CHECK(all.items[1].delivery.target == "action_email");
        CHECK(all.items[1].delivery.state == "delivered");
        CHECK(all.items[2].delivery.target == "action_webhook");
        CHECK(all.items[2].delivery.workflow_id == std::optional<std::string>{kWfA});
        for (auto const& v : all.items) {
            CHECK_FALSE(v.delivery.endpoint_id.has_value());
        }

        auto const id = [&](std::size_t i) { return all.items[i].delivery.id; };
        using Ids = std::vector<std::string>;
        CHECK(w.ids(by_kind("webhook")) == Ids{id(0), id(2)});
        CHECK(w.ids(by_kind("email")) == Ids{id(1)});
        CHECK(w.ids(by_workflow(kWfA)) == Ids{id(1), id(2)});
        CHECK(w.ids(by_workflow(kWfB)) == Ids{id(0)});
        CHECK(w.ids(by_workflow("0190AAAA-0000-7000-8000-00000000000A")) == Ids{id(1), id(2)});
        CHECK(w.ids(by_workflow("0190cccc-0000-7000-8000-00000000000c")).empty());
        auto q = by_kind("webhook");
        q.workflow_id = kWfA;
        CHECK(w.ids(q) == Ids{id(2)});

        ActionDeliveryQuery st;
        st.common.state = "pending";
        CHECK(w.ids(st) == Ids{id(0)});
        st.common.state = "delivered";
        CHECK(w.ids(st) == Ids{id(1), id(2)});
        ActionDeliveryQuery type;
        type.common.event_type = "workflow.action.email";
        CHECK(w.ids(type) == Ids{id(1)});
        ActionDeliveryQuery from;
        from.common.from = server::core::to_rfc3339(second_at);
        CHECK(w.ids(from) == Ids{id(0), id(1)});
        ActionDeliveryQuery to;
        to.common.to = server::core::to_rfc3339(second_at);
        CHECK(w.ids(to) == Ids{id(2)});
    }

    TEST_CASE_TEMPLATE(
        "the workflow-action log pages by cursor and refuses bad input by field",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        for (int i = 0; i < 5; ++i) {
            w.action(w.root, i % 2 == 0 ? ActionKind::kWebhook : ActionKind::kEmail, kWfA, false);
            if (i != 2) {
                w.d.clock.advance(1s);  // two share a second: the id breaks the tie
            }
        }
        auto const all = w.ids({});
        REQUIRE(all.size() == 5);
        std::vector<std::string> paged;
        ActionDeliveryQuery q;
        q.common.limit = 2;
        int pages = 0;
        for (;;) {
            auto page = w.list(q);
            ++pages;
            for (auto const& v : page.items) {
                paged.push_back(v.delivery.id);
            }
            if (!page.next_cursor) {
                break;
            }
            REQUIRE(page.items.size() == 2);
            q.common.cursor = page.next_cursor;
        }
        CHECK(pages == 3);
        CHECK(paged == all);

        CHECK(w.refused_field(by_kind("sms")) == "kind");
        CHECK(w.refused_field(by_kind("WEBHOOK")) == "kind");
        ActionDeliveryQuery bad;
        bad.common.limit = 0;
        CHECK(w.refused_field(bad) == "limit");
        bad.common.limit = 101;
        CHECK(w.refused_field(bad) == "limit");
        bad = {};
        for (auto const* cursor : {"garbage", "yesterday|abc", "2026-01-01T00:00:00Z|"}) {
            CAPTURE(cursor);
            bad.common.cursor = cursor;
            CHECK(w.refused_field(bad) == "cursor");
        }
        bad = {};
        bad.common.state = "lost";
        CHECK(w.refused_field(bad) == "state");
        bad = {};
        bad.common.from = "last week";
        CHECK(w.refused_field(bad) == "from");
    }

    TEST_CASE_TEMPLATE(
        "the workflow-action log is for admins of the caller's org only",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w{T::kBackend};
        w.action(w.root, ActionKind::kWebhook, kWfA, true);
        w.d.clock.advance(1s);
        w.action(w.other, ActionKind::kWebhook, kWfA, false);  // same workflow id, other org

        auto mine = w.list({});
        REQUIRE(mine.items.size() == 1);
        CHECK(mine.items[0].delivery.org_id == w.root.org_id);
        CHECK(w.list({}, &w.admin).items.size() == 1);
        auto theirs = w.list(by_workflow(kWfA), &w.other);
        REQUIRE(theirs.items.size() == 1);
        CHECK(theirs.items[0].delivery.org_id == w.other.org_id);
        CHECK(theirs.items[0].delivery.id != mine.items[0].delivery.id);
        CHECK(w.log.get(w.other, mine.items[0].delivery.id).error().kind == ErrorKind::kNotFound);

        auto refused = w.log.list_actions(w.member, {});
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == ErrorKind::kPermissionDenied);
        // Permission comes before input checks: a member learns nothing from a bad filter.
        CHECK(
            w.log.list_actions(w.member, by_kind("sms")).error().kind ==
            ErrorKind::kPermissionDenied
        );

        // A redelivery keeps the workflow, so it is listed under it too.
        auto again = w.log.redeliver(w.root, mine.items[0].delivery.id);
        REQUIRE_MESSAGE(again.has_value(), again.error().message);
        CHECK(again->delivery.workflow_id == std::optional<std::string>{kWfA});
        auto under = w.list(by_workflow(kWfA));
        REQUIRE(under.items.size() == 2);
        CHECK(under.items[0].delivery.id == again->delivery.id);
    }
}
