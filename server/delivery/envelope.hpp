// What a webhook receiver gets as the request body: an outbox row (written by
// a domain service through events::Recorder) re-shaped for the endpoint's
// signing scheme. First step of delivery: outbox row → body → signed request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/error.hpp"
#include "storage/repos/events_repo.hpp"

namespace signoff::server::delivery {

/// How an endpoint wants its deliveries shaped and signed, chosen per endpoint.
enum class Scheme : std::uint8_t {
    /// Ours: {id, type, created_at, org, data}; HMAC over "<t>.<body>" (replay window).
    kSignoff,
    /// The seed product's: {"version":1,"type":…,…}; HMAC over the body alone.
    kFluxdesk,
};

std::string_view scheme_name(Scheme s);
/// "signoff" or "fluxdesk"; nullopt for anything else.
std::optional<Scheme> parse_scheme(std::string_view name);

/// The parts of an outbox row a body is made of.
struct OutboxEvent {
    std::string id;
    std::string org_id;
    std::string type;
    std::string created_at;    // RFC 3339 UTC, as stored
    std::string payload_json;  // {"version":1,"type":…,"data":{…}}, as every emitter writes it
};

OutboxEvent event_of(storage::repos::OutboxRecord const& row);

/// The raw JSON text of the payload's top-level "data" member, byte for byte.
/// kInternal when the payload is not a JSON object with a "data" member (stored
/// text not in the emitters' shape is a bug, not bad input).
core::Result<std::string> payload_data(std::string_view payload_json);

/// The request body for `scheme`, serialised with a fixed member order:
///   signoff:  {"id":…,"type":…,"created_at":…,"org":…,"data":…}
///   fluxdesk: {"version":1,"type":…,"id":…,"created_at":…,"data":…}
/// Deterministic: the same event always gives the same bytes (a retry signs
/// and sends exactly what the first attempt did). Errors as payload_data.
/// The raw JSON text of member `name` of the JSON object `json`; nullopt when
/// `json` is not a well-formed object or lacks the member. The delivery worker
/// reads routing facts (slug, user e-mail, action) from payloads with it.
std::optional<std::string> json_member(std::string_view json, std::string_view name);

/// The value of a JSON string literal (`"…"`, quotes included) with the
/// escapes \" \\ \/ \b \f \n \r \t and \uXXXX (BMP, UTF-8 out) decoded;
/// nullopt for anything that is not a string literal.
std::optional<std::string> json_string(std::string_view literal);

core::Result<std::string> build_body(Scheme scheme, OutboxEvent const& event);

}  // namespace signoff::server::delivery
