// Identity service (see identity_service.hpp): API-key authentication,
// bootstrap, users and keys. Permission checks go through authorize(); every
// query is scoped by the actor's org.
#include "server/identity/identity_service.hpp"

#include <chrono>

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/agent_names.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/principals.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/identity_repo.hpp"
#include "storage/repos/roles_repo.hpp"
#include "storage/repos/tokens_repo.hpp"

namespace signoff::server::identity {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kKeyHexLength = 64;
constexpr auto kTouchInterval = std::chrono::minutes{1};
constexpr std::size_t kMaxDisplayName = 255;

User user_from(repos::UserRecord const& r) {
    return User{
        r.id,
        r.org_id,
        r.email,
        r.display_name,
        parse_role(r.org_role).value_or(core::OrgRole::kMember),
        r.created_at,
        r.deactivated_at,
    };
}

bool well_formed_key(std::string_view key) {
    if (!key.starts_with(kApiKeyPrefix) || key.size() != kApiKeyPrefix.size() + kKeyHexLength) {
        return false;
    }
    for (char c : key.substr(kApiKeyPrefix.size())) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string local_part(std::string const& email) {
    return email.substr(0, email.find('@'));
}

Result<std::string> display_name_or_default(std::string_view given, std::string const& email) {
    std::string name{trim(given)};
    if (name.empty()) {
        return local_part(email);
    }
    if (name.size() > kMaxDisplayName) {
        return Error::invalid_field("displayName", "at most 255 characters");
    }
    return name;
}

std::string user_detail(repos::UserRecord const& u) {
    return events::JsonObject{}.str("email", u.email).str("org_role", u.org_role).text();
}

ApiKeyInfo key_info(repos::ApiKeyRecord const& k) {
    return ApiKeyInfo{
        k.id,
        k.user_id,
        k.prefix,
        k.name,
        k.created_at,
        k.last_used_at,
        k.expires_at,
        k.revoked_at,
        k.issued_by};
}

/// The user whose credentials `actor` acts on, once the rank rule allows it
/// (authorize.cpp `credentials`). Unknown or other-org users → kNotFound.
Result<repos::UserRecord> credentials_target(
    Tx& tx, core::Actor const& actor, std::string const& user_id
) {
    if (!is_uuid_text(user_id)) {
        return Error::invalid_field("userId", "must be a user's id (a UUID)");
    }
    auto user = core::from_db(repos::find_user_by_id(tx, actor.org_id, lower(user_id)));
    if (!user) {
        return user.error();
    }
    if (!*user) {
        return Error::not_found("user not found");
    }
    Subject const s{.user_id = (*user)->id, .target_role = parse_role((*user)->org_role)};
    if (auto ok = authorize(actor, Action::kCredentialsManage, s); !ok) {
        return ok.error();
    }
    return std::move(**user);
}

constexpr std::size_t kMaxKeyName = 100;
constexpr char const* kPlainEmailsCheck = "plain-emails";

/// Revokes `key` (answered unchanged when it already was) and records `audit`
/// with the revoked_at change, in the caller's transaction.
Result<ApiKeyInfo> revoke_key(
    Tx& tx,
    events::Recorder const& recorder,
    core::Clock const& clock,
    repos::ApiKeyRecord key,
    events::AuditEntry audit
) {
    std::string const now = core::to_rfc3339(clock.now());
    auto changed = core::from_db(repos::revoke_api_key(tx, key.org_id, key.id, now));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return key_info(key);  // already revoked: idempotent, nothing to audit
    }
    key.revoked_at = now;
    audit.before_json = events::JsonObject{}.null("revoked_at").text();
    audit.after_json = events::JsonObject{}.str("revoked_at", now).text();
    if (auto s = recorder.audit(tx, audit); !s) {
        return s.error();
    }
    return key_info(key);
}

}  // namespace

IdentityService::IdentityService(
    storage::Db& db, core::Clock const& clock, core::IdSource& ids, KeyPairSource* keys
)
    : db_(db),
      clock_(clock),
      ids_(ids),
      recorder_(clock, ids),
      // One generation at a time (the other cores keep serving), four waiting.
      bounded_keys_(keys != nullptr ? *keys : default_keys_, 1, 4),
      keys_(bounded_keys_) {}

std::string IdentityService::mint_key_material(std::string& hash_out, std::string& prefix_out)
    const {
    std::string key = std::string{kApiKeyPrefix} + core::random_hex(kKeyHexLength / 2);
    hash_out = core::sha256_hex(key);
    prefix_out = key.substr(0, kApiKeyPrefix.size() + 8);
    return key;
}

