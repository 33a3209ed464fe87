// Search freshness across replicas: two servers share one database (both back
// ends), each with its own in-memory search index. A create, rename or delete
// through one shows in the very next search through the other, and a refresh
// through one makes the other reload rather than keep a stale index.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

constexpr const char* kBase = "/api/v5/artifacts/auths/";

class Replica {
public:
    explicit Replica(Deployment const& d) : key_(d.api_key), server_(d), http_(server_.port()) {}

    json::value post(std::string const& op, json::value const& body) {
        auto reply = http_.rest("POST", kBase + op, body, bearer(key_));
        REQUIRE_MESSAGE(reply.status == 200, op << ": " << reply.status << " " << reply.body);
        return reply.json();
    }

    /// Names of the auths a search for `text` finds, in order.
    std::vector<std::string> names(std::string const& text) {
        auto r = post("search", json::object{{"search", text}});
        std::vector<std::string> out;
        for (auto const& a : r.at("auths").as_array()) {
            out.emplace_back(a.at("name").as_string());
        }
        CHECK(r.at("total_count").as_int64() == static_cast<std::int64_t>(out.size()));
        return out;
    }

private:
    std::string key_;
    ServerProcess server_;
    HttpClient http_;
};

using Names = std::vector<std::string>;

std::string created_id(json::value const& r) {
    auto const& result = r.at("results").as_array().at(0);
    REQUIRE_MESSAGE(result.at("success") == true, json::serialize(result));
    return std::string(result.at("auth_id").as_string());
}

}  // namespace

TEST_SUITE("e2e/auths") {
    TEST_CASE_TEMPLATE(
        "a write through one replica shows in the next search through another",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        auto d = bootstrap(T::kBackend);
        Replica a(d);
        Replica b(d);
        CHECK(b.names("replica").empty());  // b's index is loaded, and empty

        auto id = created_id(a.post(
            "create", json::object{{"auths", json::array{json::object{{"name", "Replica One"}}}}}
        ));
        CHECK(b.names("replica") == Names{"Replica One"});

        a.post(
            "update",
            json::object{
                {"auths",
                 json::array{json::object{
                     {"auth_id", id}, {"expected_version", 1}, {"name", "Renamed Replica"}}}}}
        );
        CHECK(b.names("replica") == Names{"Renamed Replica"});
        CHECK(b.names("one").empty());

        auto second = created_id(b.post(
            "create",
            json::object{{"auths", json::array{json::object{{"name", "Another Replica"}}}}}
        ));
        CHECK(a.names("replica") == Names{"Another Replica", "Renamed Replica"});

        a.post("delete", json::object{{"auth_ids", json::array{id}}});
        CHECK(b.names("replica") == Names{"Another Replica"});

        // A refresh through a rebuilds the rows and forgets the deletion log;
        // b reloads instead of catching up.
        auto refreshed = a.post("refresh", json::object{});
        CHECK(refreshed.at("refreshed_views").as_array().size() == 1);
        b.post("delete", json::object{{"auth_ids", json::array{second}}});
        CHECK(a.names("replica").empty());
        CHECK(b.names("replica").empty());
    }
}
