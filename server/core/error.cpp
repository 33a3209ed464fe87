// Result<T>::value() on an error: the one place an Error becomes an exception.
#include "server/core/error.hpp"

#include <stdexcept>

namespace signoff::server::core {

void throw_exception_from_error(Error const& e, boost::source_location const& /*loc*/) {
    throw std::logic_error("unchecked domain error: " + e.message);
}

}  // namespace signoff::server::core
