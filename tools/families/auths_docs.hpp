// auths_docs: documentation of the auth artifact generated from the auths_*
// tool rows and their schemas at call time, so that it cannot drift from what
// the server serves. Used by tools/families/auths.cpp only.
#pragma once

#include "tools/registry/registry.hpp"

namespace signoff::tools::families {

/// The auths_docs handler; reads `registry` (which outlives it) when called.
registry::Handler auths_docs_handler(registry::Registry const& registry);

}  // namespace signoff::tools::families
