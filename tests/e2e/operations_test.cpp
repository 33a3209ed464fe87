// What an operator relies on, through the real binary: the database URL from
// SIGNOFF_DB with its password redacted everywhere it is shown; files created
// owner-only; `signoff stdio` never creating a database; an online backup of a
// running SQLite database (WAL included) that a server can start from; /readyz
// following the database while /healthz stays up.
#include <filesystem>
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

using namespace signoff::e2e;
using signoff::testing::Backend;
using signoff::testing::Child;

namespace {

int mode_of(std::string const& path) {
    struct stat st {};
    REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
    return static_cast<int>(st.st_mode & 0777);
}

std::string path_of(std::string const& sqlite_url) {
    return sqlite_url.substr(std::string("sqlite:").size());
}

/// The port of a `signoff serve` child from its "listening on" line.
int port_of(Child& c) {
    auto line = c.wait_stderr("listening on http://");
    REQUIRE_MESSAGE(line.has_value(), c.stderr_text());
    return std::stoi(line->substr(line->find("127.0.0.1:") + 10));
}

/// One statement through psql, outside any transaction (CREATE DATABASE needs that).
void psql(std::string const& dsn, std::string const& sql) {
    auto [code, out] =
        signoff::testing::run_command({"/usr/bin/psql", dsn, "-v", "ON_ERROR_STOP=1", "-c", sql});
    REQUIRE_MESSAGE(code == 0, sql << ": " << out);
}

}  // namespace

