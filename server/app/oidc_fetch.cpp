// See oidc_fetch.hpp.
#include "server/app/oidc_fetch.hpp"

namespace signoff::app {

server::identity::OidcFetch make_oidc_fetch(
    server::delivery::HttpSender& sender, server::webhooks::Resolver& resolver
) {
    return [&sender, &resolver](
               std::string const& method,
               std::string const& url,
               std::vector<std::pair<std::string, std::string>> const& headers,
               std::string const& body
           ) -> server::core::Result<server::identity::FetchAnswer> {
        auto parsed = server::webhooks::parse_webhook_url(url, "url");
        if (!parsed) {
            return server::core::Error::unavailable("the IdP's URL is not acceptable: " + url);
        }
        server::delivery::HttpRequest request;
        request.method = method;
        request.url = url;
        if (parsed->literal) {
            request.addresses.push_back(parsed->literal->text());
        } else {
            auto addresses = resolver.resolve(parsed->host);
            if (!addresses) {
                return server::core::Error::unavailable(
                    "cannot resolve " + parsed->host + ": " + addresses.error().message
                );
            }
            for (auto const& a : *addresses) {
                request.addresses.push_back(a.text());
            }
        }
        for (auto const& [k, v] : headers) {
            request.headers.emplace_back(k, v);
        }
        request.body = body;
        auto attempt = sender.send(request);
        if (!attempt.error.empty()) {
            return server::core::Error::unavailable(attempt.error);
        }
        return server::identity::FetchAnswer{attempt.status, std::move(attempt.answer_head)};
    };
}

}  // namespace signoff::app
