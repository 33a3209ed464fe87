// The option lists `get` shows (the first kMaxOptions parts of each kind and
// departments, with totals), the in-process cache that keeps them, and
// `refresh`, which rebuilds the org's search view and drops that cache.
//
// Why a per-process cache is safe with several replicas (PostgreSQL): an
// entry lives at most kOptionsTtl on the injected clock, and every part or
// department write made through this process drops its entry once the write
// committed; a write made through another replica shows up here within the
// TTL. Options are only suggestions: the selected parts of an auth or draft
// are always read fresh, and any part id resolves against the database, so a
// briefly stale list can hide a new option but never corrupt data. A
// generation counter keeps a load that raced with a drop out of the cache.
#include <chrono>

#include "server/auths/auths_service.hpp"
#include "server/auths/content.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "storage/repos/auth_parts_repo.hpp"
#include "storage/repos/auths_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;
using core::Result;
using storage::Tx;
using storage::TxMode;

constexpr std::chrono::seconds kOptionsTtl{10};
constexpr const char* kSearchView = "auth_search";

std::string tag_of(std::string const& org_id, std::string const& kind) {
    return "auths:options:" + org_id + ":" + kind;
}

std::vector<std::string> all_kinds() {
    return {
        std::string{kKindName},
        std::string{kKindDescription},
        std::string{kKindFlag},
        std::string{kKindProtocol},
        std::string{kKindSlug},
        std::string{kKindItem},
        detail::kDepartmentKind,
    };
}

}  // namespace

Result<std::map<std::string, AuthsService::CachedOptions>> AuthsService::option_lists(
    std::string const& org_id
) {
    auto const now = clock_.now();
    std::map<std::string, CachedOptions> out;
    std::vector<std::string> missing;
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(options_mu_);
        for (auto const& kind : all_kinds()) {
            auto it = options_.find({org_id, kind});
            if (it != options_.end() && now - it->second.loaded_at < kOptionsTtl) {
                out.emplace(kind, it->second);
            } else {
                missing.push_back(kind);
            }
        }
        generation = options_generation_;  // read before the transaction begins
    }
    if (missing.empty()) {
        return out;
    }
    auto loaded = core::run_tx(
        db_,
        TxMode::kRead,
        [&](Tx& tx) -> Result<std::map<std::string, CachedOptions>> {
            std::map<std::string, CachedOptions> got;
            for (auto const& kind : missing) {
                auto entry = load_options(tx, org_id, kind);
                if (!entry) {
                    return entry.error();
                }
                entry->loaded_at = now;
                got.emplace(kind, std::move(*entry));
            }
            return got;
        }
    );
    if (!loaded) {
        return loaded.error();
    }
    std::lock_guard lock(options_mu_);
    for (auto& [kind, entry] : *loaded) {
        if (options_generation_ == generation) {
            options_[{org_id, kind}] = entry;  // no drop since before our read began
        }
        out.emplace(kind, std::move(entry));
    }
    return out;
}

Result<AuthsService::CachedOptions> AuthsService::load_options(
    Tx& tx, std::string const& org_id, std::string const& kind
) {
    CachedOptions entry;
    if (kind == detail::kDepartmentKind) {
        auto rows =
            core::from_db(repos::list_departments(tx, org_id, std::nullopt, kMaxOptions, 0));
        auto total = core::from_db(repos::count_departments(tx, org_id, std::nullopt));
        if (!rows || !total) {
            return !rows ? rows.error() : total.error();
        }
        for (auto const& d : *rows) {
            entry.options.push_back(Part{d.id, kind, d.name, d.created_at});
        }
        entry.total = *total;
        return entry;
    }
    auto rows = core::from_db(repos::list_parts(tx, org_id, kind, std::nullopt, kMaxOptions, 0));
    auto total = core::from_db(repos::count_parts(tx, org_id, kind, std::nullopt));
    if (!rows || !total) {
        return !rows ? rows.error() : total.error();
    }
    for (auto const& p : *rows) {
        entry.options.push_back(detail::to_part(p));
    }
    entry.total = *total;
    return entry;
}

void AuthsService::drop_options(std::string const& org_id, std::string const& kind) {
    std::lock_guard lock(options_mu_);
    ++options_generation_;
    options_.erase({org_id, kind});
}

std::vector<std::string> AuthsService::drop_org_options(std::string const& org_id) {
    std::vector<std::string> tags;
    std::lock_guard lock(options_mu_);
    ++options_generation_;
    for (auto it = options_.begin(); it != options_.end();) {
        if (it->first.first == org_id) {
            tags.push_back(tag_of(org_id, it->first.second));
            it = options_.erase(it);
        } else {
            ++it;
        }
    }
    return tags;
}

Result<RefreshOutcome> AuthsService::refresh(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, identity::Action::kAuthsRefresh); !ok) {
        return ok.error();
    }
    auto rebuilt = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<std::int64_t> {
        auto rows = core::from_db(repos::rebuild_search_rows(tx, actor.org_id));
        if (!rows) {
            return rows.error();
        }
        std::string detail = events::JsonObject{}.integer("rows", *rows).text();
        auto entry = events::Recorder::by(
            actor, "auths.search.refreshed", "auth_search", actor.org_id, detail
        );
        if (auto s = recorder_.audit(tx, entry); !s) {
            return s.error();
        }
        return *rows;
    });
    if (!rebuilt) {
        return rebuilt.error();
    }
    auto tags = drop_org_options(actor.org_id);
    if (search_cache_.drop(actor.org_id)) {
        tags.push_back("auths:search:" + actor.org_id);
    }
    return RefreshOutcome{{kSearchView}, std::move(tags)};
}

}  // namespace signoff::server::auths
