// Auth-artifact benchmark client: drives a running `signoff serve` over its
// REST façade (the same handlers and schemas as MCP) and prints what it
// measured. bench/auths.sh starts the server, runs the phases and reads the
// server's peak memory; docs/PERFORMANCE.md records the numbers.
//
//   signoff_auths_bench PORT API_KEY seed N        create N auths (100 per call)
//   signoff_auths_bench PORT API_KEY search Q      Q searches: p50/p95/p99 latency
//   signoff_auths_bench PORT API_KEY export        one export of every auth, timed
//   signoff_auths_bench PORT API_KEY patch T S     T threads × S seconds of draft patches
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <httplib.h>

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kBase = "/api/v5/artifacts/auths/";

struct Target {
    int port{0};
    std::string key;
};

class Client {
public:
    explicit Client(Target const& t) : cli_("127.0.0.1", t.port), key_(t.key) {
        cli_.set_keep_alive(true);
        // Headers and body go out in two writes: without TCP_NODELAY, Nagle
        // holds the body until the server's delayed ACK (~40 ms per call).
        cli_.set_tcp_nodelay(true);
        cli_.set_read_timeout(120, 0);
    }
    /// Sends the call; exits the process on a transport failure or a non-2xx
    /// status unless `allow_status` matches it.
    json::value call(
        std::string const& method,
        std::string const& op,
        json::object const& body,
        int allow_status = 0,
        int* status = nullptr
    ) {
        httplib::Headers h{{"Authorization", "Bearer " + key_}};
        auto text = json::serialize(body);
        auto res = method == "PATCH" ? cli_.Patch(kBase + op, h, text, "application/json")
                                     : cli_.Post(kBase + op, h, text, "application/json");
        if (!res) {
            std::fprintf(stderr, "%s %s: no answer\n", method.c_str(), op.c_str());
            std::exit(1);
        }
        if (status != nullptr) {
            *status = res->status;
        }
        if ((res->status < 200 || res->status >= 300) && res->status != allow_status) {
            std::fprintf(
                stderr, "%s %s: %d %s\n", method.c_str(), op.c_str(), res->status, res->body.c_str()
            );
            std::exit(1);
        }
        return json::parse(res->body);
    }

private:
    httplib::Client cli_;
    std::string key_;
};

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// Departments, protocols and words recombined so that searches match a few
/// hundred to a few thousand of the auths, like real queries.
constexpr const char* kDepartments[] = {
    "Finance", "Legal", "Engineering", "Sales", "Support", "People", "Security", "Marketing"};
constexpr const char* kProtocols[] = {"OAuth2", "SAML", "OIDC", "LDAP", "Kerberos", "SCIM"};
constexpr const char* kWords[] = {
    "payroll",
    "billing",
    "crm",
    "wiki",
    "vpn",
    "ci",
    "registry",
    "warehouse",
    "analytics",
    "mail",
    "chat",
    "tickets"};

void seed(Target const& t, int n) {
    Client c(t);
    for (auto const* d : kDepartments) {
        c.call("POST", "departments", {{"name", d}}, 409);
    }
    auto start = Clock::now();
    for (int base = 0; base < n; base += 100) {
        json::array items;
        for (int i = base; i < std::min(n, base + 100); ++i) {
            auto u = static_cast<unsigned>(i);
            items.push_back(json::object{
                {"name", std::string(kWords[u % 12]) + " " + std::to_string(i)},
                {"description",
                 std::string("Access to ") + kWords[(u / 12) % 12] + " for team " +
                     std::to_string(i % 997)},
                {"protocol_ids", json::array{kProtocols[u % 6], kProtocols[(u / 6) % 6]}},
                {"slug_ids",
                 json::array{std::string(kWords[u % 12]) + "-" + std::to_string(i % 50)}},
                {"department_ids", json::array{kDepartments[u % 8]}},
            });
        }
        auto r = c.call("POST", "create", {{"auths", std::move(items)}});
        for (auto const& res : r.at("results").as_array()) {
            if (res.at("success") != true) {
                std::fprintf(stderr, "seed item failed: %s\n", json::serialize(res).c_str());
                std::exit(1);
            }
        }
    }
    std::printf("seed: %d auths in %.1f s\n", n, ms_since(start) / 1000.0);
}

