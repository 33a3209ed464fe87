// The acting principal that every domain call receives. Built by the transport
// from the credentials (API key) and the channel; authorization decisions are
// made only in server/identity/authorize.
#pragma once

#include <optional>
#include <string>

namespace signoff::server::core {

enum class Channel { kMcpStdio, kMcpHttp, kRest, kRestXMcp, kCli };

constexpr const char* channel_name(Channel c) {
    switch (c) {
        case Channel::kMcpStdio:
            return "mcp-stdio";
        case Channel::kMcpHttp:
            return "mcp-http";
        case Channel::kRest:
            return "rest";
        case Channel::kRestXMcp:
            return "rest+x-mcp";
        case Channel::kCli:
            return "cli";
    }
    return "unknown";
}

/// True when the call came from an agent (MCP directly, or REST through an
/// MCP-to-REST bridge that set X-MCP); stored as `via_mcp` on written rows.
constexpr bool via_mcp(Channel c) {
    return c == Channel::kMcpStdio || c == Channel::kMcpHttp || c == Channel::kRestXMcp;
}

enum class OrgRole { kMember, kHrAdmin, kAdmin, kSuperAdmin };

/// A step-up (privileged) token the request carried, checked but not yet
/// consumed: the operation that consumes it does so in its own transaction.
struct StepUp {
    std::string jti;
    std::string operation;  // "vote"
    std::optional<std::string> resource_id;
};

struct Actor {
    std::string org_id;
    std::string org_name;
    std::string principal_id;  // user id
    std::string principal_kind{"user"};
    std::string email;
    std::string display_name;
    OrgRole role{OrgRole::kMember};
    Channel channel{Channel::kRest};
    std::optional<StepUp> step_up{};
};

}  // namespace signoff::server::core
