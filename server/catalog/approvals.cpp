// Catalog approvals: the pending → approved → revoked state machine, lazy and
// timed expiry, and the audit row + team_support.* outbox event that each
// transition writes in its own transaction (see catalog_service.hpp).
//
// Concurrency: a pair is created with INSERT … ON CONFLICT DO NOTHING and
// changed with a version-checked UPDATE; losing either race rolls the
// transaction back and runs it again (core::run_tx), so concurrent assigns of
// one (slug, email) settle on one row on SQLite and PostgreSQL alike.
#include "server/catalog/catalog_service.hpp"
#include "server/catalog/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/catalog_repo.hpp"
#include "storage/repos/identity_repo.hpp"

namespace signoff::server::catalog {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;

constexpr std::size_t kMaxNote = 2000;
constexpr std::size_t kMaxReason = 1000;
constexpr std::int64_t kExpiryBatch = 500;
constexpr char const* kExpiredAction = "catalog.approval.expired";

Approval to_approval(repos::ApprovalRecord const& a, std::optional<std::string> category) {
    return Approval{
        a.id,
        a.slug,
        a.email,
        a.state,
        a.note,
        a.reason,
        a.approver_id,
        a.requested_by,
        a.expires_at,
        a.created_at,
        a.updated_at,
        a.version,
        std::move(category),
        a.workflow_id,
    };
}

Error no_grant(std::string const& slug, std::string const& email) {
    return Error::not_found("no access request or grant for " + email + " on '" + slug + "'");
}

/// Decoded and checked arguments shared by the approval operations.
struct PairArgs {
    std::string slug;
    std::string email;
    std::optional<std::string> note;
};

Result<PairArgs> pair_args(
    std::string const& slug, std::string const& email, std::optional<std::string> const& note
) {
    if (auto ok = check_slug(slug, "catalog_slug"); !ok) {
        return ok.error();
    }
    auto e = identity::normalize_email(email, "email");
    if (!e) {
        return e.error();
    }
    auto n = optional_text(note, "note", kMaxNote);
    if (!n) {
        return n.error();
    }
    return PairArgs{slug, *e, *n};
}

bool is_due(repos::ApprovalRecord const& a, std::string const& now) {
    return a.state == kStateApproved && a.expires_at && *a.expires_at <= now;
}

}  // namespace

/// Who caused a transition: an actor, or the system (expiry).
struct CatalogService::Origin {
    std::optional<std::string> actor_id;
    std::optional<std::string> actor_email;
    std::string channel;
    bool via_mcp{false};
    std::string actor_kind{events::kActorSystem};

    static Origin of(core::Actor const& a) {
        return {
            a.principal_id,
            a.email,
            core::channel_name(a.channel),
            core::via_mcp(a.channel),
            events::actor_kind_of(a)};
    }
    static Origin system() { return {std::nullopt, std::nullopt, events::kSystemChannel, false}; }
};

struct CatalogService::Loaded {
    repos::CatalogRowRecord row;
    std::optional<repos::ApprovalRecord> approval;
};

