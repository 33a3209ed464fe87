// The webhook endpoint configuration domain (docs/webhooks.md): each human
// member's own endpoint (/me/agent) and the org-wide integrations that admins
// manage (/admin/integrations). Secrets are generated here and answered only
// by the calls that create them; every change is audited in its own
// transaction. Delivery (outbox → signed POST) is the worker's, which reads
// endpoints through storage/repos/webhooks_repo and re-vets URLs with vet().
//
//   tools/families/webhooks.cpp ──► WebhooksService ──► authorize()
//                                                   ├─► vet_webhook_url (outside the transaction)
//                                                   └─► webhooks_repo + audit row (one transaction)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/core/actor.hpp"
#include "server/core/clock.hpp"
#include "server/core/error.hpp"
#include "server/core/ids.hpp"
#include "server/events/recorder.hpp"
#include "server/webhooks/url_policy.hpp"
#include "storage/db.hpp"
#include "storage/repos/webhooks_repo.hpp"

namespace signoff::server::webhooks {

inline constexpr char const* kKindEmployee = "employee";
inline constexpr char const* kKindOrg = "org";
inline constexpr char const* kSchemeSignoff = "signoff";
inline constexpr char const* kSchemeFluxdesk = "fluxdesk";
/// The delivery worker disables an endpoint after this many failed attempts in a row.
inline constexpr std::int64_t kMaxConsecutiveFailures = 10;
/// Integrations one org may have.
inline constexpr std::int64_t kMaxOrgWebhooks = 50;

/// An endpoint as reads show it: never the secret, only hints of it.
struct Webhook {
    std::string id;
    std::string kind;  // employee | org
    std::optional<std::string> owner_user_id;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::string url;
    std::vector<std::string> events;  // ["*"] for every type
    std::string scheme;               // signoff | fluxdesk
    std::string secret_hint;
    /// The rotated-out secret while it still signs (null once the overlap ended).
    std::optional<std::string> previous_secret_hint;
    std::optional<std::string> previous_secret_expires_at;
    bool enabled{true};
    std::optional<std::string> disabled_at;
    std::optional<std::string> disabled_reason;
    std::int64_t consecutive_failures{0};
    std::string created_at;
    std::string updated_at;
    std::int64_t version{1};
};

/// An answer that carries the secret: the only time it is ever shown.
struct WebhookWithSecret {
    Webhook webhook;
    std::optional<std::string> secret;  // set on create and rotate only
    bool created{false};
};

/// PUT /me/agent: url and events replace the stored ones; scheme absent keeps
/// the stored one (signoff for a new endpoint).
struct MyWebhookInput {
    std::string url;
    std::vector<std::string> events;
    std::optional<std::string> scheme;
    std::optional<std::int64_t> expected_version;
};

struct IntegrationInput {
    std::string name;
    std::optional<std::string> description;
    std::string url;
    std::vector<std::string> events;
    std::optional<std::string> scheme;
};

/// Fields left empty stay as they are; description's inner nullopt clears it.
struct IntegrationPatch {
    std::optional<std::string> name;
    std::optional<std::optional<std::string>> description;
    std::optional<std::string> url;
    std::optional<std::vector<std::string>> events;
    std::optional<std::string> scheme;
    std::optional<std::int64_t> expected_version;
};

struct Rotation {
    /// How long the old secret keeps signing: 0..kMaxOverlap seconds, default
    /// kDefaultOverlap. 0 retires it at once.
    std::optional<std::int64_t> overlap_seconds;
    std::optional<std::int64_t> expected_version;
};

/// Errors common to every call: kPermissionDenied (see authorize.hpp:
/// kWebhooksOwn, kWebhooksManageOrg), kNotFound for an endpoint the caller's
/// org does not have, kConflict for a stale expected_version (naming the
/// current one), kInvalidArgument with field details for bad input (a URL the
/// policy refuses names the address and why), kUnavailable when DNS or the
/// database failed temporarily. Thread-safe.
class WebhooksService {
public:
    /// `resolver` must outlive the service and be thread-safe.
    WebhooksService(
        storage::Db& db,
        core::Clock const& clock,
        core::IdSource& ids,
        Resolver& resolver,
        UrlPolicy policy
    );

