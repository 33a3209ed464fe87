// DNS-rebinding and cross-site defences for every HTTP route except /healthz:
// the Origin allow-list and, for loopback binds, the Host check. Pure string
// rules, called by the HTTP server before authentication.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace signoff::transport::http {

/// True when `host` (the Host header value, with optional port) names the
/// loopback interface: localhost, 127.0.0.1 or [::1], any case, any port.
bool is_loopback_host_header(std::string_view host);

/// True when `origin` (the Origin header value) is a loopback origin
/// (http or https, host localhost / 127.0.0.1 / [::1], optional port), or
/// equals one of `allowed` (case-insensitively, a trailing '/' ignored).
/// "null" and malformed values are never allowed.
bool origin_allowed(std::string_view origin, std::vector<std::string> const& allowed);

/// True when the listening address is a loopback one (127.0.0.0/8, ::1,
/// localhost): then the Host header must name loopback too.
bool is_loopback_bind(std::string_view bind_host);

}  // namespace signoff::transport::http
