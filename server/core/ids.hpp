// Injected id source. Production: UUIDv7 from the clock plus OS randomness;
// tests: SeqIds with predictable, still well-formed and time-ordered ids.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace signoff::server::core {

class IdSource {
public:
    virtual ~IdSource() = default;
    /// A new lowercase, hyphenated UUID string.
    virtual std::string new_id() = 0;
};

/// Cryptographically random bytes (OpenSSL RAND_bytes) as lowercase hex.
std::string random_hex(std::size_t bytes);

/// SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);

}  // namespace signoff::server::core

namespace signoff::server::core {

class Clock;

/// UUIDv7 (RFC 9562): 48-bit Unix milliseconds from the clock, a 12-bit
/// counter that keeps ids minted in the same millisecond ordered, and 62 random
/// bits from OpenSSL. Thread-safe.
class UuidV7Ids final : public IdSource {
public:
    explicit UuidV7Ids(Clock const& clock) : clock_(clock) {}
    std::string new_id() override;

private:
    Clock const& clock_;
    std::mutex mutex_;
    long long last_ms_{0};
    unsigned counter_{0};
};

}  // namespace signoff::server::core
