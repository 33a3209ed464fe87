// Webhook bodies from outbox rows: the stored "data" member carried byte for
// byte, the fixed member order of both schemes, refusal of payloads not in the
// emitters' shape, and real catalog events (both back ends) carrying what a
// receiver provisions from: slug, user, approver, note, reason, id and state.
#include "server/delivery/envelope.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "storage/repos/events_repo.hpp"
#include "tests/server/support/domain_fixture.hpp"

using namespace signoff;
using server::core::ErrorKind;
using server::delivery::build_body;
using server::delivery::OutboxEvent;
using server::delivery::parse_scheme;
using server::delivery::payload_data;
using server::delivery::Scheme;
using testing::Domain;
using testing::PostgresBackend;
using testing::SqliteBackend;

namespace {

OutboxEvent sample(std::string payload) {
    return OutboxEvent{
        "00000000-0000-7000-8000-000000000042",
        "00000000-0000-7000-8000-000000000001",
        "team_support.approved",
        "2026-01-01T00:00:00.000Z",
        std::move(payload)};
}

/// The outbox rows of the actor's org, oldest first.
std::vector<storage::repos::OutboxRecord> outbox(Domain& d, server::core::Actor const& a) {
    auto tx = d.tdb.db->begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = storage::repos::list_outbox_for_org(**tx, a.org_id);
    REQUIRE(rows.has_value());
    return *rows;
}

boost::json::object body_data(storage::repos::OutboxRecord const& row) {
    auto body = build_body(Scheme::kSignoff, server::delivery::event_of(row));
    REQUIRE_MESSAGE(body.has_value(), body.error().message);
    auto parsed = boost::json::parse(*body).as_object();
    CHECK(parsed.at("id") == row.id.c_str());
    CHECK(parsed.at("type") == row.event_type.c_str());
    CHECK(parsed.at("org") == row.org_id.c_str());
    CHECK(parsed.at("created_at") == row.created_at.c_str());
    return parsed.at("data").as_object();
}

}  // namespace

