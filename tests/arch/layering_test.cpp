// The layers point one way (STYLE.md rule 1): every `#include "…"` in the
// source tree is checked against the allowed edges, and third-party headers
// that must stay behind one folder are found nowhere else.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

namespace {

struct Include {
    std::string file;  // repo-relative path of the including file
    std::string target;
    bool angled;
};

std::vector<Include> scan_includes() {
    static std::regex const kInclude{R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])"};
    std::vector<Include> out;
    fs::path const root{SIGNOFF_SOURCE_DIR};
    for (auto const* dir : {"schemas", "storage", "server", "tools", "transport"}) {
        for (auto const& entry : fs::recursive_directory_iterator(root / dir)) {
            auto const ext = entry.path().extension();
            if (ext != ".cpp" && ext != ".hpp") {
                continue;
            }
            std::ifstream in(entry.path());
            std::string line;
            std::smatch m;
            while (std::getline(in, line)) {
                if (std::regex_search(line, m, kInclude)) {
                    out.push_back({fs::relative(entry.path(), root).string(), m[2], m[1] == "<"});
                }
            }
        }
    }
    return out;
}

bool starts_with(std::string const& s, std::string_view prefix) {
    return s.rfind(prefix, 0) == 0;
}

/// May a file under `from` include our header `to`?
bool allowed(std::string const& from, std::string const& to) {
    if (starts_with(from, "server/app/")) {
        return true;  // the composition root
    }
    if (starts_with(from, "schemas/")) {
        return starts_with(to, "schemas/");
    }
    if (starts_with(from, "storage/")) {
        return starts_with(to, "storage/");
    }
    if (starts_with(from, "server/")) {
        return (starts_with(to, "server/") && !starts_with(to, "server/app/")) ||
               starts_with(to, "storage/");
    }
    if (starts_with(from, "tools/")) {
        return starts_with(to, "tools/") || starts_with(to, "schemas/") ||
               (starts_with(to, "server/") && !starts_with(to, "server/app/"));
    }
    if (starts_with(from, "transport/")) {
        return starts_with(to, "transport/") || starts_with(to, "tools/registry/") ||
               starts_with(to, "tools/codec/") || starts_with(to, "server/core/") ||
               starts_with(to, "server/events/");
    }
    return false;
}

}  // namespace

TEST_SUITE("arch/layering") {
    TEST_CASE("no file includes a layer above its own") {
        auto const includes = scan_includes();
        CHECK(includes.size() > 20);
        for (auto const& inc : includes) {
            if (inc.angled) {
                continue;
            }
            INFO(inc.file << " includes " << inc.target);
            CHECK(allowed(inc.file, inc.target));
        }
    }

    TEST_CASE("database and HTTP client headers stay in their own folders") {
        for (auto const& inc : scan_includes()) {
            INFO(inc.file << " includes " << inc.target);
            if (inc.target == "sqlite3.h") {
                CHECK(starts_with(inc.file, "storage/sqlite/"));
            }
            if (inc.target == "libpq-fe.h") {
                CHECK(starts_with(inc.file, "storage/postgres/"));
            }
            if (inc.target == "httplib.h") {
                CHECK(starts_with(inc.file, "transport/http/"));
                CHECK(inc.file.ends_with(".cpp"));
            }
            if (starts_with(inc.target, "boost/json")) {
                // The domain's one door to Boost.JSON is server/core/json_doc.
                CHECK_FALSE(
                    (starts_with(inc.file, "server/") && !starts_with(inc.file, "server/app/") &&
                     !starts_with(inc.file, "server/core/json_doc."))
                );
                CHECK_FALSE(starts_with(inc.file, "storage/"));
            }
        }
    }

    TEST_CASE("the checker itself rejects an upward include") {
        CHECK_FALSE(allowed("storage/repos/catalog.cpp", "server/core/error.hpp"));
        CHECK_FALSE(allowed("server/catalog/service.cpp", "tools/registry/registry.hpp"));
        CHECK_FALSE(allowed("tools/families/catalog.cpp", "transport/mcp/engine.hpp"));
        CHECK_FALSE(allowed("tools/families/catalog.cpp", "server/app/services.hpp"));
        CHECK(allowed("transport/http/server.cpp", "tools/registry/registry.hpp"));
    }
}
