// Webhook signing secrets: generation (OpenSSL RAND_bytes), the masked hint
// that reads show instead of the secret, and the rotation overlap rule that
// decides which secrets sign a delivery. Used by WebhooksService (create,
// rotate, reads) and by the delivery worker (signing_secrets).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/clock.hpp"
#include "storage/repos/webhooks_repo.hpp"

namespace signoff::server::webhooks {

/// Every secret starts with this; the HMAC key is the whole secret text as
/// shown, prefix included (docs/webhooks.md).
inline constexpr std::string_view kSecretPrefix = "whsec_";

/// How long a rotated-out secret keeps signing, unless the rotate call says.
inline constexpr std::chrono::seconds kDefaultOverlap{24 * 3600};
/// The longest overlap a rotate call may ask for (7 days).
inline constexpr std::chrono::seconds kMaxOverlap{7 * 24 * 3600};

/// "whsec_" + base64url (no padding) of 32 bytes from RAND_bytes: 49 characters.
std::string new_webhook_secret();

/// What reads show instead of a secret: "whsec_…" and its last 4 characters.
std::string secret_hint(std::string_view secret);

/// The secrets that sign a delivery at `now`, newest first: the current one,
/// then the previous one while now < previous_secret_expires_at.
std::vector<std::string> signing_secrets(
    storage::repos::WebhookEndpointRecord const& endpoint, core::TimePoint now
);

/// True when the record's previous secret still signs at `now`.
bool previous_secret_live(
    storage::repos::WebhookEndpointRecord const& endpoint, core::TimePoint now
);

}  // namespace signoff::server::webhooks
