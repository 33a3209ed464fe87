// Uploads: the files tools produce for their caller (auths_export's CSV,
// audit_export's JSON lines), reachable two ways. REST
// `GET /api/v5/uploads/{upload_id}` is the streaming one: a DownloadSpec whose body the HTTP
// transport pulls chunk by chunk. The MCP resource template `signoff://uploads/{upload_id}` answers
// the whole file as one `text` content, because an MCP resource is a single message; it is capped
// (kMaxResourceBytes) and points larger files at the REST route.
//
//   GET /api/v5/uploads/{id} ─► open_upload ─► AuthsService::upload_info / read_upload_chunk
//   resources/read signoff://uploads/{id} ─► read_upload_resource ─► AuthsService::read_upload
#include <cstdint>
#include <string>
#include <string_view>

#include "server/auths/auths_service.hpp"
#include "tools/families/families.hpp"
#include "tools/families/family_kit.hpp"
#include "tools/registry/registry.hpp"

namespace signoff::tools::families {
namespace {

namespace json = boost::json;
namespace auths = server::auths;
using registry::Download;
using registry::ToolContext;
using server::core::Error;
using server::core::Result;

constexpr const char* kUploadPath = "/api/v5/uploads/{upload_id}";
constexpr std::string_view kUploadUriPrefix = "signoff://uploads/";
constexpr std::int64_t kMaxResourceBytes = std::int64_t{16} * 1024 * 1024;

constexpr auto service = &service_of<&registry::Services::auths>;

Result<Download> open_upload(ToolContext& ctx, json::object const& path_args) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    auto const* id = path_args.if_contains("upload_id");
    if (id == nullptr || !id->is_string()) {
        return Error::invalid_field("upload_id", "upload_id is required");
    }
    std::string upload_id(id->get_string());
    auto info = (*svc)->upload_info(ctx.actor, upload_id);
    if (!info) {
        return info.error();
    }
    // Copies of the actor and the id: the reader outlives this context.
    auto next = [svc = *svc, actor = ctx.actor, upload_id, index = std::int64_t{0}](
                ) mutable -> Result<std::optional<std::string>> {
        auto chunk = svc->read_upload_chunk(actor, upload_id, index);
        if (chunk && *chunk) {
            ++index;
        }
        return chunk;
    };
    return Download{{info->content_type, info->file_name, info->size}, std::move(next)};
}

/// "text/csv; charset=utf-8" → "text/csv": the media type without parameters.
std::string media_type(std::string const& content_type) {
    return content_type.substr(0, content_type.find(';'));
}

Result<json::array> read_upload_resource(ToolContext& ctx, std::string const& uri) {
    auto svc = service(ctx);
    if (!svc) {
        return svc.error();
    }
    if (uri.size() <= kUploadUriPrefix.size()) {
        return Error::not_found(uri);
    }
    std::string const upload_id = uri.substr(kUploadUriPrefix.size());
    auto info = (*svc)->upload_info(ctx.actor, upload_id);
    if (!info) {
        return info.error();
    }
    if (info->size > kMaxResourceBytes) {
        return Error::exhausted(
            "upload is " + std::to_string(info->size) + " bytes; resources/read serves at most " +
            std::to_string(kMaxResourceBytes) + ": download it from GET /api/v5/uploads/" +
            upload_id
        );
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(info->size));
    auto read = (*svc)->read_upload(ctx.actor, upload_id, [&text](std::string_view chunk) {
        text.append(chunk);
        return true;
    });
    if (!read) {
        return read.error();
    }
    return json::array{json::object{
        {"uri", uri}, {"mimeType", media_type(info->content_type)}, {"text", std::move(text)}}};
}

}  // namespace

void register_upload_routes(registry::Registry& r) {
    r.add_download(registry::DownloadSpec{
        kUploadPath,
        "Downloads an upload (e.g. an auths_export CSV) as an attachment, streamed. Only its "
        "owner and org admins may read it; anyone else gets 404.",
        open_upload,
    });
    r.add_template(registry::ResourceTemplateSpec{
        std::string(kUploadUriPrefix) + "{upload_id}",
        "upload",
        "Upload",
        "A file a tool produced for you, such as the CSV of auths_export (upload_id from its "
        "answer). Readable by its owner and org admins; files over 16 MiB only through GET "
        "/api/v5/uploads/{upload_id}.",
        "text/csv",
        read_upload_resource,
    });
}

}  // namespace signoff::tools::families
