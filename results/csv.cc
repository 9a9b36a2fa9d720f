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

CsvFile::CsvFile(std::filesystem::path path, const std::vector<std::string>& header, Mode mode)
    : path_(std::move(path)),
      writing_(mode == Mode::stream ? path_ : std::filesystem::path(path_.string() + ".tmp")),
      columns_(header.size()) {
  file_ = std::fopen(writing_.c_str(), "wb");
  if (file_ == nullptr) throw OutputError(describe_errno("cannot write", writing_));
  write_record(header);
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
