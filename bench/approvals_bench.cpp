// Approvals benchmark client: drives a running `signoff serve` over its REST
// façade (the same handlers and schemas as MCP) and prints what it measured.
// bench/approvals.sh starts the server and runs the phases; the numbers go to
// docs/PERFORMANCE.md.
//
//   signoff_approvals_bench PORT API_KEY setup           3 groups × 3 voters, template "bench"
//                                                        (AND of three quorums of 3); prints
//                                                        the template id and voter keys
//   signoff_approvals_bench PORT API_KEY votes W T       W workflows voted to APPROVED by T
//                                                        threads (9 votes each): votes/s
//   signoff_approvals_bench PORT API_KEY seed N T        N workflows created by T threads
//   signoff_approvals_bench PORT API_KEY list Q          Q workflow listings: p50/p95/p99
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <httplib.h>

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kGroups = 3;
constexpr int kVotersPerGroup = 3;
constexpr const char* kStateFile = "approvals_bench.state";

class Client {
public:
    Client(int port, std::string key) : cli_("127.0.0.1", port), key_(std::move(key)) {
        cli_.set_keep_alive(true);
        // httplib writes headers and body separately: without TCP_NODELAY,
        // Nagle plus the server's delayed ACK add ~40 ms to every POST.
        cli_.set_tcp_nodelay(true);
        cli_.set_read_timeout(120, 0);
    }
    /// Sends the call with `key` (the admin's by default); exits the process
    /// on a transport failure or an unexpected status.
    json::value call(
        std::string const& method,
        std::string const& path,
        json::object const* body = nullptr,
        std::string const* key = nullptr
    ) {
        httplib::Headers h{{"Authorization", "Bearer " + (key != nullptr ? *key : key_)}};
        httplib::Result res = method == "GET" ? cli_.Get(path, h)
                              : method == "PUT"
                                  ? cli_.Put(path, h, json::serialize(*body), "application/json")
                                  : cli_.Post(path, h, json::serialize(*body), "application/json");
        if (!res) {
            std::fprintf(stderr, "%s %s: no answer\n", method.c_str(), path.c_str());
            std::exit(1);
        }
        if (res->status < 200 || res->status >= 300) {
            std::fprintf(
                stderr,
                "%s %s: %d %s\n",
                method.c_str(),
                path.c_str(),
                res->status,
                res->body.c_str()
            );
            std::exit(1);
        }
        return res->body.empty() ? json::value{} : json::parse(res->body);
    }

private:
    httplib::Client cli_;
    std::string key_;
};

