// AuditService on both back ends: audit_list's filters, newest-first order and
// keyset pages; the kAuditRead rule (admins, AuditorViewer, nobody else); and
// audit_export's JSON lines in an upload, audited in the upload's transaction.
#include "server/audit/audit_service.hpp"

#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/approvals/approvals_service.hpp"
#include "server/audit/cursor.hpp"
#include "storage/repos/uploads_repo.hpp"
#include "tests/server/support/domain_fixture.hpp"

namespace {

using namespace signoff;
using namespace std::chrono_literals;
using server::audit::AuditFilter;
using server::audit::AuditPageRequest;
using server::audit::AuditRow;
using server::core::Actor;
using server::core::Channel;
using server::core::ErrorKind;
using testing::Domain;

struct World : Domain {
    explicit World(testing::Backend b)
        : Domain(b), audit(*tdb.db, clock, ids), approvals(*tdb.db, clock, ids) {}

    /// A catalog row made by `who`, one second after the previous change.
    std::string row(Actor const& who, std::string const& slug) {
        clock.advance(1s);
        auto r = catalog.create_row(who, {slug, "Row " + slug, "", std::nullopt, std::nullopt});
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        return r->id;
    }

    std::vector<AuditRow> all(Actor const& who, AuditFilter const& f = {}) {
        auto page = audit.list(who, f, {500, std::nullopt});
        REQUIRE_MESSAGE(page.has_value(), page.error().message);
        CHECK_FALSE(page->next_cursor);
        return page->items;
    }

    std::string upload_text(std::string const& org_id, std::string const& upload_id) {
        auto tx = tdb.db->begin(storage::TxMode::kRead);
        REQUIRE(tx.has_value());
        auto found = storage::repos::find_upload(**tx, org_id, upload_id);
        REQUIRE(found.has_value());
        REQUIRE(found->has_value());
        CHECK((*found)->complete);
        CHECK((*found)->content_type == server::audit::kJsonLinesContentType);
        std::string text;
        for (std::int64_t seq = 0;; ++seq) {
            auto chunk = storage::repos::find_upload_chunk(**tx, upload_id, seq);
            REQUIRE(chunk.has_value());
            if (!*chunk) {
                break;
            }
            text += **chunk;
        }
        CHECK(static_cast<std::int64_t>(text.size()) == (*found)->size);
        return text;
    }

    server::audit::AuditService audit;
    server::approvals::ApprovalsService approvals;
};

server::catalog::RowPatch rename(std::string name) {
    server::catalog::RowPatch p;
    p.display_name = std::move(name);
    return p;
}

std::vector<std::string> ids_of(std::vector<AuditRow> const& rows) {
    std::vector<std::string> out;
    for (auto const& r : rows) {
        out.push_back(r.id);
    }
    return out;
}

}  // namespace

