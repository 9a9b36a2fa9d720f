#include "results/csv.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace refbench::results {
namespace {

std::string describe_errno(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_escape(fields[i]);
  }
  out += "\r\n";
  return out;
}

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// Reads one record starting at `at`; leaves `at` after its line end and counts the lines
// it crossed in `line`. `ended`: whether it had a line end.
std::vector<std::string> next_record(std::string_view text, std::size_t& at, std::size_t& line,
                                     bool& ended, const std::string& origin) {
  std::vector<std::string> fields(1);
  const std::size_t first = line;
  bool quoted = false;
  ended = false;
  while (at < text.size()) {
    const char c = text[at++];
    if (quoted) {
      if (c == '\n') ++line;
      if (c != '"') {
        fields.back() += c;
      } else if (at < text.size() && text[at] == '"') {
        fields.back() += '"';
        ++at;
      } else {
        quoted = false;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n' || (c == '\r' && at < text.size() && text[at] == '\n')) {
      if (c == '\r') ++at;
      ++line;
      ended = true;
      return fields;
    } else if (c == '"') {
      throw OutputError(origin + ": line " + std::to_string(line) +
                        ": a quote inside an unquoted field");
    } else {
      fields.back() += c;
    }
  }
  if (quoted) {
    throw OutputError(origin + ": line " + std::to_string(first) + ": a quoted field never ends");
  }
  return fields;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& origin) {
  CsvTable table;
  std::size_t at = 0;
  std::size_t line = 1;
  for (bool header = true; at < text.size(); header = false) {
    const std::size_t starts = line;
    bool ended = false;
    std::vector<std::string> record = next_record(text, at, line, ended, origin);
    if (!ended && !header) {
      table.cut_line = starts;
    } else if (header) {
      table.header = std::move(record);
    } else {
      table.rows.push_back(std::move(record));
      table.lines.push_back(starts);
    }
  }
  return table;
}

CsvTable read_csv(const std::filesystem::path& path, bool allow_cut) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error)) {
    throw OutputError("cannot read " + path.string() + ": not a regular file");
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw OutputError(describe_errno("cannot read", path));
  std::string text;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw OutputError(describe_errno("cannot read", path));
  const std::string origin = path.string();
  CsvTable table = parse_csv(text, origin);
  if (table.header.empty() || (table.header.size() == 1 && table.header[0].empty())) {
    throw OutputError(origin + ": line 1: no header (an empty file?)");
  }
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (table.header[c].empty()) {
      throw OutputError(origin + ": line 1: column " + std::to_string(c + 1) + " has no name");
    }
    for (std::size_t d = 0; d < c; ++d) {
      if (table.header[d] == table.header[c]) {
        throw OutputError(origin + ": line 1: the column '" + table.header[c] + "' is there twice");
      }
    }
  }
  if (table.cut_line > 0 && !allow_cut) {
    throw OutputError(origin + ": line " + std::to_string(table.cut_line) +
                      ": the last row is cut short (no line end: its writer was killed, or the "
                      "disk was full); sweep --resume removes it");
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r].size() != table.header.size()) {
      throw OutputError(origin + ": " + table.line_of(r) + ": " +
                        std::to_string(table.rows[r].size()) + " fields; the header has " +
                        std::to_string(table.header.size()));
    }
  }
  return table;
}

namespace {

OutputFile::Mode mode_of(Opening opening) {
  switch (opening) {
    case Opening::whole_file:
      return OutputFile::Mode::whole;
    case Opening::stream:
      return OutputFile::Mode::stream;
    case Opening::append:
      return OutputFile::Mode::append;
  }
  return OutputFile::Mode::whole;
}

}  // namespace

CsvFile::CsvFile(std::filesystem::path path, const std::vector<std::string>& header,
                 Opening opening, bool replace)
    : file_(std::move(path), mode_of(opening), replace), columns_(header.size()) {
  if (opening != Opening::append) write_record(header);
}

void CsvFile::write_row(const std::vector<std::string>& fields) {
  if (fields.size() != columns_) {
    throw std::logic_error("CSV row has " + std::to_string(fields.size()) + " fields, header " +
                           std::to_string(columns_));
  }
  write_record(fields);
  ++rows_;
}

void CsvFile::write_record(const std::vector<std::string>& fields) {
  file_.write(csv_record(fields));
}

void CsvFile::commit() { file_.commit(); }

}  // namespace refbench::results
