// RFC 4180 CSV writing for auths_export (server/auths/export.cpp): quoting,
// CRLF record ends, and the OWASP CSV-injection rule for cells a spreadsheet
// would otherwise evaluate. Pure text functions; no I/O, no allocation beyond `out`.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace signoff::server::auths::csv {

/// True when a spreadsheet would treat `cell` as a formula or a command: it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return (the OWASP
/// "CSV Injection" list).
bool is_formula_like(std::string_view cell);

/// Appends `cell` as one RFC 4180 field. A formula-like cell is first
/// neutralised by prefixing a single quote `'` (OWASP: the spreadsheet then
/// shows it as text; the quote is visible, which is the price of safety). The
/// field is then enclosed in double quotes when it contains a comma, a double
/// quote, CR or LF, with each inner double quote doubled. Bytes are copied as
/// they are, so UTF-8 text passes through unchanged.
void append_field(std::string& out, std::string_view cell);

/// Appends one record: the fields separated by commas, then CRLF.
void append_record(std::string& out, std::vector<std::string_view> const& cells);
void append_record(std::string& out, std::initializer_list<std::string_view> cells);

/// Joins the values of a many-valued column with "; " (the cell is then
/// quoted and neutralised like any other by append_field).
std::string join(std::vector<std::string> const& values);

}  // namespace signoff::server::auths::csv
