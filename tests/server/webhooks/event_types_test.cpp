// Event-type subscriptions and signing secrets of webhook endpoints: the
// stored list form, the field errors naming an unknown type, the secret's
// format and randomness, the masked hint, and which secrets sign during and
// after a rotation's overlap.
#include "server/webhooks/event_types.hpp"

#include <chrono>
#include <set>

#include <doctest/doctest.h>

#include "server/webhooks/secrets.hpp"
#include "tests/support/fakes.hpp"

using namespace signoff::server;
using Strings = std::vector<std::string>;

TEST_SUITE("server/webhooks/event_types") {
    TEST_CASE("a subscription is stored in a fixed order without duplicates") {
        auto s = webhooks::normalize_events(
            {"auth.deleted", "team_support.approved", "auth.deleted", "workflow.canceled"}
        );
        REQUIRE(s.has_value());
        CHECK(*s == "team_support.approved,workflow.canceled,auth.deleted");
        CHECK(
            webhooks::split_events(*s) ==
            Strings{"team_support.approved", "workflow.canceled", "auth.deleted"}
        );
        CHECK(webhooks::normalize_events({"*"}).value() == "*");
        CHECK(webhooks::normalize_events({"*", "*"}).value() == "*");
        CHECK(webhooks::split_events("*") == Strings{"*"});
        for (auto t : webhooks::kEventTypes) {
            CHECK(webhooks::normalize_events({std::string(t)}).value() == t);
        }
    }

    TEST_CASE("an unknown type, an empty list or a mixed star is a field error") {
        auto r = webhooks::normalize_events({"team_support.approved", "team_support.aproved"});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == core::ErrorKind::kInvalidArgument);
        REQUIRE(r.error().details.size() == 1);
        CHECK(r.error().details[0].field == "events[1]");
        CHECK(r.error().details[0].message.find("'team_support.aproved'") != std::string::npos);
        CHECK(r.error().details[0].message.find("auth.published") != std::string::npos);

        r = webhooks::normalize_events({}, "subscriptions");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().details.at(0).field == "subscriptions");
        r = webhooks::normalize_events({"*", "auth.deleted"});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().details.at(0).message.find("give it alone") != std::string::npos);
        r = webhooks::normalize_events({"Team_Support.Approved"});
        CHECK_FALSE(r.has_value());  // types are exact
        r = webhooks::normalize_events({"workflow.action.webhook"});
        CHECK_FALSE(r.has_value());  // internal events are not subscribable
    }

    TEST_CASE("subscribes matches listed types, and * every subscribable type") {
        CHECK(webhooks::subscribes("*", "auth.deleted"));
        CHECK_FALSE(webhooks::subscribes("*", "workflow.action.webhook"));
        CHECK(webhooks::subscribes("team_support.approved,auth.deleted", "auth.deleted"));
        CHECK_FALSE(webhooks::subscribes("team_support.approved,auth.deleted", "auth.published"));
        CHECK_FALSE(webhooks::subscribes("team_support.approved", "approved"));
        CHECK(webhooks::is_event_type("workflow.expired"));
        CHECK_FALSE(webhooks::is_event_type("*"));
    }
}

TEST_SUITE("server/webhooks/secrets") {
    TEST_CASE("secrets are whsec_ and 43 base64url characters, never repeated") {
        std::set<std::string> seen;
        for (int i = 0; i < 64; ++i) {
            auto s = webhooks::new_webhook_secret();
            CHECK(s.size() == 49);
            CHECK(s.starts_with("whsec_"));
            for (char c : s.substr(6)) {
                bool const b64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                    (c >= '0' && c <= '9') || c == '-' || c == '_';
                CHECK(b64url);
            }
            seen.insert(s);
        }
        CHECK(seen.size() == 64);
    }

    TEST_CASE("the hint shows the prefix and the last four characters only") {
        CHECK(webhooks::secret_hint("whsec_abcdefghWXYZ") == "whsec_…WXYZ");
        CHECK(webhooks::secret_hint("abc") == "whsec_…");
    }

    TEST_CASE("the previous secret signs until its overlap ends") {
        signoff::testing::FakeClock clock;
        signoff::storage::repos::WebhookEndpointRecord w;
        w.secret = "whsec_new";
        CHECK(webhooks::signing_secrets(w, clock.now()) == Strings{"whsec_new"});
        w.previous_secret = "whsec_old";
        w.previous_secret_expires_at =
            core::to_rfc3339(clock.now() + std::chrono::milliseconds{std::chrono::hours{24}});
        CHECK(webhooks::signing_secrets(w, clock.now()) == Strings{"whsec_new", "whsec_old"});
        clock.advance(std::chrono::hours{24} - std::chrono::milliseconds{1});
        CHECK(webhooks::previous_secret_live(w, clock.now()));
        clock.advance(std::chrono::milliseconds{1});
        CHECK_FALSE(webhooks::previous_secret_live(w, clock.now()));
        CHECK(webhooks::signing_secrets(w, clock.now()) == Strings{"whsec_new"});
        w.previous_secret_expires_at = "not a time";
        CHECK_FALSE(webhooks::previous_secret_live(w, clock.now()));
    }
}
