// Driving approval workflows through the real binary's REST façade for tests
// of what their outcomes cause (events, template actions): a group holding
// the bootstrap admin and a space, templates needing one APPROVE of that
// group, so the admin alone decides each workflow.
#pragma once

#include <string>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

namespace signoff::e2e {

struct ApprovalFlow {
    HttpClient& http;
    httplib::Headers root;
    std::string gid;
    std::string sid;

    ApprovalFlow(HttpClient& h, Deployment const& d) : http(h), root(bearer(d.api_key)) {
        auto g = http.rest("POST", "/api/v1/groups", {{"name", "approvers"}}, root);
        REQUIRE_MESSAGE(g.status == 201, g.body);
        gid = text(g.json().at("id"));
        json::object members{
            {"entities",
             json::array{
                 json::object{{"entity", {{"entityType", "human"}, {"entityId", d.user_id}}}}}}};
        auto added = http.rest("POST", "/api/v1/groups/" + gid + "/entities", members, root);
        REQUIRE_MESSAGE(added.status == 200, added.body);
        auto s = http.rest("POST", "/api/v1/spaces", {{"name", "ops"}}, root);
        REQUIRE_MESSAGE(s.status == 201, s.body);
        sid = text(s.json().at("id"));
    }

    /// A template named `name` with `actions`; answers its id.
    std::string make_template(std::string const& name, json::array actions) {
        json::object body{
            {"name", name},
            {"approvalRule", {{"type", "GROUP_REQUIREMENT"}, {"groupId", gid}, {"minCount", 1}}},
            {"actions", std::move(actions)},
            {"spaceId", sid}};
        auto t = http.rest("POST", "/api/v1/workflow-templates", body, root);
        REQUIRE_MESSAGE(t.status == 201, t.body);
        return text(t.json().at("id"));
    }

    /// Starts a workflow of template `tid`; answers its id.
    std::string start(std::string const& tid, std::string const& name) {
        auto w = http.rest(
            "POST", "/api/v1/workflows", {{"name", name}, {"workflowTemplateId", tid}}, root
        );
        REQUIRE_MESSAGE(w.status == 201, w.body);
        return text(w.json().at("id"));
    }

    /// Casts the admin's vote (APPROVE or VETO); answers the workflow's status.
    std::string vote(std::string const& wid, std::string const& type) {
        json::object body{{"voteType", {{"type", type}, {"votedForGroups", json::array{}}}}};
        auto r = http.rest("POST", "/api/v1/workflows/" + wid + "/vote", body, root);
        REQUIRE_MESSAGE(r.status == 200, r.body);
        return text(r.json().at("status"));
    }

    /// start, then vote; answers the workflow's id.
    std::string decide(std::string const& tid, std::string const& name, std::string const& type) {
        auto const id = start(tid, name);
        vote(id, type);
        return id;
    }
};

}  // namespace signoff::e2e
