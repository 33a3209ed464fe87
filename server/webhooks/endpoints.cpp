// The public operations of WebhooksService (see webhooks_service.hpp): the
// caller's own endpoint (/me/agent) and the org's integrations
// (/admin/integrations). Each checks permission and input, then runs one of
// the shared write paths of webhooks_service.cpp.
#include "server/core/db_map.hpp"
#include "server/identity/authorize.hpp"
#include "server/webhooks/event_types.hpp"
#include "server/webhooks/webhooks_service.hpp"

namespace signoff::server::webhooks {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;
using Record = repos::WebhookEndpointRecord;
using Loader = std::function<Result<Record>(Tx&)>;

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxDescription = 2000;

std::string trimmed(std::string const& s) {
    auto const b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

Result<std::string> check_name(std::string const& name) {
    std::string t = trimmed(name);
    if (t.empty() || t.size() > kMaxName) {
        return Error::invalid_field("name", "must be 1-200 characters");
    }
    return t;
}

Result<std::optional<std::string>> check_description(std::optional<std::string> const& d) {
    std::string t = d ? trimmed(*d) : std::string{};
    if (t.size() > kMaxDescription) {
        return Error::invalid_field("description", "must be at most 2000 characters");
    }
    return t.empty() ? std::optional<std::string>{} : std::optional<std::string>{t};
}

core::Status check_scheme(std::optional<std::string> const& scheme) {
    if (scheme && *scheme != kSchemeSignoff && *scheme != kSchemeFluxdesk) {
        return Error::invalid_field(
            "scheme",
            "must be signoff (timestamped signature, the default) or fluxdesk (the seed "
            "product's body-only signature)"
        );
    }
    return {};
}

Loader mine(core::Actor const& actor) {
    return [&actor](Tx& tx) -> Result<Record> {
        auto found =
            core::from_db(repos::find_employee_webhook(tx, actor.org_id, actor.principal_id));
        if (!found) {
            return found.error();
        }
        if (!*found) {
            return Error::not_found(
                "you have no webhook; set one with webhooks_me_set (PUT /api/v1/me/agent)"
            );
        }
        return std::move(**found);
    };
}

Loader integration(core::Actor const& actor, std::string const& id) {
    return [&actor, &id](Tx& tx) -> Result<Record> {
        auto found = core::from_db(repos::find_webhook(tx, actor.org_id, id));
        if (!found) {
            return found.error();
        }
        if (!*found || (*found)->kind != kKindOrg) {
            return Error::not_found("integration " + id.substr(0, 64) + " not found");
        }
        return std::move(**found);
    };
}

/// The checked fields of an integration patch.
struct CleanPatch {
    std::optional<std::string> name;
    std::optional<std::optional<std::string>> description;
    std::optional<std::string> events;
};

Result<CleanPatch> clean(IntegrationPatch const& p) {
    CleanPatch out;
    if (p.name) {
        auto n = check_name(*p.name);
        if (!n) {
            return n.error();
        }
        out.name = *n;
    }
    if (p.description) {
        auto d = check_description(*p.description);
        if (!d) {
            return d.error();
        }
        out.description = *d;
    }
    if (p.events) {
        auto e = normalize_events(*p.events);
        if (!e) {
            return e.error();
        }
        out.events = *e;
    }
    if (auto ok = check_scheme(p.scheme); !ok) {
        return ok.error();
    }
    return out;
}

/// Applies the patch; answers whether anything changed.
bool apply(Record& rec, IntegrationPatch const& p, CleanPatch const& c) {
    Record const before = rec;
    rec.name = c.name ? c.name : rec.name;
    rec.description = c.description ? *c.description : rec.description;
    rec.url = p.url.value_or(rec.url);
    rec.events = c.events.value_or(rec.events);
    rec.scheme = p.scheme.value_or(rec.scheme);
    return rec.name != before.name || rec.description != before.description ||
           rec.url != before.url || rec.events != before.events || rec.scheme != before.scheme;
}

}  // namespace

// ---- the caller's own endpoint ------------------------------------------------

Result<Webhook> WebhooksService::get_mine(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksOwn); !ok) {
        return ok.error();
    }
    auto rec = core::run_tx(db_, TxMode::kRead, mine(actor));
    if (!rec) {
        return rec.error();
    }
    return view(*rec);
}

Result<WebhookWithSecret> WebhooksService::set_mine(
    core::Actor const& actor, MyWebhookInput const& in
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksOwn); !ok) {
        return ok.error();
    }
    auto events = normalize_events(in.events);
    if (!events) {
        return events.error();
    }
    if (auto ok = check_scheme(in.scheme); !ok) {
        return ok.error();
    }
    if (auto vetted = vet(in.url); !vetted) {
        return vetted.error();
    }
    Record fresh = new_record(actor, kKindEmployee);
    fresh.owner_user_id = actor.principal_id;
    fresh.url = in.url;
    fresh.events = *events;
    fresh.scheme = in.scheme.value_or(kSchemeSignoff);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<WebhookWithSecret> {
        auto found =
            core::from_db(repos::find_employee_webhook(tx, actor.org_id, actor.principal_id));
        if (!found) {
            return found.error();
        }
        if (!*found) {
            if (in.expected_version) {
                return Error::conflict("you have no webhook yet; leave out expected_version");
            }
            auto made = write_insert(tx, actor, fresh, "webhooks.employee.created");
            if (!made) {
                return made.error();
            }
            return WebhookWithSecret{view(*made), made->secret, true};
        }
        Record const& before = **found;
        if (in.expected_version && *in.expected_version != before.version) {
            return Error::conflict(
                "your webhook is at version " + std::to_string(before.version) + ", not " +
                std::to_string(*in.expected_version) + "; read it again and retry"
            );
        }
        Record next = before;
        next.url = in.url;
        next.events = *events;
        next.scheme = in.scheme.value_or(before.scheme);
        if (next.url == before.url && next.events == before.events &&
            next.scheme == before.scheme) {
            return WebhookWithSecret{view(before), std::nullopt, false};
        }
        auto updated =
            write_update(tx, actor, before, next, clock_.now(), "webhooks.employee.updated");
        if (!updated) {
            return updated.error();
        }
        return WebhookWithSecret{view(*updated), std::nullopt, false};
    });
}