std::string str(json::value const& v) {
    return std::string(v.as_string());
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// The template id and the voters' API keys, written by `setup` for the
/// later phases (one per line: template id, then keys).
struct State {
    std::string template_id;
    std::vector<std::string> voter_keys;
};

State read_state() {
    State s;
    std::ifstream in(kStateFile);
    std::getline(in, s.template_id);
    for (std::string line; std::getline(in, line);) {
        s.voter_keys.push_back(line);
    }
    if (s.template_id.empty() || s.voter_keys.size() != kGroups * kVotersPerGroup) {
        std::fprintf(stderr, "run setup first\n");
        std::exit(1);
    }
    return s;
}

void setup(Client& c) {
    json::object space_body{{"name", "bench"}};
    auto const sid = str(c.call("POST", "/api/v1/spaces", &space_body).at("id"));
    json::array rules;
    std::vector<std::string> keys;
    for (int g = 0; g < kGroups; ++g) {
        json::object gb{{"name", "approvers-" + std::to_string(g)}};
        auto const gid = str(c.call("POST", "/api/v1/groups", &gb).at("id"));
        rules.push_back(json::object{
            {"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", kVotersPerGroup}});
        json::array members;
        for (int v = 0; v < kVotersPerGroup; ++v) {
            json::object ub{
                {"email", "v" + std::to_string(g) + std::to_string(v) + "@bench.example"}};
            auto const uid = str(c.call("POST", "/api/v1/users", &ub).at("id"));
            json::object none;
            keys.push_back(
                str(c.call("POST", "/api/v1/users/" + uid + "/api-keys", &none).at("apiKey"))
            );
            json::object bind{
                {"roles",
                 json::array{json::object{
                     {"roleName", "OrgWideWorkflowTemplateVoter"}, {"scope", {{"type", "org"}}}}}},
                {"concurrencyControl", {{"version", "1"}}}};
            c.call("PUT", "/api/v1/users/" + uid + "/roles", &bind);
            members.push_back(json::object{{"entity", {{"entityType", "human"}, {"entityId", uid}}}}
            );
        }
        json::object mb{{"entities", std::move(members)}};
        c.call("POST", "/api/v1/groups/" + gid + "/entities", &mb);
    }
    json::object tb{
        {"name", "bench"},
        {"approvalRule", {{"type", "AND"}, {"rules", std::move(rules)}}},
        {"actions",
         json::array{
             json::object{{"type", "EMAIL"}, {"recipients", json::array{"ops@bench.example"}}}}},
        {"spaceId", sid}};
    auto const tid = str(c.call("POST", "/api/v1/workflow-templates", &tb).at("id"));
    std::ofstream out(kStateFile);
    out << tid << "\n";
    for (auto const& k : keys) {
        out << k << "\n";
    }
    std::printf("setup: template %s, %zu voters\n", tid.c_str(), keys.size());
}

std::string create_workflow(Client& c, std::string const& tid, std::string const& name) {
    json::object body{{"name", name}, {"workflowTemplateId", tid}};
    return str(c.call("POST", "/api/v1/workflows", &body).at("id"));
}

/// Each thread starts its share of W workflows and votes each to APPROVED
/// (3 voters × 3 groups); only the vote calls are timed.
void votes(int port, std::string const& key, int workflows, int threads) {
    auto const st = read_state();
    std::atomic<int> next{0};
    std::atomic<long> cast{0};
    std::atomic<long> approved{0};
    std::atomic<long long> vote_ns{0};
    auto const start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            Client c(port, key);
            for (int i = next++; i < workflows; i = next++) {
                auto const wid = create_workflow(
                    c, st.template_id, "vote-" + std::to_string(t) + "-" + std::to_string(i)
                );
                auto const t0 = Clock::now();
                json::object body{{"voteType", {{"type", "APPROVE"}}}};
                json::value last;
                for (auto const& k : st.voter_keys) {
                    last = c.call("POST", "/api/v1/workflows/" + wid + "/vote", &body, &k);
                    ++cast;
                }
                vote_ns +=
                    std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
                approved += last.at("status") == "APPROVED" ? 1 : 0;
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    double const wall_s = ms_since(start) / 1000.0;
    double const busy_s = static_cast<double>(vote_ns.load()) / 1e9 / threads;
    std::printf(
        "votes: %ld votes on %d workflows (%ld approved) by %d threads in %.2f s wall; "
        "%.0f votes/s over the voting time, %.0f votes/s including workflow creation\n",
        cast.load(),
        workflows,
        approved.load(),
        threads,
        wall_s,
        static_cast<double>(cast.load()) / busy_s,
        static_cast<double>(cast.load()) / wall_s
    );
}

void seed(int port, std::string const& key, int n, int threads) {
    auto const st = read_state();
    std::atomic<int> next{0};
    auto const start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            Client c(port, key);
            for (int i = next++; i < n; i = next++) {
                create_workflow(c, st.template_id, "seed-" + std::to_string(i));
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    double const s = ms_since(start) / 1000.0;
    std::printf("seed: %d workflows in %.1f s (%.0f/s)\n", n, s, n / s);
}

/// Latency percentiles of one kind of listing.
void report(char const* kind, std::vector<double> lat, long total) {
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat[static_cast<std::size_t>(p * static_cast<double>(lat.size() - 1))];
    };
    std::printf(
        "list %-22s %4zu listings over %ld workflows, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, "
        "max %.2f ms\n",
        kind,
        lat.size(),
        total,
        pct(0.50),
        pct(0.95),
        pct(0.99),
        lat.back()
    );
}

/// Listings as a client pages through them, limit 20: first and deep pages
/// unfiltered, filtered by status (in progress: nearly all; APPROVED: a
/// few hundred) and by template name. Reported together and per kind.
void list(Client& c, int queries) {
    read_state();
    constexpr std::array<char const*, 4> kKinds{
        "unfiltered", "status=in-progress", "template=bench", "status=APPROVED"};
    std::array<std::vector<double>, 4> by_kind;
    std::vector<double> all;
    long total = 0;
    for (int q = 0; q < queries; ++q) {
        std::string path = "/api/v1/workflows?limit=20&page=" + std::to_string(1 + (q * 37) % 500);
        auto const kind = static_cast<std::size_t>(q % 4);
        if (kind == 1) {
            path += "&status=EVALUATION_IN_PROGRESS";
        } else if (kind == 2) {
            path += "&workflowTemplateIdentifier=bench";
        } else if (kind == 3) {
            path = "/api/v1/workflows?limit=20&status=APPROVED";
        }
        auto const t0 = Clock::now();
        auto r = c.call("GET", path);
        double const ms = ms_since(t0);
        all.push_back(ms);
        by_kind[kind].push_back(ms);
        total = std::max<long>(total, r.at("pagination").at("total").as_int64());
    }
    report("(all)", all, total);
    for (std::size_t k = 0; k < kKinds.size(); ++k) {
        report(kKinds[k], by_kind[k], total);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s PORT API_KEY setup|votes W T|seed N T|list Q\n", argv[0]);
        return 2;
    }
    int const port = std::atoi(argv[1]);
    std::string const key = argv[2];
    std::string const phase = argv[3];
    auto arg = [&](int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; };
    Client c(port, key);
    if (phase == "setup") {
        setup(c);
    } else if (phase == "votes") {
        votes(port, key, arg(4, 200), arg(5, 4));
    } else if (phase == "seed") {
        seed(port, key, arg(4, 100000), arg(5, 4));
    } else if (phase == "list") {
        list(c, arg(4, 1000));
    } else {
        std::fprintf(stderr, "unknown phase %s\n", phase.c_str());
        return 2;
    }
    return 0;
}
