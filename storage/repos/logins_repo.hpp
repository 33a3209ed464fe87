// Repository of sign-ins through the OpenID Provider (migration 0019): the
// authorization requests Signoff started, users' IdP subjects, and step-up
// tokens. Single-use rows are consumed by one conditional UPDATE each. The
// rules live in server/identity/oidc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace signoff::storage::repos {

struct LoginRequestRecord {
    std::string state;
    std::string kind;  // cli | step_up
    std::string code_verifier;
    std::string nonce;
    std::string redirect_uri;
    std::optional<std::string> org_name;
    std::optional<std::string> caller_org_id;
    std::optional<std::string> caller_user_id;
    std::string created_at;
    std::string expires_at;
    std::optional<std::string> used_at;
};

/// Inserts a request and drops those expired before `now`.
DbResult<std::int64_t> insert_login_request(
    Tx& tx, LoginRequestRecord const& r, std::string const& now
);
DbResult<std::optional<LoginRequestRecord>> find_login_request(Tx& tx, std::string const& state);
/// Marks an unused request used; 0 when it was used already.
DbResult<std::int64_t> use_login_request(Tx& tx, std::string const& state, std::string const& now);

DbResult<std::int64_t> set_idp_subject(
    Tx& tx, std::string const& org_id, std::string const& user_id, std::string const& subject
);
DbResult<std::optional<std::string>> idp_subject_of(
    Tx& tx, std::string const& org_id, std::string const& user_id
);

struct StepUpRecord {
    std::string jti;
    std::string org_id;
    std::string user_id;
    std::string operation;
    std::optional<std::string> resource_id;
    std::string expires_at;
    std::optional<std::string> used_at;
};

DbResult<std::int64_t> insert_step_up(Tx& tx, StepUpRecord const& r);
DbResult<std::optional<StepUpRecord>> find_step_up(Tx& tx, std::string const& jti);
/// Marks an unused token used; 0 when it was used already.
DbResult<std::int64_t> use_step_up(Tx& tx, std::string const& jti, std::string const& now);

}  // namespace signoff::storage::repos
