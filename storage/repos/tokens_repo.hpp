// Repository of Signoff's own token state (migration 0018): signing keys,
// login sessions (token families) and their refresh tokens, agent challenges,
// and the DPoP proofs seen. Portable SQL; every single-use consumption is one
// conditional UPDATE, so of two racing uses exactly one sees a row changed.
// The rules live in server/identity/token_service.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct SigningKeyRecord {
    std::string kid;
    std::string alg;
    std::string private_pem;
    std::string created_at;
    std::optional<std::string> retires_at;
};

/// Keys that still verify at `now` (current first, then newest first).
DbResult<std::vector<SigningKeyRecord>> live_signing_keys(Tx& tx, std::string const& now);
/// Inserts a key; 0 when a current key of that alg exists already (a racing replica won).
DbResult<std::int64_t> insert_signing_key(Tx& tx, SigningKeyRecord const& k);
/// Retires the current key of `alg` at `retires_at`; rows changed.
DbResult<std::int64_t> retire_current_key(
    Tx& tx, std::string const& alg, std::string const& retires_at
);

struct FamilyRecord {
    std::string id;
    std::string org_id;
    std::string principal_kind;  // user | agent
    std::string principal_id;
    std::optional<std::string> dpop_jkt;
    std::string created_at;
    std::optional<std::string> revoked_at;
};

DbResult<std::int64_t> insert_family(Tx& tx, FamilyRecord const& f);
DbResult<std::optional<FamilyRecord>> find_family(Tx& tx, std::string const& id);
/// Revokes one family (if live); rows changed.
DbResult<std::int64_t> revoke_family(Tx& tx, std::string const& id, std::string const& now);
/// Revokes every live family of a principal; rows changed.
DbResult<std::int64_t> revoke_families_of(
    Tx& tx, std::string const& kind, std::string const& principal_id, std::string const& now
);

struct RefreshRecord {
    std::string token_hash;
    std::string family_id;
    std::string created_at;
    std::string expires_at;
    std::optional<std::string> used_at;
};

DbResult<std::int64_t> insert_refresh(Tx& tx, RefreshRecord const& r);
DbResult<std::optional<RefreshRecord>> find_refresh(Tx& tx, std::string const& token_hash);
/// Marks an unused token used; 0 when it was used already.
DbResult<std::int64_t> use_refresh(Tx& tx, std::string const& token_hash, std::string const& now);

struct ChallengeRecord {
    std::string nonce;
    std::string agent_id;
    std::string expires_at;
    std::optional<std::string> used_at;
};

/// Inserts a challenge and drops those expired before `now`.
DbResult<std::int64_t> insert_challenge(Tx& tx, ChallengeRecord const& c, std::string const& now);
DbResult<std::optional<ChallengeRecord>> find_challenge(Tx& tx, std::string const& nonce);
/// Marks an unused challenge used; 0 when it was used already.
DbResult<std::int64_t> use_challenge(Tx& tx, std::string const& nonce, std::string const& now);

/// Remembers a proof key until `expires_at`; 0 when it was seen already. Drops
/// the entries expired before `now`.
DbResult<std::int64_t> remember_proof(
    Tx& tx, std::string const& proof_key, std::string const& expires_at, std::string const& now
);

}  // namespace signoff::storage::repos
