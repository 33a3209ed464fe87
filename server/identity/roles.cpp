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

namespace {

/// RFC 5322 atext, ASCII only: what a dot-atom local part may hold.
bool is_atext(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view{"!#$%&'*+/=?^_`{|}~-"}.find(c) != std::string_view::npos;
}

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/// Dot-separated non-empty runs of `ok` characters (no leading, trailing or
/// doubled dot), each run at most `max_run` long and accepted by `run_ok`.
template <class CharOk, class RunOk>
bool dotted(std::string_view s, CharOk ok, std::size_t max_run, RunOk run_ok) {
    while (true) {
        auto const dot = s.find('.');
        auto const run = s.substr(0, dot);
        if (run.empty() || run.size() > max_run || !std::all_of(run.begin(), run.end(), ok) ||
            !run_ok(run)) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

bool is_plain_email(std::string_view e) {
    auto const at = e.find('@');
    if (e.size() > 254 || at == std::string_view::npos || at == 0 || at > 64) {
        return false;
    }
    auto const local = e.substr(0, at);
    auto const domain = e.substr(at + 1);
    if (!dotted(local, is_atext, 64, [](std::string_view) { return true; })) {
        return false;
    }
    // Host names: labels of letters, digits and inner dashes; at least two
    // labels (IDNs come as their xn-- form).
    auto const label_ok = [](std::string_view l) { return l.front() != '-' && l.back() != '-'; };
    return domain.find('.') != std::string_view::npos &&
           dotted(domain, is_label_char, 63, label_ok);
}

core::Result<std::string> normalize_email(std::string_view email, std::string const& field) {
    std::string e = lower(trim(email));
    if (!is_plain_email(e)) {
        return core::Error::invalid_field(
            field,
            "not a plain email address (local@example.com: ASCII letters, digits and "
            "!#$%&'*+/=?^_`{|}~- in dot-separated parts; no quotes, comments, spaces or "
            "invisible characters)"
        );
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
