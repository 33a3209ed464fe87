// Helpers for end-to-end tests of the real binary: a bootstrapped deployment on
// either back end, an MCP client over stdio, a running HTTP server, and direct
// reads of the database to check what was (or was not) written.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "storage/db.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_db.hpp"

namespace signoff::e2e {

namespace json = boost::json;

struct Deployment {
    std::string db_url;
    std::string api_key;
    std::string user_id;
    std::string org;
};

/// Bootstraps `org` and its super_admin (root@<org>.example) with `signoff
/// admin bootstrap` in the database at `db_url`, migrating it first if needed.
inline Deployment bootstrap_org(std::string const& db_url, std::string const& org) {
    auto [code, out] = testing::run_command(
        {testing::signoff_binary(),
         "admin",
         "bootstrap",
         "--db",
         db_url,
         "--org",
         org,
         "--email",
         "root@" + org + ".example"}
    );
    REQUIRE_MESSAGE(code == 0, "bootstrap failed: " << out);
    auto v = json::parse(out);
    Deployment d;
    d.db_url = db_url;
    d.api_key = std::string(v.at("api_key").as_string());
    d.user_id = std::string(v.at("user_id").as_string());
    d.org = std::string(v.at("org").as_string());
    return d;
}

/// A fresh database on `backend`, migrated by the binary itself, with an org
/// and its super_admin created by `signoff admin bootstrap`.
inline Deployment bootstrap(testing::Backend backend, std::string const& org = "acme") {
    std::string const url = backend == testing::Backend::kSqlite
                                ? "sqlite:" + testing::temp_dir("e2e") + "/signoff.db"
                                : testing::open_test_db(backend).url;
    return bootstrap_org(url, org);
}

/// Runs one query against the deployment's database and returns the rows.
inline storage::Rows db_query(
    Deployment const& d, std::string const& sql, storage::Params const& params = {}
) {
    auto db = storage::open_db(d.db_url);
    REQUIRE(db.has_value());
    auto tx = (*db)->begin(storage::TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query(sql, params);
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    return *rows;
}

inline std::int64_t db_count(Deployment const& d, std::string const& table) {
    return db_query(d, "SELECT COUNT(*) FROM " + table).at(0).integer(0);
}

/// A JSON string's text (REQUIRE-free: throws on a non-string, failing the test).
inline std::string text(json::value const& v) {
    return std::string(v.as_string());
}

/// Now in Unix seconds, for checking signatures' timestamps.
inline std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

/// Polls `done()` every 20 ms until it holds or `limit` passes; answers whether
/// it held. For effects of background work (deliveries), never as a sleep.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds{15}) {
    auto const until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return done();
}

/// An MCP client speaking to `signoff stdio` over pipes.
class StdioClient {
public:
    explicit StdioClient(Deployment const& d, std::map<std::string, std::string> env = {})
        : child_(
              {testing::signoff_binary(), "stdio", "--db", d.db_url},
              with_key(std::move(env), d.api_key)
          ) {}

    /// Sends a request and returns its response, skipping notifications
    /// (kept in notifications()).
    json::object request(std::string const& method, json::object params = {}) {
        auto const id = ++next_id_;
        json::object msg{
            {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
        child_.write_line(json::serialize(msg));
        return wait_for(id);
    }
    void notify(std::string const& method, json::object params = {}) {
        json::object msg{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
        child_.write_line(json::serialize(msg));
    }
    void send_raw(std::string const& line) { child_.write_line(line); }
    json::object read_message() {
        auto line = child_.read_line();
        REQUIRE_MESSAGE(
            line.has_value(), "no message from signoff stdio; stderr: " << child_.stderr_text()
        );
        return json::parse(*line).as_object();
    }
    json::object wait_for(std::int64_t id) {
        for (;;) {
            auto m = read_message();
            if (m.contains("id") && m.at("id") == id && !m.contains("method")) {
                return m;
            }
            notifications_.push_back(std::move(m));
        }
    }
    json::object initialize(std::string const& version = "2025-11-25") {
        auto r = request(
            "initialize",
            {{"protocolVersion", version},
             {"capabilities", json::object{}},
             {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}
        );
        notify("notifications/initialized");
        return r;
    }
    /// tools/call; returns the CallToolResult.
    json::object call(std::string const& tool, json::object args) {
        auto r = request("tools/call", {{"name", tool}, {"arguments", std::move(args)}});
        REQUIRE_MESSAGE(r.contains("result"), json::serialize(r));
        return r.at("result").as_object();
    }
    testing::Child& child() { return child_; }
    std::vector<json::object> const& notifications() const { return notifications_; }

private:
    static std::map<std::string, std::string> with_key(
        std::map<std::string, std::string> env, std::string const& key
    ) {
        env.emplace("SIGNOFF_API_KEY", key);
        return env;
    }
    testing::Child child_;
    std::int64_t next_id_{0};
    std::vector<json::object> notifications_;
};

/// `signoff serve` on an ephemeral loopback port.
class ServerProcess {
public:
    explicit ServerProcess(Deployment const& d, std::vector<std::string> extra = {})
        : child_(args(d, std::move(extra)), {}) {
        auto line = child_.wait_stderr("listening on http://");
        REQUIRE_MESSAGE(line.has_value(), "server did not start: " << child_.stderr_text());
        auto const at = line->find("127.0.0.1:");
        REQUIRE(at != std::string::npos);
        port_ = std::stoi(line->substr(at + 10));
    }
    ~ServerProcess() { child_.terminate(); }
    int port() const { return port_; }
    /// What the server wrote to stderr so far (its start-up lines at least).
    std::string const& stderr_text() const { return child_.stderr_text(); }
    testing::Child& child() { return child_; }

private:
    static std::vector<std::string> args(Deployment const& d, std::vector<std::string> extra) {
        std::vector<std::string> a{
            testing::signoff_binary(), "serve", "--http", "127.0.0.1:0", "--db", d.db_url};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    testing::Child child_;
    int port_{0};
};

}  // namespace signoff::e2e
