// CatalogService on both back ends: rows, the approval state machine, role
// checks, expiry (lazy and timed, with FakeClock), audit + outbox written in the
// same transaction as the change, org isolation and concurrent assigns.
#include "server/catalog/catalog_service.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::catalog::Approval;
using server::catalog::Expiry;
using server::core::Actor;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kOutboxOfType = "SELECT COUNT(*) FROM outbox WHERE org_id = $1 AND event_type = $2";
constexpr auto kAuditOfAction = "SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = $2";

struct Org {
    Actor root;   // super_admin
    Actor hr;     // hr_admin
    Actor owner;  // member who owns the row
    Actor bob;    // member
};

Org make_org(Domain& d, std::string const& name, Channel ch = Channel::kRest) {
    Org o;
    o.root = d.org_admin(name, "root@" + name + ".example", ch);
    o.hr = d.member(o.root, "hr@" + name + ".example", "hr_admin", ch);
    o.owner = d.member(o.root, "owner@" + name + ".example", "member", ch);
    o.bob = d.member(o.root, "bob@" + name + ".example", "member", ch);
    auto row = d.catalog.create_row(
        o.root,
        {"openai-team",
         "OpenAI Team",
         "Seat on the team plan",
         o.owner.principal_id,
         std::string{"llm-backend"}}
    );
    REQUIRE_MESSAGE(row.has_value(), row.error().message);
    return o;
}

std::int64_t events(Domain& d, Actor const& a, char const* type) {
    return d.count(kOutboxOfType, {a.org_id, std::string{type}});
}

/// Wraps a Db and fails any statement containing `needle`: a later step of a
/// transaction failing, to prove nothing of the earlier steps stays.
class FailingDb final : public storage::Db {
public:
    FailingDb(storage::Db& inner, std::string needle) : inner_(inner), needle_(std::move(needle)) {}
    storage::DbResult<std::unique_ptr<storage::Tx>> begin(storage::TxMode mode) override {
        auto tx = inner_.begin(mode);
        if (!tx) {
            return tx.error();
        }
        return std::unique_ptr<storage::Tx>{new FailingTx(std::move(*tx), needle_)};
    }
    std::string_view dialect() const override { return inner_.dialect(); }

private:
    class FailingTx final : public storage::Tx {
    public:
        FailingTx(std::unique_ptr<storage::Tx> tx, std::string const& needle)
            : tx_(std::move(tx)), needle_(needle) {}
        storage::DbResult<storage::Rows> query(std::string_view sql, storage::Params const& p)
            override {
            if (sql.find(needle_) != std::string_view::npos) {
                return storage::DbError{storage::DbErrorKind::kOther, "injected", ""};
            }
            return tx_->query(sql, p);
        }
        storage::DbResult<std::int64_t> exec(std::string_view sql, storage::Params const& p)
            override {
            if (sql.find(needle_) != std::string_view::npos) {
                return storage::DbError{storage::DbErrorKind::kOther, "injected", ""};
            }
            return tx_->exec(sql, p);
        }
        storage::DbStatus exec_script(std::string_view sql) override {
            return tx_->exec_script(sql);
        }
        storage::DbStatus commit() override { return tx_->commit(); }

    private:
        std::unique_ptr<storage::Tx> tx_;
        std::string needle_;
    };

    storage::Db& inner_;
    std::string needle_;
};

}  // namespace

