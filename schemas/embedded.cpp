// Thin named wrapper over the generated table (schemas_embedded.cpp).
#include "schemas/embedded.hpp"

std::string_view signoff_schema_text(std::string_view name);
std::vector<std::string_view> signoff_schema_names();

namespace signoff::schemas {

std::string_view text(std::string_view name) {
    return signoff_schema_text(name);
}
std::vector<std::string_view> names() {
    return signoff_schema_names();
}

}  // namespace signoff::schemas
