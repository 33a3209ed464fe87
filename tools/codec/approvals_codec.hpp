// JSON ⇄ domain mapping of the approvals templates: the approval rule tree,
// template actions and template bodies. Arguments were validated against the
// input schema first, so decoding maps shapes and leaves the rules (depth,
// minCount, groups, URLs) to server/approvals, which reports them with field
// paths. Used by tools/families/approvals.cpp.
#pragma once

#include <boost/json.hpp>

#include "server/approvals/approvals_service.hpp"
#include "server/core/error.hpp"

namespace signoff::tools::codec {

/// A rule object as the caller wrote it. Nodes nested deeper than the domain
/// could accept (depth > kMaxRuleDepth + 1) are refused here, so a hostile
/// document never builds a deep tree; depth kMaxRuleDepth + 1 reaches the
/// domain, which names the offending node.
server::core::Result<server::approvals::ApprovalRule> decode_rule(
    boost::json::value const& v, std::string const& field = "approvalRule"
);
std::vector<server::approvals::WorkflowAction> decode_actions(boost::json::array const& a);

boost::json::value encode_rule(server::approvals::ApprovalRule const& r);
boost::json::array encode_actions(std::vector<server::approvals::WorkflowAction> const& actions);
/// The seed's WorkflowTemplate with concurrencyControl.version; `metadata` is
/// parsed back from its stored text (kInternal if that fails).
server::core::Result<boost::json::value> encode_template(
    server::approvals::WorkflowTemplate const& t
);
/// The list item: id, name, version, description, status, spaceId, createdAt, updatedAt.
boost::json::value encode_template_summary(server::approvals::WorkflowTemplate const& t);

}  // namespace signoff::tools::codec
