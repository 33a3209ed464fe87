// Webhook signatures: HMAC-SHA256 against RFC 4231 and values produced by the
// openssl CLI, the header sets of both schemes (with a rotation's two
// secrets), and the receiver-side checks: replay window, tampering, wrong
// secret and malformed headers.
#include "server/delivery/signing.hpp"

#include <cstdint>
#include <limits>

#include <doctest/doctest.h>

using namespace signoff::server::delivery;

namespace {

constexpr std::int64_t kT = 1767225600;  // 2026-01-01T00:00:00Z
constexpr auto kSecret = "whsec_test_secret";
constexpr auto kSignoffBody =
    R"({"id":"evt_1","type":"team_support.approved","data":{"slug":"openai-team"}})";
constexpr auto kFluxBody =
    R"({"version":1,"type":"team_support.approved","data":{"slug":"openai-team"}})";

// Generated once with the openssl CLI, e.g.
//   printf '%s' '1767225600.{"id":"evt_1",…}' | openssl dgst -sha256 -hmac 'whsec_test_secret'
constexpr auto kCliSignoffHex = "0e5fd139a0c59fa1f8b58da359bb4dcde10b2d10c8ee6c66c66918a1004d7040";
constexpr auto kCliFluxHex = "78fe5699e998474ac04621bc485682c10dd6d067a370d180d7278ea86c89b9ac";

SigningInput input(Scheme scheme, std::vector<std::string> secrets) {
    return SigningInput{scheme, std::move(secrets), kT, "evt_1", "team_support.approved"};
}

std::string header_value(Headers const& hs, std::string const& name) {
    for (auto const& h : hs) {
        if (h.name == name) {
            return h.value;
        }
    }
    FAIL("no header " << name);
    return {};
}

}  // namespace

TEST_SUITE("server/delivery/signing") {
    TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2 and the openssl CLI") {
        CHECK(
            hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        CHECK(
            hmac_sha256_hex(kSecret, std::string{"1767225600."} + kSignoffBody) == kCliSignoffHex
        );
        CHECK(hmac_sha256_hex(kSecret, kFluxBody) == kCliFluxHex);
        CHECK(
            hmac_sha256_hex("", "") ==
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
    }

    TEST_CASE("signoff headers name the event, the delivery and sign \"<t>.<body>\"") {
        auto hs = signature_headers(input(Scheme::kSignoff, {kSecret}), kSignoffBody);
        CHECK(
            hs ==
            Headers{
                {"X-Signoff-Event", "team_support.approved"},
                {"X-Signoff-Delivery", "evt_1"},
                {"X-Signoff-Signature", std::string{"t=1767225600,v1="} + kCliSignoffHex},
            }
        );
    }

    TEST_CASE("during a rotation's overlap both secrets sign, newest first, and either verifies") {
        auto hs = signature_headers(input(Scheme::kSignoff, {"new-secret", kSecret}), kSignoffBody);
        std::string const sig = header_value(hs, "X-Signoff-Signature");
        std::string const fresh =
            hmac_sha256_hex("new-secret", std::string{"1767225600."} + kSignoffBody);
        CHECK(sig == "t=1767225600,v1=" + fresh + ",v1=" + kCliSignoffHex);
        CHECK(verify_signoff(sig, kSignoffBody, "new-secret", kT) == Verdict::kValid);
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT) == Verdict::kValid);
        CHECK(verify_signoff(sig, kSignoffBody, "a-third-secret", kT) == Verdict::kMismatch);
    }

    TEST_CASE("fluxdesk headers are the seed product's: HMAC of the body alone") {
        auto hs = signature_headers(input(Scheme::kFluxdesk, {kSecret}), kFluxBody);
        CHECK(
            hs ==
            Headers{
                {"X-FluxDesk-Event-Type", "team_support.approved"},
                {"X-FluxDesk-Delivery-Id", "evt_1"},
                {"X-FluxDesk-Signature", std::string{"v1="} + kCliFluxHex},
            }
        );
        auto two = signature_headers(input(Scheme::kFluxdesk, {"new-secret", kSecret}), kFluxBody);
        std::string const sig = header_value(two, "X-FluxDesk-Signature");
        CHECK(sig == "v1=" + hmac_sha256_hex("new-secret", kFluxBody) + ",v1=" + kCliFluxHex);
        CHECK(verify_fluxdesk(sig, kFluxBody, kSecret) == Verdict::kValid);
        CHECK(verify_fluxdesk(sig, kFluxBody, "new-secret") == Verdict::kValid);
        // Same body, any time: the scheme has no replay window.
        CHECK(
            verify_fluxdesk(std::string{"v1="} + kCliFluxHex, kFluxBody, kSecret) == Verdict::kValid
        );
    }

    TEST_CASE("an endpoint without a secret gets no signature header") {
        auto hs = signature_headers(input(Scheme::kSignoff, {}), kSignoffBody);
        CHECK(hs.size() == 2);
        CHECK(signature_headers(input(Scheme::kFluxdesk, {}), kFluxBody).size() == 2);
    }

    TEST_CASE("the replay window is 300 s either side of now, inclusive") {
        std::string const sig = std::string{"t=1767225600,v1="} + kCliSignoffHex;
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT + 300) == Verdict::kValid);
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT - 300) == Verdict::kValid);
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT + 301) == Verdict::kStale);
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT - 301) == Verdict::kStale);
        CHECK(verify_signoff(sig, kSignoffBody, kSecret, kT + 1000, 1000) == Verdict::kValid);
        auto const huge = std::numeric_limits<std::int64_t>::max();
        CHECK(
            verify_signoff("t=" + std::to_string(huge) + ",v1=00", kSignoffBody, kSecret, kT) ==
            Verdict::kStale
        );
    }

    TEST_CASE("a changed body, timestamp or secret does not verify") {
        std::string const sig = std::string{"t=1767225600,v1="} + kCliSignoffHex;
        std::string tampered{kSignoffBody};
        tampered[10] = 'X';
        CHECK(verify_signoff(sig, tampered, kSecret, kT) == Verdict::kMismatch);
        CHECK(verify_signoff(sig, kSignoffBody, "wrong", kT) == Verdict::kMismatch);
        std::string moved = std::string{"t=1767225601,v1="} + kCliSignoffHex;
        CHECK(verify_signoff(moved, kSignoffBody, kSecret, kT) == Verdict::kMismatch);
        CHECK(
            verify_signoff(sig.substr(0, sig.size() - 1), kSignoffBody, kSecret, kT) ==
            Verdict::kMismatch
        );
        CHECK(
            verify_fluxdesk(std::string{"v1="} + kCliFluxHex, tampered, kSecret) ==
            Verdict::kMismatch
        );
    }

    TEST_CASE("entries may carry spaces and unknown keys, and malformed headers are named as such"
    ) {
        std::string const spaced =
            std::string{" t=1767225600 , v0=abc, v1="} + kCliSignoffHex + " ";
        CHECK(verify_signoff(spaced, kSignoffBody, kSecret, kT) == Verdict::kValid);
        for (auto const* bad : {
                 "",
                 "v1=abc",
                 "t=1767225600",
                 "t=,v1=abc",
                 "t=12x,v1=abc",
                 "t=99999999999999999999999,v1=abc",
                 "garbage",
             }) {
            INFO(bad);
            CHECK(verify_signoff(bad, kSignoffBody, kSecret, kT) == Verdict::kMalformed);
        }
        CHECK(verify_fluxdesk("", kFluxBody, kSecret) == Verdict::kMalformed);
        CHECK(verify_fluxdesk("t=1", kFluxBody, kSecret) == Verdict::kMalformed);
    }
}
