// Every auths_* operation through the real binary, on each transport (MCP over
// stdio, MCP over Streamable HTTP, REST, REST with the X-MCP bridge header) and
// on both back ends: one scenario, run once per (transport, back end), checking
// answers, error codes, and the provenance written to the database.
#include <functional>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::Backend;
using signoff::testing::PostgresBackend;
using signoff::testing::SqliteBackend;

namespace {

/// A tool's answer whatever the transport: success with the structured body,
/// or the error code of {code, message, details}.
struct Reply {
    bool ok{false};
    json::value body;
    std::string code;  // error code when !ok
};

class Caller {
public:
    virtual ~Caller() = default;
    virtual Reply call(std::string const& tool, json::object const& args) = 0;
    /// The audit channel and via_mcp value the transport's writes must carry.
    virtual std::string channel() const = 0;
    virtual bool via_mcp() const = 0;
};

Reply from_call_result(json::object const& result) {
    Reply r;
    r.ok = result.at("isError") == false;
    r.body = result.at("structuredContent");
    if (!r.ok) {
        r.code = std::string(r.body.at("code").as_string());
    }
    return r;
}

class StdioCaller : public Caller {
public:
    explicit StdioCaller(Deployment const& d) : client_(d) { client_.initialize(); }
    Reply call(std::string const& tool, json::object const& args) override {
        return from_call_result(client_.call(tool, args));
    }
    std::string channel() const override { return "mcp-stdio"; }
    bool via_mcp() const override { return true; }

private:
    StdioClient client_;
};

class HttpMcpCaller : public Caller {
public:
    explicit HttpMcpCaller(Deployment const& d)
        : key_(d.api_key), server_(d), http_(server_.port()) {
        auto init = http_.send(
            "POST",
            "/mcp",
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})",
            headers()
        );
        REQUIRE(init.status == 200);
        session_ = init.header("Mcp-Session-Id");
        REQUIRE_FALSE(session_.empty());
        auto ack = http_.send(
            "POST", "/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", headers()
        );
        REQUIRE(ack.status == 202);
    }
    Reply call(std::string const& tool, json::object const& args) override {
        json::object msg{
            {"jsonrpc", "2.0"},
            {"id", ++id_},
            {"method", "tools/call"},
            {"params", {{"name", tool}, {"arguments", args}}}};
        auto reply = http_.send("POST", "/mcp", json::serialize(msg), headers());
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        auto v = reply.json();
        REQUIRE_MESSAGE((v.is_object() && v.as_object().contains("result")), reply.body);
        return from_call_result(v.at("result").as_object());
    }
    std::string channel() const override { return "mcp-http"; }
    bool via_mcp() const override { return true; }

private:
    httplib::Headers headers() const {
        httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
        if (!session_.empty()) {
            h.emplace("Mcp-Session-Id", session_);
            h.emplace("MCP-Protocol-Version", "2025-11-25");
        }
        return bearer(key_, h);
    }
    std::string key_;
    ServerProcess server_;
    HttpClient http_;
    std::string session_;
    std::int64_t id_{1};
};

/// The REST contract of seed 002, written out here (not read from the
/// registry) so that a changed route fails this test.
struct Route {
    char const* method;
    char const* path;
};
Route route_of(std::string const& tool) {
    static std::map<std::string, Route> const routes{
        {"auths_parts_list", {"GET", "/api/v5/artifacts/auths/parts"}},
        {"auths_parts_create", {"POST", "/api/v5/artifacts/auths/parts"}},
        {"auths_departments_list", {"GET", "/api/v5/artifacts/auths/departments"}},
        {"auths_departments_create", {"POST", "/api/v5/artifacts/auths/departments"}},
        {"auths_get", {"POST", "/api/v5/artifacts/auths/get"}},
        {"auths_search", {"POST", "/api/v5/artifacts/auths/search"}},
        {"auths_create", {"POST", "/api/v5/artifacts/auths/create"}},
        {"auths_update", {"POST", "/api/v5/artifacts/auths/update"}},
        {"auths_duplicate", {"POST", "/api/v5/artifacts/auths/duplicate"}},
        {"auths_delete", {"POST", "/api/v5/artifacts/auths/delete"}},
        {"auths_patch_draft", {"PATCH", "/api/v5/artifacts/auths/draft"}},
        {"auths_drafts", {"POST", "/api/v5/artifacts/auths/drafts"}},
        {"auths_docs", {"POST", "/api/v5/artifacts/auths/docs"}},
        {"auths_export", {"POST", "/api/v5/artifacts/auths/export"}},
        {"auths_refresh", {"POST", "/api/v5/artifacts/auths/refresh"}},
    };
    auto it = routes.find(tool);
    REQUIRE_MESSAGE(it != routes.end(), "no REST route known for " << tool);
    return it->second;
}