    UrlPolicy const& policy() const { return policy_; }
    /// The configured policy applied to `url` now, for the delivery worker
    /// before each attempt: connect only to the answered addresses.
    core::Result<VettedUrl> vet(std::string const& url) const;

    // ---- the caller's own endpoint: any human member ----
    core::Result<Webhook> get_mine(core::Actor const& actor);
    /// Creates (answering the new secret, created = true) or replaces the
    /// caller's endpoint. expected_version, when given, must match the stored
    /// endpoint (kConflict when there is none or it moved on).
    core::Result<WebhookWithSecret> set_mine(core::Actor const& actor, MyWebhookInput const& in);
    /// Answers the deleted endpoint.
    core::Result<Webhook> delete_mine(core::Actor const& actor);
    core::Result<WebhookWithSecret> rotate_mine(core::Actor const& actor, Rotation const& r);
    /// Re-enables an endpoint the worker disabled (failure count back to 0).
    /// Enabling an enabled endpoint changes nothing.
    core::Result<Webhook> enable_mine(core::Actor const& actor);

    // ---- org integrations: admin, super_admin ----
    core::Result<std::vector<Webhook>> list_integrations(core::Actor const& actor);
    core::Result<Webhook> get_integration(core::Actor const& actor, std::string const& id);
    /// kResourceExhausted beyond kMaxOrgWebhooks.
    core::Result<WebhookWithSecret> create_integration(
        core::Actor const& actor, IntegrationInput const& in
    );
    core::Result<Webhook> update_integration(
        core::Actor const& actor, std::string const& id, IntegrationPatch const& patch
    );
    core::Result<Webhook> delete_integration(core::Actor const& actor, std::string const& id);
    core::Result<WebhookWithSecret> rotate_integration(
        core::Actor const& actor, std::string const& id, Rotation const& r
    );
    core::Result<Webhook> enable_integration(core::Actor const& actor, std::string const& id);

private:
    using Record = storage::repos::WebhookEndpointRecord;
    /// Finds the endpoint inside a transaction; kNotFound when absent.
    using Loader = std::function<core::Result<Record>(storage::Tx&)>;
    /// Changes the loaded record as of `now`; answers false when nothing
    /// changed (no write).
    using Change = std::function<core::Result<bool>(Record&, core::TimePoint now)>;

    core::Result<Record> mutate(
        core::Actor const& actor,
        Loader const& load,
        Change const& change,
        std::optional<std::int64_t> expected_version,
        std::string const& action
    );
    /// Writes `next` over `before` (version + 1, updated at `now`) and audits
    /// it; retry_tx() when a concurrent change won.
    core::Result<Record> write_update(
        storage::Tx& tx,
        core::Actor const& actor,
        Record const& before,
        Record next,
        core::TimePoint now,
        std::string const& action
    );
    /// Inserts `rec` and audits it; retry_tx() when a concurrent insert won.
    core::Result<Record> write_insert(
        storage::Tx& tx, core::Actor const& actor, Record const& rec, std::string const& action
    );
    core::Result<Record> remove(
        core::Actor const& actor, Loader const& load, std::string const& action
    );
    core::Result<WebhookWithSecret> rotate(
        core::Actor const& actor, Loader const& load, Rotation const& r, std::string const& action
    );
    core::Result<Record> enable(
        core::Actor const& actor, Loader const& load, std::string const& action
    );
    core::Status audit(
        storage::Tx& tx, core::Actor const& actor, Record const& rec, std::string const& action
    );
    Record new_record(core::Actor const& actor, std::string kind) const;
    Webhook view(Record const& rec) const;

    storage::Db& db_;
    core::Clock const& clock_;
    core::IdSource& ids_;
    Resolver& resolver_;
    UrlPolicy policy_;
    events::Recorder recorder_;
};

}  // namespace signoff::server::webhooks
