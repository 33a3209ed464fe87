// AuthsService on both back ends: parts and departments, create / get /
// search / update / duplicate / delete, the owning-group permission rule,
// audit rows and outbox events, refresh, and org isolation.
#include "server/auths/auths_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/server/auths/auths_fixture.hpp"

using namespace signoff;
using server::auths::AuthFields;
using server::auths::CreateItem;
using server::auths::SearchQuery;
using server::auths::UpdateItem;
using server::core::Channel;
using server::core::ErrorKind;
using testing::AuthsWorld;
using testing::named;
using testing::PostgresBackend;
using testing::SqliteBackend;
using testing::values;

namespace {

std::vector<std::string> names_of(server::auths::SearchResult const& r) {
    std::vector<std::string> out;
    for (auto const& a : r.auths) {
        out.push_back(a.name);
    }
    return out;
}

SearchQuery text(std::string s) {
    SearchQuery q;
    q.search = std::move(s);
    return q;
}

}  // namespace

TEST_SUITE("server/auths/auths_service") {
    TEST_CASE_TEMPLATE(
        "parts are found or created case-insensitively and validated; departments are admin-made "
        "and unique",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto p = w.auths.create_part(w.alice, "protocol", "  OAuth2 ");
        REQUIRE(p.has_value());
        CHECK(p->value == "OAuth2");
        auto again = w.auths.create_part(w.bob, "protocol", "oauth2");
        REQUIRE(again.has_value());
        CHECK(again->id == p->id);
        CHECK(w.audits("auths.part.created") == 1);
        CHECK(w.auths.create_part(w.alice, "colour", "x").error().details.at(0).field == "kind");
        auto nul = w.auths.create_part(w.alice, "slug", std::string{"a\0b", 3});
        CHECK(nul.error().kind == ErrorKind::kInvalidArgument);
        CHECK(nul.error().details.at(0).field == "value");
        CHECK(
            w.auths.create_part(w.alice, "slug", "   ").error().kind == ErrorKind::kInvalidArgument
        );
        CHECK(w.auths.create_part(w.alice, "name", std::string(201, 'x')).has_error());
        CHECK(w.auths.create_part(w.alice, "name", std::string(200, 'x')).has_value());
        CHECK(w.auths.create_part(w.alice, "description", std::string(4000, 'x')).has_value());
        CHECK(w.auths.create_part(w.alice, "slug", "\xff\xfe").has_error());  // not UTF-8
        auto listed = w.auths.list_parts(w.bob, std::string{"protocol"}, {}, 10, 0);
        REQUIRE(listed.has_value());
        REQUIRE(listed->size() == 1);
        CHECK(w.auths.list_parts(w.bob, {}, std::string{"AUTH"}, 10, 0)->size() == 1);
        CHECK(w.auths.list_parts(w.bob, {}, {}, 0, 0).error().details.at(0).field == "limit");

        CHECK(
            w.auths.create_department(w.alice, "Sales").error().kind == ErrorKind::kPermissionDenied
        );
        auto sales = w.department("Sales");
        auto dup = w.auths.create_department(w.root, " sales ");
        CHECK(dup.error().kind == ErrorKind::kAlreadyExists);
        CHECK(w.auths.create_department(w.root, std::string(101, 'd')).has_error());
        w.department("Engineering");
        auto depts = w.auths.list_departments(w.bob, {});
        REQUIRE(depts.has_value());
        REQUIRE(depts->size() == 2);
        CHECK(depts->at(0).name == "Engineering");
        CHECK(w.auths.list_departments(w.bob, std::string{"ale"})->at(0).id == sales.id);
    }

    TEST_CASE_TEMPLATE(
        "create resolves free text and ids, answers one result per item, and a failing item "
        "leaves the others done",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto sales = w.department("Sales");
        auto item = w.auths.create_part(w.alice, "item", "Badge").value();
        auto flag = w.auths.create_part(w.alice, "flag", "beta").value();
        auto saml = w.auths.create_part(w.alice, "protocol", "SAML").value();

        AuthFields good = named("Okta Login");
        good.description = "Single sign-on\nfor staff";
        good.flag_id = flag.id;
        good.protocol_ids = std::vector<std::string>{"oidc", saml.id, "OIDC"};
        good.slug_ids = std::vector<std::string>{"okta-login"};
        good.item_ids = std::vector<std::string>{item.id};
        good.department_ids = std::vector<std::string>{"SALES"};

        AuthFields unknown = named("Broken");
        unknown.protocol_ids =
            std::vector<std::string>{"saml", "00000000-0000-7000-8000-00000000ffff"};
        unknown.item_ids = std::vector<std::string>{saml.id};
        unknown.department_ids = std::vector<std::string>{"Nowhere"};
        AuthFields both = named("Both");
        both.name_id = item.id;
        AuthFields control = named("bad\x01name");
        AuthFields nameless;
        nameless.description = "no name";

        auto out = w.auths.create(
            w.alice,
            {CreateItem{{}, good},
             CreateItem{{}, unknown},
             CreateItem{{}, both},
             CreateItem{{}, control},
             CreateItem{{}, nameless},
             CreateItem{std::string{"draft"}, named("x")}}
        );
        REQUIRE(out.size() == 6);
        REQUIRE_MESSAGE(out[0].result.has_value(), out[0].result.error().message);
        auto const& a = *out[0].result;
        CHECK(a.version == 1);
        CHECK(a.created_by == w.alice.principal_id);
        CHECK(a.content.name->value == "Okta Login");
        CHECK(a.content.description->value == "Single sign-on\nfor staff");
        CHECK(a.content.flag->id == flag.id);
        CHECK(values(a.content.protocols) == std::vector<std::string>{"oidc", "SAML"});
        CHECK(values(a.content.slugs) == std::vector<std::string>{"okta-login"});
        CHECK(a.content.items.at(0).id == item.id);
        REQUIRE(a.content.departments.size() == 1);
        CHECK(a.content.departments[0].id == sales.id);

        auto const& e = out[1].result.error();
        CHECK(e.kind == ErrorKind::kInvalidArgument);
        REQUIRE(e.details.size() == 3);
        CHECK(e.details[0].field == "protocol_ids[1]");
        CHECK(e.details[0].message == "no protocol part with this id");
        CHECK(e.details[1].field == "item_ids[0]");
        CHECK(e.details[2].field == "department_ids[0]");
        CHECK(out[2].result.error().details.at(0).field == "name");
        CHECK(out[3].result.error().details.at(0).field == "name");
        CHECK(out[4].result.error().details.at(0).field == "name");
        CHECK(out[5].result.error().details.at(0).field == "draft_id");
        CHECK(out[5].index == 5);
        // The failed item's parts ("saml" resolved, "Broken" created) rolled back with it.
        CHECK(w.count("SELECT COUNT(*) FROM auths", {}) == 1);
        CHECK(w.count("SELECT COUNT(*) FROM auth_parts WHERE value = 'Broken'", {}) == 0);
    }

    TEST_CASE_TEMPLATE(
        "get shows each kind's selection and options, who may edit, and the caller's name",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        w.department("Sales");
        for (int i = 0; i < 105; ++i) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "p%03d", i);
            REQUIRE(w.auths.create_part(w.alice, "protocol", buf).has_value());
        }
        AuthFields f = named("Zed");
        f.protocol_ids = std::vector<std::string>{"p104", "p000"};
        f.department_ids = std::vector<std::string>{"sales"};
        auto a = w.make(w.alice, f);

        auto got = w.auths.get(w.alice, a.id, {});
        REQUIRE_MESSAGE(got.has_value(), got.error().message);
        CHECK(got->auth_exists);
        CHECK(got->can_edit);
        CHECK_FALSE(got->disabled_reason.has_value());
        CHECK(got->version == 1);
        CHECK_FALSE(got->draft_version.has_value());
        CHECK(got->actor_name == w.alice.display_name);
        CHECK(got->basic_show_ai_generate);
        CHECK(values(got->names.selected) == std::vector<std::string>{"Zed"});
        CHECK(values(got->protocols.selected) == std::vector<std::string>{"p104", "p000"});
        CHECK(got->protocols.options.size() == 100);
        CHECK(got->protocols.options_total == 105);
        CHECK(got->protocols.options.front().value == "p000");
        CHECK(got->flags.selected.empty());
        CHECK(got->departments.selected.at(0).name == "Sales");
        CHECK(got->departments.options_total == 1);

        auto other = w.auths.get(w.bob, a.id, {});
        REQUIRE(other.has_value());
        CHECK_FALSE(other->can_edit);
        CHECK(
            other->disabled_reason == "only the auth's creator and org admins may edit this auth"
        );
        CHECK(w.auths.get(w.root, a.id, {})->can_edit);

        CHECK(w.auths.get(w.bob, std::string{"nope"}, {}).error().kind == ErrorKind::kNotFound);
        CHECK(w.auths.get(w.bob, {}, {}).error().kind == ErrorKind::kInvalidArgument);
        CHECK(
            w.auths.get(w.bob, a.id, std::string{"d"}).error().kind == ErrorKind::kInvalidArgument
        );

        AuthFields described;
        described.description = "now described";
        REQUIRE(w.auths.update(w.alice, {UpdateItem{a.id, {}, {}, described}})[0].result.has_value()
        );
        CHECK_FALSE(w.auths.get(w.alice, a.id, {})->basic_show_ai_generate);
    }

    TEST_CASE_TEMPLATE(
        "search matches names, descriptions, slugs and protocols; filters by department; pages; "
        "counts facets",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto sales = w.department("Sales");
        auto eng = w.department("Engineering");
        AuthFields a = named("Okta");
        a.protocol_ids = std::vector<std::string>{"SAML"};
        a.department_ids = std::vector<std::string>{sales.id, eng.id};
        w.make(w.alice, a);
        AuthFields b = named("beta portal");
        b.description = "Uses SAML 2.0 underneath";
        b.department_ids = std::vector<std::string>{eng.id};
        w.make(w.alice, b);
        AuthFields c = named("Cloud");
        c.slug_ids = std::vector<std::string>{"saml-bridge"};
        w.make(w.alice, c);
        w.make(w.alice, named("Delta 100%"));

        auto all = w.auths.search(w.bob, {});
        REQUIRE(all.has_value());
        CHECK(all->total_count == 4);
        CHECK(
            names_of(*all) == std::vector<std::string>{"beta portal", "Cloud", "Delta 100%", "Okta"}
        );
        CHECK(all->actor_name == w.bob.display_name);
        REQUIRE(all->department_filter.size() == 2);
        CHECK(all->department_filter[0].name == "Engineering");
        CHECK(all->department_filter[0].count == 2);
        CHECK(all->department_filter[1].count == 1);

        auto saml = w.auths.search(w.bob, text("  saml "));
        REQUIRE(saml.has_value());
        CHECK(saml->total_count == 3);
        CHECK(names_of(*saml) == std::vector<std::string>{"beta portal", "Cloud", "Okta"});
        CHECK(saml->auths.back().protocols == std::vector<std::string>{"SAML"});
        CHECK(saml->department_filter[0].count == 2);
        CHECK(saml->department_filter[1].count == 1);
        CHECK(w.auths.search(w.bob, text("100%"))->total_count == 1);
        CHECK(w.auths.search(w.bob, text("1_0"))->total_count == 0);  // `_` is literal

        SearchQuery in_sales = text("saml");
        in_sales.filter_department_ids = {sales.id};
        auto filtered = w.auths.search(w.bob, in_sales);
        CHECK(names_of(*filtered) == std::vector<std::string>{"Okta"});
        CHECK(filtered->total_count == 1);
        CHECK(filtered->department_filter[1].selected);
        CHECK_FALSE(filtered->department_filter[0].selected);

        SearchQuery narrowed;
        narrowed.department_search = "ENG";
        auto facets = w.auths.search(w.bob, narrowed)->department_filter;
        REQUIRE(facets.size() == 1);
        CHECK(facets[0].id == eng.id);

        SearchQuery page;
        page.page_size = 2;
        page.page_offset = 2;
        auto second = w.auths.search(w.bob, page);
        CHECK(names_of(*second) == std::vector<std::string>{"Delta 100%", "Okta"});
        CHECK(second->total_count == 4);
        page.page_size = 101;
        CHECK(w.auths.search(w.bob, page).error().details.at(0).field == "page_size");
        page.page_size = 0;
        CHECK(w.auths.search(w.bob, page).has_error());
        page.page_size = 20;
        page.page_offset = -1;
        CHECK(w.auths.search(w.bob, page).error().details.at(0).field == "page_offset");
        CHECK(w.auths.search(w.bob, text("a\tb")).error().details.at(0).field == "search");
    }

    TEST_CASE_TEMPLATE(
        "update changes only the given fields; a stale expected_version conflicts, names the "
        "current version and changes nothing",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        AuthFields f = named("Okta");
        f.protocol_ids = std::vector<std::string>{"SAML"};
        f.slug_ids = std::vector<std::string>{"okta"};
        auto a = w.make(w.alice, f);

        AuthFields change;
        change.protocol_ids = std::vector<std::string>{"OIDC"};
        auto updated = w.auths.update(w.alice, {UpdateItem{a.id, {}, std::int64_t{1}, change}});
        REQUIRE_MESSAGE(updated[0].result.has_value(), updated[0].result.error().message);
        CHECK(updated[0].result->version == 2);
        CHECK(values(updated[0].result->content.protocols) == std::vector<std::string>{"OIDC"});
        CHECK(values(updated[0].result->content.slugs) == std::vector<std::string>{"okta"});
        CHECK(updated[0].result->content.name->value == "Okta");
        CHECK(w.auths.search(w.bob, text("oidc"))->total_count == 1);
        CHECK(w.auths.search(w.bob, text("saml"))->total_count == 0);

        AuthFields rename = named("Renamed");
        auto stale = w.auths.update(w.alice, {UpdateItem{a.id, {}, std::int64_t{1}, rename}});
        auto const& e = stale[0].result.error();
        CHECK(e.kind == ErrorKind::kConflict);
        CHECK(e.message.find("current version is 2") != std::string::npos);
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].field == "expected_version");
        CHECK(e.details[0].message == "current version is 2");
        CHECK(w.auths.get(w.alice, a.id, {})->names.selected.at(0).value == "Okta");
        CHECK(w.count("SELECT COUNT(*) FROM auth_parts WHERE value = 'Renamed'", {}) == 0);

        AuthFields clear;
        clear.protocol_ids = std::vector<std::string>{};
        clear.description = "";
        auto cleared = w.auths.update(w.alice, {UpdateItem{a.id, {}, {}, clear}});
        REQUIRE(cleared[0].result.has_value());
        CHECK(cleared[0].result->content.protocols.empty());
        CHECK(cleared[0].result->version == 3);
        AuthFields empty_name = named("  ");
        CHECK(
            w.auths.update(w.alice, {UpdateItem{a.id, {}, {}, empty_name}})[0]
                .result.error()
                .kind == ErrorKind::kInvalidArgument
        );
        CHECK(
            w.auths.update(w.alice, {UpdateItem{{}, {}, {}, clear}})[0]
                .result.error()
                .details.at(0)
                .field == "auth_id"
        );
        CHECK(
            w.auths.update(w.alice, {UpdateItem{std::string{"nope"}, {}, {}, clear}})[0]
                .result.error()
                .kind == ErrorKind::kNotFound
        );
        CHECK(
            w.auths.update(w.bob, {UpdateItem{a.id, {}, {}, clear}})[0].result.error().kind ==
            ErrorKind::kPermissionDenied
        );
    }

    TEST_CASE_TEMPLATE(
        "the owning group's members and org admins edit; others are told why they cannot",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto ops = w.group("ops");
        auto other_org = w.org_admin("globex", "root@globex.example");
        w.join(ops, w.alice);

        AuthFields f = named("Vault");
        f.group_id = ops;
        auto refused = w.auths.create(w.bob, {CreateItem{{}, f}});
        CHECK(refused[0].result.error().kind == ErrorKind::kPermissionDenied);
        CHECK(refused[0].result.error().message.find("ops") != std::string::npos);
        AuthFields alien = named("Alien");
        alien.group_id = "00000000-0000-7000-8000-0000000fffff";
        CHECK(
            w.auths.create(w.alice, {CreateItem{{}, alien}})[0]
                .result.error()
                .details.at(0)
                .field == "group_id"
        );
        auto a = w.make(w.alice, f);
        CHECK(a.content.group_id == ops);

        auto as_bob = w.auths.get(w.bob, a.id, {});
        CHECK_FALSE(as_bob->can_edit);
        CHECK(
            as_bob->disabled_reason == "only members of group ops and org admins may edit this auth"
        );
        CHECK(as_bob->group_id == ops);
        AuthFields change;
        change.description = "by bob";
        auto denied = w.auths.update(w.bob, {UpdateItem{a.id, {}, {}, change}});
        CHECK(denied[0].result.error().kind == ErrorKind::kPermissionDenied);
        CHECK(w.auths.remove(w.bob, {a.id})[0].status.error().kind == ErrorKind::kPermissionDenied);
        server::auths::DraftPatch start;
        start.auth_id = a.id;
        CHECK(w.auths.patch_draft(w.bob, start).error().kind == ErrorKind::kPermissionDenied);

        CHECK(w.auths.update(w.root, {UpdateItem{a.id, {}, {}, change}})[0].result.has_value());
        w.join(ops, w.bob);  // now a member
        CHECK(w.auths.get(w.bob, a.id, {})->can_edit);
        CHECK(w.auths.update(w.bob, {UpdateItem{a.id, {}, {}, change}})[0].result.has_value());

        AuthFields ungroup;
        ungroup.group_id = "";
        auto freed = w.auths.update(w.root, {UpdateItem{a.id, {}, {}, ungroup}});
        REQUIRE(freed[0].result.has_value());
        CHECK_FALSE(freed[0].result->content.group_id.has_value());
        // Another org sees nothing of it.
        CHECK(w.auths.get(other_org, a.id, {}).error().kind == ErrorKind::kNotFound);
        CHECK(w.auths.search(other_org, {})->total_count == 0);
        CHECK(w.auths.list_parts(other_org, {}, {}, 100, 0)->empty());
        CHECK(w.auths.remove(other_org, {a.id})[0].status.error().kind == ErrorKind::kNotFound);
    }

    TEST_CASE_TEMPLATE(
        "duplicate copies parts, departments and group under a name marked as a copy",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto ops = w.group("ops");
        w.join(ops, w.alice);
        w.department("Sales");
        AuthFields f = named(std::string(197, 'n'));
        f.protocol_ids = std::vector<std::string>{"SAML", "OIDC"};
        f.department_ids = std::vector<std::string>{"Sales"};
        f.group_id = ops;
        auto a = w.make(w.alice, f);
        auto copy = w.auths.duplicate(w.alice, a.id);
        REQUIRE_MESSAGE(copy.has_value(), copy.error().message);
        CHECK(copy->id != a.id);
        CHECK(copy->version == 1);
        CHECK(copy->content.name->value == std::string(193, 'n') + " (copy)");
        CHECK(values(copy->content.protocols) == std::vector<std::string>{"SAML", "OIDC"});
        CHECK(copy->content.departments.at(0).name == "Sales");
        CHECK(copy->content.group_id == ops);
        CHECK(w.auths.duplicate(w.bob, a.id).error().kind == ErrorKind::kPermissionDenied);
        CHECK(w.auths.duplicate(w.bob, "nope").error().kind == ErrorKind::kNotFound);
        CHECK(w.auths.search(w.bob, {})->total_count == 2);
        CHECK(w.audits("auths.auth.duplicated") == 1);
    }

    TEST_CASE_TEMPLATE(
        "delete is bulk with one result per id; drafts of the auth go with it; each write is "
        "audited with its channel and emits its event",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto agent = w.member(w.root, "agent@acme.example", "member", Channel::kRestXMcp);
        auto a = w.make(agent, named("One"));
        auto b = w.make(w.alice, named("Two"));
        CHECK(w.count("SELECT via_mcp FROM auths WHERE id = $1", {a.id}) == 1);
        CHECK(w.count("SELECT via_mcp FROM auths WHERE id = $1", {b.id}) == 0);
        CHECK(
            w.text(
                "SELECT channel FROM audit_log WHERE action = 'auths.auth.created' AND target_id = "
                "$1",
                {a.id}
            ) == "rest+x-mcp"
        );
        CHECK(w.events("auth.published") == 2);

        server::auths::DraftPatch start;
        start.auth_id = a.id;
        REQUIRE(w.auths.patch_draft(agent, start).has_value());
        auto out = w.auths.remove(agent, {a.id, "nope", b.id, a.id});
        REQUIRE(out.size() == 4);
        CHECK(out[0].auth_id == a.id);
        CHECK(out[0].status.has_value());
        CHECK(out[1].status.error().kind == ErrorKind::kNotFound);
        CHECK(out[2].status.error().kind == ErrorKind::kPermissionDenied);
        CHECK(out[3].status.error().kind == ErrorKind::kNotFound);
        CHECK(w.count("SELECT COUNT(*) FROM auth_drafts", {}) == 0);
        CHECK(w.auths.search(w.bob, {})->total_count == 1);
        CHECK(w.audits("auths.auth.deleted") == 1);
        CHECK(w.events("auth.deleted") == 1);
        auto payload =
            w.text("SELECT payload_json FROM outbox WHERE event_type = 'auth.deleted'", {});
        CHECK(payload.find(a.id) != std::string::npos);
        CHECK(payload.find("\"name\":\"One\"") != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "refresh rebuilds the search view and names the cached option lists it dropped",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto a = w.make(w.alice, named("Okta"));
        auto cold = w.auths.refresh(w.bob);
        REQUIRE(cold.has_value());
        CHECK(cold->refreshed_views == std::vector<std::string>{"auth_search"});
        CHECK(cold->invalidated_tags.empty());  // nothing was cached yet

        REQUIRE(w.auths.get(w.bob, a.id, {}).has_value());  // fills the cache
        // A part written behind the service's back stays invisible until refresh.
        storage::Params row{
            std::string{"00000000-0000-7000-8000-00000000abcd"},
            w.root.org_id,
            std::string{"Hidden"}};
        w.exec(
            "INSERT INTO auth_parts (id, org_id, kind, value, value_lower, created_at) "
            "VALUES ($1, $2, 'protocol', $3, 'hidden', '2026-01-01T00:00:00.000Z')",
            row
        );
        CHECK(w.auths.get(w.bob, a.id, {})->protocols.options_total == 0);
        w.exec("UPDATE auth_search SET document = 'stale'", {});
        CHECK(w.auths.search(w.bob, text("okta"))->total_count == 0);

        auto warm = w.auths.refresh(w.bob);
        REQUIRE(warm.has_value());
        CHECK(warm->invalidated_tags.size() == 8);  // seven option lists and the search index
        for (auto const& tag :
             {"auths:options:" + w.root.org_id + ":protocol", "auths:search:" + w.root.org_id}) {
            CAPTURE(tag);
            CHECK(
                std::find(warm->invalidated_tags.begin(), warm->invalidated_tags.end(), tag) !=
                warm->invalidated_tags.end()
            );
        }
        CHECK(w.auths.search(w.bob, text("okta"))->total_count == 1);
        CHECK(w.auths.get(w.bob, a.id, {})->protocols.options_total == 1);
        CHECK(w.audits("auths.search.refreshed") == 2);

        // A write through the service drops its kind at once.
        REQUIRE(w.auths.create_part(w.bob, "protocol", "New").has_value());
        CHECK(w.auths.get(w.bob, a.id, {})->protocols.options_total == 2);
        // Entries expire: another replica's write shows within the TTL.
        w.exec(
            "INSERT INTO auth_parts (id, org_id, kind, value, value_lower, created_at) "
            "VALUES ('x2', $1, 'protocol', 'Other', 'other', '2026-01-01T00:00:00.000Z')",
            {w.root.org_id}
        );
        CHECK(w.auths.get(w.bob, a.id, {})->protocols.options_total == 2);
        w.clock.advance(std::chrono::seconds{11});
        CHECK(w.auths.get(w.bob, a.id, {})->protocols.options_total == 3);
    }
}
