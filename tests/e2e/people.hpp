// People of a bootstrapped org for end-to-end tests: a user with a role and an
// API key, made over REST by an admin; and the check that a REST call was
// refused with a given status and {code, …} body.
#pragma once

#include <string>

#include <doctest/doctest.h>

#include "tests/e2e/e2e_support.hpp"
#include "tests/e2e/http_client.hpp"

namespace signoff::e2e {

struct Person {
    std::string id;
    std::string key;
};

/// A user with `role` made by the admin holding `admin_key`, with a first key.
inline Person make_person(
    HttpClient& http, std::string const& admin_key, std::string const& email, std::string role
) {
    auto made = http.rest(
        "POST", "/api/v1/users", {{"email", email}, {"orgRole", role}}, bearer(admin_key)
    );
    REQUIRE_MESSAGE(made.status == 201, made.body);
    Person p{text(made.json().at("id")), ""};
    auto key =
        http.rest("POST", "/api/v1/users/" + p.id + "/api-keys", json::object{}, bearer(admin_key));
    REQUIRE_MESSAGE(key.status == 201, key.body);
    p.key = text(key.json().at("apiKey"));
    return p;
}

/// The reply is `status` with a JSON body whose code is `code`.
inline void check_refusal(HttpReply const& r, int status, std::string const& code) {
    CHECK_MESSAGE(r.status == status, r.body);
    auto body = r.json();
    REQUIRE_MESSAGE(body.is_object(), r.body);
    CHECK(body.at("code") == code.c_str());
}

}  // namespace signoff::e2e
