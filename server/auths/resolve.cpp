// Input fields → the parts, departments and group they name (see resolve.hpp).
#include "server/auths/resolve.hpp"

#include <algorithm>
#include <functional>

#include "server/auths/access.hpp"
#include "server/auths/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/auth_parts_repo.hpp"
#include "storage/repos/groups_repo.hpp"

namespace signoff::server::auths::detail {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using storage::Tx;

template <class T>
bool contains(std::vector<T> const& list, std::string const& id) {
    return std::any_of(list.begin(), list.end(), [&](T const& x) { return x.id == id; });
}

/// One input's resolution: collects field errors instead of stopping at the
/// first, so the caller learns about every bad entry at once.
class Resolver {
public:
    Resolver(Tx& tx, core::Actor const& actor, std::string const& now, core::IdSource& ids)
        : tx_(tx), actor_(actor), now_(now), ids_(ids) {}

    /// A single-valued part given as text (find or create) or as an id.
    core::Status single(
        std::optional<std::string> const& text,
        std::optional<std::string> const& id,
        std::string const& kind,
        std::optional<PartRef>& into,
        bool clears_on_empty
    ) {
        if (text) {
            std::string t{identity::trim(*text)};
            if (t.empty() && clears_on_empty) {
                into.reset();
                return {};
            }
            auto part = text_part(kind, t, kind);
            if (!part) {
                return part.error();
            }
            if (*part) {
                into = **part;
            }
        }
        if (id) {
            if (id->empty() && clears_on_empty) {
                into.reset();
                return {};
            }
            auto part = id_part(kind, *id, kind + "_id");
            if (!part) {
                return part.error();
            }
            if (*part) {
                into = **part;
            }
        }
        return {};
    }

    /// A list of parts: ids of `kind`, or (when `text_allowed`) free text.
    core::Status list(
        std::optional<std::vector<std::string>> const& entries,
        std::string const& kind,
        std::string const& field,
        bool text_allowed,
        std::vector<PartRef>& into,
        bool& changed
    ) {
        if (!entries) {
            return {};
        }
        changed = true;
        into.clear();
        for (std::size_t i = 0; i < entries->size(); ++i) {
            std::string entry{identity::trim((*entries)[i])};
            std::string entry_field = field + "[" + std::to_string(i) + "]";
            bool as_id = !text_allowed || looks_like_id(entry);
            auto part =
                as_id ? id_part(kind, entry, entry_field) : text_part(kind, entry, entry_field);
            if (!part) {
                return part.error();
            }
            if (*part && !contains(into, (*part)->id)) {
                into.push_back(**part);
            }
        }
        return {};
    }

    core::Status departments(
        std::optional<std::vector<std::string>> const& entries,
        std::vector<Department>& into,
        bool& changed
    ) {
        if (!entries) {
            return {};
        }
        changed = true;
        into.clear();
        for (std::size_t i = 0; i < entries->size(); ++i) {
            std::string entry{identity::trim((*entries)[i])};
            auto dept = find_department(entry);
            if (!dept) {
                return dept.error();
            }
            if (!*dept) {
                miss(
                    "department_ids[" + std::to_string(i) + "]",
                    "no department with this id or name"
                );
            } else if (!contains(into, (*dept)->id)) {
                into.push_back(to_department(**dept));
            }
        }
        return {};
    }

    /// A new owning group: the org's, and one the actor may give auths to.
    core::Status group(std::optional<std::string> const& id, std::optional<std::string>& into) {
        if (!id) {
            return {};
        }
        if (id->empty()) {
            into.reset();
            return {};
        }
        auto found = core::from_db(repos::find_group_by_id(tx_, actor_.org_id, *id));
        if (!found) {
            return found.error();
        }
        if (!*found) {
            miss("group_id", "no group with this id in this organisation");
            return {};
        }
        into = *id;
        return {};
    }

    /// After every field: the collected field errors, then the group permission.
    core::Status verdict(std::optional<std::string> const& new_group) {
        if (!errors_.empty()) {
            return invalid_fields(std::move(errors_));
        }
        if (!new_group) {
            return {};
        }
        auto subject = group_subject(tx_, actor_, new_group, actor_.principal_id);
        if (!subject) {
            return subject.error();
        }
        return identity::authorize(actor_, identity::Action::kAuthsSetGroup, *subject);
    }