std::string query_of(json::object const& args) {
    std::string q;
    for (auto const& [k, v] : args) {
        q += (q.empty() ? "?" : "&") + std::string(k) + "=";
        q += v.is_string() ? std::string(v.as_string()) : json::serialize(v);
    }
    return q;
}

class RestCaller : public Caller {
public:
    RestCaller(Deployment const& d, bool bridge)
        : key_(d.api_key), bridge_(bridge), server_(d), http_(server_.port()) {}
    Reply call(std::string const& tool, json::object const& args) override {
        auto route = route_of(tool);
        httplib::Headers h;
        if (bridge_) {
            h.emplace("X-MCP", "1");
        }
        // The seed lists X-Api-Key beside Authorization: the bridge uses one, plain REST the other.
        if (bridge_) {
            h.emplace("X-Api-Key", key_);
        } else {
            h = bearer(key_, h);
        }
        HttpReply reply = std::string(route.method) == "GET"
                              ? http_.send("GET", route.path + query_of(args), "", h)
                              : http_.rest(route.method, route.path, args, h);
        Reply r;
        r.body = reply.json();
        r.ok = reply.status >= 200 && reply.status < 300;
        if (!r.ok) {
            REQUIRE_MESSAGE(r.body.is_object(), reply.status << " " << reply.body);
            r.code = std::string(r.body.at("code").as_string());
            status_of_last_error = reply.status;
        }
        return r;
    }
    std::string channel() const override { return bridge_ ? "rest+x-mcp" : "rest"; }
    bool via_mcp() const override { return bridge_; }
    int status_of_last_error{0};

private:
    std::string key_;
    bool bridge_;
    ServerProcess server_;
    HttpClient http_;
};

json::value ok(Reply const& r) {
    REQUIRE_MESSAGE(r.ok, json::serialize(r.body));
    return r.body;
}

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

/// Ids of a section's selected parts, in order.
std::vector<std::string> selected_values(json::value const& section) {
    std::vector<std::string> out;
    for (auto const& p : section.at("selected").as_array()) {
        out.push_back(str(p.at("value")));
    }
    return out;
}

