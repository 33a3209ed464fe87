// The delivery worker (see worker.hpp): fan-out, claim, send and record, each
// step its own transaction except the send, which holds none (a slow receiver
// must never hold a database lock).
#include "server/delivery/worker.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <optional>
#include <set>

#include "server/approvals/template_actions.hpp"
#include "server/core/db_map.hpp"
#include "server/delivery/envelope.hpp"
#include "server/delivery/signing.hpp"
#include "server/events/json_text.hpp"
#include "server/webhooks/event_types.hpp"
#include "server/webhooks/secrets.hpp"
#include "server/webhooks/webhooks_service.hpp"
#include "storage/repos/catalog_repo.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/webhooks_repo.hpp"

namespace signoff::server::delivery {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using storage::Tx;
using storage::TxMode;

constexpr std::string_view kActionWebhookEvent = "workflow.action.webhook";
constexpr std::string_view kActionEmailEvent = "workflow.action.email";
constexpr std::size_t kMaxAnswerHead = 1024;

struct Target {
    std::string kind;
    std::optional<std::string> endpoint_id;
};

/// A string member of a JSON object text, decoded; nullopt when absent or not a string.
std::optional<std::string> string_member(std::string_view json, std::string_view name) {
    auto raw = json_member(json, name);
    return raw ? json_string(*raw) : std::nullopt;
}

std::string lower_ascii(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

/// Users whose employee hook wants a team_support.* event: the catalog row's
/// owner and the user the approval is for (once each).
/// `data` is the event's data member, read once by the fan-out.
Result<std::vector<std::string>> interested_users(
    Tx& tx, repos::OutboxRecord const& e, std::string const& data
) {
    std::set<std::string> ids;
    if (auto slug = string_member(data, "slug")) {
        auto row = core::from_db(repos::find_row_by_slug(tx, e.org_id, *slug));
        if (!row) {
            return row.error();
        }
        if (*row && (*row)->owner_user_id) {
            ids.insert(*(*row)->owner_user_id);
        }
    }
    auto user = json_member(data, "user");
    if (auto email = user ? string_member(*user, "email") : std::nullopt) {
        auto u = core::from_db(repos::find_user_by_email(tx, e.org_id, lower_ascii(*email)));
        if (!u) {
            return u.error();
        }
        if (*u) {
            ids.insert((*u)->id);
        }
    }
    return std::vector<std::string>(ids.begin(), ids.end());
}

/// Every target of one outbox event (docs/webhooks.md, "Who receives what").
Result<std::vector<Target>> targets_of(
    Tx& tx, repos::OutboxRecord const& e, std::string const& data
) {
    if (e.event_type == kActionWebhookEvent) {
        return std::vector<Target>{{kTargetActionWebhook, std::nullopt}};
    }
    if (e.event_type == kActionEmailEvent) {
        return std::vector<Target>{{kTargetActionEmail, std::nullopt}};
    }
    std::vector<Target> out;
    if (!webhooks::is_event_type(e.event_type)) {
        return out;  // internal events nobody subscribes to
    }
    auto org = core::from_db(repos::list_org_webhooks_for_event(tx, e.org_id, e.event_type));
    if (!org) {
        return org.error();
    }
    for (auto const& w : *org) {
        out.push_back({kTargetEndpoint, w.id});
    }
    if (e.event_type == kEventWebhookDisabled) {
        auto admins = core::from_db(repos::list_admin_hooks_for_event(tx, e.org_id, e.event_type));
        if (!admins) {
            return admins.error();
        }
        for (auto const& w : *admins) {
            out.push_back({kTargetEndpoint, w.id});
        }
        return out;
    }
    if (!e.event_type.starts_with("team_support.")) {
        return out;
    }
    auto users = interested_users(tx, e, data);
    if (!users) {
        return users.error();
    }
    for (auto const& uid : *users) {
        auto hook = core::from_db(repos::find_employee_webhook(tx, e.org_id, uid));
        if (!hook) {
            return hook.error();
        }
        if (*hook && (*hook)->enabled && webhooks::subscribes((*hook)->events, e.event_type)) {
            out.push_back({kTargetEndpoint, (*hook)->id});
        }
    }
    return out;
}

/// `s` with every byte sequence that is not valid UTF-8 replaced by U+FFFD, so
/// a receiver's binary answer can be stored as TEXT and shown as JSON.
std::string valid_utf8(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        bool ok = len != 0 && i + len <= s.size() && !(len == 2 && c < 0xC2) && !(c > 0xF4);
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        }
        if (ok && len == 3) {
            auto const c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
        }
        if (ok && len == 4) {
            auto const c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (!ok) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

std::int64_t unix_seconds(core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// The single WorkflowAction an action event carries.
Result<approvals::WorkflowAction> action_of(repos::OutboxRecord const& e) {
    auto data = payload_data(e.payload_json);
    if (!data) {
        return data.error();
    }
    auto raw = json_member(*data, "action");
    if (!raw) {
        return Error::internal("workflow action event without an action");
    }
    auto list = approvals::actions_from_json("[" + *raw + "]");
    if (!list) {
        return list.error();
    }
    if (list->size() != 1) {
        return Error::internal("workflow action event without exactly one action");
    }
    return list->front();
}

/// Header-safe text: CR, LF and angle brackets become spaces.
std::string header_safe(std::string s) {
    for (char& c : s) {
        if (c == '\r' || c == '\n' || c == '<' || c == '>') {
            c = ' ';
        }
    }
    return s;
}

Email email_of(repos::OutboxRecord const& e, approvals::WorkflowAction const& a) {
    auto parsed = payload_data(e.payload_json);
    std::string const data = parsed ? *parsed : std::string{"{}"};
    std::string const name = string_member(data, "workflow_name").value_or("(unnamed)");
    std::string const outcome = string_member(data, "outcome").value_or("");
    std::string const id = string_member(data, "workflow_id").value_or("");
    Email m;
    m.to = a.recipients.value_or(std::vector<std::string>{});
    m.subject = header_safe("Signoff: workflow \"" + name + "\" " + lower_ascii(outcome));
    m.text = "The approval workflow \"" + name + "\" (" + id + ") ended " + outcome +
             ".\n\nEvent " + e.id + " at " + e.created_at + ".\n";
    return m;
}

}  // namespace

/// What one send did, before it is recorded.
struct DeliveryWorker::SendResult {
    Attempt attempt;
    AttemptOutcome outcome{AttemptOutcome::kRetry};
    /// No retry can help (endpoint gone or disabled, bad recipients): fail now.
    bool permanent{false};
    /// No attempt was made, so none is logged (endpoint deleted or disabled).
    bool skipped{false};
    std::optional<repos::WebhookEndpointRecord> endpoint;
};

DeliveryWorker::DeliveryWorker(
    storage::Db& db,
    core::Clock const& clock,
    core::IdSource& ids,
    HttpSender& http,
    MailSender* mail,
    VetUrl vet,
    RandomSource& random,
    WorkerOptions options
)
    : db_(db),
      clock_(clock),
      ids_(ids),
      http_(http),
      mail_(mail),
      vet_(std::move(vet)),
      random_(random),
      options_(std::move(options)),
      recorder_(clock, ids) {}

DeliveryWorker::~DeliveryWorker() {
    stop();
}

Result<std::pair<std::int64_t, std::int64_t>> DeliveryWorker::fan_out(core::TimePoint now) {
    std::string const at = core::to_rfc3339(now);
    return core::run_tx(
        db_,
        TxMode::kWrite,
        [&](Tx& tx) -> Result<std::pair<std::int64_t, std::int64_t>> {
            auto rows =
                core::from_db(repos::claim_outbox_for_fanout(tx, at, options_.fanout_batch));
            if (!rows) {
                return rows.error();
            }
            std::int64_t created = 0;
            for (auto const& e : *rows) {
                auto data = payload_data(e.payload_json);
                if (!data) {
                    // A bug in an emitter, not a passing fault: set the event
                    // aside (audited, logged) so it cannot block every later one.
                    if (auto s = set_aside(tx, e, data.error().message, at); !s) {
                        return s.error();
                    }
                    continue;
                }
                auto targets = targets_of(tx, e, *data);
                if (!targets) {
                    return targets.error();
                }
                for (auto const& t : *targets) {
                    repos::DeliveryRecord d;
                    d.id = ids_.new_id();
                    d.org_id = e.org_id;
                    d.event_id = e.id;
                    d.event_type = e.event_type;
                    d.endpoint_id = t.endpoint_id;
                    d.target = t.kind;
                    d.state = kStatePending;
                    d.next_attempt_at = at;
                    d.created_at = at;
                    d.updated_at = at;
                    if (!t.endpoint_id) {
                        // Kept for the admin's per-workflow action log.
                        d.workflow_id = string_member(*data, "workflow_id");
                    }
                    if (auto s = core::from_db(repos::insert_delivery(tx, d)); !s) {
                        return s.error();
                    }
                    ++created;
                }
                if (auto m = core::from_db(repos::mark_outbox_fanned(tx, e.id, at)); !m) {
                    return m.error();
                }
            }
            return std::pair{static_cast<std::int64_t>(rows->size()), created};
        }
    );
}

core::Status DeliveryWorker::set_aside(
    Tx& tx, repos::OutboxRecord const& e, std::string const& reason, std::string const& at
) {
    std::cerr << "signoff: outbox event " << e.id << " (" << e.event_type
              << ") set aside, not delivered: " << reason << "\n";
    std::string const detail =
        events::JsonObject{}.str("event_type", e.event_type).str("reason", reason).text();
    auto entry = events::Recorder::by_system(
        e.org_id, "outbox.event.set_aside", "outbox_event", e.id, detail
    );
    if (auto s = recorder_.audit(tx, entry); !s) {
        return s;
    }
    if (auto m = core::from_db(repos::mark_outbox_fanned(tx, e.id, at)); !m) {
        return m.error();
    }
    return {};
}

Result<std::vector<Claimed>> DeliveryWorker::claim(core::TimePoint now) {
    std::string const at = core::to_rfc3339(now);
    std::string const until = core::to_rfc3339(now + options_.lease);
    std::string const token = options_.worker_id + "/" + ids_.new_id();
    auto leased = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
        return core::from_db(repos::claim_due_deliveries(tx, at, until, token, options_.claim_batch)
        );
    });
    if (!leased) {
        return leased.error();
    }
    std::vector<Claimed> out;
    for (auto& d : *leased) {
        out.push_back(Claimed{std::move(d), token});
    }
    return out;
}

DeliveryWorker::SendResult DeliveryWorker::send(Claimed const& c, core::TimePoint now) {
    SendResult r;
    auto loaded = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<repos::OutboxRecord> {
        auto e = core::from_db(repos::find_outbox(tx, c.delivery.event_id));
        if (!e) {
            return e.error();
        }
        if (!*e) {
            return Error::internal("the delivery's outbox row vanished");
        }
        if (c.delivery.endpoint_id) {
            auto w =
                core::from_db(repos::find_webhook(tx, c.delivery.org_id, *c.delivery.endpoint_id));
            if (!w) {
                return w.error();
            }
            r.endpoint = *w;
        }
        return std::move(**e);
    });
    if (!loaded) {
        r.attempt.error = "could not load the event: " + loaded.error().message;
        r.permanent = loaded.error().kind == core::ErrorKind::kInternal;
        return r;
    }
    auto const& event = *loaded;
    if (c.delivery.target == kTargetActionEmail) {
        return send_email(event, std::move(r));
    }
    HttpRequest req;
    std::string body_error;
    if (c.delivery.target == kTargetEndpoint) {
        if (!r.endpoint || !r.endpoint->enabled) {
            r.permanent = true;
            r.skipped = true;
            r.attempt.error = r.endpoint ? "endpoint disabled" : "endpoint deleted";
            return r;
        }
        auto const scheme = parse_scheme(r.endpoint->scheme).value_or(Scheme::kSignoff);
        auto body = build_body(scheme, event_of(event));
        if (!body) {
            r.permanent = true;
            r.attempt.error = body.error().message;
            return r;
        }
        req.url = r.endpoint->url;
        req.body = std::move(*body);
        req.headers = signature_headers(
            SigningInput{
                scheme,
                webhooks::signing_secrets(*r.endpoint, now),
                unix_seconds(now),
                event.id,
                event.event_type},
            req.body
        );
    } else {
        auto action = action_of(event);
        auto body = build_body(Scheme::kSignoff, event_of(event));
        if (!action || !body || !action->url) {
            r.permanent = true;
            r.attempt.error = "malformed workflow action event";
            return r;
        }
        req.method = action->method.value_or("POST");
        req.url = *action->url;
        req.body = std::move(*body);
        req.headers = {{"X-Signoff-Event", event.event_type}, {"X-Signoff-Delivery", event.id}};
        for (auto const& [name, value] :
             action->headers.value_or(decltype(action->headers)::value_type{})) {
            req.headers.push_back({name, value});
        }
    }
    // Vetted again at every attempt: the name may resolve elsewhere by now (DNS rebinding).
    auto vetted = vet_(req.url);
    if (!vetted) {
        r.attempt.error = "refused by the URL policy: " + vetted.error().message;
        return r;
    }
    req.addresses = vetted->address_texts();
    r.attempt = http_.send(req);
    r.attempt.answer_head = valid_utf8(r.attempt.answer_head.substr(0, kMaxAnswerHead));
    r.outcome = classify(r.attempt);
    return r;
}

