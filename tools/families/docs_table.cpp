// See docs_table.hpp.
#include "tools/families/docs_table.hpp"

#include <sstream>

namespace signoff::tools::families {
namespace {

std::string routes_of(registry::ToolSpec const& t) {
    std::string out;
    for (auto const& r : t.routes) {
        if (!out.empty()) {
            out += "<br>";
        }
        out += "`" + r.method + " " + r.path + "`";
        if (!r.discriminator_field.empty()) {
            out += " (`" + r.discriminator_field + ": " + r.discriminator_value + "`)";
        }
    }
    return out.empty() ? "—" : out;
}

std::string hints_of(registry::Annotations const& a) {
    std::string out;
    auto add = [&out](bool on, char const* word) {
        if (on) {
            out += out.empty() ? word : std::string(", ") + word;
        }
    };
    add(a.read_only, "read-only");
    add(a.destructive, "destructive");
    add(a.idempotent, "idempotent");
    add(a.open_world, "open-world");
    return out.empty() ? "—" : out;
}

}  // namespace

std::string markdown_tool_table(registry::Registry const& registry) {
    std::ostringstream out;
    out << "| tool | what it does | REST | hints | who may call it |\n";
    out << "|---|---|---|---|---|\n";
    for (auto const& t : registry.tools()) {
        if (t.name.starts_with("test_")) {
            continue;
        }
        out << "| `" << t.name << "` | " << t.title << " | " << routes_of(t) << " | "
            << hints_of(t.annotations) << " | "
            << (t.permissions.empty() ? "any member" : t.permissions) << " |\n";
    }
    return out.str();
}

}  // namespace signoff::tools::families
