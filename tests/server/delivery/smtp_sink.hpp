// The SMTP sink for delivery tests: tests/server/delivery/smtp_sink.py
// (aiosmtpd from Debian's python3-aiosmtpd) started as a child process. It
// prints "PORT n", then one JSON line per accepted message; closing its stdin
// ends it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/support/process.hpp"

namespace signoff::testing {

struct SmtpSink {
    Child child{{"/usr/bin/python3", SIGNOFF_SOURCE_DIR "/tests/server/delivery/smtp_sink.py"}, {}};
    std::uint16_t port{0};

    SmtpSink() {
        auto line = child.read_line(std::chrono::seconds{20});
        REQUIRE_MESSAGE(
            line.has_value(),
            "the SMTP sink did not start (is python3-aiosmtpd installed? run scripts/setup.sh): "
                << child.stderr_text()
        );
        REQUIRE(line->starts_with("PORT "));
        port = static_cast<std::uint16_t>(std::stoi(line->substr(5)));
    }

    /// The next message the sink accepts (waits up to 20 s).
    boost::json::object next_message() {
        auto line = child.read_line(std::chrono::seconds{20});
        REQUIRE_MESSAGE(line.has_value(), "the sink printed no message");
        return boost::json::parse(*line).as_object();
    }

    /// Every message still unread, once the sink has exited: to show that no
    /// more arrived without waiting on a timer.
    std::vector<boost::json::object> drain() {
        child.close_stdin();
        std::vector<boost::json::object> out;
        while (auto line = child.read_line(std::chrono::seconds{20})) {
            out.push_back(boost::json::parse(*line).as_object());
        }
        return out;
    }
};

}  // namespace signoff::testing