DeliveryWorker::SendResult DeliveryWorker::send_email(
    repos::OutboxRecord const& event, SendResult r
) {
    auto action = action_of(event);
    if (!action || !action->recipients) {
        r.permanent = true;
        r.attempt.error = "malformed workflow action event";
        return r;
    }
    if (mail_ == nullptr) {
        r.permanent = true;
        r.attempt.error = "no SMTP relay configured (--smtp-relay)";
        return r;
    }
    RealSteadyClock steady;
    auto const started = steady.now();
    auto sent = mail_->send(email_of(event, *action));
    r.attempt.latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady.now() - started);
    if (sent) {
        r.outcome = AttemptOutcome::kDelivered;
        return r;
    }
    r.attempt.error = sent.error().message;
    // Only a relay that is down or busy (4xx, no connection) may accept later.
    r.permanent = sent.error().kind != core::ErrorKind::kUnavailable;
    return r;
}

namespace {

std::string disabled_payload(repos::WebhookEndpointRecord const& w, std::string const& reason) {
    std::string const data = events::JsonObject{}
                                 .str("endpoint_id", w.id)
                                 .str("kind", w.kind)
                                 .opt_str("owner_user_id", w.owner_user_id)
                                 .opt_str("name", w.name)
                                 .str("url", w.url)
                                 .str("reason", reason)
                                 .text();
    return events::JsonObject{}
        .integer("version", 1)
        .str("type", kEventWebhookDisabled)
        .raw("data", data)
        .text();
}

}  // namespace

