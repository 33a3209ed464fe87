// The tool-row builder every family uses (family_kit.hpp).
#include "tools/families/family_kit.hpp"

#include <vector>

namespace signoff::tools::families {

namespace {

registry::ToolSpec make(
    std::string_view family,
    std::string name,
    std::string title,
    std::string description,
    registry::Annotations annotations,
    std::vector<registry::RestRoute> routes,
    registry::Handler handler,
    std::string permissions
) {
    registry::ToolSpec t;
    std::string const prefix = std::string{family} + "/" + name;
    t.input_schema = prefix + ".input";
    t.output_schema = prefix + ".output";
    t.name = std::move(name);
    t.title = std::move(title);
    t.description = std::move(description);
    t.annotations = annotations;
    t.routes = std::move(routes);
    t.handler = std::move(handler);
    t.permissions = std::move(permissions);
    return t;
}

}  // namespace

registry::ToolSpec FamilyRows::operator()(
    std::string name,
    std::string title,
    std::string description,
    registry::Annotations annotations,
    registry::RestRoute route,
    registry::Handler handler,
    std::string permissions
) const {
    std::vector<registry::RestRoute> routes;
    routes.push_back(std::move(route));
    return make(
        family_,
        std::move(name),
        std::move(title),
        std::move(description),
        annotations,
        std::move(routes),
        std::move(handler),
        std::move(permissions)
    );
}

registry::ToolSpec FamilyRows::operator()(
    std::string name,
    std::string title,
    std::string description,
    registry::Annotations annotations,
    std::initializer_list<registry::RestRoute> routes,
    registry::Handler handler,
    std::string permissions
) const {
    return make(
        family_,
        std::move(name),
        std::move(title),
        std::move(description),
        annotations,
        std::vector<registry::RestRoute>(routes),
        std::move(handler),
        std::move(permissions)
    );
}

}  // namespace signoff::tools::families