void search(Target const& t, int queries) {
    Client c(t);
    std::vector<double> lat;
    std::int64_t matched = 0;
    for (int i = 0; i < queries; ++i) {
        auto u = static_cast<unsigned>(i);
        json::object q;
        switch (u % 4) {
            case 0:
                q = {{"search", kWords[u % 12]}};
                break;
            case 1:
                q = {{"search", kProtocols[u % 6]}, {"page_offset", 40}};
                break;
            case 2:
                q = {{"search", std::to_string(i * 37 % 100000)}};
                break;
            default:
                q = {{"department_search", "e"}, {"page_size", 100}};
                break;
        }
        auto start = Clock::now();
        auto r = c.call("POST", "search", q);
        lat.push_back(ms_since(start));
        matched += r.at("total_count").as_int64();
    }
    std::sort(lat.begin(), lat.end());
    auto pct = [&lat](double p) {
        return lat[std::min(
            lat.size() - 1, static_cast<std::size_t>(p * static_cast<double>(lat.size()))
        )];
    };
    std::printf(
        "search: %d queries, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms "
        "(mean matches %.0f)\n",
        queries,
        pct(0.50),
        pct(0.95),
        pct(0.99),
        lat.back(),
        static_cast<double>(matched) / queries
    );
}

void export_all(Target const& t) {
    Client c(t);
    auto start = Clock::now();
    auto r = c.call("POST", "export", json::object{});
    std::printf(
        "export: %lld rows in %.2f s (%s)\n",
        static_cast<long long>(r.at("row_count").as_int64()),
        ms_since(start) / 1000.0,
        json::serialize(r.at("file_name")).c_str()
    );
}

/// Each thread owns one draft and patches it in a loop with the right version.
void patch(Target const& t, int threads, int seconds) {
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            Client c(t);
            auto d = c.call("PATCH", "draft", {{"name", "bench draft " + std::to_string(i)}});
            auto id = d.at("draft_id");
            std::int64_t version = 1;
            while (!stop.load()) {
                auto r = c.call(
                    "PATCH",
                    "draft",
                    {{"input_draft_id", id},
                     {"expected_version", version},
                     {"description", "revision " + std::to_string(version)}}
                );
                version = r.at("new_version").as_int64();
                done.fetch_add(1);
            }
        });
    }
    auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    stop = true;
    for (auto& th : pool) {
        th.join();
    }
    double secs = ms_since(start) / 1000.0;
    std::printf(
        "patch: %lld patches in %.1f s with %d clients = %.0f patches/s\n",
        static_cast<long long>(done.load()),
        secs,
        threads,
        static_cast<double>(done.load()) / secs
    );
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv, argv + argc);
    if (a.size() < 4) {
        std::fprintf(
            stderr, "usage: %s PORT API_KEY seed N | search Q | export | patch T S\n", argv[0]
        );
        return 2;
    }
    Target t{std::stoi(a[1]), a[2]};
    auto arg = [&a](std::size_t i, int fallback) {
        return a.size() > i ? std::stoi(a[i]) : fallback;
    };
    if (a[3] == "seed") {
        seed(t, arg(4, 100000));
    } else if (a[3] == "search") {
        search(t, arg(4, 1000));
    } else if (a[3] == "export") {
        export_all(t);
    } else if (a[3] == "patch") {
        patch(t, arg(4, 4), arg(5, 10));
    } else {
        std::fprintf(stderr, "unknown phase %s\n", a[3].c_str());
        return 2;
    }
    return 0;
}
