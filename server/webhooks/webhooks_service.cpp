// Webhook endpoint configuration (see webhooks_service.hpp): input checks, the
// URL policy (run before the transaction: it may wait on DNS), and the shared
// load → change → versioned write → audit path every change goes through.
#include "server/webhooks/webhooks_service.hpp"

#include <chrono>
#include <iterator>
#include <utility>

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/webhooks/event_types.hpp"
#include "server/webhooks/secrets.hpp"

namespace signoff::server::webhooks {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;
using Record = repos::WebhookEndpointRecord;

core::Status check_version(std::optional<std::int64_t> expected, std::int64_t current) {
    if (expected && *expected != current) {
        return Error::conflict(
            "the webhook is at version " + std::to_string(current) + ", not " +
            std::to_string(*expected) + "; read it again and retry"
        );
    }
    return {};
}

Result<std::chrono::seconds> overlap_of(Rotation const& r) {
    auto const s = r.overlap_seconds.value_or(kDefaultOverlap.count());
    if (s < 0 || s > kMaxOverlap.count()) {
        return Error::invalid_field(
            "overlap_seconds", "must be 0-604800 (up to 7 days; 0 retires the old secret at once)"
        );
    }
    return std::chrono::seconds{s};
}

std::string detail_of(Record const& r) {
    return events::JsonObject{}
        .str("kind", r.kind)
        .opt_str("owner_user_id", r.owner_user_id)
        .opt_str("name", r.name)
        .str("url", r.url)
        .str("events", r.events)
        .str("scheme", r.scheme)
        .raw("enabled", r.enabled ? "true" : "false")
        .str("secret_hint", secret_hint(r.secret))
        .opt_str("previous_secret_expires_at", r.previous_secret_expires_at)
        .integer("version", r.version)
        .text();
}

/// The before/after of an update (docs/audit.md): the fields that changed
/// and the version. A rotation shows the new secret's hint, never a secret.
std::pair<std::string, std::string> change_of(Record const& old, Record const& next) {
    auto opt = [](std::optional<std::string> const& v) {
        return v ? events::json_quote(*v) : std::string{"null"};
    };
    auto flag = [](bool b) { return std::string{b ? "true" : "false"}; };
    std::pair<std::string, std::string> const fields[] = {
        {opt(old.name), opt(next.name)},
        {opt(old.description), opt(next.description)},
        {events::json_quote(old.url), events::json_quote(next.url)},
        {events::json_quote(old.events), events::json_quote(next.events)},
        {events::json_quote(old.scheme), events::json_quote(next.scheme)},
        {events::json_quote(secret_hint(old.secret)), events::json_quote(secret_hint(next.secret))},
        {opt(old.previous_secret_expires_at), opt(next.previous_secret_expires_at)},
        {flag(old.enabled), flag(next.enabled)},
        {opt(old.disabled_reason), opt(next.disabled_reason)},
    };
    char const* const keys[] = {
        "name",
        "description",
        "url",
        "events",
        "scheme",
        "secret_hint",
        "previous_secret_expires_at",
        "enabled",
        "disabled_reason"};
    events::JsonObject before;
    events::JsonObject after;
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        if (fields[i].first != fields[i].second) {
            before.raw(keys[i], fields[i].first);
            after.raw(keys[i], fields[i].second);
        }
    }
    before.integer("version", old.version);
    after.integer("version", next.version);
    return {before.text(), after.text()};
}

}  // namespace

WebhooksService::WebhooksService(
    storage::Db& db,
    core::Clock const& clock,
    core::IdSource& ids,
    Resolver& resolver,
    UrlPolicy policy
)
    : db_(db),
      clock_(clock),
      ids_(ids),
      resolver_(resolver),
      policy_(policy),
      recorder_(clock, ids) {}

Result<VettedUrl> WebhooksService::vet(std::string const& url) const {
    return vet_webhook_url(url, resolver_, policy_);
}

// ---- the shared write path ----------------------------------------------------

core::Status WebhooksService::audit(
    Tx& tx, core::Actor const& actor, Record const& rec, std::string const& action
) {
    return recorder_.audit(
        tx, events::Recorder::by(actor, action, "webhook_endpoint", rec.id, detail_of(rec))
    );
}

Result<Record> WebhooksService::write_update(
    Tx& tx,
    core::Actor const& actor,
    Record const& before,
    Record next,
    core::TimePoint now,
    std::string const& action
) {
    next.updated_at = core::to_rfc3339(now);
    next.via_mcp = core::via_mcp(actor.channel);
    auto changed = core::from_db(repos::update_webhook(tx, next, before.version));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return core::retry_tx();  // the worker disabled it, or another edit won
    }
    next.version = before.version + 1;
    auto [was, is] = change_of(before, next);
    auto entry = events::Recorder::by(actor, action, "webhook_endpoint", next.id, detail_of(next))
                     .with_change(std::move(was), std::move(is));
    if (auto s = recorder_.audit(tx, entry); !s) {
        return s.error();
    }
    return next;
}