Result<core::Actor> IdentityService::authenticate(std::string_view api_key, core::Channel channel) {
    auto const invalid = Error::unauthenticated("invalid API key");
    if (!well_formed_key(api_key)) {
        return invalid;
    }
    std::string hash = core::sha256_hex(api_key);
    auto found = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::find_key_principal(tx, hash));
    });
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->key.revoked_at || (*found)->user.deactivated_at) {
        return invalid;
    }
    repos::KeyPrincipal const& p = **found;
    auto now = clock_.now();
    if (p.key.expires_at && *p.key.expires_at <= core::to_rfc3339(now)) {
        return invalid;
    }
    std::string not_before = core::to_rfc3339(now - kTouchInterval);
    if (!p.key.last_used_at || *p.key.last_used_at < not_before) {
        // Best effort: a failed touch must not refuse a valid key.
        (void)core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
            return core::from_db(
                repos::touch_api_key(tx, p.key.id, core::to_rfc3339(now), not_before)
            );
        });
    }
    core::Actor actor = user_actor(p.user, p.org_name);
    actor.channel = channel;
    return actor;
}

Result<BootstrapResult> IdentityService::bootstrap(
    std::string org_name, std::string email, bool new_key
) {
    if (!valid_org_name(org_name)) {
        return Error::invalid_field(
            "org", "org names are 1-63 lowercase letters, digits and dashes"
        );
    }
    auto norm = normalize_email(email, "email");
    if (!norm) {
        return norm.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<BootstrapResult> {
        auto existing = core::from_db(repos::find_org_by_name(tx, org_name));
        if (!existing) {
            return existing.error();
        }
        if (*existing && !new_key) {
            return Error::already_exists(
                "org '" + org_name +
                "' is already bootstrapped; pass --new-key to mint another key for " + *norm +
                " (list and revoke keys with `signoff admin keys list|revoke`)"
            );
        }
        std::string now = core::to_rfc3339(clock_.now());
        auto org = core::from_db(repos::ensure_org(tx, {ids_.new_id(), org_name, now}));
        if (!org) {
            return org.error();
        }
        repos::UserRecord want{
            ids_.new_id(), org->id, *norm, *norm, local_part(*norm), "super_admin", now, false};
        auto user = core::from_db(repos::ensure_user(tx, want));
        if (!user) {
            return user.error();
        }
        repos::ApiKeyRecord key{ids_.new_id(), org->id, user->id, "", "", now, {}, {}};
        key.name = new_key ? "signoff admin bootstrap --new-key" : "signoff admin bootstrap";
        std::string secret = mint_key_material(key.key_hash, key.prefix);
        if (auto s = core::from_db(repos::insert_api_key(tx, key)); !s) {
            return s.error();
        }
        // The first bootstrap creates the org: nobody in it acted, so no audit
        // row. A key minted into an existing org is audited as the system's.
        if (*existing) {
            events::AuditEntry audit{
                org->id,
                std::nullopt,
                std::string(events::kSystemChannel),
                "identity.api_key.created",
                "api_key",
                key.id,
                events::JsonObject{}
                    .str("user_id", user->id)
                    .null("issued_by")
                    .str("name", *key.name)
                    .text()};
            if (auto s = recorder_.audit(tx, audit); !s) {
                return s.error();
            }
        }
        return BootstrapResult{Org{org->id, org->name, org->created_at}, user->id, secret};
    });
}

Result<std::vector<std::pair<ApiKeyInfo, std::string>>> IdentityService::operator_list_keys(
    std::string const& org_name
) {
    using Listing = std::vector<std::pair<ApiKeyInfo, std::string>>;
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Listing> {
        auto org = core::from_db(repos::find_org_by_name(tx, org_name));
        if (!org) {
            return org.error();
        }
        if (!*org) {
            return Error::not_found("no org named '" + org_name + "'");
        }
        auto keys = core::from_db(repos::list_org_api_keys(tx, (*org)->id));
        if (!keys) {
            return keys.error();
        }
        Listing out;
        for (auto const& [k, email] : *keys) {
            out.emplace_back(key_info(k), email);
        }
        return out;
    });
}