core::Status CatalogService::record(
    Tx& tx,
    std::optional<std::string> const& from,
    repos::ApprovalRecord const& after,
    Origin const& who,
    char const* action
) {
    events::AuditEntry audit{
        after.org_id,
        who.actor_id,
        who.channel,
        action,
        "catalog_approval",
        after.id,
        events::JsonObject{}
            .str("slug", after.slug)
            .str("email", after.email)
            .opt_str("from", from)
            .str("to", after.state)
            .opt_str("note", after.note)
            .opt_str("reason", after.reason)
            .opt_str("expires_at", after.expires_at)
            .text(),
    };
    if (from) {
        // A transition of an existing grant: its state around the change.
        audit.before_json = events::JsonObject{}.str("state", *from).text();
        audit.after_json = events::JsonObject{}
                               .str("state", after.state)
                               .opt_str("expires_at", after.expires_at)
                               .text();
    }
    audit.actor_kind = who.actor_kind;
    if (auto s = recorder_.audit(tx, audit); !s) {
        return s;
    }
    bool entered = !from || *from != after.state;
    bool approved = after.state == kStateApproved;
    if (!entered) {
        return {};
    }
    char const* type = approved                                     ? kEventApproved
                       : after.state == kStatePending               ? kEventRequested
                       : std::string_view{action} == kExpiredAction ? kEventExpired
                                                                    : kEventRevoked;
    auto user = core::from_db(repos::find_user_by_email(tx, after.org_id, after.email_lower));
    if (!user) {
        return user.error();
    }
    std::optional<std::string> user_id;
    if (*user) {
        user_id = (*user)->id;
    }
    std::string approver =
        who.actor_id
            ? events::JsonObject{}.str("id", *who.actor_id).opt_str("email", who.actor_email).text()
            : "null";
    events::JsonObject data;
    data.str("slug", after.slug)
        .raw(
            "user",
            events::JsonObject{}.str("email", after.email).opt_str("user_id", user_id).text()
        )
        .raw("approver", approver)
        .opt_str("note", after.note);
    if (after.state == kStateRevoked) {
        data.opt_str("reason", after.reason);
    }
    data.str("approval_id", after.id)
        .str("state", after.state)
        .opt_str("expires_at", after.expires_at);
    std::string payload = events::JsonObject{}
                              .integer("version", 1)
                              .str("type", type)
                              .raw("data", data.text())
                              .text();
    return recorder_.emit(tx, after.org_id, type, payload);
}

Result<repos::ApprovalRecord> CatalogService::transition(
    Tx& tx,
    repos::ApprovalRecord const& before,
    repos::ApprovalRecord next,
    Origin const& who,
    char const* action
) {
    next.updated_at = core::to_rfc3339(clock_.now());
    next.via_mcp = who.via_mcp;
    auto changed = core::from_db(repos::update_approval(tx, next, before.version));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return core::retry_tx();  // someone else changed the pair first
    }
    next.version = before.version + 1;
    if (auto s = record(tx, before.state, next, who, action); !s) {
        return s.error();
    }
    return next;
}

Result<repos::ApprovalRecord> CatalogService::insert_approval(
    Tx& tx, repos::ApprovalRecord const& rec, Origin const& who, char const* action
) {
    auto inserted = core::from_db(repos::insert_approval_if_absent(tx, rec));
    if (!inserted) {
        return inserted.error();
    }
    if (*inserted == 0) {
        return core::retry_tx();  // a concurrent call created the pair; the retry finds it
    }
    if (auto s = record(tx, std::nullopt, rec, who, action); !s) {
        return s.error();
    }
    return rec;
}

Result<repos::ApprovalRecord> CatalogService::expire_if_due(
    Tx& tx, repos::ApprovalRecord a, std::string const& now
) {
    if (!is_due(a, now)) {
        return a;
    }
    repos::ApprovalRecord next = a;
    next.state = kStateRevoked;
    next.reason = kReasonExpired;
    next.approver_id = std::nullopt;
    return transition(tx, a, next, Origin::system(), kExpiredAction);
}

Result<CatalogService::Loaded> CatalogService::load(
    Tx& tx, std::string const& org_id, std::string const& slug, std::string const& email_lower
) {
    auto row = require_row(tx, org_id, slug);
    if (!row) {
        return row.error();
    }
    auto found = core::from_db(repos::find_approval(tx, org_id, row->id, email_lower));
    if (!found) {
        return found.error();
    }
    Loaded out{*row, std::nullopt};
    if (*found) {
        auto a = expire_if_due(tx, **found, core::to_rfc3339(clock_.now()));
        if (!a) {
            return a.error();
        }
        out.approval = *a;
    }
    return out;
}