Result<Recorded> DeliveryWorker::record(
    Claimed const& c, SendResult const& r, core::TimePoint now, bool* disabled
) {
    auto const& d = c.delivery;
    std::string const at = core::to_rfc3339(now);
    repos::AttemptOutcomeRecord o;
    o.attempts = d.attempts + (r.skipped ? 0 : 1);
    o.first_attempt_at = d.first_attempt_at ? d.first_attempt_at : std::optional{at};
    o.next_attempt_at = d.next_attempt_at;
    o.previous_delay_ms = d.previous_delay_ms;
    o.now = at;
    if (r.attempt.status != 0) {
        o.last_status = r.attempt.status;
    }
    if (!r.attempt.error.empty()) {
        o.last_error = r.attempt.error;
    }
    Recorded verdict = Recorded::kFailed;
    if (r.outcome == AttemptOutcome::kDelivered) {
        verdict = Recorded::kDelivered;
    } else if (!r.permanent && r.outcome == AttemptOutcome::kRetry) {
        auto first = core::parse_rfc3339(*o.first_attempt_at).value_or(now);
        auto next = next_attempt(
            options_.backoff,
            RetryState{first, now, o.attempts, std::chrono::milliseconds{d.previous_delay_ms}},
            random_
        );
        if (next) {
            verdict = Recorded::kRetry;
            o.next_attempt_at = core::to_rfc3339(next->at);
            o.previous_delay_ms = next->delay.count();
        }
    }
    o.state = verdict == Recorded::kDelivered ? kStateDelivered
              : verdict == Recorded::kRetry   ? kStatePending
                                              : kStateFailed;
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Recorded> {
        if (disabled != nullptr) {
            *disabled = false;
        }
        auto changed = core::from_db(repos::record_outcome(tx, d.id, c.token, o));
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return Recorded::kLeaseLost;  // another worker owns it now; its record counts
        }
        if (!r.skipped) {
            repos::AttemptRecord a{
                d.id,
                o.attempts,
                at,
                r.attempt.status != 0 ? std::optional<std::int64_t>{r.attempt.status}
                                      : std::nullopt,
                r.attempt.latency.count(),
                r.attempt.answer_head,
                r.attempt.error};
            if (auto s = core::from_db(repos::insert_attempt(tx, a)); !s) {
                return s.error();
            }
        }
        if (r.endpoint && !r.skipped) {
            auto s = count_endpoint(tx, *r.endpoint, r, at, disabled);
            if (!s) {
                return s.error();
            }
        }
        return verdict;
    });
}

