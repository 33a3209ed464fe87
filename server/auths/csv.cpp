// See csv.hpp. The writer never rejects input: every byte string has exactly
// one field encoding, so an export cannot fail on odd text.
#include "server/auths/csv.hpp"

namespace signoff::server::auths::csv {
namespace {

bool needs_quotes(std::string_view cell) {
    return cell.find_first_of(",\"\r\n") != std::string_view::npos;
}

template <class Cells>
void append_cells(std::string& out, Cells const& cells) {
    bool first = true;
    for (std::string_view cell : cells) {
        if (!first) {
            out.push_back(',');
        }
        first = false;
        append_field(out, cell);
    }
    out.append("\r\n");
}

}  // namespace

bool is_formula_like(std::string_view cell) {
    if (cell.empty()) {
        return false;
    }
    switch (cell.front()) {
        case '=':
        case '+':
        case '-':
        case '@':
        case '\t':
        case '\r':
            return true;
        default:
            return false;
    }
}

void append_field(std::string& out, std::string_view cell) {
    bool const neutralise = is_formula_like(cell);
    if (!needs_quotes(cell)) {
        if (neutralise) {
            out.push_back('\'');
        }
        out.append(cell);
        return;
    }
    out.push_back('"');
    if (neutralise) {
        out.push_back('\'');
    }
    for (char c : cell) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

void append_record(std::string& out, std::vector<std::string_view> const& cells) {
    append_cells(out, cells);
}

void append_record(std::string& out, std::initializer_list<std::string_view> cells) {
    append_cells(out, cells);
}

std::string join(std::vector<std::string> const& values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out.append("; ");
        }
        out.append(values[i]);
    }
    return out;
}

}  // namespace signoff::server::auths::csv
