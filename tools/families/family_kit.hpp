// What every tool family file shares: the builder of its tool rows (schemas
// named after the family), the accessor of the domain service a handler needs,
// and the encoder of a service result. Included by tools/families/*.cpp only.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/json.hpp>

#include "server/core/error.hpp"
#include "tools/registry/tool_context.hpp"
#include "tools/registry/tool_spec.hpp"

namespace signoff::tools::families {

/// Builds the rows of one family: a row named N takes its schemas from
/// schemas/<family>/N.input.json and N.output.json.
class FamilyRows {
public:
    explicit constexpr FamilyRows(std::string_view family) : family_(family) {}

    /// A row with one REST route: `{"GET", "/api/…"}`.
    registry::ToolSpec operator()(
        std::string name,
        std::string title,
        std::string description,
        registry::Annotations annotations,
        registry::RestRoute route,
        registry::Handler handler,
        std::string permissions
    ) const;

    /// A row with several routes: `{{"DELETE", "/a"}, {"POST", "/b"}}`. (An
    /// initializer list rather than a vector: a vector parameter would take
    /// `{"GET", "/a"}` as a pair of iterators.)
    registry::ToolSpec operator()(
        std::string name,
        std::string title,
        std::string description,
        registry::Annotations annotations,
        std::initializer_list<registry::RestRoute> routes,
        registry::Handler handler,
        std::string permissions
    ) const;

private:
    std::string_view family_;
};

/// The service at `Member` of the context's Services, or an internal error
/// when the composition root did not wire it:
///   `auto svc = service_of<&registry::Services::auths>(ctx);`
template <auto Member>
auto service_of(registry::ToolContext const& ctx) -> server::core::Result<
    std::remove_cvref_t<decltype(std::declval<registry::Services>().*Member)>> {
    if (ctx.services == nullptr || ctx.services->*Member == nullptr) {
        return server::core::Error::internal("a service this tool needs is not wired");
    }
    return ctx.services->*Member;
}

/// A service result as JSON (through the codec's value_from), or its error.
template <class T>
server::core::Result<boost::json::value> encode(server::core::Result<T> const& r) {
    if (!r) {
        return r.error();
    }
    return boost::json::value_from(*r);
}

}  // namespace signoff::tools::families