core::Status DeliveryWorker::count_endpoint(
    Tx& tx,
    repos::WebhookEndpointRecord const& w,
    SendResult const& r,
    std::string const& at,
    bool* disabled
) {
    std::optional<std::string> reason;
    if (r.outcome == AttemptOutcome::kDelivered) {
        return core::from_db(repos::record_webhook_success(tx, w.id)).has_value()
                   ? core::Status{}
                   : core::Status{Error::unavailable("database failed")};
    }
    if (r.outcome == AttemptOutcome::kGone) {
        reason = "the receiver answered 410 Gone";
    } else {
        auto n = core::from_db(repos::record_webhook_failure(tx, w.id));
        if (!n) {
            return n.error();
        }
        if (*n && **n >= webhooks::kMaxConsecutiveFailures) {
            reason = std::to_string(**n) + " consecutive failed attempts";
        }
    }
    if (!reason) {
        return {};
    }
    auto changed = core::from_db(repos::disable_webhook(tx, w.id, *reason, at));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return {};  // already disabled: the first reason and event stand
    }
    if (disabled != nullptr) {
        *disabled = true;
    }
    std::string const detail = events::JsonObject{}.str("url", w.url).str("reason", *reason).text();
    auto entry = events::Recorder::by_system(
        w.org_id, "webhooks.endpoint.disabled", "webhook_endpoint", w.id, detail
    );
    if (auto s = recorder_.audit(tx, entry); !s) {
        return s;
    }
    return recorder_.emit(tx, w.org_id, kEventWebhookDisabled, disabled_payload(w, *reason));
}