Result<Approval> CatalogService::assign(
    core::Actor const& actor,
    std::string const& slug,
    std::string const& email,
    std::optional<std::string> note,
    Expiry const& expiry
) {
    auto args = pair_args(slug, email, note);
    if (!args) {
        return args.error();
    }
    if (auto ok =
            identity::authorize(actor, Action::kCatalogAssign, {.grantee_email = args->email});
        !ok) {
        return ok.error();
    }
    auto until = resolve_expiry(expiry, clock_.now());
    if (!until) {
        return until.error();
    }
    Origin who = Origin::of(actor);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Approval> {
        auto l = load(tx, actor.org_id, args->slug, args->email);
        if (!l) {
            return l.error();
        }
        Result<repos::ApprovalRecord> r = Error::internal("unreachable");
        if (!l->approval) {
            std::string now = core::to_rfc3339(clock_.now());
            repos::ApprovalRecord rec{
                ids_.new_id(),
                actor.org_id,
                l->row.id,
                l->row.slug,
                args->email,
                args->email,
                kStateApproved,
                args->note,
                std::nullopt,
                actor.principal_id,
                actor.principal_id,
                *until,
                now,
                now,
                1,
                who.via_mcp};
            r = insert_approval(tx, rec, who, "catalog.approval.assigned");
        } else if (l->approval->state == kStateApproved) {
            if (!*until || *until == l->approval->expires_at) {
                return to_approval(*l->approval, l->row.category);  // idempotent
            }
            repos::ApprovalRecord next = *l->approval;
            next.expires_at = *until;
            r = transition(tx, *l->approval, next, who, "catalog.approval.extended");
        } else {
            repos::ApprovalRecord next = *l->approval;
            next.state = kStateApproved;
            next.note = args->note ? args->note : next.note;
            next.reason = std::nullopt;
            next.approver_id = actor.principal_id;
            next.expires_at = *until;
            r = transition(tx, *l->approval, next, who, "catalog.approval.assigned");
        }
        if (!r) {
            return r.error();
        }
        return to_approval(*r, l->row.category);
    });
}

Result<Approval> CatalogService::request(
    core::Actor const& actor,
    std::string const& slug,
    std::optional<std::string> email,
    std::optional<std::string> note
) {
    auto args = pair_args(slug, email.value_or(actor.email), note);
    if (!args) {
        return args.error();
    }
    if (auto ok =
            identity::authorize(actor, Action::kCatalogRequest, {.grantee_email = args->email});
        !ok) {
        return ok.error();
    }
    Origin who = Origin::of(actor);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Approval> {
        auto l = load(tx, actor.org_id, args->slug, args->email);
        if (!l) {
            return l.error();
        }
        if (l->approval && l->approval->state != kStateRevoked) {
            return to_approval(*l->approval, l->row.category);  // already asked or granted
        }
        Result<repos::ApprovalRecord> r = Error::internal("unreachable");
        if (!l->approval) {
            std::string now = core::to_rfc3339(clock_.now());
            repos::ApprovalRecord rec{
                ids_.new_id(),
                actor.org_id,
                l->row.id,
                l->row.slug,
                args->email,
                args->email,
                kStatePending,
                args->note,
                std::nullopt,
                actor.principal_id,
                std::nullopt,
                std::nullopt,
                now,
                now,
                1,
                who.via_mcp};
            if (auto s = start_workflow(tx, actor, l->row, rec); !s) {
                return s.error();
            }
            r = insert_approval(tx, rec, who, "catalog.approval.requested");
        } else {
            repos::ApprovalRecord next = *l->approval;
            next.state = kStatePending;
            next.note = args->note;
            next.reason = std::nullopt;
            next.requested_by = actor.principal_id;
            next.approver_id = std::nullopt;
            next.expires_at = std::nullopt;
            next.workflow_id = std::nullopt;
            if (auto s = start_workflow(tx, actor, l->row, next); !s) {
                return s.error();
            }
            r = transition(tx, *l->approval, next, who, "catalog.approval.requested");
        }
        if (!r) {
            return r.error();
        }
        return to_approval(*r, l->row.category);
    });
}