TEST_SUITE("server/delivery/envelope") {
    TEST_CASE("the data member is taken byte for byte, whitespace and escapes included") {
        CHECK(
            payload_data(R"({"version":1,"data":{"a":[1,2,{"b":null}]}})").value() ==
            R"({"a":[1,2,{"b":null}]})"
        );
        CHECK(
            payload_data(R"( { "data" : { "x" : "q\"}\\ \u00e9" } , "z" : -1.5e3 } )").value() ==
            R"({ "x" : "q\"}\\ \u00e9" })"
        );
        CHECK(payload_data(R"({"data":"text","other":true})").value() == R"("text")");
        CHECK(payload_data(R"({"data":[]})").value() == "[]");
        CHECK(payload_data(R"({"deep":{"data":1},"data":2})").value() == "2");
    }

    TEST_CASE("payloads not in the emitters' shape are refused as internal errors") {
        for (auto const* bad : {
                 "",
                 "[]",
                 R"({"version":1})",
                 R"({"data":{}} trailing)",
                 R"({"data":{"a":1})",
                 R"({"data":"unterminated})",
                 R"({"data":{"a":01x}})",
                 R"({"data":tru})",
                 R"({"data":"bad \q escape"})",
                 "{\"data\":\"raw\ncontrol\"}",
                 R"({"data":{"a":1,}})",
                 R"({data:1})",
             }) {
            INFO(bad);
            auto r = payload_data(bad);
            REQUIRE(r.has_error());
            CHECK(r.error().kind == ErrorKind::kInternal);
        }
        std::string deep = R"({"data":)" + std::string(100, '[') + std::string(100, ']') + "}";
        CHECK(payload_data(deep).has_error());
        std::string fine = R"({"data":)" + std::string(30, '[') + std::string(30, ']') + "}";
        CHECK(payload_data(fine).has_value());
    }

    TEST_CASE("the signoff body is {id, type, created_at, org, data} in that order") {
        auto body = build_body(Scheme::kSignoff, sample(R"({"version":1,"data":{"slug":"x"}})"));
        CHECK(
            body.value() ==
            R"({"id":"00000000-0000-7000-8000-000000000042","type":"team_support.approved",)"
            R"("created_at":"2026-01-01T00:00:00.000Z","org":"00000000-0000-7000-8000-000000000001",)"
            R"("data":{"slug":"x"}})"
        );
    }

    TEST_CASE("the fluxdesk body begins with {\"version\":1,\"type\": as the seed product's does") {
        auto body = build_body(Scheme::kFluxdesk, sample(R"({"version":1,"data":{"slug":"x"}})"));
        CHECK(
            body.value() ==
            R"({"version":1,"type":"team_support.approved",)"
            R"("id":"00000000-0000-7000-8000-000000000042","created_at":"2026-01-01T00:00:00.000Z",)"
            R"("data":{"slug":"x"}})"
        );
        CHECK(body->starts_with(R"({"version":1,"type":)"));
    }

    TEST_CASE("the same event always gives the same bytes, and a bad payload gives no body") {
        auto e = sample(R"({"version":1,"type":"t","data":{"note":"✓ \"quoted\""}})");
        CHECK(build_body(Scheme::kSignoff, e).value() == build_body(Scheme::kSignoff, e).value());
        e.type = "type \"with\" quotes";
        CHECK(
            boost::json::parse(build_body(Scheme::kFluxdesk, e).value()).at("type").as_string() ==
            e.type
        );
        CHECK(build_body(Scheme::kSignoff, sample("not json")).has_error());
    }

    TEST_CASE("scheme names parse back and anything else is refused") {
        CHECK(parse_scheme("signoff") == Scheme::kSignoff);
        CHECK(parse_scheme("fluxdesk") == Scheme::kFluxdesk);
        CHECK(server::delivery::scheme_name(Scheme::kFluxdesk) == "fluxdesk");
        CHECK_FALSE(parse_scheme("FluxDesk").has_value());
        CHECK_FALSE(parse_scheme("").has_value());
    }

    TEST_CASE_TEMPLATE(
        "catalog events carry slug, user, approver, note, reason, approval id and state",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Domain d{T::kBackend};
        auto root = d.org_admin("acme", "root@acme.example");
        auto bob = d.member(root, "bob@acme.example");
        auto row = d.catalog.create_row(
            root,
            {"openai-team", "OpenAI Team", "Seat", root.principal_id, std::string{"llm-backend"}}
        );
        REQUIRE_MESSAGE(row.has_value(), row.error().message);
        auto a = d.catalog.assign(root, "openai-team", bob.email, std::string{"Kit"}, {});
        REQUIRE(a.has_value());
        REQUIRE(d.catalog.revoke(root, "openai-team", bob.email, "off-boarded").has_value());

        auto rows = outbox(d, root);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].event_type == "team_support.approved");
        auto approved = body_data(rows[0]);
        CHECK(approved.at("slug") == "openai-team");
        CHECK(approved.at("user").at("email") == "bob@acme.example");
        CHECK(approved.at("user").at("user_id") == bob.principal_id.c_str());
        CHECK(approved.at("approver").at("id") == root.principal_id.c_str());
        CHECK(approved.at("approver").at("email") == "root@acme.example");
        CHECK(approved.at("note") == "Kit");
        CHECK(approved.at("approval_id") == a->id.c_str());
        CHECK(approved.at("state") == "approved");
        CHECK_FALSE(approved.contains("reason"));

        CHECK(rows[1].event_type == "team_support.revoked");
        auto revoked = body_data(rows[1]);
        CHECK(revoked.at("state") == "revoked");
        CHECK(revoked.at("reason") == "off-boarded");
        CHECK(revoked.at("note") == "Kit");
        CHECK(revoked.at("approval_id") == a->id.c_str());
        CHECK(revoked.at("approver").at("id") == root.principal_id.c_str());
    }
}