Result<Record> WebhooksService::write_insert(
    Tx& tx, core::Actor const& actor, Record const& rec, std::string const& action
) {
    auto inserted = core::from_db(repos::insert_webhook(tx, rec));
    if (!inserted) {
        return inserted.error();
    }
    if (*inserted == 0) {
        return core::retry_tx();  // a concurrent first PUT won; the retry updates it
    }
    if (auto s = audit(tx, actor, rec, action); !s) {
        return s.error();
    }
    return rec;
}

Result<Record> WebhooksService::mutate(
    core::Actor const& actor,
    Loader const& load,
    Change const& change,
    std::optional<std::int64_t> expected_version,
    std::string const& action
) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Record> {
        auto before = load(tx);
        if (!before) {
            return before.error();
        }
        if (auto ok = check_version(expected_version, before->version); !ok) {
            return ok.error();
        }
        Record next = *before;
        auto const now = clock_.now();
        auto changed = change(next, now);
        if (!changed) {
            return changed.error();
        }
        if (!*changed) {
            return before;
        }
        return write_update(tx, actor, *before, std::move(next), now, action);
    });
}

Result<Record> WebhooksService::remove(
    core::Actor const& actor, Loader const& load, std::string const& action
) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Record> {
        auto rec = load(tx);
        if (!rec) {
            return rec.error();
        }
        auto gone = core::from_db(repos::delete_webhook(tx, rec->org_id, rec->id));
        if (!gone) {
            return gone.error();
        }
        if (*gone == 0) {
            return core::retry_tx();
        }
        if (auto s = audit(tx, actor, *rec, action); !s) {
            return s.error();
        }
        return rec;
    });
}

Result<WebhookWithSecret> WebhooksService::rotate(
    core::Actor const& actor, Loader const& load, Rotation const& r, std::string const& action
) {
    auto overlap = overlap_of(r);
    if (!overlap) {
        return overlap.error();
    }
    auto rotated = mutate(
        actor,
        load,
        [&](Record& rec, core::TimePoint now) -> Result<bool> {
            bool const keep_old = overlap->count() > 0;
            auto const until = now + std::chrono::milliseconds{*overlap};
            rec.previous_secret = keep_old ? std::optional<std::string>{rec.secret} : std::nullopt;
            rec.previous_secret_expires_at =
                keep_old ? std::optional<std::string>{core::to_rfc3339(until)} : std::nullopt;
            rec.secret = new_webhook_secret();
            return true;
        },
        r.expected_version,
        action
    );
    if (!rotated) {
        return rotated.error();
    }
    return WebhookWithSecret{view(*rotated), rotated->secret, false};
}

Result<Record> WebhooksService::enable(
    core::Actor const& actor, Loader const& load, std::string const& action
) {
    return mutate(
        actor,
        load,
        [](Record& rec, core::TimePoint) -> Result<bool> {
            if (rec.enabled) {
                return false;
            }
            rec.enabled = true;
            rec.consecutive_failures = 0;  // what update_webhook writes when enabling
            rec.disabled_at.reset();
            rec.disabled_reason.reset();
            return true;
        },
        std::nullopt,
        action
    );
}

Record WebhooksService::new_record(core::Actor const& actor, std::string kind) const {
    std::string const now = core::to_rfc3339(clock_.now());
    Record rec;
    rec.id = ids_.new_id();
    rec.org_id = actor.org_id;
    rec.kind = std::move(kind);
    rec.scheme = kSchemeSignoff;
    rec.secret = new_webhook_secret();
    rec.created_at = now;
    rec.updated_at = now;
    rec.via_mcp = core::via_mcp(actor.channel);
    return rec;
}

Webhook WebhooksService::view(Record const& r) const {
    bool const previous = previous_secret_live(r, clock_.now());
    return Webhook{
        r.id,
        r.kind,
        r.owner_user_id,
        r.name,
        r.description,
        r.url,
        split_events(r.events),
        r.scheme,
        secret_hint(r.secret),
        previous ? std::optional<std::string>{secret_hint(*r.previous_secret)} : std::nullopt,
        previous ? r.previous_secret_expires_at : std::nullopt,
        r.enabled,
        r.disabled_at,
        r.disabled_reason,
        r.consecutive_failures,
        r.created_at,
        r.updated_at,
        r.version,
    };
}

}  // namespace signoff::server::webhooks
