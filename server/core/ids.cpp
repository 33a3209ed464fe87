// UUIDv7 minting, random tokens and hashing on OpenSSL. The only randomness in
// the domain comes through here (or an injected IdSource in tests).
#include "server/core/ids.hpp"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "server/core/clock.hpp"

namespace signoff::server::core {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(unsigned char const* data, std::size_t n) {
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kHex[data[i] >> 4]);
        out.push_back(kHex[data[i] & 0x0f]);
    }
    return out;
}

void fill_random(unsigned char* data, std::size_t n) {
    if (RAND_bytes(data, static_cast<int>(n)) != 1) {
        throw std::runtime_error("RAND_bytes failed");  // entropy source broken: a fatal bug
    }
}

}  // namespace

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    fill_random(reinterpret_cast<unsigned char*>(raw.data()), bytes);
    return to_hex(reinterpret_cast<unsigned char const*>(raw.data()), bytes);
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest failed");
    }
    return to_hex(md.data(), len);
}

std::string UuidV7Ids::new_id() {
    std::array<unsigned char, 16> b{};
    fill_random(b.data(), b.size());
    auto ms = static_cast<long long>(clock_.now().time_since_epoch().count());
    unsigned seq = 0;
    {
        std::lock_guard lock(mutex_);
        if (ms <= last_ms_) {
            ms = last_ms_;  // clock went back or same millisecond: stay ordered
            ++counter_;
            if (counter_ > 0x0fff) {
                ++ms;
                counter_ = 0;
            }
        } else {
            counter_ = 0;
        }
        last_ms_ = ms;
        seq = counter_;
    }
    auto const ums = static_cast<unsigned long long>(ms);
    for (int i = 0; i < 6; ++i) {
        b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ums >> (8 * (5 - i)));
    }
    b[6] = static_cast<unsigned char>(0x70 | ((seq >> 8) & 0x0f));
    b[7] = static_cast<unsigned char>(seq & 0xff);
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
    std::string hex = to_hex(b.data(), b.size());
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace signoff::server::core