void scenario(Caller& c, Deployment const& d) {
    // Parts and departments, so that ids can be discovered.
    auto proto = ok(c.call("auths_parts_create", {{"kind", "protocol"}, {"value", "OAuth2"}}));
    CHECK(proto.at("kind") == "protocol");
    auto again = ok(c.call("auths_parts_create", {{"kind", "protocol"}, {"value", "oauth2"}}));
    CHECK(again.at("id") == proto.at("id"));  // case-insensitive match, not a second part
    auto item = ok(c.call("auths_parts_create", {{"kind", "item"}, {"value", "client secret"}}));
    auto parts = ok(c.call("auths_parts_list", {{"kind", "protocol"}}));
    CHECK(parts.at("parts").as_array().size() == 1);
    auto finance = ok(c.call("auths_departments_create", {{"name", "Finance"}}));
    ok(c.call("auths_departments_create", {{"name", "Legal"}}));
    auto depts = ok(c.call("auths_departments_list", {{"search", "fin"}}));
    REQUIRE(depts.at("departments").as_array().size() == 1);

    // Create: inline fields with free text resolved to parts; one bad item fails alone.
    auto created = ok(c.call(
        "auths_create",
        {{"auths",
          json::array{
              json::object{
                  {"name", "Payroll SSO"},
                  {"description", "Okta, \"payroll\" tenant"},
                  {"protocol_ids", json::array{"oauth2", "SAML"}},
                  {"item_ids", json::array{item.at("id")}},
                  {"department_ids", json::array{"finance"}}},
              json::object{{"name", "Broken"}, {"department_ids", json::array{"No such dept"}}},
          }}}
    ));
    auto const& results = created.at("results").as_array();
    REQUIRE(results.size() == 2);
    REQUIRE_MESSAGE(results[0].at("success") == true, json::serialize(results[0]));
    CHECK(results[1].at("success") == false);
    CHECK(results[1].at("error").at("code") == "invalid_argument");
    auto auth_id = str(results[0].at("auth_id"));
    CHECK(results[0].at("version") == 1);

    // Get: sections with the selection and options.
    auto got = ok(c.call("auths_get", {{"auth_id", auth_id}}));
    CHECK(got.at("auth_exists") == true);
    CHECK(got.at("can_edit") == true);
    CHECK(got.at("basic_show_ai_generate") == false);
    CHECK(selected_values(got.at("names")) == std::vector<std::string>{"Payroll SSO"});
    CHECK(selected_values(got.at("protocols")) == std::vector<std::string>{"OAuth2", "SAML"});
    CHECK(got.at("protocols").at("options_total") == 2);
    CHECK(got.at("departments").at("selected").as_array().size() == 1);
    CHECK_FALSE(str(got.at("actor_name")).empty());
    auto neither = c.call("auths_get", json::object{});
    CHECK_FALSE(neither.ok);
    CHECK(neither.code == "invalid_argument");

    // Search: text over protocols, department facets, paging.
    auto found = ok(c.call("auths_search", {{"search", "saml"}}));
    CHECK(found.at("total_count") == 1);
    REQUIRE(found.at("auths").as_array().size() == 1);
    CHECK(str(found.at("auths").at(0).at("id")) == auth_id);
    bool finance_facet = false;
    for (auto const& f : found.at("department_filter").at("options").as_array()) {
        if (f.at("id") == finance.at("id")) {
            finance_facet = f.at("count") == 1;
        }
    }
    CHECK(finance_facet);
    auto none = ok(c.call("auths_search", {{"search", "kerberos"}}));
    CHECK(none.at("total_count") == 0);

    // Drafts: start from the auth, patch with the right version, then a stale one.
    auto started = ok(c.call("auths_patch_draft", {{"auth_id", auth_id}}));
    auto draft_id = str(started.at("draft_id"));
    CHECK(started.at("new_version") == 1);
    auto patched = ok(c.call(
        "auths_patch_draft",
        {{"input_draft_id", draft_id},
         {"expected_version", 1},
         {"description", "Okta payroll tenant, v2"}}
    ));
    CHECK(patched.at("new_version") == 2);
    CHECK(patched.at("form_state").at("can_publish") == true);
    auto stale = c.call(
        "auths_patch_draft",
        {{"draft_id", draft_id}, {"expected_version", 1}, {"name", "Lost update"}}
    );
    CHECK_FALSE(stale.ok);
    CHECK(stale.code == "conflict");
    CHECK(json::serialize(stale.body).find("2") != std::string::npos);  // names the version
    auto both = c.call(
        "auths_patch_draft",
        {{"draft_id", draft_id},
         {"expected_version", 2},
         {"name", "x"},
         {"name_id", proto.at("id")}}
    );
    CHECK(both.code == "invalid_argument");
    auto mine = ok(c.call("auths_drafts", json::object{}));
    REQUIRE(mine.at("entries").as_array().size() == 1);
    CHECK(mine.at("entries").at(0).at("draft").at("version") == 2);
    auto draft_view = ok(c.call("auths_get", {{"draft_id", draft_id}}));
    CHECK(draft_view.at("draft_version") == 2);

    // Publish the draft through update; then a stale expected_version fails alone.
    auto published = ok(c.call("auths_update", {{"auths", json::array{{{"draft_id", draft_id}}}}}));
    REQUIRE_MESSAGE(
        published.at("results").at(0).at("success") == true, json::serialize(published)
    );
    CHECK(published.at("results").at(0).at("version") == 2);
    CHECK(ok(c.call("auths_drafts", json::object{})).at("entries").as_array().empty());
    auto lost = ok(c.call(
        "auths_update",
        {{"auths", json::array{{{"auth_id", auth_id}, {"expected_version", 1}, {"name", "Old"}}}}}
    ));
    CHECK(lost.at("results").at(0).at("error").at("code") == "conflict");

    // Duplicate, export, docs, refresh.
    auto copy = ok(c.call("auths_duplicate", {{"auth_id", auth_id}}));
    auto copy_id = str(copy.at("auth_id"));
    CHECK(copy_id != auth_id);
    CHECK(str(copy.at("auth").at("name").at("value")).find("copy") != std::string::npos);
    auto exported = ok(c.call("auths_export", json::object{}));
    CHECK(exported.at("row_count") == 2);
    CHECK(str(exported.at("file_name")).ends_with(".csv"));
    auto docs = ok(c.call("auths_docs", {{"entity_id", auth_id}}));
    bool draft_op = false;
    for (auto const& op : docs.at("api_operations").as_array()) {
        if (op.at("operation") == "auths_patch_draft") {
            draft_op =
                op.at("method") == "PATCH" && op.at("path") == "/api/v5/artifacts/auths/draft";
        }
    }
    CHECK(draft_op);
    CHECK(docs.at("artifact").at("title") == "Payroll SSO");
    auto refreshed = ok(c.call("auths_refresh", json::object{}));
    CHECK(refreshed.at("refreshed_views").as_array().size() >= 1);

    // Delete both, with one result per id; an unknown id fails alone.
    auto deleted =
        ok(c.call("auths_delete", {{"auth_ids", json::array{auth_id, copy_id, "0000-not-an-auth"}}})
        );
    auto const& del = deleted.at("results").as_array();
    REQUIRE(del.size() == 3);
    CHECK(del[0].at("success") == true);
    CHECK(del[1].at("success") == true);
    CHECK(del[2].at("error").at("code") == "not_found");
    CHECK(ok(c.call("auths_search", json::object{})).at("total_count") == 0);

    // Provenance: every write audited with this transport's channel; parts and
    // departments carry via_mcp from it.
    auto channels = db_query(
        d,
        "SELECT DISTINCT channel FROM audit_log WHERE action LIKE 'auth%' OR action LIKE "
        "'department%'"
    );
    REQUIRE(channels.size() == 1);
    CHECK(channels[0].text(0) == c.channel());
    auto flags = db_query(d, "SELECT DISTINCT via_mcp FROM auth_parts");
    REQUIRE(flags.size() == 1);
    CHECK(flags[0].integer(0) == (c.via_mcp() ? 1 : 0));
}

