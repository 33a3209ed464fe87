// Shared approvals helpers (see checks.hpp).
#include "server/approvals/checks.hpp"

#include "server/core/db_map.hpp"
#include "server/events/json_text.hpp"

namespace signoff::server::approvals::detail {

bool is_uuid(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        char const c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

core::Result<Window> window(PageArgs const& args) {
    Window w{args.page.value_or(1), args.limit.value_or(20)};
    if (w.page < 1 || w.page > 1'000'000) {
        return core::Error::invalid_field("page", "must be between 1 and 1000000");
    }
    if (w.limit < 1 || w.limit > 100) {
        return core::Error::invalid_field("limit", "must be between 1 and 100");
    }
    return w;
}

core::Error field_error(core::ErrorKind kind, std::string field, std::string message) {
    std::string m = message;
    return core::Error{kind, std::move(m), {{std::move(field), std::move(message)}}};
}

storage::repos::RoleBindingRecord binding_record(
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id,
    identity::RoleBinding const& b,
    std::string const& now,
    bool via_mcp
) {
    return {
        org_id,
        std::string(principal_type),
        principal_id,
        b.role_name,
        std::string(identity::scope_type_name(b.scope.type)),
        b.scope.id,
        now,
        via_mcp,
    };
}

std::string bindings_json(std::vector<identity::RoleBinding> const& bindings) {
    std::string out = "[";
    for (auto const& b : bindings) {
        if (out.size() > 1) {
            out += ",";
        }
        auto scope = events::JsonObject{}
                         .str("type", identity::scope_type_name(b.scope.type))
                         .str("id", b.scope.id)
                         .text();
        out += events::JsonObject{}.str("roleName", b.role_name).raw("scope", scope).text();
    }
    return out + "]";
}

core::Status bump_role_version(
    storage::Tx& tx,
    std::string const& org_id,
    std::string_view principal_type,
    std::string const& principal_id,
    std::int64_t expected,
    std::string const& now
) {
    auto changed = core::from_db(storage::repos::bump_role_version(
        tx, org_id, std::string(principal_type), principal_id, expected, now
    ));
    if (!changed) {
        return changed.error();
    }
    if (*changed == 0) {
        return core::retry_tx();
    }
    return {};
}

}  // namespace signoff::server::approvals::detail