TEST_SUITE("server/audit/audit_service") {
    TEST_CASE_TEMPLATE(
        "rows come newest first with actor, kind and channel, and each filter narrows them",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test", Channel::kRest);
        Actor ops = w.member(admin, "ops@acme.test", "admin", Channel::kMcpStdio);
        Actor other_org = w.org_admin("globex", "root@globex.test");
        std::string const first = w.row(admin, "alpha");
        std::string const second = w.row(ops, "beta");
        w.row(other_org, "gamma");
        std::string const mid = server::core::to_rfc3339(w.clock.now());
        w.clock.advance(1s);
        auto updated = w.catalog.update_row(ops, "alpha", rename("Alpha 2"));
        REQUIRE(updated.has_value());

        auto rows = w.all(admin, {.target_type = "catalog_row"});
        REQUIRE(rows.size() == 3);  // globex's row is not in acme's log
        CHECK(rows[0].action == "catalog.row.updated");
        CHECK(rows[0].target_id == first);
        CHECK(rows[0].actor_id == ops.principal_id);
        CHECK(rows[0].actor_kind == "user");
        CHECK(rows[0].channel == "mcp-stdio");
        CHECK(rows[1].target_id == second);
        CHECK(rows[2].target_id == first);
        CHECK(rows[2].channel == "rest");
        CHECK(rows[0].created_at > rows[1].created_at);

        CHECK(
            ids_of(w.all(admin, {.target_type = "catalog_row", .target_id = first})) ==
            std::vector<std::string>{rows[0].id, rows[2].id}
        );
        CHECK(w.all(admin, {.actor_id = ops.principal_id}).size() == 2);  // row + update
        CHECK(w.all(admin, {.action_prefix = "CATALOG.ROW.UPD"}).size() == 1);
        CHECK(w.all(admin, {.action_prefix = "catalog_"}).empty());  // '_' is no wildcard
        auto before_mid = w.all(admin, {.target_type = "catalog_row", .to = mid});
        CHECK(ids_of(before_mid) == std::vector<std::string>{rows[1].id, rows[2].id});
        auto since_mid = w.all(admin, {.target_type = "catalog_row", .from = mid});
        CHECK(ids_of(since_mid) == std::vector<std::string>{rows[0].id});
        // Any offset names an instant: 02:00+02:00 is midnight UTC, before every row.
        CHECK(
            w.all(admin, {.target_type = "catalog_row", .from = "2026-01-01T02:00:00+02:00"})
                .size() == 3
        );
    }

    TEST_CASE_TEMPLATE(
        "an update's row carries the row before and after it",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        w.row(admin, "alpha");
        REQUIRE(w.catalog.update_row(admin, "alpha", rename("Renamed")).has_value());
        auto rows = w.all(admin, {.action_prefix = "catalog.row."});
        REQUIRE(rows.size() == 2);
        REQUIRE(rows[0].before_json.has_value());
        REQUIRE(rows[0].after_json.has_value());
        CHECK(rows[0].before_json->find("\"display_name\":\"Row alpha\"") != std::string::npos);
        CHECK(rows[0].after_json->find("\"display_name\":\"Renamed\"") != std::string::npos);
        CHECK_FALSE(rows[1].before_json.has_value());  // a create: its state as "after"
        REQUIRE(rows[1].after_json.has_value());
        CHECK(*rows[1].after_json == rows[1].detail_json);
        CHECK(rows[1].detail_json.find("\"slug\":\"alpha\"") != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "pages of any size cover every row exactly once, ties in time included",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        for (int i = 0; i < 7; ++i) {
            w.row(admin, "row-" + std::to_string(i));
            if (i % 2 == 0) {  // two changes in the same millisecond: the id breaks the tie
                auto r = w.catalog.update_row(admin, "row-" + std::to_string(i), {});
                REQUIRE(r.has_value());
            }
        }
        auto const everything = ids_of(w.all(admin));
        REQUIRE(everything.size() >= 11);
        for (std::int64_t size : {1, 2, 3, 5, 500}) {
            CAPTURE(size);
            std::vector<std::string> seen;
            std::optional<std::string> cursor;
            int pages = 0;
            do {
                auto page = w.audit.list(admin, {}, {size, cursor});
                REQUIRE_MESSAGE(page.has_value(), page.error().message);
                CHECK(static_cast<std::int64_t>(page->items.size()) <= size);
                for (auto const& r : page->items) {
                    seen.push_back(r.id);
                }
                cursor = page->next_cursor;
                ++pages;
            } while (cursor && pages < 100);
            CHECK(seen == everything);
        }
        auto page = w.audit.list(admin, {}, {});
        REQUIRE(page.has_value());
        CHECK(page->items.size() == everything.size());  // default size 50
    }

    TEST_CASE_TEMPLATE(
        "bad filters, page sizes and cursors are refused naming the field",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        auto field_of = [&](AuditFilter const& f, AuditPageRequest const& p) -> std::string {
            auto r = w.audit.list(admin, f, p);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().kind == ErrorKind::kInvalidArgument);
            REQUIRE(r.error().details.size() == 1);
            return r.error().details[0].field;
        };
        CHECK(field_of({}, {0, std::nullopt}) == "page_size");
        CHECK(field_of({}, {501, std::nullopt}) == "page_size");
        CHECK(field_of({}, {10, "not-a-cursor!"}) == "cursor");
        CHECK(field_of({}, {10, "YWJj"}) == "cursor");  // base64url, but no key inside
        CHECK(field_of({.from = "yesterday"}, {}) == "from");
        CHECK(field_of({.to = "2026-13-01T00:00:00Z"}, {}) == "to");
        CHECK(field_of({.from = "2026-02-01T00:00:00Z", .to = "2026-01-01T00:00:00Z"}, {}) == "to");
        CHECK(field_of({.target_id = "x"}, {}) == "target_id");
        CHECK(field_of({.action_prefix = "catalog%"}, {}) == "action_prefix");
        CHECK(field_of({.actor_id = ""}, {}) == "actor_id");
        auto exported = w.audit.export_jsonl(admin, {.from = "soon"}, {}, {});
        REQUIRE_FALSE(exported.has_value());
        CHECK(exported.error().details.at(0).field == "from");
    }

    TEST_CASE("a cursor round-trips its key and rejects anything it did not make") {
        storage::repos::AuditKey key{"2026-01-01T00:00:00.000Z", "00000000-0000-7000-8000-0000"};
        auto back = server::audit::decode_cursor(server::audit::encode_cursor(key));
        REQUIRE(back.has_value());
        CHECK(back->created_at == key.created_at);
        CHECK(back->id == key.id);
        CHECK_FALSE(server::audit::decode_cursor(""));
        CHECK_FALSE(server::audit::decode_cursor("a"));  // a dangling character
        CHECK_FALSE(server::audit::decode_cursor(
            server::audit::encode_cursor({"2026-01-01T00:00:00Z", "x"})  // not the stored form
        ));
        CHECK_FALSE(server::audit::decode_cursor(server::audit::encode_cursor({key.created_at, ""}))
        );
        CHECK_FALSE(server::audit::decode_cursor(std::string(600, 'A')));
    }

    TEST_CASE_TEMPLATE(
        "only org admins and AuditorViewers read the log",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        Actor member = w.member(admin, "m@acme.test");
        Actor hr = w.member(admin, "hr@acme.test", "hr_admin");
        for (Actor const* who : {&member, &hr}) {
            auto r = w.audit.list(*who, {}, {});
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().kind == ErrorKind::kPermissionDenied);
            auto e = w.audit.export_jsonl(*who, {}, {}, {});
            REQUIRE_FALSE(e.has_value());
            CHECK(e.error().kind == ErrorKind::kPermissionDenied);
        }
        auto bound = w.approvals.replace_user_roles(
            admin, member.principal_id, {{"AuditorViewer", "org"}}, 1
        );
        REQUIRE_MESSAGE(bound.has_value(), bound.error().message);
        CHECK(w.audit.list(member, {}, {}).has_value());
        Actor agent_like = member;
        agent_like.principal_kind = "agent";  // the role never reaches an agent
        CHECK_FALSE(w.audit.list(agent_like, {}, {}).has_value());
    }

    TEST_CASE_TEMPLATE(
        "export writes the matching rows as JSON lines and audits itself with the upload",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        for (int i = 0; i < 12; ++i) {
            w.row(admin, "row-" + std::to_string(i));
        }
        auto expected = w.all(admin, {.target_type = "catalog_row"});
        std::vector<std::int64_t> progress;
        auto out = w.audit.export_jsonl(
            admin,
            {.target_type = "catalog_row"},
            [&](std::int64_t done) { progress.push_back(done); },
            {}
        );
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(out->row_count == 12);
        CHECK(out->file_name.starts_with("audit-20260101T"));
        CHECK(out->file_name.ends_with(".jsonl"));
        CHECK(progress == std::vector<std::int64_t>{12});
        std::istringstream lines(w.upload_text(admin.org_id, out->upload_id));
        std::string line;
        std::size_t n = 0;
        while (std::getline(lines, line)) {
            REQUIRE(n < expected.size());
            CHECK(line == server::audit::json_line(expected[n]));
            ++n;
        }
        CHECK(n == expected.size());
        auto self = w.all(admin, {.target_type = "upload", .target_id = out->upload_id});
        REQUIRE(self.size() == 1);
        CHECK(self[0].action == "audit.exported");
        CHECK(self[0].detail_json.find("\"row_count\":12") != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "a cancelled export leaves neither an upload nor an audit row",
        T,
        testing::SqliteBackend,
        testing::PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        World w(T::kBackend);
        Actor admin = w.org_admin("acme", "root@acme.test");
        w.row(admin, "alpha");
        auto out = w.audit.export_jsonl(admin, {}, {}, [] { return true; });
        REQUIRE_FALSE(out.has_value());
        CHECK(out.error().kind == ErrorKind::kUnavailable);
        CHECK(w.count("SELECT COUNT(*) FROM uploads", {}) == 0);
        CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.exported'", {}) == 0);
    }

    TEST_CASE("a JSON line keeps stored documents on one line and writes absent ones as null") {
        AuditRow r{
            "id-1",
            "2026-01-01T00:00:00.000Z",
            std::nullopt,
            "system",
            "system",
            "catalog.approval.revoked",
            "catalog_approval",
            "a-1",
            "{\"a\":\n1}",
            std::nullopt,
            "{\"state\":\"revoked\"}"};
        CHECK(
            server::audit::json_line(r) ==
            "{\"id\":\"id-1\",\"created_at\":\"2026-01-01T00:00:00.000Z\",\"actor_id\":null,"
            "\"actor_kind\":\"system\",\"channel\":\"system\",\"action\":"
            "\"catalog.approval.revoked\",\"target_type\":\"catalog_approval\",\"target_id\":"
            "\"a-1\",\"detail\":{\"a\": 1},\"before\":null,\"after\":{\"state\":\"revoked\"}}"
        );
    }
}
