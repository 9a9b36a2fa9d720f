// CSV files (RFC 4180) that are never half-written. A whole file (a run) goes to a temporary
// file beside the target and takes its real name only on commit(). A stream (a sweep, which
// may run for hours) is written in place, a flushed row at a time: an interrupted sweep
// keeps every row it finished, and no row is ever half there.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "results/output_file.h"

namespace refbench::results {

// Quotes a field if it holds a comma, quote, CR or LF; doubles inner quotes.
std::string csv_escape(std::string_view field);
// One record: escaped fields joined by commas, ended by CRLF as RFC 4180 says.
std::string csv_record(const std::vector<std::string>& fields);

// A CSV file read back: its header and rows, fields unquoted.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // The line of the file each row starts on (1 is the header's).
  std::vector<std::size_t> lines;
  // The last record had no line end: cut short (a killed writer, a full disk). It is not in
  // `rows`; `cut_line` is its line, 0 if none.
  std::size_t cut_line = 0;
  // The index of a column, or -1.
  int column(std::string_view name) const;
  // "line 7" of row r.
  std::string line_of(std::size_t r) const { return "line " + std::to_string(lines.at(r)); }
};

// Parses RFC 4180 text (quoted fields may hold commas, quotes and line breaks; CRLF or LF
// line ends). A last record without its line end is left out and its line kept in
// cut_line. Throws OutputError naming `origin` and the line of a malformed record.
CsvTable parse_csv(std::string_view text, const std::string& origin);
// Reads and parses a file, strictly: a header of distinct, non-empty names, and every row
// as many fields as the header. Throws OutputError ("FILE: line N: ...") for what is not,
// or naming the path and strerror if unreadable or not a regular file.
// A last row cut short is refused too, unless `allow_cut` (a resumed sweep trims it).
CsvTable read_csv(const std::filesystem::path& path, bool allow_cut = false);

// How a results file is opened (a CSV file, and the sinks of results/sink.h).
enum class Opening {
  whole_file,  // written to FILE.tmp, renamed on commit (a run)
  stream,      // written in place, a flushed row at a time (a sweep)
  append,      // rows appended to an existing CSV of the same columns (a resumed sweep)
};

class CsvFile {
 public:
  // Creates `path` + ".tmp" (whole_file) or `path` (stream: a new path unless `replace`)
  // and writes the header, or opens `path` to append rows under the header it already has
  // (append); the file is locked (flock) while it is written (results/output_file.h).
  // Throws OutputError naming the path and the reason if it cannot (the directory must
  // exist).
  CsvFile(std::filesystem::path path, const std::vector<std::string>& header,
          Opening opening = Opening::whole_file, bool replace = false);

  // Appends one row (as many fields as the header): on disk whole when this returns for a
  // stream, or not at all (a full disk: OutputError, and the file is as it was).
  void write_row(const std::vector<std::string>& fields);
  // Syncs and closes the file; a whole file is renamed from its temporary name to its real
  // one. Without commit() a whole file's temporary file is removed on destruction: nothing
  // half-written is left. A stream keeps its finished rows.
  void commit();

  const std::filesystem::path& path() const { return file_.path(); }
  std::size_t rows() const { return rows_; }

 private:
  void write_record(const std::vector<std::string>& fields);

  OutputFile file_;
  std::size_t columns_;
  std::size_t rows_ = 0;
};

}  // namespace refbench::results