Result<Recorded> DeliveryWorker::deliver(Claimed const& c, core::TimePoint now, bool* disabled) {
    SendResult const r = send(c, now);
    return record(c, r, now, disabled);
}

Result<RunReport> DeliveryWorker::run_once(core::TimePoint now) {
    RunReport report;
    auto fanned = fan_out(now);
    if (!fanned) {
        return fanned.error();
    }
    report.fanned_out = fanned->first;
    report.created = fanned->second;
    auto claimed = claim(now);
    if (!claimed) {
        return claimed.error();
    }
    report.claimed = static_cast<std::int64_t>(claimed->size());
    std::vector<std::optional<Result<Recorded>>> results(claimed->size());
    std::vector<char> disabled(claimed->size(), 0);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < claimed->size(); i = next++) {
            bool off = false;
            try {
                results[i] = deliver((*claimed)[i], now, &off);
            } catch (std::exception const& e) {
                results[i] = Result<Recorded>{Error::internal(e.what())};
            }
            disabled[i] = off ? 1 : 0;
        }
    };
    std::size_t const threads = std::min(options_.send_threads, claimed->size());
    if (threads <= 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (std::size_t t = 0; t < threads; ++t) {
            pool.emplace_back(work);
        }
        for (auto& t : pool) {
            t.join();
        }
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
        tally(report, *results[i]);
        report.disabled += disabled[i];
    }
    return report;
}

void DeliveryWorker::tally(RunReport& report, Result<Recorded> const& r) {
    if (!r) {
        // The lease expires and the delivery is tried again: nothing is lost.
        std::cerr << "signoff: delivery record failed: " << r.error().message << "\n";
        return;
    }
    switch (*r) {
        case Recorded::kDelivered:
            ++report.delivered;
            break;
        case Recorded::kRetry:
            ++report.retried;
            break;
        case Recorded::kFailed:
            ++report.failed;
            break;
        case Recorded::kLeaseLost:
            ++report.lease_lost;
            break;
    }
}

void DeliveryWorker::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) {
        return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void DeliveryWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void DeliveryWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
        thread_.join();
    }
}

void DeliveryWorker::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        bool busy = false;
        try {
            auto r = run_once(clock_.now());
            if (!r) {
                std::cerr << "signoff: delivery worker: " << r.error().message << "\n";
            } else {
                // A full batch means more is waiting: go again without pausing.
                busy = r->fanned_out == options_.fanout_batch || r->claimed == options_.claim_batch;
            }
        } catch (std::exception const& e) {
            std::cerr << "signoff: delivery worker: " << e.what() << "\n";
        }
        lock.lock();
        if (!busy) {
            cv_.wait_for(lock, options_.poll_interval, [this] { return woken_ || stopping_; });
        }
        woken_ = false;
    }
}

}  // namespace signoff::server::delivery