Result<ApiKeyInfo> IdentityService::operator_revoke_key(std::string const& id_or_prefix) {
    bool const by_id = is_uuid_text(id_or_prefix);
    if (!by_id && !(id_or_prefix.starts_with(kApiKeyPrefix) &&
                    id_or_prefix.size() == kApiKeyPrefix.size() + 8)) {
        return Error::invalid_field(
            "key", "give a key's id (a UUID) or its prefix as listed (sk-signoff-xxxxxxxx)"
        );
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<ApiKeyInfo> {
        auto found = core::from_db(
            by_id ? repos::find_api_keys_anywhere(tx, lower(id_or_prefix), std::nullopt)
                  : repos::find_api_keys_anywhere(tx, std::nullopt, id_or_prefix)
        );
        if (!found) {
            return found.error();
        }
        if (found->empty()) {
            return Error::not_found("no API key with that id or prefix");
        }
        if (found->size() > 1) {
            return Error::invalid_field("key", "several keys have that prefix; give the key's id");
        }
        auto const& key = found->front();
        events::AuditEntry audit{
            key.org_id,
            std::nullopt,
            std::string(events::kSystemChannel),
            "identity.api_key.revoked",
            "api_key",
            key.id,
            events::JsonObject{}.str("user_id", key.user_id).str("by", "operator").text()};
        return revoke_key(tx, recorder_, clock_, key, std::move(audit));
    });
}

Result<User> IdentityService::create_user(core::Actor const& actor, CreateUserInput const& in) {
    auto role = parse_role(in.org_role);
    if (!role) {
        return Error::invalid_field(
            "orgRole", "must be one of member, hr_admin, admin, super_admin"
        );
    }
    if (auto ok = authorize(actor, Action::kUsersCreate, {.new_role = role}); !ok) {
        return ok.error();
    }
    auto email = normalize_email(in.email, "email");
    if (!email) {
        return email.error();
    }
    auto name = display_name_or_default(in.display_name, *email);
    if (!name) {
        return name.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<User> {
        repos::UserRecord rec{
            ids_.new_id(),
            actor.org_id,
            std::string{trim(in.email)},
            *email,
            *name,
            std::string{role_name(*role)},
            core::to_rfc3339(clock_.now()),
            core::via_mcp(actor.channel)};
        auto existing = core::from_db(repos::find_user_by_email(tx, actor.org_id, *email));
        if (!existing) {
            return existing.error();
        }
        if (*existing) {
            return Error::already_exists("a user with this email already exists");
        }
        if (auto s = core::from_db(repos::insert_user(tx, rec)); !s) {
            return s.error();
        }
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor, "identity.user.created", "user", rec.id, user_detail(rec)
                )
            );
            !s) {
            return s.error();
        }
        return user_from(rec);
    });
}

Result<UserPage> IdentityService::list_users(
    core::Actor const& actor,
    std::int64_t page,
    std::int64_t limit,
    std::optional<std::string> const& search
) {
    if (page < 1) {
        return Error::invalid_field("page", "must be at least 1");
    }
    if (limit < 1 || limit > 100) {
        return Error::invalid_field("limit", "must be between 1 and 100");
    }
    if (auto ok = authorize(actor, Action::kUsersRead); !ok) {
        return ok.error();
    }
    std::optional<std::string> needle;
    if (search && !trim(*search).empty()) {
        needle = lower(trim(*search));
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<UserPage> {
        auto rows =
            core::from_db(repos::list_users(tx, actor.org_id, needle, limit, (page - 1) * limit));
        if (!rows) {
            return rows.error();
        }
        auto total = core::from_db(repos::count_users(tx, actor.org_id, needle));
        if (!total) {
            return total.error();
        }
        UserPage out{{}, page, limit, *total};
        for (auto const& r : *rows) {
            out.users.push_back(user_from(r));
        }
        return out;
    });
}

Result<User> IdentityService::get_user(core::Actor const& actor, std::string const& id_or_email) {
    if (auto ok = authorize(actor, Action::kUsersRead); !ok) {
        return ok.error();
    }
    bool by_email = id_or_email.find('@') != std::string::npos;
    if (!by_email && !is_uuid_text(id_or_email)) {
        return Error::invalid_field("userId", "must be a user's id (a UUID) or email address");
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<User> {
        auto found = core::from_db(
            by_email ? repos::find_user_by_email(tx, actor.org_id, lower(trim(id_or_email)))
                     : repos::find_user_by_id(tx, actor.org_id, lower(id_or_email))
        );
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return Error::not_found("user not found");
        }
        return user_from(**found);
    });
}