Result<Webhook> WebhooksService::delete_mine(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksOwn); !ok) {
        return ok.error();
    }
    auto gone = remove(actor, mine(actor), "webhooks.employee.deleted");
    if (!gone) {
        return gone.error();
    }
    return view(*gone);
}

Result<WebhookWithSecret> WebhooksService::rotate_mine(
    core::Actor const& actor, Rotation const& r
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksOwn); !ok) {
        return ok.error();
    }
    return rotate(actor, mine(actor), r, "webhooks.employee.secret_rotated");
}

Result<Webhook> WebhooksService::enable_mine(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksOwn); !ok) {
        return ok.error();
    }
    auto on = enable(actor, mine(actor), "webhooks.employee.enabled");
    if (!on) {
        return on.error();
    }
    return view(*on);
}

// ---- org integrations -----------------------------------------------------------

Result<std::vector<Webhook>> WebhooksService::list_integrations(core::Actor const& actor) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto list = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::list_org_webhooks(tx, actor.org_id));
    });
    if (!list) {
        return list.error();
    }
    std::vector<Webhook> out;
    out.reserve(list->size());
    for (auto const& rec : *list) {
        out.push_back(view(rec));
    }
    return out;
}

Result<Webhook> WebhooksService::get_integration(core::Actor const& actor, std::string const& id) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto rec = core::run_tx(db_, TxMode::kRead, integration(actor, id));
    if (!rec) {
        return rec.error();
    }
    return view(*rec);
}

Result<WebhookWithSecret> WebhooksService::create_integration(
    core::Actor const& actor, IntegrationInput const& in
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto name = check_name(in.name);
    auto description = check_description(in.description);
    auto events = normalize_events(in.events);
    if (!name || !description || !events) {
        return !name ? name.error() : !description ? description.error() : events.error();
    }
    if (auto ok = check_scheme(in.scheme); !ok) {
        return ok.error();
    }
    if (auto vetted = vet(in.url); !vetted) {
        return vetted.error();
    }
    Record rec = new_record(actor, kKindOrg);
    rec.name = *name;
    rec.description = *description;
    rec.url = in.url;
    rec.events = *events;
    rec.scheme = in.scheme.value_or(kSchemeSignoff);
    auto made = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Record> {
        auto count = core::from_db(repos::count_org_webhooks(tx, actor.org_id));
        if (!count) {
            return count.error();
        }
        if (*count >= kMaxOrgWebhooks) {
            return Error::exhausted(
                "an organization may have at most " + std::to_string(kMaxOrgWebhooks) +
                " integrations; delete one first"
            );
        }
        return write_insert(tx, actor, rec, "webhooks.integration.created");
    });
    if (!made) {
        return made.error();
    }
    return WebhookWithSecret{view(*made), made->secret, true};
}

Result<Webhook> WebhooksService::update_integration(
    core::Actor const& actor, std::string const& id, IntegrationPatch const& patch
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto c = clean(patch);
    if (!c) {
        return c.error();
    }
    if (patch.url) {
        if (auto vetted = vet(*patch.url); !vetted) {
            return vetted.error();
        }
    }
    auto rec = mutate(
        actor,
        integration(actor, id),
        [&](Record& r, core::TimePoint) -> Result<bool> { return apply(r, patch, *c); },
        patch.expected_version,
        "webhooks.integration.updated"
    );
    if (!rec) {
        return rec.error();
    }
    return view(*rec);
}

Result<Webhook> WebhooksService::delete_integration(
    core::Actor const& actor, std::string const& id
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto gone = remove(actor, integration(actor, id), "webhooks.integration.deleted");
    if (!gone) {
        return gone.error();
    }
    return view(*gone);
}

Result<WebhookWithSecret> WebhooksService::rotate_integration(
    core::Actor const& actor, std::string const& id, Rotation const& r
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    return rotate(actor, integration(actor, id), r, "webhooks.integration.secret_rotated");
}

Result<Webhook> WebhooksService::enable_integration(
    core::Actor const& actor, std::string const& id
) {
    if (auto ok = identity::authorize(actor, Action::kWebhooksManageOrg); !ok) {
        return ok.error();
    }
    auto on = enable(actor, integration(actor, id), "webhooks.integration.enabled");
    if (!on) {
        return on.error();
    }
    return view(*on);
}

}  // namespace signoff::server::webhooks