    std::vector<Part>& created() { return created_; }

private:
    void miss(std::string field, std::string message) {
        errors_.push_back({std::move(field), std::move(message)});
    }

    /// The part, or nullopt after recording a field error.
    Result<std::optional<PartRef>> text_part(
        std::string const& kind, std::string const& value, std::string const& field
    ) {
        auto text = clean_text(value, field, max_chars_of(kind), kind == kKindDescription);
        if (!text) {
            miss(field, text.error().details.front().message);
            return std::optional<PartRef>{};
        }
        auto ensured = ensure_part(tx_, actor_, kind, *text, now_, ids_);
        if (!ensured) {
            return ensured.error();
        }
        if (ensured->created) {
            created_.push_back(ensured->part);
        }
        return std::optional<PartRef>{PartRef{ensured->part.id, ensured->part.value}};
    }

    Result<std::optional<PartRef>> id_part(
        std::string const& kind, std::string const& id, std::string const& field
    ) {
        auto part = core::from_db(repos::find_part_by_id(tx_, actor_.org_id, id));
        if (!part) {
            return part.error();
        }
        if (!*part || (*part)->kind != kind) {
            miss(field, "no " + kind + " part with this id");
            return std::optional<PartRef>{};
        }
        return std::optional<PartRef>{PartRef{id, (*part)->value}};
    }

    Result<std::optional<repos::DepartmentRecord>> find_department(std::string const& entry) {
        auto by_id = core::from_db(repos::find_department_by_id(tx_, actor_.org_id, entry));
        if (!by_id || *by_id) {
            return by_id;
        }
        return core::from_db(
            repos::find_department_by_name(tx_, actor_.org_id, identity::lower(entry))
        );
    }

    Tx& tx_;
    core::Actor const& actor_;
    std::string const& now_;
    core::IdSource& ids_;
    std::vector<core::FieldError> errors_;
    std::vector<Part> created_;
};

}  // namespace

Result<EnsuredPart> ensure_part(
    Tx& tx,
    core::Actor const& actor,
    std::string const& kind,
    std::string const& value,
    std::string const& now,
    core::IdSource& ids
) {
    repos::PartRecord rec{
        ids.new_id(),
        actor.org_id,
        kind,
        value,
        identity::lower(value),
        now,
        core::via_mcp(actor.channel),
    };
    auto ensured = core::from_db(repos::ensure_part(tx, rec));
    if (!ensured) {
        return ensured.error();
    }
    if (!*ensured) {
        return core::retry_tx();  // a concurrent insert is not visible yet: run again
    }
    return EnsuredPart{to_part((*ensured)->part), (*ensured)->inserted};
}

Result<Resolved> resolve_fields(
    Tx& tx,
    core::Actor const& actor,
    AuthFields const& f,
    AuthContent base,
    std::string const& now,
    core::IdSource& ids
) {
    Resolved out{std::move(base), {}, {}};
    AuthContent& c = out.content;
    ChangedLists& ch = out.changed;
    Resolver r{tx, actor, now, ids};
    std::optional<std::string> new_group =
        f.group_id && !f.group_id->empty() ? f.group_id : std::optional<std::string>{};
    std::string const name{kKindName};
    std::string const description{kKindDescription};
    std::string const flag{kKindFlag};
    std::function<core::Status()> const steps[] = {
        [&] { return r.single(f.name, f.name_id, name, c.name, false); },
        [&] { return r.single(f.description, f.description_id, description, c.description, true); },
        [&] { return r.single(std::nullopt, f.flag_id, flag, c.flag, true); },
        [&] {
            return r.list(
                f.protocol_ids,
                std::string{kKindProtocol},
                "protocol_ids",
                true,
                c.protocols,
                ch.protocols
            );
        },
        [&] {
            return r.list(f.slug_ids, std::string{kKindSlug}, "slug_ids", true, c.slugs, ch.slugs);
        },
        [&] {
            return r.list(f.item_ids, std::string{kKindItem}, "item_ids", false, c.items, ch.items);
        },
        [&] { return r.departments(f.department_ids, c.departments, ch.departments); },
        [&] { return r.group(f.group_id, c.group_id); },
        [&] { return r.verdict(new_group); },
    };
    for (auto const& step : steps) {
        if (auto s = step(); !s) {
            return s.error();  // a storage error leaves the transaction dead: stop at once
        }
    }
    out.created = std::move(r.created());
    return out;
}

}  // namespace signoff::server::auths::detail
