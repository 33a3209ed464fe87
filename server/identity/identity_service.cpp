// Identity service (see identity_service.hpp): API-key authentication,
// bootstrap, users and keys. Permission checks go through authorize(); every
// query is scoped by the actor's org.
#include "server/identity/identity_service.hpp"

#include <chrono>

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/agent_names.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/identity_repo.hpp"

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

}  // namespace

IdentityService::IdentityService(
    storage::Db& db, core::Clock const& clock, core::IdSource& ids, KeyPairSource* keys
)
    : db_(db),
      clock_(clock),
      ids_(ids),
      recorder_(clock, ids),
      keys_(keys != nullptr ? *keys : default_keys_) {}

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
    if (!*found || (*found)->key.revoked_at) {
        return invalid;
    }
    repos::KeyPrincipal const& p = **found;
    auto now = clock_.now();
    std::string not_before = core::to_rfc3339(now - kTouchInterval);
    if (!p.key.last_used_at || *p.key.last_used_at < not_before) {
        // Best effort: a failed touch must not refuse a valid key.
        (void)core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) {
            return core::from_db(
                repos::touch_api_key(tx, p.key.id, core::to_rfc3339(now), not_before)
            );
        });
    }
    core::Actor actor;
    actor.org_id = p.user.org_id;
    actor.org_name = p.org_name;
    actor.principal_id = p.user.id;
    actor.email = p.user.email;
    actor.display_name = p.user.display_name;
    actor.role = parse_role(p.user.org_role).value_or(core::OrgRole::kMember);
    actor.channel = channel;
    return actor;
}

Result<BootstrapResult> IdentityService::bootstrap(std::string org_name, std::string email) {
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
        std::string secret = mint_key_material(key.key_hash, key.prefix);
        if (auto s = core::from_db(repos::insert_api_key(tx, key)); !s) {
            return s.error();
        }
        // No audit row: bootstrap is an operator step run with direct database
        // access (CLI), not an action of a principal inside the org.
        return BootstrapResult{Org{org->id, org->name, org->created_at}, user->id, secret};
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

Result<NewApiKey> IdentityService::create_api_key(
    core::Actor const& actor, std::string const& user_id
) {
    if (auto ok = authorize(actor, Action::kApiKeysCreate, {.user_id = user_id}); !ok) {
        return ok.error();
    }
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<NewApiKey> {
        auto user = core::from_db(repos::find_user_by_id(tx, actor.org_id, user_id));
        if (!user) {
            return user.error();
        }
        if (!*user) {
            return Error::not_found("user not found");
        }
        std::string now = core::to_rfc3339(clock_.now());
        repos::ApiKeyRecord key{ids_.new_id(), actor.org_id, user_id, "", "", now, {}, {}};
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
                    events::JsonObject{}.str("user_id", user_id).text()
                )
            );
            !s) {
            return s.error();
        }
        return NewApiKey{key.id, user_id, key.prefix, secret, now};
    });
}

core::Status IdentityService::revoke_api_key(core::Actor const& actor, std::string const& key_id) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> core::Status {
        auto key = core::from_db(repos::find_api_key(tx, actor.org_id, key_id));
        if (!key) {
            return key.error();
        }
        if (!*key) {
            return Error::not_found("API key not found");
        }
        if (auto ok = authorize(actor, Action::kApiKeysCreate, {.user_id = (*key)->user_id}); !ok) {
            return ok.error();
        }
        auto changed = core::from_db(
            repos::revoke_api_key(tx, actor.org_id, key_id, core::to_rfc3339(clock_.now()))
        );
        if (!changed) {
            return changed.error();
        }
        if (*changed == 0) {
            return {};  // already revoked: idempotent, nothing to audit
        }
        return recorder_.audit(
            tx,
            events::Recorder::by(
                actor,
                "identity.api_key.revoked",
                "api_key",
                key_id,
                events::JsonObject{}.str("user_id", (*key)->user_id).text()
            )
                .with_change(
                    events::JsonObject{}.null("revoked_at").text(),
                    events::JsonObject{}.str("revoked_at", core::to_rfc3339(clock_.now())).text()
                )
        );
    });
}

}  // namespace signoff::server::identity
