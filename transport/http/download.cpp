// See download.hpp. The boundary catch for download handlers lives here, as
// Registry::invoke holds it for tools: a bug in a handler answers 500 (or cuts
// the body short), never takes the server down.
#include "transport/http/download.hpp"

#include <exception>
#include <iostream>

#include "transport/http/url.hpp"

namespace signoff::transport::http {

namespace json = boost::json;
using server::core::Error;
using server::core::Result;

namespace {

void log_throw(std::string_view what, std::string_view detail) {
    std::cerr << "signoff: http: download " << what << " threw: " << detail << "\n";
}

bool is_plain_filename_char(unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

bool is_attr_char(unsigned char c) {
    // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

Result<tools::registry::Download> open_download(
    tools::registry::Services const& services,
    tools::registry::DownloadMatch const& match,
    server::core::Actor const& actor
) {
    json::object args;
    for (auto const& [name, value] : match.path_args) {
        auto decoded = value.is_string() ? percent_decode(value.get_string(), false)
                                         : std::optional<std::string>{};
        if (!decoded) {
            return Error::invalid_field(
                std::string(name), "path segment has a malformed percent-encoding"
            );
        }
        args[name] = json::string(*decoded);
    }
    tools::registry::ToolContext ctx;
    ctx.actor = actor;
    ctx.services = &services;
    try {
        return match.download->open(ctx, args);
    } catch (std::exception const& e) {
        log_throw("open", e.what());
    } catch (...) {
        log_throw("open", "unknown exception");
    }
    return Error::internal("internal error");
}

Result<std::optional<std::string>> next_piece(tools::registry::Download& download) {
    try {
        return download.next();
    } catch (std::exception const& e) {
        log_throw("read", e.what());
    } catch (...) {
        log_throw("read", "unknown exception");
    }
    return Error::internal("internal error");
}

std::string content_disposition(std::string_view file_name) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string plain;
    std::string extended;
    for (char ch : file_name) {
        auto const c = static_cast<unsigned char>(ch);
        plain.push_back(is_plain_filename_char(c) ? ch : '_');
        if (is_attr_char(c)) {
            extended.push_back(ch);
        } else {
            extended.push_back('%');
            extended.push_back(kHex[c >> 4U]);
            extended.push_back(kHex[c & 0x0fU]);
        }
    }
    return "attachment; filename=\"" + plain + "\"; filename*=UTF-8''" + extended;
}

std::vector<std::pair<std::string, std::string>> download_headers(
    tools::registry::DownloadHead const& head
) {
    return {
        {"Content-Type", head.content_type},
        {"Content-Disposition", content_disposition(head.file_name)},
        {"Cache-Control", "no-store"},
        {"X-Content-Type-Options", "nosniff"},
    };
}

}  // namespace signoff::transport::http
