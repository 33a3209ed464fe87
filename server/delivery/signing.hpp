// Webhook signatures: HMAC-SHA256 (OpenSSL) and the header set of each scheme,
// plus the receiver-side check that docs/webhooks-receiving.md mirrors. Second
// step of delivery: body (envelope.hpp) → signed headers → HTTP sender.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/delivery/envelope.hpp"

namespace signoff::server::delivery {

struct Header {
    std::string name;
    std::string value;
    bool operator==(Header const&) const = default;
};
using Headers = std::vector<Header>;

/// HMAC-SHA256 of `message` under `key`, 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Everything the signature headers depend on besides the body.
struct SigningInput {
    Scheme scheme{Scheme::kSignoff};
    /// The endpoint's live secrets, newest first: one normally, two during a
    /// rotation's overlap window (both sign, so receivers may switch at leisure).
    std::vector<std::string> secrets;
    std::int64_t unix_seconds{0};  // the attempt's send time (signoff's t=)
    std::string event_id;
    std::string event_type;
};

/// The scheme's headers, in this order:
///   signoff:  X-Signoff-Event, X-Signoff-Delivery (the event id),
///             X-Signoff-Signature: t=<unix>,v1=<hex(HMAC(secret, "<t>.<body>"))> per secret
///   fluxdesk: X-FluxDesk-Event-Type, X-FluxDesk-Delivery-Id,
///             X-FluxDesk-Signature: v1=<hex(HMAC(secret, body))> per secret
/// Entries are comma-separated, newest secret first. No secrets: no signature
/// header (the caller treats an endpoint without a secret as misconfigured).
Headers signature_headers(SigningInput const& in, std::string_view body);

/// What a receiver's check concluded.
enum class Verdict : std::uint8_t {
    kValid,
    kMalformed,  // no t= or no v1= entry, or t= not a number
    kStale,      // |now − t| beyond the tolerance: possibly a replay
    kMismatch,   // no v1= entry matches the secret
};

/// The receiver's check of X-Signoff-Signature: parse t= and every v1=, refuse
/// a timestamp more than `tolerance_seconds` from `now_unix`, then compare each
/// v1= against HMAC(secret, "<t>.<body>") in constant time.
Verdict verify_signoff(
    std::string_view header,
    std::string_view body,
    std::string_view secret,
    std::int64_t now_unix,
    std::int64_t tolerance_seconds = 300
);

/// The seed scheme's check of X-FluxDesk-Signature: any v1= equal to
/// HMAC(secret, body). There is no timestamp, hence no replay window.
Verdict verify_fluxdesk(std::string_view header, std::string_view body, std::string_view secret);

}  // namespace signoff::server::delivery
