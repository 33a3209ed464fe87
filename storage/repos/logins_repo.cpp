// Portable SQL for sign-ins (see logins_repo.hpp).
#include "storage/repos/logins_repo.hpp"

#include <string_view>

#include "storage/repos/rows.hpp"

namespace signoff::storage::repos {
namespace {

LoginRequestRecord login_from(Row const& r) {
    return LoginRequestRecord{
        r.text(0),
        r.text(1),
        r.text(2),
        r.text(3),
        r.text(4),
        r.opt_text(5),
        r.opt_text(6),
        r.opt_text(7),
        r.text(8),
        r.text(9),
        r.opt_text(10)};
}

StepUpRecord step_up_from(Row const& r) {
    return StepUpRecord{
        r.text(0), r.text(1), r.text(2), r.text(3), r.opt_text(4), r.text(5), r.opt_text(6)};
}

}  // namespace

DbResult<std::int64_t> insert_login_request(
    Tx& tx, LoginRequestRecord const& r, std::string const& now
) {
    if (auto pruned = tx.exec("DELETE FROM login_requests WHERE expires_at < $1", {now}); !pruned) {
        return pruned.error();
    }
    constexpr std::string_view sql =
        "INSERT INTO login_requests (state, kind, code_verifier, nonce, redirect_uri, org_name, "
        "caller_org_id, caller_user_id, created_at, expires_at, used_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)";
    return tx.exec(
        sql,
        {r.state,
         r.kind,
         r.code_verifier,
         r.nonce,
         r.redirect_uri,
         opt_text(r.org_name),
         opt_text(r.caller_org_id),
         opt_text(r.caller_user_id),
         r.created_at,
         r.expires_at}
    );
}

DbResult<std::optional<LoginRequestRecord>> find_login_request(Tx& tx, std::string const& state) {
    constexpr std::string_view sql =
        "SELECT state, kind, code_verifier, nonce, redirect_uri, org_name, caller_org_id, "
        "caller_user_id, created_at, expires_at, used_at FROM login_requests WHERE state = $1";
    return first_row(tx.query(sql, {state}), login_from);
}

DbResult<std::int64_t> use_login_request(Tx& tx, std::string const& state, std::string const& now) {
    constexpr std::string_view sql =
        "UPDATE login_requests SET used_at = $2 WHERE state = $1 AND used_at IS NULL";
    return tx.exec(sql, {state, now});
}

DbResult<std::int64_t> set_idp_subject(
    Tx& tx, std::string const& org_id, std::string const& user_id, std::string const& subject
) {
    constexpr std::string_view sql =
        "UPDATE users SET idp_subject = $3 WHERE org_id = $1 AND id = $2 AND idp_subject IS NULL";
    return tx.exec(sql, {org_id, user_id, subject});
}

DbResult<std::optional<std::string>> idp_subject_of(
    Tx& tx, std::string const& org_id, std::string const& user_id
) {
    auto rows =
        tx.query("SELECT idp_subject FROM users WHERE org_id = $1 AND id = $2", {org_id, user_id});
    if (!rows) {
        return rows.error();
    }
    if (rows->empty()) {
        return std::optional<std::string>{};
    }
    return rows->front().opt_text(0);
}

DbResult<std::int64_t> insert_step_up(Tx& tx, StepUpRecord const& r) {
    constexpr std::string_view sql =
        "INSERT INTO step_up_tokens (jti, org_id, user_id, operation, resource_id, expires_at, "
        "used_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)";
    return tx.exec(
        sql, {r.jti, r.org_id, r.user_id, r.operation, opt_text(r.resource_id), r.expires_at}
    );
}

DbResult<std::optional<StepUpRecord>> find_step_up(Tx& tx, std::string const& jti) {
    constexpr std::string_view sql =
        "SELECT jti, org_id, user_id, operation, resource_id, expires_at, used_at "
        "FROM step_up_tokens WHERE jti = $1";
    return first_row(tx.query(sql, {jti}), step_up_from);
}

DbResult<std::int64_t> use_step_up(Tx& tx, std::string const& jti, std::string const& now) {
    constexpr std::string_view sql =
        "UPDATE step_up_tokens SET used_at = $2 WHERE jti = $1 AND used_at IS NULL";
    return tx.exec(sql, {jti, now});
}

}  // namespace signoff::storage::repos