Result<std::vector<EmailFinding>> IdentityService::check_stored_emails() {
    // Every start asks; only the first after the upgrade reads the tables.
    auto done = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::data_check_done(tx, kPlainEmailsCheck));
    });
    if (!done) {
        return done.error();
    }
    if (*done) {
        return std::vector<EmailFinding>{};
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<std::vector<EmailFinding>> {
        auto stored = core::from_db(repos::list_stored_emails(tx));
        if (!stored) {
            return stored.error();
        }
        std::vector<EmailFinding> found;
        for (auto& e : *stored) {
            if (!is_plain_email(trim(e.email))) {
                found.push_back({e.table, e.id, e.org_id, e.email});
            }
        }
        std::string const now = core::to_rfc3339(clock_.now());
        auto const count = static_cast<std::int64_t>(found.size());
        auto first = core::from_db(repos::claim_data_check(tx, kPlainEmailsCheck, now, count));
        if (!first) {
            return first.error();
        }
        if (!*first) {
            return std::vector<EmailFinding>{};
        }
        for (auto const& f : found) {
            events::AuditEntry audit{
                f.org_id,
                std::nullopt,
                std::string(events::kSystemChannel),
                "identity.email.not_plain",
                f.table == "users" ? "user" : "catalog_approval",
                f.id,
                events::JsonObject{}.str("email", f.email).str("table", f.table).text()};
            if (auto s = recorder_.audit(tx, audit); !s) {
                return s.error();
            }
        }
        return found;
    });
}

Result<NewApiKey> IdentityService::create_api_key(core::Actor const& actor, ApiKeyInput const& in) {
    if (in.name && (in.name->empty() || in.name->size() > kMaxKeyName)) {
        return Error::invalid_field("name", "must be 1-100 characters");
    }
    auto const now_at = clock_.now();
    if (in.expires_at) {
        auto at = core::parse_rfc3339(*in.expires_at);
        if (!at) {
            return Error::invalid_field("expiresAt", "must be an RFC 3339 date-time");
        }
        if (*at <= now_at) {
            return Error::invalid_field("expiresAt", "must be in the future");
        }
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<NewApiKey> {
        auto user = credentials_target(tx, actor, in.user_id);
        if (!user) {
            return user.error();
        }
        std::string const now = core::to_rfc3339(now_at);
        repos::ApiKeyRecord key{ids_.new_id(), actor.org_id, user->id, "", "", now, {}, {}};
        key.issued_by = actor.principal_id;
        key.name = in.name;
        if (in.expires_at) {
            key.expires_at = core::to_rfc3339(*core::parse_rfc3339(*in.expires_at));
        }
        std::string secret = mint_key_material(key.key_hash, key.prefix);
        if (auto s = core::from_db(repos::insert_api_key(tx, key)); !s) {
            return s.error();
        }
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor,
                    "identity.api_key.created",
                    "api_key",
                    key.id,
                    events::JsonObject{}
                        .str("user_id", user->id)
                        .str("issued_by", actor.principal_id)
                        .opt_str("name", key.name)
                        .opt_str("expires_at", key.expires_at)
                        .text()
                )
            );
            !s) {
            return s.error();
        }
        return NewApiKey{key_info(key), secret};
    });
}

Result<std::vector<ApiKeyInfo>> IdentityService::list_api_keys(
    core::Actor const& actor, std::string const& user_id
) {
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::vector<ApiKeyInfo>> {
        auto user = credentials_target(tx, actor, user_id);
        if (!user) {
            return user.error();
        }
        auto keys = core::from_db(repos::list_api_keys(tx, actor.org_id, user->id));
        if (!keys) {
            return keys.error();
        }
        std::vector<ApiKeyInfo> out;
        out.reserve(keys->size());
        for (auto const& k : *keys) {
            out.push_back(key_info(k));
        }
        return out;
    });
}

Result<ApiKeyInfo> IdentityService::revoke_api_key(
    core::Actor const& actor, std::string const& user_id, std::string const& key_id
) {
    if (!is_uuid_text(key_id)) {
        return Error::invalid_field("keyId", "must be a key's id (a UUID)");
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<ApiKeyInfo> {
        auto user = credentials_target(tx, actor, user_id);
        if (!user) {
            return user.error();
        }
        auto key = core::from_db(repos::find_api_key(tx, actor.org_id, lower(key_id)));
        if (!key) {
            return key.error();
        }
        if (!*key || (*key)->user_id != user->id) {
            return Error::not_found("API key not found");
        }
        auto audit = events::Recorder::by(
            actor,
            "identity.api_key.revoked",
            "api_key",
            (*key)->id,
            events::JsonObject{}.str("user_id", user->id).text()
        );
        return revoke_key(tx, recorder_, clock_, **key, std::move(audit));
    });
}

