// Where a run's rows go: one interface, a CSV and a JSON implementation. The runner hands
// rows over and commits; it does not know the format.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "results/csv.h"
#include "results/metadata.h"
#include "results/ratios.h"
#include "results/row.h"

namespace refbench::results {

enum class Format { csv, json };
// `.json` -> json, anything else csv.
Format format_for(const std::filesystem::path& path);

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // A finished row: a CSV stream has it on disk when this returns.
  virtual void write(const ResultRow& row) = 0;
  // Makes the file whole under its real name (also after an interruption: with the rows
  // written so far).
  virtual void commit() = 0;
  // More ratios to report where the format carries them (JSON: its "ratios" array).
  virtual void ask_ratios(const std::vector<RatioPair>&) {}
  virtual const std::filesystem::path& path() const = 0;
  virtual std::size_t rows() const = 0;
};

// Opens the sink for `path` in `format` (Opening: results/csv.h; `replace`: a stream may
// take the place of an existing file), with a column group per counter. JSON is always
// written whole on commit (JSON cannot be appended a row at a time). Throws OutputError.
std::unique_ptr<ResultSink> open_sink(const std::filesystem::path& path, Format format,
                                      Opening opening, bool replace,
                                      const std::vector<std::string>& counters,
                                      const Metadata& metadata);

}  // namespace refbench::results