using Factory = std::function<std::unique_ptr<Caller>(Deployment const&)>;

void run_on_every_transport(Backend backend) {
    std::vector<std::pair<char const*, Factory>> const transports{
        {"mcp-stdio", [](Deployment const& d) { return std::make_unique<StdioCaller>(d); }},
        {"mcp-http", [](Deployment const& d) { return std::make_unique<HttpMcpCaller>(d); }},
        {"rest", [](Deployment const& d) { return std::make_unique<RestCaller>(d, false); }},
        {"rest+x-mcp", [](Deployment const& d) { return std::make_unique<RestCaller>(d, true); }},
    };
    for (auto const& [name, make] : transports) {
        CAPTURE(name);
        auto d = bootstrap(backend);
        auto caller = make(d);
        scenario(*caller, d);
    }
}

}  // namespace

TEST_SUITE("e2e/auths") {
    TEST_CASE_TEMPLATE(
        "every auths operation works over stdio, HTTP, REST and REST with X-MCP",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        run_on_every_transport(T::kBackend);
    }

    TEST_CASE("REST maps auths errors to HTTP statuses with {code, message, details}") {
        auto d = bootstrap(Backend::kSqlite);
        RestCaller rest(d, false);
        auto missing =
            rest.call("auths_get", {{"auth_id", "01900000-0000-7000-8000-000000000000"}});
        CHECK(missing.code == "not_found");
        CHECK(rest.status_of_last_error == 404);
        auto started = ok(rest.call("auths_patch_draft", {{"name", "Draft A"}}));
        auto id = str(started.at("draft_id"));
        auto no_version = rest.call("auths_patch_draft", {{"input_draft_id", id}, {"name", "B"}});
        CHECK(no_version.code == "invalid_argument");
        CHECK(rest.status_of_last_error == 400);
        CHECK(json::serialize(no_version.body).find("expected_version") != std::string::npos);
        auto stale = rest.call(
            "auths_patch_draft", {{"input_draft_id", id}, {"expected_version", 7}, {"name", "B"}}
        );
        CHECK(stale.code == "conflict");
        CHECK(rest.status_of_last_error == 409);
        auto unknown = rest.call("auths_search", {{"page_size", 101}});
        CHECK(unknown.code == "invalid_argument");
        auto extra = rest.call("auths_search", {{"pagesize", 10}});
        CHECK(extra.code == "invalid_argument");
        CHECK(json::serialize(extra.body).find("pagesize") != std::string::npos);
        // Nothing was written by the refused calls: still exactly one draft at version 1.
        auto drafts = db_query(d, "SELECT version FROM auth_drafts");
        REQUIRE(drafts.size() == 1);
        CHECK(drafts[0].integer(0) == 1);
    }
}

TEST_SUITE("e2e/auths") {
    TEST_CASE("auths_export over stdio reports progress to a caller that sent a progress token") {
        auto d = bootstrap(Backend::kSqlite);
        StdioClient c(d);
        c.initialize();
        auto created = c.call(
            "auths_create",
            {{"auths", json::array{{{"name", "One"}}, {{"name", "Two"}}, {{"name", "Three"}}}}}
        );
        REQUIRE(created.at("isError") == false);
        auto r = c.request(
            "tools/call",
            {{"name", "auths_export"},
             {"arguments", json::object{}},
             {"_meta", {{"progressToken", "export-1"}}}}
        );
        REQUIRE_MESSAGE(r.contains("result"), json::serialize(r));
        auto const& result = r.at("result").as_object();
        REQUIRE(result.at("isError") == false);
        CHECK(result.at("structuredContent").at("row_count") == 3);
        int progress = 0;
        for (auto const& n : c.notifications()) {
            if (n.at("method") == "notifications/progress") {
                CHECK(n.at("params").at("progressToken") == "export-1");
                CHECK(n.at("params").at("total").to_number<double>() == 3.0);
                ++progress;
            }
        }
        CHECK(progress >= 1);
    }
}