core::Status CatalogService::start_workflow(
    Tx& tx, core::Actor const& actor, repos::CatalogRowRecord const& row, repos::ApprovalRecord& rec
) {
    if (!row.workflow_template) {
        return {};
    }
    if (workflows_ == nullptr) {
        return Error::failed_precondition("workflows are not available on this server");
    }
    // Unique per request (a re-request starts a new workflow); only the
    // characters workflow names allow.
    approvals::WorkflowStart start;
    start.template_name_lower = *row.workflow_template;
    start.name = "catalog:" + row.slug + ":" + ids_.new_id();
    start.description = "access to " + row.slug + " for " + rec.email;
    start.beneficiary_email = rec.email_lower;
    start.metadata_json = events::JsonObject{}
                              .str("catalog_slug", row.slug)
                              .str("email", rec.email)
                              .str("approval_id", rec.id)
                              .text();
    auto started = workflows_->start_workflow_in(tx, actor, start);
    if (!started) {
        return started.error();
    }
    rec.workflow_id = started->id;
    return {};
}

core::Status CatalogService::on_workflow_outcome(
    Tx& tx, approvals::WorkflowOutcome const& outcome
) {
    auto found =
        core::from_db(repos::find_approval_by_workflow(tx, outcome.org_id, outcome.workflow_id));
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->state != kStatePending) {
        return {};  // not a catalog workflow, or decided directly meanwhile
    }
    Origin const who{outcome.actor_id, std::nullopt, outcome.channel, false};
    repos::ApprovalRecord next = **found;
    if (outcome.status == "APPROVED") {
        next.state = kStateApproved;
        next.approver_id = outcome.actor_id;
        auto r = transition(tx, **found, next, who, "catalog.approval.approved");
        return r ? core::Status{} : core::Status{r.error()};
    }
    next.state = kStateRevoked;
    next.approver_id = outcome.actor_id;
    next.reason = "workflow " + identity::lower(outcome.status) +
                  (outcome.reason ? ": " + *outcome.reason : std::string{});
    auto r = transition(tx, **found, next, who, "catalog.approval.revoked");
    return r ? core::Status{} : core::Status{r.error()};
}

Result<Approval> CatalogService::approve(
    core::Actor const& actor,
    std::string const& slug,
    std::string const& email,
    std::optional<std::string> note,
    Expiry const& expiry
) {
    auto args = pair_args(slug, email, note);
    if (!args) {
        return args.error();
    }
    auto until = resolve_expiry(expiry, clock_.now());
    if (!until) {
        return until.error();
    }
    Origin who = Origin::of(actor);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Approval> {
        auto l = load(tx, actor.org_id, args->slug, args->email);
        if (!l) {
            return l.error();
        }
        identity::Subject subject{
            .owner_user_id = l->row.owner_user_id, .grantee_email = args->email};
        if (auto ok = identity::authorize(actor, Action::kCatalogApprove, subject); !ok) {
            return ok.error();
        }
        if (!l->approval) {
            return no_grant(args->slug, args->email);
        }
        if (l->approval->state == kStateApproved) {
            return to_approval(*l->approval, l->row.category);  // idempotent
        }
        if (l->approval->state == kStateRevoked) {
            return Error::failed_precondition(
                "this grant was revoked; it must be requested or assigned again"
            );
        }
        repos::ApprovalRecord next = *l->approval;
        next.state = kStateApproved;
        next.note = args->note ? args->note : next.note;
        next.approver_id = actor.principal_id;
        next.expires_at = *until;
        auto r = transition(tx, *l->approval, next, who, "catalog.approval.approved");
        if (!r) {
            return r.error();
        }
        return to_approval(*r, l->row.category);
    });
}

Result<Approval> CatalogService::revoke(
    core::Actor const& actor,
    std::string const& slug,
    std::string const& email,
    std::string const& reason
) {
    auto args = pair_args(slug, email, std::nullopt);
    if (!args) {
        return args.error();
    }
    auto why = required_text(reason, "reason", kMaxReason);
    if (!why) {
        return why.error();
    }
    if (auto ok = identity::authorize(actor, Action::kCatalogRevoke); !ok) {
        return ok.error();
    }
    Origin who = Origin::of(actor);
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Approval> {
        auto l = load(tx, actor.org_id, args->slug, args->email);
        if (!l) {
            return l.error();
        }
        if (!l->approval) {
            return no_grant(args->slug, args->email);
        }
        if (l->approval->state == kStateRevoked) {
            return to_approval(*l->approval, l->row.category);  // idempotent, no new event
        }
        repos::ApprovalRecord next = *l->approval;
        next.state = kStateRevoked;
        next.reason = *why;
        next.approver_id = actor.principal_id;
        auto r = transition(tx, *l->approval, next, who, "catalog.approval.revoked");
        if (!r) {
            return r.error();
        }
        return to_approval(*r, l->row.category);
    });
}

