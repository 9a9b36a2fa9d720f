#include "results/csv.h"

#include <cerrno>
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

// Reads one record starting at `at`; leaves `at` after its line end.
std::vector<std::string> next_record(std::string_view text, std::size_t& at, std::size_t line,
                                     const std::string& origin) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (at < text.size()) {
    const char c = text[at++];
    if (quoted) {
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
      return fields;
    } else if (c == '"') {
      throw OutputError(origin + ": line " + std::to_string(line) +
                        ": a quote inside an unquoted field");
    } else {
      fields.back() += c;
    }
  }
  if (quoted)
    throw OutputError(origin + ": line " + std::to_string(line) + ": a quoted field never ends");
  return fields;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& origin) {
  CsvTable table;
  std::size_t at = 0;
  for (std::size_t line = 1; at < text.size(); ++line) {
    std::vector<std::string> record = next_record(text, at, line, origin);
    if (line == 1) {
      table.header = std::move(record);
    } else {
      table.rows.push_back(std::move(record));
    }
  }
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw OutputError(describe_errno("cannot read", path));
  std::string text;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  std::fclose(file);
  return parse_csv(text, path.string());
}

CsvFile::CsvFile(std::filesystem::path path, const std::vector<std::string>& header,
                 Opening opening)
    : path_(std::move(path)),
      writing_(opening == Opening::whole_file ? std::filesystem::path(path_.string() + ".tmp")
                                              : path_),
      columns_(header.size()) {
  file_ = std::fopen(writing_.c_str(), opening == Opening::append ? "ab" : "wb");
  if (file_ == nullptr) throw OutputError(describe_errno("cannot write", writing_));
  if (opening != Opening::append) write_record(header);
}

CsvFile::~CsvFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (committed_ || writing_ == path_) return;
  std::error_code ignored;
  std::filesystem::remove(writing_, ignored);
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
  const std::string record = csv_record(fields);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fflush(file_) != 0) {
    throw OutputError(describe_errno("cannot write", writing_));
  }
}

void CsvFile::commit() {
  if (committed_) return;  // a second commit (after an early stop) has nothing to do
  if (std::fclose(file_) != 0) {
    file_ = nullptr;
    throw OutputError(describe_errno("cannot close", writing_));
  }
  file_ = nullptr;
  if (writing_ == path_) {
    committed_ = true;
    return;
  }
  std::error_code error;
  std::filesystem::rename(writing_, path_, error);
  if (error) {
    throw OutputError("cannot rename " + writing_.string() + " to " + path_.string() + ": " +
                      error.message());
  }
  committed_ = true;
}

}  // namespace refbench::results
