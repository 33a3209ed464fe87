// See auths_docs.hpp. Every answer field is derived from a ToolSpec, a schema
// or (with entity_id) the auth itself; there is no hand-written prose here
// beyond the artifact's one-line description.
#include "tools/families/auths_docs.hpp"

#include <sstream>
#include <string>

#include "server/auths/auths_service.hpp"
#include "tools/codec/json_args.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
using registry::Registry;
using registry::ToolSpec;
using server::core::Result;

constexpr std::string_view kPrefix = "auths_";

std::string type_of(json::value const& schema) {
    if (!schema.is_object()) {
        return "any";
    }
    auto const& o = schema.get_object();
    std::string t;
    if (auto const* v = o.if_contains("type")) {
        if (v->is_string()) {
            t = std::string(v->get_string());
        } else if (v->is_array()) {
            for (auto const& e : v->get_array()) {
                t += (t.empty() ? "" : " | ") + std::string(e.as_string());
            }
        }
    }
    if (auto const* e = o.if_contains("enum"); e != nullptr && e->is_array()) {
        t += " (" + json::serialize(*e) + ")";
    }
    return t.empty() ? "object" : t;
}

/// A Markdown table of the top-level properties of an input schema.
std::string fields_table(json::value const& schema) {
    auto const* props =
        schema.is_object() ? schema.get_object().if_contains("properties") : nullptr;
    if (props == nullptr || !props->is_object() || props->get_object().empty()) {
        return "No arguments.\n";
    }
    json::array const* required = nullptr;
    if (auto const* r = schema.get_object().if_contains("required"); r != nullptr) {
        required = r->if_array();
    }
    auto is_required = [required](std::string_view name) {
        if (required == nullptr) {
            return false;
        }
        for (auto const& e : *required) {
            if (e.is_string() && e.get_string() == name) {
                return true;
            }
        }
        return false;
    };
    std::ostringstream out;
    out << "| field | type | required | description |\n|---|---|---|---|\n";
    for (auto const& [name, sub] : props->get_object()) {
        std::string desc;
        if (sub.is_object()) {
            desc = codec::string_or(sub.get_object(), "description");
        }
        out << "| `" << std::string(name) << "` | " << type_of(sub) << " | "
            << (is_required(name) ? "yes" : "no") << " | " << desc << " |\n";
    }
    return out.str();
}

std::string route_line(ToolSpec const& t) {
    std::string out;
    for (auto const& r : t.routes) {
        out += "`" + r.method + " " + r.path + "` ";
    }
    return out;
}

json::object entry(Registry const& reg, ToolSpec const& t) {
    std::ostringstream md;
    md << "## " << t.title << " (`" << t.name << "`)\n\n"
       << route_line(t) << "\n\n"
       << t.description << "\n\n"
       << "Who may call it: " << t.permissions << ".\n\n"
       << fields_table(reg.schema(t.input_schema));
    return json::object{
        {"name", t.name},
        {"title", t.title},
        {"description", t.description},
        {"content", md.str()}};
}

json::object operation(Registry const& reg, ToolSpec const& t) {
    auto const* route = t.routes.empty() ? nullptr : &t.routes.front();
    return json::object{
        {"operation", t.name},
        {"title", t.title},
        {"description", t.description},
        {"method", route != nullptr ? json::value(route->method) : json::value(nullptr)},
        {"path", route != nullptr ? json::value(route->path) : json::value(nullptr)},
        {"permissions", t.permissions},
        {"read_only", t.annotations.read_only},
        {"destructive", t.annotations.destructive},
        {"idempotent", t.annotations.idempotent},
        {"input_schema", reg.schema(t.input_schema)},
        {"output_schema", reg.schema(t.output_schema)},
    };
}

std::string refs_line(std::vector<server::auths::PartRef> const& refs) {
    std::string out;
    for (auto const& r : refs) {
        out += (out.empty() ? "" : ", ") + r.value;
    }
    return out.empty() ? "—" : out;
}

/// The auth's current content as the form shows it, in Markdown.
Result<json::value> artifact(registry::ToolContext& ctx, std::string const& auth_id) {
    if (ctx.services == nullptr || ctx.services->auths == nullptr) {
        return server::core::Error::internal("auths service is not wired");
    }
    auto d = ctx.services->auths->get(ctx.actor, auth_id, std::nullopt);
    if (!d) {
        return d.error();
    }
    auto first = [](server::auths::Section const& s) {
        return s.selected.empty() ? std::string("—") : s.selected.front().value;
    };
    std::ostringstream md;
    md << "# " << first(d->names) << "\n\n"
       << "| part | value |\n|---|---|\n"
       << "| description | " << first(d->descriptions) << " |\n"
       << "| flag | " << first(d->flags) << " |\n"
       << "| protocols | " << refs_line(d->protocols.selected) << " |\n"
       << "| slugs | " << refs_line(d->slugs.selected) << " |\n"
       << "| items | " << refs_line(d->items.selected) << " |\n"
       << "| version | " << d->version.value_or(0) << " |\n"
       << "| can edit | " << (d->can_edit ? "yes" : "no") << " |\n";
    return json::object{
        {"name", auth_id},
        {"title", first(d->names)},
        {"description", first(d->descriptions)},
        {"content", md.str()},
    };
}

}  // namespace

registry::Handler auths_docs_handler(Registry const& reg) {
    return [&reg](registry::ToolContext& ctx, json::object const& a) -> Result<json::value> {
        json::value art = nullptr;
        if (auto id = codec::opt_string(a, "entity_id")) {
            auto doc = artifact(ctx, *id);
            if (!doc) {
                return doc.error();
            }
            art = std::move(*doc);
        }
        json::array entries;
        json::array permissions;
        json::array operations;
        for (auto const& t : reg.tools()) {
            if (!t.name.starts_with(kPrefix)) {
                continue;
            }
            entries.push_back(entry(reg, t));
            auto op = operation(reg, t);
            permissions.push_back(json::object{
                {"operation", t.name},
                {"title", t.title},
                {"description", t.permissions},
                {"method", op["method"]},
                {"path", op["path"]},
                {"permissions", t.permissions},
                {"read_only", t.annotations.read_only},
                {"destructive", t.annotations.destructive},
                {"idempotent", t.annotations.idempotent},
                {"input_schema", json::object{}},
                {"output_schema", json::object{}},
            });
            operations.push_back(std::move(op));
        }
        json::array resources;
        for (auto const& tpl : reg.templates()) {
            if (tpl.uri_template.starts_with("signoff://uploads/")) {
                resources.push_back(json::object{
                    {"name", tpl.name},
                    {"title", tpl.title},
                    {"description", tpl.description},
                    {"content", "`" + tpl.uri_template + "` (" + tpl.mime_type + ")"},
                });
            }
        }
        auto count = static_cast<std::int64_t>(operations.size());
        return json::object{
            {"name", "auth"},
            {"type", "artifact"},
            {"description",
             "An authentication configuration composed of reusable parts, with private drafts."},
            {"artifact", std::move(art)},
            {"entries", std::move(entries)},
            {"resources", std::move(resources)},
            {"permissions", std::move(permissions)},
            {"api_operations", std::move(operations)},
            {"page_metadata",
             json::object{{"generated_from", "tool rows and schemas"}, {"operation_count", count}}},
        };
    };
}

}  // namespace signoff::tools::families
