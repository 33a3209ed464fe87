// The delivery worker: turns committed outbox rows into signed webhook POSTs
// and e-mails, at least once, with retries. Last stage of every event's path:
//
//   domain tx ──► outbox ──► fan_out (one tx: deliveries + outbox marked)
//                           ──► claim (one tx: lease due deliveries; SKIP LOCKED on PostgreSQL)
//                           ──► send (no tx; URL vetted again) ──► record (one tx, lease-guarded)
//
// A crash anywhere leaves either an un-fanned outbox row or a lease that
// expires, so the event is sent again; receivers dedupe on the event id.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/delivery/backoff.hpp"
#include "server/delivery/http_sender.hpp"
#include "server/delivery/smtp_sender.hpp"
#include "server/events/recorder.hpp"
#include "server/webhooks/url_policy.hpp"
#include "storage/db.hpp"
#include "storage/repos/deliveries_repo.hpp"
#include "storage/repos/webhooks_repo.hpp"

namespace signoff::server::delivery {

inline constexpr char const* kTargetEndpoint = "endpoint";
inline constexpr char const* kTargetActionWebhook = "action_webhook";
inline constexpr char const* kTargetActionEmail = "action_email";
inline constexpr char const* kStatePending = "pending";
inline constexpr char const* kStateDelivered = "delivered";
inline constexpr char const* kStateFailed = "failed";
/// Emitted when the worker disables an endpoint (10 failures in a row, or 410).
inline constexpr char const* kEventWebhookDisabled = "webhook.disabled";

/// The URL policy applied at send time (WebhooksService::vet in production).
using VetUrl = std::function<core::Result<webhooks::VettedUrl>(std::string const&)>;

struct WorkerOptions {
    /// Names this worker's leases (leased_by is "<worker_id>/<claim id>").
    std::string worker_id{"worker"};
    std::int64_t fanout_batch{100};
    std::int64_t claim_batch{16};
    /// Longer than any attempt (8 s timeout) so a live sender keeps its lease.
    std::chrono::milliseconds lease{std::chrono::seconds{60}};
    /// Concurrent sends per run: one hanging receiver does not stall others.
    std::size_t send_threads{4};
    BackoffPolicy backoff{};
    /// The background loop's period when nobody wakes it.
    std::chrono::milliseconds poll_interval{std::chrono::seconds{1}};
};

/// What one run_once did, for tests and logs.
struct RunReport {
    std::int64_t fanned_out{0};  // outbox rows marked
    std::int64_t created{0};     // deliveries created by the fan-out
    std::int64_t claimed{0};
    std::int64_t delivered{0};
    std::int64_t retried{0};
    std::int64_t failed{0};
    std::int64_t disabled{0};    // endpoints disabled by this run
    std::int64_t lease_lost{0};  // results refused because the lease was taken over
};

/// A delivery this worker holds the lease of.
struct Claimed {
    storage::repos::DeliveryRecord delivery;
    std::string token;
};

enum class Recorded : std::uint8_t { kDelivered, kRetry, kFailed, kLeaseLost };

/// Thread-safe: run_once may run concurrently in several workers (or several
/// processes) on one database; the database settles who sends what.
class DeliveryWorker {
public:
    /// `mail` may be null (no relay configured: EMAIL deliveries fail with a
    /// logged reason). Every reference must outlive the worker.
    DeliveryWorker(
        storage::Db& db,
        core::Clock const& clock,
        core::IdSource& ids,
        HttpSender& http,
        MailSender* mail,
        VetUrl vet,
        RandomSource& random,
        WorkerOptions options
    );
    ~DeliveryWorker();
    DeliveryWorker(DeliveryWorker const&) = delete;
    DeliveryWorker& operator=(DeliveryWorker const&) = delete;

    /// One pass: a fan-out batch, a claim batch, their sends (in parallel) and
    /// records. Errors only when the database failed.
    core::Result<RunReport> run_once(core::TimePoint now);

    /// Fans out up to fanout_batch outbox rows; answers (rows, deliveries).
    core::Result<std::pair<std::int64_t, std::int64_t>> fan_out(core::TimePoint now);
    /// Leases up to claim_batch due deliveries until now + lease.
    core::Result<std::vector<Claimed>> claim(core::TimePoint now);
    /// Sends one claimed delivery (outside any transaction) and records the
    /// attempt; kLeaseLost when another worker took the delivery over meanwhile
    /// (nothing recorded then). `disabled` is set when it disabled the endpoint.
    core::Result<Recorded> deliver(Claimed const& c, core::TimePoint now, bool* disabled = nullptr);

    /// Starts the background loop (run_once every poll_interval, or at once
    /// after wake()). Idempotent.
    void start();
    /// Asks the loop to run soon (after a commit that emitted events).
    void wake();
    /// Stops the loop and joins it; in-flight sends finish first (each is
    /// bounded by its timeout). Idempotent.
    void stop();

private:
    struct SendResult;
    SendResult send(Claimed const& c, core::TimePoint now);
    SendResult send_email(storage::repos::OutboxRecord const& event, SendResult r);
    core::Result<Recorded> record(
        Claimed const& c, SendResult const& r, core::TimePoint now, bool* disabled
    );
    core::Status count_endpoint(
        storage::Tx& tx,
        storage::repos::WebhookEndpointRecord const& w,
        SendResult const& r,
        std::string const& at,
        bool* disabled
    );
    /// Marks an outbox event that cannot be routed (payload not in the
    /// emitters' shape) as fanned out to nobody, with an audit row saying why.
    core::Status set_aside(
        storage::Tx& tx,
        storage::repos::OutboxRecord const& e,
        std::string const& reason,
        std::string const& at
    );
    static void tally(RunReport& report, core::Result<Recorded> const& r);
    void loop();

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    HttpSender& http_;
    MailSender* mail_;
    VetUrl vet_;
    RandomSource& random_;
    WorkerOptions options_;
    events::Recorder recorder_;

    std::mutex mutex_;
    std::condition_variable cv_;
    bool woken_{false};
    bool stopping_{false};
    std::thread thread_;
};

}  // namespace signoff::server::delivery
