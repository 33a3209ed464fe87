// E-mail delivery for the EMAIL workflow action: a minimal RFC 5321 client
// (EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT) that hands a
// plain-text message to the configured relay. Sits where http_sender sits for
// webhooks: outbox row → message → relay; the relay does the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/core/clock.hpp"
#include "server/core/error.hpp"

namespace signoff::server::delivery {

struct SmtpConfig {
    std::string host;  // the relay; resolved at each send (it is configuration, not user input)
    std::uint16_t port{25};
    std::string from;  // envelope sender and From: header
    std::string helo_name{"signoff.localdomain"};
    /// Each step (connect, each command's reply, the message) gets this long.
    std::chrono::milliseconds timeout{std::chrono::seconds{8}};
};

struct Email {
    std::vector<std::string> to;
    std::string subject;
    std::string text;  // UTF-8; line ends are normalised to CRLF
};

class MailSender {
public:
    virtual ~MailSender() = default;
    /// Hands the message to the relay. Errors:
    ///  - kInvalidArgument: an address or the subject could inject headers or
    ///    commands (CR, LF, '<', '>'), or is not an address; nothing was sent;
    ///  - kFailedPrecondition: the relay refused with a 5xx reply (permanent);
    ///  - kUnavailable: connection failure, timeout or a 4xx reply (retry).
    /// Thread-safe.
    virtual core::Status send(Email const& email) = 0;
};

/// `clock` stamps the Date: header and must outlive the sender.
std::unique_ptr<MailSender> make_smtp_sender(SmtpConfig config, core::Clock const& clock);

/// kInvalidArgument unless `address` is local@domain without CR, LF, spaces,
/// angle brackets or other control characters, at most 254 bytes.
core::Status check_address(std::string const& address, std::string const& field);

/// The DATA section for `email` (headers, blank line, body), CRLF line ends,
/// dot-stuffed, ending with the "\r\n.\r\n" terminator. Non-ASCII subjects
/// are RFC 2047 encoded. Precondition: the addresses and subject were checked.
std::string smtp_message(
    SmtpConfig const& config, Email const& email, core::TimePoint now, std::string const& message_id
);

}  // namespace signoff::server::delivery
