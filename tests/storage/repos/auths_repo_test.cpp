// The auth repositories on both back ends: parts (find-or-insert, paged and
// filtered lists), departments, auths with ordered links, the search view
// (documents, text and department filters, facets, rebuild), drafts with the
// version-checked UPDATE, and the cascade of deleting an auth.
#include "storage/repos/auths_repo.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/repos/auth_common_repo.hpp"
#include "storage/repos/auth_drafts_repo.hpp"
#include "storage/repos/auth_parts_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "tests/storage/storage_helpers.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using namespace signoff::storage::repos;
using storage::Tx;
using storage::TxMode;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

constexpr auto kNow = "2026-01-01T00:00:00.000Z";

/// A write transaction that the test commits by hand (or drops to roll back).
std::unique_ptr<Tx> write_tx(storage::Db& db) {
    auto tx = db.begin(TxMode::kWrite);
    REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
    return std::move(*tx);
}

/// Commits and releases the connection (SQLite has one writer).
void commit(std::unique_ptr<Tx>& tx) {
    auto c = tx->commit();
    REQUIRE_MESSAGE(c.has_value(), c.error().message);
    tx.reset();
}

std::string make_org(storage::Db& db, std::string const& name) {
    auto tx = write_tx(db);
    auto org = ensure_org(*tx, {"org-" + name, name, kNow});
    REQUIRE(org.has_value());
    commit(tx);
    return org->id;
}

PartRecord part(std::string const& org, std::string id, std::string kind, std::string value) {
    std::string lower = search_lower(value);
    return PartRecord{std::move(id), org, std::move(kind), std::move(value), lower, kNow, false};
}

std::string ensure(Tx& tx, PartRecord const& p) {
    auto e = ensure_part(tx, p);
    REQUIRE_MESSAGE(e.has_value(), e.error().message);
    REQUIRE(e->has_value());
    return (*e)->part.id;
}

AuthRecord auth(std::string const& org, std::string id, std::string name_part) {
    return AuthRecord{
        std::move(id), org, std::move(name_part), {}, {}, {}, "user-1", kNow, kNow, 1, false};
}

/// True when the repository call succeeded; prints its error otherwise.
template <class R>
bool ok(R const& r) {
    if (!r) {
        MESSAGE(r.error().message);
    }
    return r.has_value();
}

}  // namespace