namespace {

/// `user` as it may be deactivated by `actor`: the rank rule, never oneself,
/// never the last active admin or super_admin of the org.
core::Status may_deactivate(Tx& tx, core::Actor const& actor, repos::UserRecord const& user) {
    if (user.id == actor.principal_id) {
        return Error::failed_precondition("you cannot deactivate yourself; another admin must");
    }
    auto const role = parse_role(user.org_role).value_or(core::OrgRole::kMember);
    if (role != core::OrgRole::kAdmin && role != core::OrgRole::kSuperAdmin) {
        return {};
    }
    auto admins = core::from_db(repos::count_active_with_role(tx, actor.org_id, "admin"));
    if (!admins) {
        return admins.error();
    }
    auto supers = core::from_db(repos::count_active_with_role(tx, actor.org_id, "super_admin"));
    if (!supers) {
        return supers.error();
    }
    if (role == core::OrgRole::kSuperAdmin && *supers <= 1) {
        return Error::failed_precondition(
            "this is the organization's last active super_admin; create another one first"
        );
    }
    if (*admins + *supers <= 1) {
        return Error::failed_precondition(
            "this is the organization's last active admin; add another admin first"
        );
    }
    return {};
}

std::string deactivation_json(std::optional<std::string> const& at) {
    return at ? events::JsonObject{}.str("deactivated_at", *at).text()
              : events::JsonObject{}.null("deactivated_at").text();
}

}  // namespace

Result<User> IdentityService::deactivate_user(
    core::Actor const& actor, std::string const& user_id
) {
    bool changed = false;
    auto r = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<User> {
        changed = false;
        // Admin changes of one org queue on the org row, so two admins
        // deactivating each other cannot leave the org without one.
        if (auto s = core::from_db(repos::lock_org(tx, actor.org_id)); !s) {
            return s.error();
        }
        auto user = credentials_target(tx, actor, user_id);
        if (!user) {
            return user.error();
        }
        if (user->deactivated_at) {
            return user_from(*user);
        }
        if (auto s = may_deactivate(tx, actor, *user); !s) {
            return s.error();
        }
        std::string const now = core::to_rfc3339(clock_.now());
        if (auto s = core::from_db(repos::set_user_deactivated(tx, actor.org_id, user->id, now));
            !s) {
            return s.error();
        }
        auto keys = core::from_db(repos::revoke_user_api_keys(tx, actor.org_id, user->id, now));
        if (!keys) {
            return keys.error();
        }
        // Their signed-in sessions end too: access tokens name the session.
        if (auto ended = core::from_db(repos::revoke_families_of(tx, "user", user->id, now));
            !ended) {
            return ended.error();
        }
        if (deactivation_hook_ != nullptr) {
            if (auto s = deactivation_hook_->on_user_deactivated(tx, actor, user->id); !s) {
                return s.error();
            }
        }
        auto detail = events::JsonObject{}
                          .str("email", user->email_lower)
                          .str("org_role", user->org_role)
                          .integer("keys_revoked", *keys)
                          .text();
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(actor, "identity.user.deactivated", "user", user->id, detail)
                    .with_change(deactivation_json(std::nullopt), deactivation_json(now))
            );
            !s) {
            return s.error();
        }
        user->deactivated_at = now;
        changed = true;
        return user_from(*user);
    });
    if (r && changed && deactivation_listener_) {
        deactivation_listener_(actor.org_id, r->id);
    }
    return r;
}

Result<User> IdentityService::reactivate_user(
    core::Actor const& actor, std::string const& user_id
) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<User> {
        auto user = credentials_target(tx, actor, user_id);
        if (!user) {
            return user.error();
        }
        if (user->id == actor.principal_id) {
            return Error::failed_precondition("you cannot reactivate yourself");
        }
        if (!user->deactivated_at) {
            return user_from(*user);
        }
        if (auto s =
                core::from_db(repos::set_user_deactivated(tx, actor.org_id, user->id, std::nullopt)
                );
            !s) {
            return s.error();
        }
        if (auto s = recorder_.audit(
                tx,
                events::Recorder::by(
                    actor,
                    "identity.user.reactivated",
                    "user",
                    user->id,
                    events::JsonObject{}.str("email", user->email_lower).text()
                )
                    .with_change(
                        deactivation_json(user->deactivated_at), deactivation_json(std::nullopt)
                    )
            );
            !s) {
            return s.error();
        }
        user->deactivated_at = std::nullopt;
        return user_from(*user);
    });
}

}  // namespace signoff::server::identity
