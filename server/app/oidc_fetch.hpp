// The IdP's outbound HTTP (server/identity/oidc OidcFetch) on the delivery
// worker's HTTP client: certificates verified against the system store, the
// host resolved here and connected to by address, answers up to 1 MiB, no
// redirects. Part of the composition root.
#pragma once

#include "server/delivery/http_sender.hpp"
#include "server/identity/oidc.hpp"
#include "server/webhooks/url_policy.hpp"

namespace signoff::app {

/// `sender` and `resolver` must outlive the answer.
server::identity::OidcFetch make_oidc_fetch(
    server::delivery::HttpSender& sender, server::webhooks::Resolver& resolver
);

}  // namespace signoff::app