Result<Page<Approval>> CatalogService::list_approvals(
    core::Actor const& actor, ApprovalFilter const& filter, PageRequest const& page
) {
    if (auto ok = identity::authorize(actor, Action::kCatalogRead); !ok) {
        return ok.error();
    }
    auto w = page_window(page);
    if (!w) {
        return w.error();
    }
    repos::ApprovalFilter f{filter.slug, std::nullopt, filter.state};
    if (filter.email) {
        auto e = identity::normalize_email(*filter.email, "email");
        if (!e) {
            return e.error();
        }
        f.email_lower = *e;
    }
    if (f.state && *f.state != kStatePending && *f.state != kStateApproved &&
        *f.state != kStateRevoked) {
        return Error::invalid_field("state", "must be pending, approved or revoked");
    }
    auto read = [&] {
        return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<Page<Approval>> {
            auto rows = core::from_db(
                repos::list_approvals(tx, actor.org_id, f, w->after, w->limit + 1, w->offset)
            );
            if (!rows) {
                return rows.error();
            }
            auto total = core::from_db(repos::count_approvals(tx, actor.org_id, f));
            if (!total) {
                return total.error();
            }
            Page<Approval> out;
            out.total_count = *total;
            for (auto const& v : *rows) {
                if (static_cast<std::int64_t>(out.items.size()) == w->limit) {
                    out.next_cursor = out.items.back().id;
                    break;
                }
                out.items.push_back(to_approval(v.approval, v.category));
            }
            return out;
        });
    };
    auto first = read();
    if (!first) {
        return first;
    }
    // Lazy expiry: a read never shows an expired grant as approved.
    std::string now = core::to_rfc3339(clock_.now());
    bool expired_any = false;
    for (auto const& a : first->items) {
        if (a.state == kStateApproved && a.expires_at && *a.expires_at <= now) {
            auto done = expire_by_id(actor.org_id, a.id, now);
            if (!done) {
                return done.error();
            }
            expired_any = true;
        }
    }
    return expired_any ? read() : first;
}

std::vector<AssignOutcome> CatalogService::assign_many(
    core::Actor const& actor,
    std::string const& email,
    std::vector<std::string> const& slugs,
    std::optional<std::string> note,
    Expiry const& expiry
) {
    std::vector<AssignOutcome> out;
    out.reserve(slugs.size());
    for (auto const& slug : slugs) {
        out.push_back(AssignOutcome{slug, assign(actor, slug, email, note, expiry)});
    }
    return out;
}

Result<bool> CatalogService::expire_by_id(
    std::string const& org_id, std::string const& id, std::string const& now
) {
    return core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<bool> {
        auto found = core::from_db(repos::find_approval_by_id(tx, org_id, id));
        if (!found) {
            return found.error();
        }
        if (!*found || !is_due(**found, now)) {
            return false;  // already handled by another reader or the timer
        }
        auto r = expire_if_due(tx, **found, now);
        if (!r) {
            return r.error();
        }
        return true;
    });
}

Result<std::int64_t> CatalogService::expire_due(core::TimePoint now) {
    std::string at = core::to_rfc3339(now);
    auto due = core::run_tx(db_, TxMode::kRead, [&](Tx& tx) {
        return core::from_db(repos::list_due_approvals(tx, at, kExpiryBatch));
    });
    if (!due) {
        return due.error();
    }
    std::int64_t count = 0;
    for (auto const& d : *due) {
        auto done = expire_by_id(d.org_id, d.id, at);
        if (!done) {
            return done.error();
        }
        count += *done ? 1 : 0;
    }
    return count;
}

}  // namespace signoff::server::catalog
