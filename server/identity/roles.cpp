// Role names, email normalisation and org-name rules (see roles.hpp).
#include "server/identity/roles.hpp"

#include <algorithm>

namespace signoff::server::identity {

std::string_view role_name(core::OrgRole role) {
    switch (role) {
        case core::OrgRole::kMember:
            return "member";
        case core::OrgRole::kHrAdmin:
            return "hr_admin";
        case core::OrgRole::kAdmin:
            return "admin";
        case core::OrgRole::kSuperAdmin:
            return "super_admin";
    }
    return "member";
}

std::optional<core::OrgRole> parse_role(std::string_view name) {
    for (auto r :
         {core::OrgRole::kMember,
          core::OrgRole::kHrAdmin,
          core::OrgRole::kAdmin,
          core::OrgRole::kSuperAdmin}) {
        if (role_name(r) == name) {
            return r;
        }
    }
    return std::nullopt;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

core::Result<std::string> normalize_email(std::string_view email, std::string const& field) {
    std::string e = lower(trim(email));
    auto at = e.find('@');
    bool ok = !e.empty() && e.size() <= 254 && at != std::string::npos && at > 0 &&
              e.find('@', at + 1) == std::string::npos;
    if (ok) {
        std::string_view domain = std::string_view(e).substr(at + 1);
        ok = domain.find('.') != std::string_view::npos && domain.front() != '.' &&
             domain.back() != '.';
    }
    ok = ok && std::none_of(e.begin(), e.end(), [](char c) {
             return c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x20;
         });
    if (!ok) {
        return core::Error::invalid_field(field, "not a valid email address");
    }
    return e;
}

bool valid_org_name(std::string_view name) {
    if (name.empty() || name.size() > 63) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

}  // namespace signoff::server::identity