TEST_SUITE("e2e/operations") {
    TEST_CASE("SIGNOFF_DB names the database; every file is private to its owner") {
        auto d = bootstrap(Backend::kSqlite);
        Child server(
            {signoff::testing::signoff_binary(), "serve", "--http", "127.0.0.1:0"},
            {{"SIGNOFF_DB", d.db_url}}
        );
        int const port = port_of(server);
        auto const db_file = path_of(d.db_url);
        CHECK(
            server.stderr_text().find(std::filesystem::absolute(db_file).string()) !=
            std::string::npos
        );
        HttpClient http(port);
        auto made = http.rest(
            "POST",
            "/api/v1/catalog/rows",
            {{"slug", "vpn"}, {"display_name", "VPN"}},
            bearer(d.api_key)
        );
        REQUIRE_MESSAGE(made.status == 201, made.body);
        CHECK(mode_of(db_file) == 0600);
        CHECK(mode_of(db_file + "-wal") == 0600);
        auto ready = http.rest("GET", "/readyz", nullptr, {});
        CHECK_MESSAGE(ready.status == 200, ready.body);
        CHECK(ready.json().at("status") == "ready");
    }

    TEST_CASE("a PostgreSQL password is never shown") {
        if (std::getenv("SIGNOFF_TEST_PG_DSN") == nullptr) {
            MESSAGE("SIGNOFF_TEST_PG_DSN not set; skipped");
            return;
        }
        auto d = bootstrap(Backend::kPostgres);
        // The test cluster trusts loopback, so the password is accepted and ignored.
        auto with_pw = d.db_url;
        auto const at = with_pw.find("postgres@");
        REQUIRE(at != std::string::npos);
        with_pw.replace(at, 9, "postgres:s3cret-pw@");
        Deployment dp = d;
        dp.db_url = with_pw;
        {
            ServerProcess server(dp);
            CHECK(server.stderr_text().find("s3cret-pw") == std::string::npos);
            CHECK(server.stderr_text().find("postgres:***@") != std::string::npos);
        }
        Child bad(
            {signoff::testing::signoff_binary(),
             "serve",
             "--http",
             "127.0.0.1:0",
             "--db",
             "postgres://postgres:s3cret-pw@127.0.0.1:1/nowhere?password=s3cret-pw"},
            {}
        );
        auto line = bad.wait_stderr("cannot open database");
        REQUIRE_MESSAGE(line.has_value(), bad.stderr_text());
        CHECK(bad.wait() == 1);
        CHECK(bad.stderr_text().find("s3cret-pw") == std::string::npos);
        CHECK(line->find("***") != std::string::npos);
    }

    TEST_CASE("signoff stdio never creates a database, and says which one it checked") {
        auto const dir = signoff::testing::temp_dir("stdio-db");
        auto const missing = dir + "/nowhere/signoff.db";
        Child stdio(
            {signoff::testing::signoff_binary(), "stdio"},
            {{"SIGNOFF_API_KEY", "sk-signoff-" + std::string(64, 'a')},
             {"SIGNOFF_DB", "sqlite:" + missing}}
        );
        stdio.close_stdin();
        auto said = stdio.wait_stderr("no database at");
        REQUIRE_MESSAGE(said.has_value(), stdio.stderr_text());
        CHECK(said->find(missing) != std::string::npos);
        CHECK(stdio.wait() == 2);
        CHECK_FALSE(std::filesystem::exists(missing));
        CHECK_FALSE(std::filesystem::exists(dir + "/nowhere"));

        auto d = bootstrap(Backend::kSqlite);
        Child wrong(
            {signoff::testing::signoff_binary(), "stdio"},
            {{"SIGNOFF_API_KEY", "sk-signoff-" + std::string(64, 'b')}, {"SIGNOFF_DB", d.db_url}}
        );
        wrong.close_stdin();
        auto refused = wrong.wait_stderr("invalid API key");
        REQUIRE_MESSAGE(refused.has_value(), wrong.stderr_text());
        CHECK(
            refused->find(std::filesystem::absolute(path_of(d.db_url)).string()) !=
            std::string::npos
        );
        CHECK(wrong.wait() == 2);
    }

    TEST_CASE(
        "an online backup of a running server holds what is in the WAL; a server starts from it"
    ) {
        auto d = bootstrap(Backend::kSqlite);
        auto const backup = signoff::testing::temp_dir("backup") + "/copy.db";
        {
            ServerProcess server(d);
            HttpClient http(server.port());
            for (int i = 0; i < 50; ++i) {
                auto r = http.rest(
                    "POST",
                    "/api/v1/catalog/rows",
                    {{"slug", "row-" + std::to_string(i)}, {"display_name", "Row"}},
                    bearer(d.api_key)
                );
                REQUIRE(r.status == 201);
            }
            // Still in the WAL: the writer checkpoints every 10,000 pages.
            CHECK(std::filesystem::file_size(path_of(d.db_url) + "-wal") > 0);
            auto [code, out] = signoff::testing::run_command(
                {signoff::testing::signoff_binary(),
                 "admin",
                 "backup",
                 "--db",
                 d.db_url,
                 "--to",
                 backup}
            );
            REQUIRE_MESSAGE(code == 0, out);
            CHECK(mode_of(backup) == 0600);
            auto again = signoff::testing::run_command(
                {signoff::testing::signoff_binary(),
                 "admin",
                 "backup",
                 "--db",
                 d.db_url,
                 "--to",
                 backup}
            );
            CHECK(again.first == 1);  // never overwrites
        }
        // Restore is starting a server on the copy.
        Deployment restored = d;
        restored.db_url = "sqlite:" + backup;
        CHECK(db_count(restored, "catalog_rows") == 50);
        ServerProcess server(restored);
        HttpClient http(server.port());
        auto rows = http.rest("GET", "/api/v1/catalog/rows?limit=100", nullptr, bearer(d.api_key));
        REQUIRE_MESSAGE(rows.status == 200, rows.body);
        CHECK(rows.body.find("row-49") != std::string::npos);
    }

    TEST_CASE(
        "/readyz follows the database while /healthz stays up; backup points PostgreSQL at pg_dump"
    ) {
        char const* dsn = std::getenv("SIGNOFF_TEST_PG_DSN");
        if (dsn == nullptr) {
            MESSAGE("SIGNOFF_TEST_PG_DSN not set; skipped");
            return;
        }
        // A database of its own, so that refusing connections touches no other test.
        std::string const name =
            "ready_" + std::to_string(::getpid()) + "_" + std::to_string(unix_now());
        psql(dsn, "CREATE DATABASE " + name);
        std::string url(dsn);
        url = url.substr(0, url.rfind('/') + 1) + name;
        auto d = bootstrap_org(url, "acme");
        ServerProcess server(d);
        HttpClient http(server.port());
        CHECK(http.rest("GET", "/readyz", nullptr, {}).status == 200);
        psql(dsn, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
        psql(
            dsn,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'"
        );
        auto down = http.rest("GET", "/readyz", nullptr, {});
        CHECK_MESSAGE(down.status == 503, down.body);
        CHECK(down.json().at("status") == "unavailable");
        CHECK(http.rest("GET", "/healthz", nullptr, {}).status == 200);
        psql(dsn, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        CHECK(eventually([&] { return http.rest("GET", "/readyz", nullptr, {}).status == 200; }));

        auto [code, out] = signoff::testing::run_command(
            {signoff::testing::signoff_binary(),
             "admin",
             "backup",
             "--db",
             url,
             "--to",
             "/tmp/never.db"}
        );
        CHECK(code == 1);
        CHECK(out.empty());
        CHECK_FALSE(std::filesystem::exists("/tmp/never.db"));
    }
}