TEST_SUITE("storage/repos/auths_repo") {
    TEST_CASE_TEMPLATE(
        "parts: ensure finds case-insensitively, inserts once, lists by kind and escaped search",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto org = make_org(*tdb.db, "acme");
        auto other = make_org(*tdb.db, "other");
        auto tx = write_tx(*tdb.db);
        auto first = ensure_part(*tx, part(org, "p1", "protocol", "OAuth2"));
        REQUIRE(first.has_value());
        CHECK((*first)->inserted);
        auto again = ensure_part(*tx, part(org, "p2", "protocol", "oauth2"));
        REQUIRE(again.has_value());
        CHECK_FALSE((*again)->inserted);
        CHECK((*again)->part.id == "p1");
        CHECK((*again)->part.value == "OAuth2");  // the first spelling is kept
        CHECK(insert_part_if_absent(*tx, part(org, "p3", "protocol", "OAUTH2")).value() == 0);
        ensure(*tx, part(org, "p4", "slug", "oauth2"));  // same text, other kind: its own part
        ensure(*tx, part(org, "p5", "protocol", "100%_done"));
        ensure(*tx, part(org, "p6", "protocol", "100 percent"));
        ensure(*tx, part(other, "p7", "protocol", "OAuth2 other"));
        commit(tx);

        auto rtx = tdb.db->begin(TxMode::kRead).value();
        auto protocols = list_parts(*rtx, org, std::string{"protocol"}, {}, 10, 0).value();
        REQUIRE(protocols.size() == 3);
        CHECK(protocols[0].value == "100 percent");
        CHECK(protocols[1].value == "100%_done");
        CHECK(protocols[2].value == "OAuth2");
        CHECK(count_parts(*rtx, org, std::string{"protocol"}, {}).value() == 3);
        CHECK(count_parts(*rtx, org, {}, {}).value() == 4);
        auto literal = like_contains("0%_");
        auto hit = list_parts(*rtx, org, {}, literal, 10, 0).value();
        REQUIRE(hit.size() == 1);
        CHECK(hit[0].id == "p5");
        CHECK(list_parts(*rtx, org, {}, like_contains("oauth"), 1, 1).value().size() == 1);
        CHECK(find_part_by_id(*rtx, other, "p1").value() == std::nullopt);  // org-scoped
        CHECK(find_part_by_value(*rtx, org, "slug", "oauth2").value()->id == "p4");
    }

    TEST_CASE_TEMPLATE(
        "departments: unique per org by lowercase name, listed by name",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto org = make_org(*tdb.db, "acme");
        auto tx = write_tx(*tdb.db);
        CHECK(
            insert_department_if_absent(*tx, {"d1", org, "Sales", "sales", kNow, false}).value() ==
            1
        );
        CHECK(
            insert_department_if_absent(*tx, {"d2", org, "SALES", "sales", kNow, false}).value() ==
            0
        );
        CHECK(insert_department_if_absent(*tx, {"d3", org, "Eng", "eng", kNow, true}).value() == 1);
        commit(tx);
        auto rtx = tdb.db->begin(TxMode::kRead).value();
        auto all = list_departments(*rtx, org, {}, 10, 0).value();
        REQUIRE(all.size() == 2);
        CHECK(all[0].name == "Eng");
        CHECK(all[0].via_mcp);
        CHECK(all[1].name == "Sales");
        CHECK(find_department_by_name(*rtx, org, "sales").value()->id == "d1");
        CHECK(count_departments(*rtx, org, like_contains("ale")).value() == 1);
    }

    TEST_CASE_TEMPLATE(
        "auths: version-checked update, ordered links, search rows, generations and rebuild",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto org = make_org(*tdb.db, "acme");
        auto tx = write_tx(*tdb.db);
        REQUIRE(ok(insert_department_if_absent(*tx, {"d1", org, "Sales", "sales", kNow, false})));
        REQUIRE(ok(insert_department_if_absent(*tx, {"d2", org, "Eng", "eng", kNow, false})));
        auto zeta = ensure(*tx, part(org, "n1", "name", "Zeta Login"));
        auto alpha = ensure(*tx, part(org, "n2", "name", "alpha SSO"));
        auto saml = ensure(*tx, part(org, "r1", "protocol", "SAML"));
        auto oidc = ensure(*tx, part(org, "r2", "protocol", "OIDC"));
        auto slug = ensure(*tx, part(org, "s1", "slug", "zeta-login"));
        REQUIRE(ok(insert_auth(*tx, auth(org, "a1", zeta))));
        REQUIRE(ok(insert_auth(*tx, auth(org, "a2", alpha))));
        REQUIRE(ok(replace_auth_links(*tx, org, "a1", "protocol", {oidc, saml})));
        REQUIRE(ok(replace_auth_links(*tx, org, "a1", "slug", {slug})));
        REQUIRE(ok(replace_auth_departments(*tx, org, "a1", {"d1", "d2"})));
        REQUIRE(ok(replace_auth_departments(*tx, org, "a2", {"d2"})));
        REQUIRE(ok(refresh_search_row(*tx, org, "a1")));
        REQUIRE(ok(refresh_search_row(*tx, org, "a2")));
        commit(tx);

        auto doc = testing::read_rows(
            *tdb.db,
            "SELECT sort_name, document FROM auth_search WHERE auth_id = $1",
            {std::string{"a1"}}
        );
        CHECK(doc.at(0).text(0) == "zeta login");
        CHECK(doc.at(0).text(1) == "zeta login\n\nzeta-login\noidc\nsaml");

        auto rtx = tdb.db->begin(TxMode::kRead).value();
        auto links = list_auth_links(*rtx, org, {"a1", "a2"}).value();
        REQUIRE(links.size() == 3);
        CHECK(links[0].value == "OIDC");  // protocols in the order given
        CHECK(links[1].value == "SAML");
        CHECK(links[2].kind == "slug");
        auto depts = list_auth_departments(*rtx, org, {"a1"}).value();
        REQUIRE(depts.size() == 2);
        CHECK(depts[0].department.name == "Eng");

        auto gen = search_generation(*rtx, org).value();
        CHECK(gen.gen == 2);  // one per search row written
        CHECK(gen.reload_below == 0);
        CHECK(search_rows_after(*rtx, org, -1).value().size() == 2);
        auto after_first = search_rows_after(*rtx, org, 1).value();
        REQUIRE(after_first.size() == 1);
        CHECK(after_first[0].auth_id == "a2");
        CHECK(after_first[0].departments == ",d2,");
        CHECK(search_rows_after(*rtx, org, 2).value().empty());
        CHECK(search_generation(*rtx, "other-org").value().gen == 0);
        auto found = find_auths(*rtx, org, {"a1", "a2", "zz"}).value();
        CHECK(found.size() == 2);
        CHECK(departments_key({"b", "a"}) == ",a,b,");
        CHECK(departments_key({}) == ",");
        rtx.reset();

        auto wtx = write_tx(*tdb.db);
        auto a1 = find_auth(*wtx, org, "a1").value().value();
        a1.auth.updated_at = "2026-01-02T00:00:00.000Z";
        CHECK(update_auth(*wtx, a1.auth, 2).value() == 0);  // stale
        CHECK(update_auth(*wtx, a1.auth, 1).value() == 1);
        CHECK(find_auth(*wtx, org, "a1").value()->auth.version == 2);
        CHECK(
            testing::read_rows(*tdb.db, "SELECT COUNT(*) FROM auth_search").at(0).integer(0) == 2
        );
        REQUIRE(ok(refresh_search_row(*wtx, org, "a1")));
        CHECK(search_rows_after(*wtx, org, 2).value().at(0).auth_id == "a1");
        REQUIRE(ok(wtx->exec("DELETE FROM auth_search WHERE org_id = $1", {org})));
        CHECK(rebuild_search_rows(*wtx, org).value() == 2);
        auto rebuilt_gen = search_generation(*wtx, org).value();
        CHECK(rebuilt_gen.gen == 4);
        CHECK(rebuilt_gen.reload_below == 4);  // older indexes reload
        CHECK(search_rows_after(*wtx, org, 3).value().size() == 2);
        commit(wtx);
        auto rebuilt = testing::read_rows(
            *tdb.db, "SELECT document FROM auth_search WHERE auth_id = $1", {std::string{"a1"}}
        );
        CHECK(rebuilt.at(0).text(0) == "zeta login\n\nzeta-login\noidc\nsaml");
    }

    TEST_CASE_TEMPLATE(
        "drafts: the version-checked update changes one row once; deleting an auth takes its "
        "drafts",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto tdb = testing::open_test_db(T::kBackend);
        auto org = make_org(*tdb.db, "acme");
        auto tx = write_tx(*tdb.db);
        auto name = ensure(*tx, part(org, "n1", "name", "Login"));
        auto item = ensure(*tx, part(org, "i1", "item", "Badge"));
        REQUIRE(ok(insert_department_if_absent(*tx, {"d1", org, "Sales", "sales", kNow, false})));
        REQUIRE(ok(insert_auth(*tx, auth(org, "a1", name))));
        REQUIRE(ok(replace_auth_links(*tx, org, "a1", "item", {item})));
        REQUIRE(ok(refresh_search_row(*tx, org, "a1")));
        DraftRecord d{
            "r1", org, "user-1", std::string{"a1"}, 1, 1, name, {}, {}, {}, kNow, kNow, true};
        REQUIRE(ok(insert_draft(*tx, d)));
        REQUIRE(ok(replace_draft_links(*tx, org, "r1", "item", {item})));
        REQUIRE(ok(replace_draft_departments(*tx, org, "r1", {"d1"})));
        DraftRecord fresh{
            "r2",
            org,
            "user-1",
            {},
            {},
            1,
            {},
            {},
            {},
            {},
            kNow,
            "2026-01-03T00:00:00.000Z",
            false};
        REQUIRE(ok(insert_draft(*tx, fresh)));
        commit(tx);

        auto wtx = write_tx(*tdb.db);
        auto view = find_draft(*wtx, org, "r1").value().value();
        CHECK(view.name == "Login");
        CHECK(view.draft.base_version == 1);
        CHECK(view.draft.via_mcp);
        CHECK(find_draft(*wtx, org, "r2").value()->draft.base_version == std::nullopt);
        CHECK(update_draft(*wtx, view.draft, 1).value() == 1);
        CHECK(update_draft(*wtx, view.draft, 1).value() == 0);  // the version moved on
        CHECK(draft_version(*wtx, org, "r1").value() == 2);
        CHECK(draft_version(*wtx, org, "nope").value() == std::nullopt);
        auto mine = list_owner_drafts(*wtx, org, "user-1").value();
        REQUIRE(mine.size() == 2);
        CHECK(mine[0].draft.id == "r2");  // most recently changed first
        CHECK(find_owner_draft_of_auth(*wtx, org, "user-1", "a1").value()->id == "r1");
        CHECK(list_draft_links(*wtx, org, {"r1", "r2"}).value().size() == 1);
        CHECK(list_draft_departments(*wtx, org, {"r1"}).value().at(0).department.name == "Sales");
        auto before_delete = search_generation(*wtx, org).value().gen;
        CHECK(delete_auth(*wtx, org, "a1").value() == 1);
        CHECK(delete_auth(*wtx, org, "a1").value() == 0);
        // One recorded deletion, at the next generation; the second delete found nothing.
        CHECK(search_generation(*wtx, org).value().gen == before_delete + 1);
        CHECK(
            search_deletions_after(*wtx, org, before_delete).value() ==
            std::vector<std::string>{"a1"}
        );
        CHECK(search_deletions_after(*wtx, org, before_delete + 1).value().empty());
        CHECK(find_draft(*wtx, org, "r1").value() == std::nullopt);
        CHECK(find_draft(*wtx, org, "r2").value().has_value());
        commit(wtx);
        for (auto table :
             {"auth_search", "auth_part_links", "draft_part_links", "draft_departments"}) {
            CAPTURE(table);
            auto n = testing::read_rows(*tdb.db, std::string{"SELECT COUNT(*) FROM "} + table);
            CHECK(n.at(0).integer(0) == 0);
        }
    }

    TEST_CASE("id lists are padded to a few sizes and spelled as numbered placeholders") {
        CHECK(detail::padded_size(1) == 1);
        CHECK(detail::padded_size(2) == 4);
        CHECK(detail::padded_size(17) == 32);
        CHECK(detail::padded_size(100) == 100);
        CHECK(detail::padded_size(101) == 200);
        CHECK(detail::with_id_list("x IN (@IDS@) y", 3, 2) == "x IN ($3, $4) y");
        storage::Params p{std::string{"org"}};
        detail::append_padded(p, {"a", "b"});
        REQUIRE(p.size() == 5);
        CHECK(std::get<std::string>(p[4]) == "b");
    }
}
