// A KeyPairSource for domain tests: one real RSA key pair (kAgentKeyBits),
// generated once per test binary and handed out on every call, so that
// registering many agents costs one key generation. Counts its calls.
#pragma once

#include "server/identity/agent_keys.hpp"

namespace signoff::testing {

class CachedKeys final : public server::identity::KeyPairSource {
public:
    server::core::Result<server::identity::KeyPair> generate() override {
        ++calls;
        static auto const kPair =
            server::identity::generate_rsa_key_pair(server::identity::kAgentKeyBits);
        return kPair;
    }
    int calls{0};
};

}  // namespace signoff::testing
