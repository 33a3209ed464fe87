// Parts and departments: list (every member), find-or-create a part (every
// member), create a department (org admins). Each write drops the matching
// cached option list once its transaction committed.
#include "server/auths/access.hpp"
#include "server/auths/audit.hpp"
#include "server/auths/auths_service.hpp"
#include "server/auths/content.hpp"
#include "server/auths/resolve.hpp"
#include "server/auths/rules.hpp"
#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"
#include "server/identity/authorize.hpp"
#include "server/identity/roles.hpp"
#include "storage/repos/auth_parts_repo.hpp"

namespace signoff::server::auths {
namespace {

namespace repos = storage::repos;
using core::Error;
using core::Result;
using identity::Action;
using storage::Tx;
using storage::TxMode;

/// The LIKE pattern of an optional search text (trimmed, lowercase), or nullopt.
Result<std::optional<std::string>> pattern_of(
    std::optional<std::string> const& search, std::string const& field
) {
    if (!search || identity::trim(*search).empty()) {
        return std::optional<std::string>{};
    }
    auto text = clean_text(*search, field, kMaxSearchChars);
    if (!text) {
        return text.error();
    }
    return std::optional<std::string>{repos::like_contains(identity::lower(*text))};
}

core::Status check_kind(std::string const& kind) {
    if (!is_part_kind(kind)) {
        return invalid_fields({{"kind", "one of name, description, flag, protocol, slug, item"}});
    }
    return {};
}

}  // namespace

Result<std::vector<Part>> AuthsService::list_parts(
    core::Actor const& actor,
    std::optional<std::string> const& kind,
    std::optional<std::string> const& search,
    std::int64_t limit,
    std::int64_t offset
) {
    if (auto ok = identity::authorize(actor, Action::kAuthsRead); !ok) {
        return ok.error();
    }
    if (kind) {
        if (auto ok = check_kind(*kind); !ok) {
            return ok.error();
        }
    }
    if (limit < 1 || limit > kMaxPageSize) {
        return invalid_fields({{"limit", "must be between 1 and 100"}});
    }
    if (offset < 0) {
        return invalid_fields({{"offset", "must not be negative"}});
    }
    auto pattern = pattern_of(search, "search");
    if (!pattern) {
        return pattern.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::vector<Part>> {
        auto rows =
            core::from_db(repos::list_parts(tx, actor.org_id, kind, *pattern, limit, offset));
        if (!rows) {
            return rows.error();
        }
        std::vector<Part> out;
        out.reserve(rows->size());
        for (auto const& r : *rows) {
            out.push_back(detail::to_part(r));
        }
        return out;
    });
}

Result<Part> AuthsService::create_part(
    core::Actor const& actor, std::string const& kind, std::string const& value
) {
    if (auto ok = identity::authorize(actor, Action::kAuthsCreatePart); !ok) {
        return ok.error();
    }
    if (auto ok = check_kind(kind); !ok) {
        return ok.error();
    }
    auto text = clean_text(value, "value", max_chars_of(kind), kind == kKindDescription);
    if (!text) {
        return text.error();
    }
    bool created = false;
    auto part = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Part> {
        auto now = core::to_rfc3339(clock_.now());
        auto ensured = detail::ensure_part(tx, actor, kind, *text, now, ids_);
        if (!ensured) {
            return ensured.error();
        }
        created = ensured->created;
        if (created) {
            if (auto s = detail::audit_parts(tx, recorder_, actor, {ensured->part}); !s) {
                return s.error();
            }
        }
        return ensured->part;
    });
    if (part && created) {
        drop_options(actor.org_id, kind);
    }
    return part;
}

Result<std::vector<Department>> AuthsService::list_departments(
    core::Actor const& actor, std::optional<std::string> const& search
) {
    if (auto ok = identity::authorize(actor, Action::kAuthsRead); !ok) {
        return ok.error();
    }
    auto pattern = pattern_of(search, "search");
    if (!pattern) {
        return pattern.error();
    }
    return core::run_tx(db_, TxMode::kRead, [&](Tx& tx) -> Result<std::vector<Department>> {
        // Departments are made by admins, so an org has few; the limit only
        // bounds the answer's size.
        constexpr std::int64_t kAll = 10000;
        auto rows = core::from_db(repos::list_departments(tx, actor.org_id, *pattern, kAll, 0));
        if (!rows) {
            return rows.error();
        }
        std::vector<Department> out;
        out.reserve(rows->size());
        for (auto const& r : *rows) {
            out.push_back(detail::to_department(r));
        }
        return out;
    });
}

Result<Department> AuthsService::create_department(
    core::Actor const& actor, std::string const& name
) {
    if (auto ok = identity::authorize(actor, Action::kAuthsManageDepartments); !ok) {
        return ok.error();
    }
    auto text = clean_text(name, "name", kMaxDepartmentChars);
    if (!text) {
        return text.error();
    }
    auto made = core::run_tx(db_, TxMode::kWrite, [&](Tx& tx) -> Result<Department> {
        repos::DepartmentRecord rec{
            ids_.new_id(),
            actor.org_id,
            *text,
            identity::lower(*text),
            core::to_rfc3339(clock_.now()),
            core::via_mcp(actor.channel),
        };
        auto inserted = core::from_db(repos::insert_department_if_absent(tx, rec));
        if (!inserted) {
            return inserted.error();
        }
        if (*inserted == 0) {
            Error e = Error::already_exists("department '" + *text + "' already exists");
            e.details.push_back({"name", "a department with this name exists"});
            return e;
        }
        std::string detail = events::JsonObject{}.str("name", rec.name).text();
        auto entry =
            events::Recorder::by(actor, "auths.department.created", "department", rec.id, detail);
        if (auto s = recorder_.audit(tx, entry); !s) {
            return s.error();
        }
        return detail::to_department(rec);
    });
    if (made) {
        drop_options(actor.org_id, detail::kDepartmentKind);
    }
    return made;
}

}  // namespace signoff::server::auths
