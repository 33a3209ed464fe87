// Drafts on both back ends: versioning of patches (start at 1, expected_version
// required, stale patches change nothing), drafts of existing auths, form
// state, privacy (owner only, admins included), publishing through create and
// update with its conflicts, and 32 concurrent patchers of one draft.
#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "server/auths/auths_service.hpp"
#include "tests/server/auths/auths_fixture.hpp"

using namespace signoff;
using server::auths::AuthFields;
using server::auths::CreateItem;
using server::auths::DraftPatch;
using server::auths::UpdateItem;
using server::core::ErrorKind;
using testing::AuthsWorld;
using testing::named;
using testing::PostgresBackend;
using testing::SqliteBackend;
using testing::values;

namespace {

DraftPatch start_of(std::optional<std::string> auth_id, AuthFields fields = {}) {
    DraftPatch p;
    p.auth_id = std::move(auth_id);
    p.fields = std::move(fields);
    return p;
}

DraftPatch patch_of(std::string draft_id, std::int64_t expected, AuthFields fields) {
    DraftPatch p;
    p.draft_id = std::move(draft_id);
    p.expected_version = expected;
    p.fields = std::move(fields);
    return p;
}

}  // namespace

TEST_SUITE("server/auths/drafts") {
    TEST_CASE_TEMPLATE(
        "a draft starts at version 1; each patch with the current expected_version changes only "
        "the given fields and adds exactly one",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        AuthFields first;
        first.protocol_ids = std::vector<std::string>{"SAML"};
        auto started = w.auths.patch_draft(w.alice, start_of({}, first));
        REQUIRE_MESSAGE(started.has_value(), started.error().message);
        CHECK(started->new_version == 1);
        CHECK(started->message == "draft created at version 1");
        auto const& form = started->form_state;
        CHECK_FALSE(form.can_publish);
        REQUIRE(form.issues.size() == 1);
        CHECK(form.issues[0].field == "name");
        CHECK(form.draft.owner_id == w.alice.principal_id);
        CHECK_FALSE(form.draft.auth_id.has_value());
        std::string id = started->draft_id;

        auto named_patch = w.auths.patch_draft(w.alice, patch_of(id, 1, named("Okta")));
        REQUIRE_MESSAGE(named_patch.has_value(), named_patch.error().message);
        CHECK(named_patch->new_version == 2);
        CHECK(named_patch->form_state.can_publish);
        CHECK(named_patch->form_state.issues.empty());
        CHECK(
            values(named_patch->form_state.draft.content.protocols) ==
            std::vector<std::string>{"SAML"}
        );
        CHECK(named_patch->form_state.draft.content.name->value == "Okta");

        auto stale = w.auths.patch_draft(w.alice, patch_of(id, 1, named("Lost")));
        CHECK(stale.error().kind == ErrorKind::kConflict);
        CHECK(stale.error().message.find("current version is 2") != std::string::npos);
        REQUIRE(stale.error().details.size() == 1);
        CHECK(stale.error().details[0].field == "expected_version");
        CHECK(stale.error().details[0].message == "current version is 2");
        auto shown = w.auths.get(w.alice, {}, id);
        REQUIRE(shown.has_value());
        CHECK(shown->draft_version == 2);
        CHECK(values(shown->names.selected) == std::vector<std::string>{"Okta"});
        CHECK(w.count("SELECT COUNT(*) FROM auth_parts WHERE value = 'Lost'", {}) == 0);

        DraftPatch missing = patch_of(id, 2, {});
        missing.expected_version.reset();
        CHECK(
            w.auths.patch_draft(w.alice, missing).error().details.at(0).field == "expected_version"
        );
        AuthFields both = named("x");
        both.name_id = "y";
        CHECK(
            w.auths.patch_draft(w.alice, patch_of(id, 2, both)).error().kind ==
            ErrorKind::kInvalidArgument
        );
        AuthFields bad_item;
        bad_item.item_ids = std::vector<std::string>{"no-such-item"};
        auto unknown = w.auths.patch_draft(w.alice, patch_of(id, 2, bad_item));
        CHECK(unknown.error().details.at(0).field == "item_ids[0]");
        CHECK(w.auths.get(w.alice, {}, id)->draft_version == 2);  // failed patches changed nothing
        CHECK(w.audits("auths.draft.created") == 1);
        CHECK(w.audits("auths.draft.patched") == 1);
    }

    TEST_CASE_TEMPLATE(
        "drafts are invisible to everyone but their owner, org admins included",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto mine = w.auths.patch_draft(w.alice, start_of({}, named("Secret")));
        REQUIRE(mine.has_value());
        std::string id = mine->draft_id;
        for (auto const* other : {&w.bob, &w.root}) {
            CHECK(w.auths.get(*other, {}, id).error().kind == ErrorKind::kNotFound);
            CHECK(
                w.auths.patch_draft(*other, patch_of(id, 1, named("x"))).error().kind ==
                ErrorKind::kNotFound
            );
            CHECK(w.auths.list_drafts(*other)->empty());
            auto publish = w.auths.create(*other, {CreateItem{id, {}}});
            CHECK(publish[0].result.error().kind == ErrorKind::kNotFound);
        }
        auto listed = w.auths.list_drafts(w.alice);
        REQUIRE(listed.has_value());
        REQUIRE(listed->size() == 1);
        CHECK(listed->at(0).draft.id == id);
        CHECK(listed->at(0).can_publish);
        auto second = w.auths.patch_draft(w.alice, start_of({}, named("Later")));
        REQUIRE(second.has_value());
        w.clock.advance(std::chrono::seconds{1});
        REQUIRE(w.auths.patch_draft(w.alice, patch_of(id, 1, named("Renamed"))).has_value());
        auto ordered = w.auths.list_drafts(w.alice);
        REQUIRE(ordered->size() == 2);
        CHECK(ordered->at(0).draft.id == id);  // most recently changed first
    }

    TEST_CASE_TEMPLATE(
        "publishing a new draft creates the auth and deletes the draft in one step",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        w.department("Sales");
        AuthFields f = named("Fresh");
        f.department_ids = std::vector<std::string>{"sales"};
        f.slug_ids = std::vector<std::string>{"fresh"};
        auto d = w.auths.patch_draft(w.alice, start_of({}, f));
        REQUIRE(d.has_value());
        CHECK(
            w.auths.update(w.alice, {UpdateItem{{}, d->draft_id, {}, {}}})[0]
                .result.error()
                .details.at(0)
                .field == "draft_id"
        );  // a new auth's draft is published with create
        auto out = w.auths.create(w.alice, {CreateItem{d->draft_id, {}}});
        REQUIRE_MESSAGE(out[0].result.has_value(), out[0].result.error().message);
        auto const& a = *out[0].result;
        CHECK(a.content.name->value == "Fresh");
        CHECK(a.content.departments.at(0).name == "Sales");
        CHECK(values(a.content.slugs) == std::vector<std::string>{"fresh"});
        CHECK(w.auths.get(w.alice, {}, d->draft_id).error().kind == ErrorKind::kNotFound);
        CHECK(w.auths.search(w.bob, {})->total_count == 1);
        CHECK(w.events("auth.published") == 1);
        CHECK(w.count("SELECT COUNT(*) FROM draft_part_links", {}) == 0);
        auto again = w.auths.create(w.alice, {CreateItem{d->draft_id, {}}});
        CHECK(again[0].result.error().kind == ErrorKind::kNotFound);

        auto nameless = w.auths.patch_draft(w.alice, start_of({}, {}));
        REQUIRE(nameless.has_value());
        auto refused = w.auths.create(w.alice, {CreateItem{nameless->draft_id, {}}});
        CHECK(refused[0].result.error().details.at(0).field == "name");
        CHECK(w.auths.get(w.alice, {}, nameless->draft_id).has_value());  // still there
    }

    TEST_CASE_TEMPLATE(
        "a draft of an auth copies it, publishes through update, and conflicts once the auth "
        "moved on",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        AuthFields f = named("Okta");
        f.protocol_ids = std::vector<std::string>{"SAML"};
        auto a = w.make(w.alice, f);
        auto d = w.auths.patch_draft(w.alice, start_of(a.id));
        REQUIRE_MESSAGE(d.has_value(), d.error().message);
        CHECK(d->form_state.draft.auth_id == a.id);
        CHECK(d->form_state.draft.base_version == 1);
        CHECK(values(d->form_state.draft.content.protocols) == std::vector<std::string>{"SAML"});
        CHECK(w.auths.get(w.alice, a.id, {})->draft_version == 1);
        CHECK_FALSE(w.auths.get(w.bob, a.id, {})->draft_version.has_value());
        auto shown = w.auths.get(w.alice, {}, d->draft_id);
        CHECK(shown->auth_exists);
        CHECK(shown->auth_id == a.id);
        CHECK(shown->can_edit);

        AuthFields change;
        change.protocol_ids = std::vector<std::string>{"OIDC"};
        REQUIRE(w.auths.patch_draft(w.alice, patch_of(d->draft_id, 1, change)).has_value());
        CHECK(
            values(w.auths.get(w.alice, a.id, {})->protocols.selected) ==
            std::vector<std::string>{"SAML"}
        );
        auto published = w.auths.update(w.alice, {UpdateItem{{}, d->draft_id, {}, {}}});
        REQUIRE_MESSAGE(published[0].result.has_value(), published[0].result.error().message);
        CHECK(published[0].result->version == 2);
        CHECK(values(published[0].result->content.protocols) == std::vector<std::string>{"OIDC"});
        CHECK(w.auths.get(w.alice, {}, d->draft_id).error().kind == ErrorKind::kNotFound);
        CHECK(w.audits("auths.auth.updated") == 1);

        // A second draft; the auth changes under it; publishing it conflicts.
        auto late = w.auths.patch_draft(w.alice, start_of(a.id, named("Late rename")));
        REQUIRE(late.has_value());
        AuthFields direct;
        direct.description = "changed directly";
        REQUIRE(w.auths.update(w.root, {UpdateItem{a.id, {}, std::int64_t{2}, direct}})[0]
                    .result.has_value());
        auto form = w.auths.list_drafts(w.alice)->at(0);
        CHECK_FALSE(form.can_publish);
        CHECK(form.issues.at(0).field == "auth_id");
        auto conflict = w.auths.update(w.alice, {UpdateItem{{}, late->draft_id, {}, {}}});
        CHECK(conflict[0].result.error().kind == ErrorKind::kConflict);
        CHECK(conflict[0].result.error().message.find("current version is 3") != std::string::npos);
        auto now = w.auths.get(w.alice, a.id, {});
        CHECK(now->version == 3);
        CHECK(values(now->names.selected) == std::vector<std::string>{"Okta"});
        CHECK(w.auths.get(w.alice, {}, late->draft_id).has_value());  // kept for the owner to redo
        CHECK(
            w.auths.create(w.alice, {CreateItem{late->draft_id, {}}})[0]
                .result.error()
                .details.at(0)
                .field == "draft_id"
        );
    }

    TEST_CASE_TEMPLATE(
        "32 concurrent patches with the same expected_version: exactly one wins, the rest "
        "conflict, and the draft holds only the winner's change",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        AuthsWorld w{T::kBackend};
        auto d = w.auths.patch_draft(w.alice, start_of({}, named("Start")));
        REQUIRE(d.has_value());
        constexpr int kWriters = 32;
        std::vector<std::optional<server::core::Result<server::auths::PatchOutcome>>> results(
            kWriters
        );
        std::barrier start{kWriters};
        std::vector<std::thread> threads;
        for (int i = 0; i < kWriters; ++i) {
            threads.emplace_back([&, i] {
                AuthFields f = named("writer-" + std::to_string(i));
                f.slug_ids = std::vector<std::string>{"slug-" + std::to_string(i)};
                auto patch = patch_of(d->draft_id, 1, f);
                start.arrive_and_wait();
                results[static_cast<std::size_t>(i)] = w.auths.patch_draft(w.alice, patch);
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        int wins = 0;
        int winner = -1;
        for (int i = 0; i < kWriters; ++i) {
            auto const& r = *results[static_cast<std::size_t>(i)];
            if (r.has_value()) {
                ++wins;
                winner = i;
                CHECK(r->new_version == 2);
            } else {
                CAPTURE(r.error().message);
                CHECK(r.error().kind == ErrorKind::kConflict);
                CHECK(r.error().details.at(0).message == "current version is 2");
            }
        }
        REQUIRE(wins == 1);
        auto final_state = w.auths.get(w.alice, {}, d->draft_id);
        REQUIRE(final_state.has_value());
        CHECK(final_state->draft_version == 2);
        CHECK(
            values(final_state->names.selected) ==
            std::vector<std::string>{"writer-" + std::to_string(winner)}
        );
        CHECK(
            values(final_state->slugs.selected) ==
            std::vector<std::string>{"slug-" + std::to_string(winner)}
        );
        // The losers' parts rolled back with them.
        CHECK(w.count("SELECT COUNT(*) FROM auth_parts WHERE kind = 'slug'", {}) == 1);
        CHECK(w.audits("auths.draft.patched") == 1);
    }
}
