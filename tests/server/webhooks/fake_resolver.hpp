// A Resolver for tests of the webhook URL policy and the service: answers
// from a table (unknown names do not resolve; names in `flaky` fail
// temporarily) and records every name it was asked. Never touches DNS.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "server/webhooks/url_policy.hpp"

namespace signoff::testing {

class FakeResolver final : public server::webhooks::Resolver {
public:
    std::map<std::string, std::vector<std::string>> table;
    std::vector<std::string> flaky;
    std::vector<std::string> asked;

    server::core::Result<std::vector<server::webhooks::IpAddress>> resolve(std::string const& host
    ) override {
        std::lock_guard lock(mutex_);
        asked.push_back(host);
        if (std::find(flaky.begin(), flaky.end(), host) != flaky.end()) {
            return server::core::Error::unavailable("temporary DNS failure");
        }
        auto it = table.find(host);
        if (it == table.end()) {
            return server::core::Error::invalid("no such host");
        }
        std::vector<server::webhooks::IpAddress> out;
        for (auto const& t : it->second) {
            auto a = server::webhooks::parse_ip(t);
            REQUIRE_MESSAGE(a.has_value(), t);
            out.push_back(*a);
        }
        return out;
    }

private:
    std::mutex mutex_;
};

}  // namespace signoff::testing
