// Portable SQL for token state (see tokens_repo.hpp).
#include "storage/repos/tokens_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

SigningKeyRecord key_from(Row const& r) {
    return SigningKeyRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.opt_text(4)};
}

FamilyRecord family_from(Row const& r) {
    return FamilyRecord{
        r.text(0), r.text(1), r.text(2), r.text(3), r.opt_text(4), r.text(5), r.opt_text(6)};
}

RefreshRecord refresh_from(Row const& r) {
    return RefreshRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.opt_text(4)};
}

ChallengeRecord challenge_from(Row const& r) {
    return ChallengeRecord{r.text(0), r.text(1), r.text(2), r.opt_text(3)};
}

}  // namespace

DbResult<std::vector<SigningKeyRecord>> live_signing_keys(Tx& tx, std::string const& now) {
    constexpr std::string_view sql =
        "SELECT kid, alg, private_pem, created_at, retires_at FROM signing_keys "
        "WHERE retires_at IS NULL OR retires_at > $1 "
        "ORDER BY CASE WHEN retires_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid";
    return all_rows(tx.query(sql, {now}), key_from);
}

DbResult<std::int64_t> insert_signing_key(Tx& tx, SigningKeyRecord const& k) {
    constexpr std::string_view sql =
        "INSERT INTO signing_keys (kid, alg, private_pem, created_at, retires_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    return tx.exec(sql, {k.kid, k.alg, k.private_pem, k.created_at, opt_text(k.retires_at)});
}

DbResult<std::int64_t> retire_current_key(
    Tx& tx, std::string const& alg, std::string const& retires_at
) {
    constexpr std::string_view sql =
        "UPDATE signing_keys SET retires_at = $2 WHERE alg = $1 AND retires_at IS NULL";
    return tx.exec(sql, {alg, retires_at});
}

DbResult<std::int64_t> insert_family(Tx& tx, FamilyRecord const& f) {
    constexpr std::string_view sql =
        "INSERT INTO token_families (id, org_id, principal_kind, principal_id, dpop_jkt, "
        "created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    return tx.exec(
        sql,
        {f.id,
         f.org_id,
         f.principal_kind,
         f.principal_id,
         opt_text(f.dpop_jkt),
         f.created_at,
         opt_text(f.revoked_at)}
    );
}

DbResult<std::optional<FamilyRecord>> find_family(Tx& tx, std::string const& id) {
    constexpr std::string_view sql =
        "SELECT id, org_id, principal_kind, principal_id, dpop_jkt, created_at, revoked_at "
        "FROM token_families WHERE id = $1";
    return first_row(tx.query(sql, {id}), family_from);
}

DbResult<std::int64_t> revoke_family(Tx& tx, std::string const& id, std::string const& now) {
    constexpr std::string_view sql =
        "UPDATE token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
    return tx.exec(sql, {id, now});
}

DbResult<std::int64_t> revoke_families_of(
    Tx& tx, std::string const& kind, std::string const& principal_id, std::string const& now
) {
    constexpr std::string_view sql =
        "UPDATE token_families SET revoked_at = $3 "
        "WHERE principal_kind = $1 AND principal_id = $2 AND revoked_at IS NULL";
    return tx.exec(sql, {kind, principal_id, now});
}

DbResult<std::int64_t> insert_refresh(Tx& tx, RefreshRecord const& r) {
    constexpr std::string_view sql =
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, used_at) "
        "VALUES ($1, $2, $3, $4, $5)";
    return tx.exec(
        sql, {r.token_hash, r.family_id, r.created_at, r.expires_at, opt_text(r.used_at)}
    );
}

DbResult<std::optional<RefreshRecord>> find_refresh(Tx& tx, std::string const& token_hash) {
    constexpr std::string_view sql =
        "SELECT token_hash, family_id, created_at, expires_at, used_at FROM refresh_tokens "
        "WHERE token_hash = $1";
    return first_row(tx.query(sql, {token_hash}), refresh_from);
}

DbResult<std::int64_t> use_refresh(Tx& tx, std::string const& token_hash, std::string const& now) {
    constexpr std::string_view sql =
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL";
    return tx.exec(sql, {token_hash, now});
}

DbResult<std::int64_t> insert_challenge(Tx& tx, ChallengeRecord const& c, std::string const& now) {
    constexpr std::string_view prune = "DELETE FROM agent_challenges WHERE expires_at < $1";
    if (auto pruned = tx.exec(prune, {now}); !pruned) {
        return pruned.error();
    }
    constexpr std::string_view sql =
        "INSERT INTO agent_challenges (nonce, agent_id, expires_at, used_at) "
        "VALUES ($1, $2, $3, NULL)";
    return tx.exec(sql, {c.nonce, c.agent_id, c.expires_at});
}

DbResult<std::optional<ChallengeRecord>> find_challenge(Tx& tx, std::string const& nonce) {
    constexpr std::string_view sql =
        "SELECT nonce, agent_id, expires_at, used_at FROM agent_challenges WHERE nonce = $1";
    return first_row(tx.query(sql, {nonce}), challenge_from);
}

DbResult<std::int64_t> use_challenge(Tx& tx, std::string const& nonce, std::string const& now) {
    constexpr std::string_view sql =
        "UPDATE agent_challenges SET used_at = $2 WHERE nonce = $1 AND used_at IS NULL";
    return tx.exec(sql, {nonce, now});
}

DbResult<std::int64_t> remember_proof(
    Tx& tx, std::string const& proof_key, std::string const& expires_at, std::string const& now
) {
    constexpr std::string_view prune = "DELETE FROM dpop_proofs WHERE expires_at < $1";
    if (auto pruned = tx.exec(prune, {now}); !pruned) {
        return pruned.error();
    }
    constexpr std::string_view sql =
        "INSERT INTO dpop_proofs (proof_key, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    return tx.exec(sql, {proof_key, expires_at});
}

}  // namespace signoff::storage::repos
