// Session state behind one mutex; the condition variable wakes handlers that
// wait for a client response when it arrives, when their request is
// cancelled, or when the input ends.
#include "transport/mcp/session.hpp"

#include <array>
#include <cstdint>

namespace signoff::transport::mcp {

namespace json = boost::json;
using server::core::Error;

namespace {
constexpr std::array<std::string_view, 8> kLevels{
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
}  // namespace

std::optional<int> log_level_index(std::string_view level) {
    for (std::size_t i = 0; i < kLevels.size(); ++i) {
        if (kLevels[i] == level) {
            return static_cast<int>(i);
        }
    }
    return std::nullopt;
}

bool Session::initialize(std::string version, json::object client_capabilities) {
    std::lock_guard lock(mu_);
    if (initialized_) {
        return false;
    }
    initialized_ = true;
    version_ = std::move(version);
    client_capabilities_ = std::move(client_capabilities);
    return true;
}

bool Session::initialized() const {
    std::lock_guard lock(mu_);
    return initialized_;
}

std::string Session::version() const {
    std::lock_guard lock(mu_);
    return version_;
}

bool Session::client_has(std::string_view name) const {
    std::lock_guard lock(mu_);
    auto const* cap = client_capabilities_.if_contains(name);
    return cap != nullptr && cap->is_object();
}

void Session::set_log_level(int level) {
    std::lock_guard lock(mu_);
    log_level_ = level;
}

int Session::log_level() const {
    std::lock_guard lock(mu_);
    return log_level_;
}

void Session::subscribe(std::string uri) {
    std::lock_guard lock(mu_);
    subscriptions_.insert(std::move(uri));
}

void Session::unsubscribe(std::string const& uri) {
    std::lock_guard lock(mu_);
    subscriptions_.erase(uri);
}

bool Session::subscribed(std::string const& uri) const {
    std::lock_guard lock(mu_);
    return subscriptions_.count(uri) != 0;
}

bool Session::begin_request(std::string const& key, tools::registry::CancelToken const& token) {
    std::lock_guard lock(mu_);
    return in_flight_.emplace(key, token).second;
}

void Session::end_request(std::string const& key) {
    std::lock_guard lock(mu_);
    in_flight_.erase(key);
}

void Session::cancel(std::string const& key) {
    {
        std::lock_guard lock(mu_);
        auto it = in_flight_.find(key);
        if (it == in_flight_.end()) {
            return;  // late or unknown cancellation: ignored, as the spec asks
        }
        it->second->store(true);
    }
    cv_.notify_all();
}

void Session::cancel_all() {
    {
        std::lock_guard lock(mu_);
        for (auto& [key, token] : in_flight_) {
            token->store(true);
        }
    }
    cv_.notify_all();
}

std::int64_t Session::open_client_request() {
    std::lock_guard lock(mu_);
    std::int64_t id = next_client_request_id_++;
    pending_.emplace(id, std::nullopt);
    return id;
}

bool Session::deliver(jsonrpc::Response response) {
    std::int64_t id = 0;
    if (response.id.is_int64()) {
        id = response.id.as_int64();
    } else if (response.id.is_uint64() && response.id.as_uint64() <= INT64_MAX) {
        id = static_cast<std::int64_t>(response.id.as_uint64());
    } else {
        return false;  // we only send integer ids
    }
    {
        std::lock_guard lock(mu_);
        auto it = pending_.find(id);
        if (it == pending_.end() || it->second.has_value()) {
            return false;
        }
        it->second = std::move(response);
    }
    cv_.notify_all();
    return true;
}

server::core::Result<json::value> Session::await_client_response(
    std::int64_t id, tools::registry::CancelToken const& token, std::chrono::milliseconds timeout
) {
    std::unique_lock lock(mu_);
    bool const ready = cv_.wait_for(lock, timeout, [&] {
        return pending_[id].has_value() || (token && token->load()) || input_closed_;
    });
    std::optional<jsonrpc::Response> response = std::move(pending_[id]);
    pending_.erase(id);
    if (response) {
        if (response->error) {
            return Error::failed_precondition(
                "the client answered with error " + std::to_string(response->error->code) + ": " +
                response->error->message
            );
        }
        return response->result.value_or(json::object{});
    }
    if (token && token->load()) {
        return Error::failed_precondition("the request was cancelled");
    }
    if (ready && input_closed_) {
        return Error::unavailable("the client connection is closed");
    }
    return Error::unavailable("the client did not answer in time");
}

void Session::close_input() {
    {
        std::lock_guard lock(mu_);
        input_closed_ = true;
    }
    cv_.notify_all();
}

}  // namespace signoff::transport::mcp