TEST_SUITE("server/catalog/catalog_service") {
    TEST_CASE_TEMPLATE(
        "rows: admins write, members read, slug unique, categories kept",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        auto dup = d.catalog.create_row(o.root, {"openai-team", "Again", "", {}, {}});
        CHECK(dup.error().kind == ErrorKind::kAlreadyExists);
        CHECK(
            d.catalog.create_row(o.hr, {"vpn", "VPN", "", {}, {}}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            d.catalog.create_row(o.bob, {"vpn", "VPN", "", {}, {}}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        auto bad = d.catalog.create_row(o.root, {"Bad Slug", "x", "", {}, {}});
        CHECK(bad.error().kind == ErrorKind::kInvalidArgument);
        CHECK(bad.error().details.at(0).field == "slug");
        auto ghost = d.catalog.create_row(o.root, {"vpn", "VPN", "", std::string{"nobody"}, {}});
        CHECK(ghost.error().details.at(0).field == "owner_user_id");
        auto legacy =
            d.catalog.create_row(o.root, {"vpn", "VPN", "", {}, std::string{"🔑 Old Keys"}});
        REQUIRE(legacy.has_value());
        CHECK(legacy->category == "🔑 Old Keys");

        auto got = d.catalog.get_row(o.bob, "openai-team");
        REQUIRE(got.has_value());
        CHECK(got->category == "llm-backend");
        CHECK(got->owner_user_id == o.owner.principal_id);
        CHECK(got->version == 1);
        auto page = d.catalog.list_rows(o.bob, {1, {}, {}}).value();
        CHECK(page.total_count == 2);
        REQUIRE(page.items.size() == 1);
        CHECK(page.items[0].slug == "openai-team");
        REQUIRE(page.next_cursor.has_value());
        auto rest = d.catalog.list_rows(o.bob, {1, page.next_cursor, {}}).value();
        REQUIRE(rest.items.size() == 1);
        CHECK(rest.items[0].slug == "vpn");
        CHECK_FALSE(rest.next_cursor.has_value());
    }

    TEST_CASE_TEMPLATE(
        "row update checks expected_version and can clear fields", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        server::catalog::RowPatch p;
        p.display_name = "OpenAI";
        p.category = std::optional<std::string>{};
        p.expected_version = 1;
        auto up = d.catalog.update_row(o.root, "openai-team", p);
        REQUIRE(up.has_value());
        CHECK(up->version == 2);
        CHECK(up->display_name == "OpenAI");
        CHECK_FALSE(up->category.has_value());
        auto stale = d.catalog.update_row(o.root, "openai-team", p);
        REQUIRE(stale.has_error());
        CHECK(stale.error().kind == ErrorKind::kConflict);
        CHECK(stale.error().message.find("current version is 2") != std::string::npos);
        CHECK(d.catalog.get_row(o.root, "openai-team")->display_name == "OpenAI");
        CHECK(
            d.catalog.update_row(o.bob, "openai-team", {}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(d.catalog.update_row(o.root, "nope", {}).error().kind == ErrorKind::kNotFound);
    }

    TEST_CASE_TEMPLATE(
        "a row with live grants cannot be deleted until they are revoked",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        REQUIRE(d.catalog.assign(o.root, "openai-team", "new@acme.example", {}, {}).has_value());
        auto refused = d.catalog.delete_row(o.root, "openai-team");
        CHECK(refused.error().kind == ErrorKind::kFailedPrecondition);
        REQUIRE(d.catalog.revoke(o.root, "openai-team", "new@acme.example", "left").has_value());
        CHECK(
            d.catalog.delete_row(o.bob, "openai-team").error().kind == ErrorKind::kPermissionDenied
        );
        REQUIRE(d.catalog.delete_row(o.root, "openai-team").has_value());
        CHECK(d.catalog.get_row(o.root, "openai-team").error().kind == ErrorKind::kNotFound);
        CHECK(d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.row.deleted"}}) == 1);
    }

    TEST_CASE_TEMPLATE(
        "assign is idempotent: same id, also after revoke", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        auto first = d.catalog.assign(
            o.hr, "openai-team", "New.Hire@Acme.example", std::string{"Onboarding kit"}, {}
        );
        REQUIRE_MESSAGE(first.has_value(), first.error().message);
        CHECK(first->state == "approved");
        CHECK(first->email == "new.hire@acme.example");
        CHECK(first->approver_id == o.hr.principal_id);
        CHECK(first->category == "llm-backend");
        auto again = d.catalog.assign(o.hr, "openai-team", "new.hire@acme.example", {}, {});
        REQUIRE(again.has_value());
        CHECK(again->id == first->id);
        CHECK(again->version == first->version);
        CHECK(events(d, o.root, "team_support.approved") == 1);

        auto revoked = d.catalog.revoke(o.root, "openai-team", "new.hire@acme.example", "left");
        REQUIRE(revoked.has_value());
        CHECK(revoked->state == "revoked");
        CHECK(revoked->reason == "left");
        auto back = d.catalog.assign(o.root, "openai-team", "NEW.HIRE@acme.example", {}, {});
        REQUIRE(back.has_value());
        CHECK(back->id == first->id);
        CHECK(back->state == "approved");
        CHECK_FALSE(back->reason.has_value());
        CHECK(events(d, o.root, "team_support.approved") == 2);
        CHECK(events(d, o.root, "team_support.revoked") == 1);
        CHECK(
            d.count("SELECT COUNT(*) FROM catalog_approvals WHERE org_id = $1", {o.root.org_id}) ==
            1
        );
    }

    TEST_CASE_TEMPLATE(
        "assign and revoke need admin, hr_admin or super_admin", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        auto denied = d.catalog.assign(o.bob, "openai-team", "x@acme.example", {}, {});
        CHECK(denied.error().kind == ErrorKind::kPermissionDenied);
        REQUIRE(d.catalog.assign(o.hr, "openai-team", "x@acme.example", {}, {}).has_value());
        CHECK(
            d.catalog.revoke(o.owner, "openai-team", "x@acme.example", "no").error().kind ==
            ErrorKind::kPermissionDenied
        );
        auto self = d.catalog.assign(o.hr, "openai-team", "hr@acme.example", {}, {});
        CHECK(self.error().kind == ErrorKind::kPermissionDenied);
        CHECK(
            d.catalog.assign(o.hr, "missing-row", "x@acme.example", {}, {}).error().kind ==
            ErrorKind::kNotFound
        );
        CHECK(
            d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.approval.assigned"}}) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "request then approve by the owner; no self-approval; members ask for "
        "themselves only",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        CHECK(
            d.catalog.request(o.bob, "openai-team", std::string{"x@acme.example"}, {})
                .error()
                .kind == ErrorKind::kPermissionDenied
        );
        auto asked = d.catalog.request(o.bob, "openai-team", std::nullopt, std::string{"need it"});
        REQUIRE(asked.has_value());
        CHECK(asked->state == "pending");
        CHECK(asked->email == "bob@acme.example");
        CHECK(asked->requested_by == o.bob.principal_id);
        CHECK(events(d, o.root, "team_support.approved") == 0);
        CHECK(
            d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.approval.requested"}}) == 1
        );

        CHECK(
            d.catalog.approve(o.bob, "openai-team", "bob@acme.example", {}, {}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(
            d.catalog.approve(o.hr, "openai-team", "bob@acme.example", {}, {}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        auto ok = d.catalog.approve(o.owner, "openai-team", "bob@acme.example", {}, {});
        REQUIRE(ok.has_value());
        CHECK(ok->state == "approved");
        CHECK(ok->approver_id == o.owner.principal_id);
        CHECK(ok->id == asked->id);
        auto twice = d.catalog.approve(o.root, "openai-team", "bob@acme.example", {}, {});
        REQUIRE(twice.has_value());
        CHECK(twice->version == ok->version);
        CHECK(events(d, o.root, "team_support.approved") == 1);

        // The owner asks for their own row: an admin must approve, not the owner.
        REQUIRE(d.catalog.request(o.owner, "openai-team", std::nullopt, {}).has_value());
        CHECK(
            d.catalog.approve(o.owner, "openai-team", "owner@acme.example", {}, {}).error().kind ==
            ErrorKind::kPermissionDenied
        );
        CHECK(d.catalog.approve(o.root, "openai-team", "owner@acme.example", {}, {}).has_value());
        CHECK(
            d.catalog.approve(o.root, "openai-team", "ghost@acme.example", {}, {}).error().kind ==
            ErrorKind::kNotFound
        );
    }

    TEST_CASE_TEMPLATE(
        "approving a revoked grant fails; revoke needs a reason and is "
        "idempotent",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        REQUIRE(d.catalog.request(o.bob, "openai-team", std::nullopt, {}).has_value());
        auto no_reason = d.catalog.revoke(o.root, "openai-team", "bob@acme.example", "  ");
        REQUIRE(no_reason.has_error());
        CHECK(no_reason.error().kind == ErrorKind::kInvalidArgument);
        CHECK(no_reason.error().details.at(0).field == "reason");
        auto r1 = d.catalog.revoke(o.root, "openai-team", "bob@acme.example", "declined");
        REQUIRE(r1.has_value());
        CHECK(r1->state == "revoked");
        auto r2 = d.catalog.revoke(o.hr, "openai-team", "bob@acme.example", "again");
        REQUIRE(r2.has_value());
        CHECK(r2->version == r1->version);
        CHECK(r2->reason == "declined");
        CHECK(events(d, o.root, "team_support.revoked") == 1);
        CHECK(events(d, o.root, "team_support.requested") == 1);
        CHECK(
            d.catalog.approve(o.owner, "openai-team", "bob@acme.example", {}, {}).error().kind ==
            ErrorKind::kFailedPrecondition
        );
        // Asking again after a revoke reopens the same pair as pending.
        auto again = d.catalog.request(o.bob, "openai-team", std::nullopt, {});
        REQUIRE(again.has_value());
        CHECK(again->id == r1->id);
        CHECK(again->state == "pending");
    }

    TEST_CASE_TEMPLATE(
        "expired grants are revoked lazily on read with audit and event",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        auto both = d.catalog.assign(
            o.root,
            "openai-team",
            "temp@acme.example",
            {},
            Expiry{std::string{"2026-03-01T00:00:00Z"}, std::string{"P1D"}}
        );
        CHECK(both.error().kind == ErrorKind::kInvalidArgument);
        auto past = d.catalog.assign(
            o.root,
            "openai-team",
            "temp@acme.example",
            {},
            Expiry{std::string{"2025-03-01T00:00:00Z"}, {}}
        );
        CHECK(past.error().kind == ErrorKind::kInvalidArgument);
        auto a = d.catalog.assign(
            o.root, "openai-team", "temp@acme.example", {}, Expiry{{}, std::string{"P30D"}}
        );
        REQUIRE(a.has_value());
        CHECK(a->expires_at == "2026-01-31T00:00:00.000Z");

        server::catalog::ApprovalFilter f{std::string{"openai-team"}, {}, {}};
        d.clock.advance(std::chrono::hours{24 * 29});
        CHECK(d.catalog.list_approvals(o.bob, f, {}).value().items.at(0).state == "approved");
        d.clock.advance(std::chrono::hours{24});
        auto seen = d.catalog.list_approvals(o.bob, f, {}).value();
        REQUIRE(seen.items.size() == 1);
        CHECK(seen.items[0].state == "revoked");
        CHECK(seen.items[0].reason == "expired");
        CHECK_FALSE(seen.items[0].approver_id.has_value());
        CHECK(events(d, o.root, "team_support.expired") == 1);
        CHECK(
            d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.approval.expired"}}) == 1
        );
        CHECK(
            d.text(
                "SELECT channel FROM audit_log WHERE action = $1",
                {std::string{"catalog.approval.expired"}}
            ) == "system"
        );
        // A second read changes nothing more.
        REQUIRE(d.catalog.list_approvals(o.bob, f, {}).has_value());
        CHECK(events(d, o.root, "team_support.expired") == 1);
        CHECK(d.catalog.expire_due(d.clock.now()).value() == 0);
    }

    TEST_CASE_TEMPLATE(
        "expire_due revokes every due grant in every org", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto a = make_org(d, "acme");
        auto b = make_org(d, "globex");
        Expiry day{{}, std::string{"P1D"}};
        REQUIRE(d.catalog.assign(a.root, "openai-team", "t1@acme.example", {}, day).has_value());
        REQUIRE(d.catalog.assign(b.root, "openai-team", "t2@globex.example", {}, day).has_value());
        REQUIRE(d.catalog.assign(a.root, "openai-team", "keep@acme.example", {}, {}).has_value());
        CHECK(d.catalog.expire_due(d.clock.now()).value() == 0);
        d.clock.advance(std::chrono::hours{25});
        CHECK(d.catalog.expire_due(d.clock.now()).value() == 2);
        CHECK(d.catalog.expire_due(d.clock.now()).value() == 0);
        CHECK(events(d, a.root, "team_support.expired") == 1);
        CHECK(events(d, b.root, "team_support.expired") == 1);
        server::catalog::ApprovalFilter approved{{}, {}, std::string{"approved"}};
        auto left = d.catalog.list_approvals(a.root, approved, {}).value();
        REQUIRE(left.items.size() == 1);
        CHECK(left.items[0].email == "keep@acme.example");
    }

    TEST_CASE_TEMPLATE(
        "the outbox event carries slug, user, approver, note, approval id and state",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme", Channel::kRestXMcp);
        auto a = d.catalog.assign(
            o.root, "openai-team", "bob@acme.example", std::string{"Onboarding kit"}, {}
        );
        REQUIRE(a.has_value());
        std::string payload = d.text(
            "SELECT payload_json FROM outbox WHERE org_id = $1 AND event_type = $2",
            {o.root.org_id, std::string{"team_support.approved"}}
        );
        std::string expected =
            R"({"version":1,"type":"team_support.approved","data":{"slug":"openai-team",)"
            R"("user":{"email":"bob@acme.example","user_id":")" +
            o.bob.principal_id + R"("},"approver":{"id":")" + o.root.principal_id +
            R"(","email":"root@acme.example"},"note":"Onboarding kit","approval_id":")" + a->id +
            R"(","state":"approved","expires_at":null}})";
        CHECK(payload == expected);
        CHECK(
            d.text("SELECT channel FROM audit_log WHERE target_id = $1", {a->id}) == "rest+x-mcp"
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM catalog_approvals WHERE id = $1 AND via_mcp = 1", {a->id}
            ) == 1
        );
        CHECK(
            d.count(
                "SELECT COUNT(*) FROM catalog_rows WHERE org_id = $1 AND via_mcp = 1",
                {o.root.org_id}
            ) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "a failing later step leaves no approval, audit row or event",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        FailingDb failing{*d.tdb.db, "INSERT INTO outbox"};
        server::catalog::CatalogService broken{failing, d.clock, d.ids};
        auto r = broken.assign(o.root, "openai-team", "bob@acme.example", {}, {});
        REQUIRE(r.has_error());
        CHECK(r.error().kind == ErrorKind::kInternal);
        CHECK(
            d.count("SELECT COUNT(*) FROM catalog_approvals WHERE org_id = $1", {o.root.org_id}) ==
            0
        );
        CHECK(
            d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.approval.assigned"}}) == 0
        );
        CHECK(d.count("SELECT COUNT(*) FROM outbox WHERE org_id = $1", {o.root.org_id}) == 0);

        // The same failure on a transition (revoke) leaves the grant approved.
        REQUIRE(d.catalog.assign(o.root, "openai-team", "bob@acme.example", {}, {}).has_value());
        auto rv = broken.revoke(o.root, "openai-team", "bob@acme.example", "left");
        REQUIRE(rv.has_error());
        auto now = d.catalog.list_approvals(o.root, {}, {}).value();
        CHECK(now.items.at(0).state == "approved");
        CHECK(
            d.count(kAuditOfAction, {o.root.org_id, std::string{"catalog.approval.revoked"}}) == 0
        );
    }

    TEST_CASE_TEMPLATE(
        "org B cannot see, assign or revoke org A's rows", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto a = make_org(d, "acme");
        auto b = d.org_admin("globex", "root@globex.example");
        REQUIRE(d.catalog.assign(a.root, "openai-team", "bob@acme.example", {}, {}).has_value());
        CHECK(d.catalog.get_row(b, "openai-team").error().kind == ErrorKind::kNotFound);
        CHECK(d.catalog.list_rows(b, {}).value().total_count == 0);
        CHECK(
            d.catalog.assign(b, "openai-team", "bob@acme.example", {}, {}).error().kind ==
            ErrorKind::kNotFound
        );
        CHECK(
            d.catalog.revoke(b, "openai-team", "bob@acme.example", "x").error().kind ==
            ErrorKind::kNotFound
        );
        CHECK(d.catalog.list_approvals(b, {}, {}).value().total_count == 0);
        // B may create its own row with the same slug.
        CHECK(d.catalog.create_row(b, {"openai-team", "Theirs", "", {}, {}}).has_value());
        CHECK(d.catalog.get_row(a.root, "openai-team")->display_name == "OpenAI Team");
    }

    TEST_CASE_TEMPLATE(
        "approvals list filters by slug, email and state and pages by cursor",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        REQUIRE(
            d.catalog.create_row(o.root, {"vpn", "VPN", "", {}, std::string{"network"}}).has_value()
        );
        for (auto const* who : {"a@acme.example", "b@acme.example", "c@acme.example"}) {
            REQUIRE(d.catalog.assign(o.root, "openai-team", who, {}, {}).has_value());
        }
        REQUIRE(d.catalog.assign(o.root, "vpn", "a@acme.example", {}, {}).has_value());
        REQUIRE(d.catalog.revoke(o.root, "openai-team", "c@acme.example", "x").has_value());
        auto all = d.catalog.list_approvals(o.root, {}, {}).value();
        CHECK(all.total_count == 4);
        auto vpn = d.catalog.list_approvals(o.root, {std::string{"vpn"}, {}, {}}, {}).value();
        REQUIRE(vpn.items.size() == 1);
        CHECK(vpn.items[0].category == "network");
        auto by_email =
            d.catalog.list_approvals(o.root, {{}, std::string{"A@acme.example"}, {}}, {}).value();
        CHECK(by_email.total_count == 2);
        auto revoked = d.catalog.list_approvals(o.root, {{}, {}, std::string{"revoked"}}, {});
        CHECK(revoked.value().items.at(0).email == "c@acme.example");
        CHECK(d.catalog.list_approvals(o.root, {{}, {}, std::string{"gone"}}, {}).has_error());
        auto p1 = d.catalog.list_approvals(o.root, {}, {3, {}, {}}).value();
        REQUIRE(p1.items.size() == 3);
        REQUIRE(p1.next_cursor.has_value());
        auto p2 = d.catalog.list_approvals(o.root, {}, {3, p1.next_cursor, {}}).value();
        REQUIRE(p2.items.size() == 1);
        CHECK_FALSE(p2.next_cursor.has_value());
        auto off = d.catalog.list_approvals(o.root, {}, {3, {}, 3}).value();
        CHECK(off.items.at(0).id == p2.items.at(0).id);
    }

    TEST_CASE_TEMPLATE(
        "assign_many answers one result per slug; one failure keeps the others",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        REQUIRE(d.catalog.create_row(o.root, {"vpn", "VPN", "", {}, {}}).has_value());
        auto out = d.catalog.assign_many(
            o.hr, "new@acme.example", {"openai-team", "no-such-row", "vpn"}, std::string{"kit"}, {}
        );
        REQUIRE(out.size() == 3);
        CHECK(out[0].result.has_value());
        CHECK(out[1].result.error().kind == ErrorKind::kNotFound);
        CHECK(out[2].result.has_value());
        CHECK(events(d, o.root, "team_support.approved") == 2);
    }

    TEST_CASE_TEMPLATE(
        "eight concurrent assigns of the same pair make one approval row",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto o = make_org(d, "acme");
        std::vector<std::string> ids(8);
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            threads.emplace_back([&, i] {
                auto r = d.catalog.assign(o.root, "openai-team", "race@acme.example", {}, {});
                if (r) {
                    ids[i] = r->id;
                } else {
                    ++failures;
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        CHECK(failures.load() == 0);
        for (auto const& id : ids) {
            CHECK(id == ids[0]);
        }
        CHECK(
            d.count("SELECT COUNT(*) FROM catalog_approvals WHERE org_id = $1", {o.root.org_id}) ==
            1
        );
        CHECK(events(d, o.root, "team_support.approved") == 1);
    }
}
