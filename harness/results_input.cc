#include "harness/results_input.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "harness/usage_error.h"
#include "results/row.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {
namespace {

bool is_whole(const std::string& text) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_number(const std::string& text) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(value);
}

namespace {

// refbench's JSON (Google Benchmark's schema), known by its first character: the readers
// take the CSV, and say so instead of failing on the CSV tokenizer.
bool looks_like_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
  }
  return in && c == '{';
}

}  // namespace

results::CsvTable read_results_csv(const std::filesystem::path& path, const std::string& context,
                                   bool allow_cut) {
  const std::string origin = path.string();
  if (looks_like_json(path)) {
    throw UsageError(context + origin +
                     " is refbench's JSON (Google Benchmark's schema, for its tools); this "
                     "reads refbench's CSV: the same run written with --out FILE.csv (or "
                     "--format csv)");
  }
  results::CsvTable table;
  try {
    table = results::read_csv(path, allow_cut);
  } catch (const results::OutputError& e) {
    throw UsageError(context + e.what());
  }
  for (const char* column : kResultsKeyColumns) {
    if (table.column(column) < 0) {
      throw UsageError(context + origin +
                       " is not a refbench results CSV (needs the columns workload, strategy, "
                       "pus, payload_bytes, repetition and ns_per_msg; line 1 lacks " +
                       column + ")");
    }
  }
  // What makes a row one point and repetition: every setting column but the host and the
  // error (a point measured on two hosts is the same point).
  std::vector<std::size_t> key_columns;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (!results::is_figure(name) && name != "host" && name != "error") key_columns.push_back(c);
  }
  std::map<std::string, std::size_t> seen;  // key -> row
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const auto bad = [&](const char* column, const std::string& why) {
      return UsageError(context + origin + ": " + table.line_of(r) + ": field " + column + ": '" +
                        row[static_cast<std::size_t>(table.column(column))] + "' " + why);
    };
    const auto field = [&](const char* column) -> const std::string* {
      const int c = table.column(column);
      return c < 0 ? nullptr : &row[static_cast<std::size_t>(c)];
    };
    if (!workloads::parse_workload(*field("workload"))) {
      throw bad("workload", "is not a workload");
    }
    if (!workloads::parse_strategy(*field("strategy"))) {
      throw bad("strategy", "is not a strategy");
    }
    for (const char* column : {"payload_bytes", "repetition", "interpreters"}) {
      const std::string* value = field(column);
      if (value != nullptr && !is_whole(*value)) throw bad(column, "is not a whole number");
    }
    for (const char* column : {"ns_per_msg", "msgs_per_s"}) {
      const std::string* value = field(column);
      if (value != nullptr && !value->empty() && !is_number(*value)) {
        throw bad(column, "is not a number");
      }
    }
    std::string key;
    for (std::size_t c : key_columns) key += row[c] + '\x1f';
    const auto [it, added] = seen.emplace(key, r);
    if (!added) {
      throw UsageError(context + origin + ": " + table.line_of(r) + ": the same point (" +
                       *field("workload") + " " + *field("strategy") + " PUs " + *field("pus") +
                       " payload " + *field("payload_bytes") + " rep " + *field("repetition") +
                       ") as " + table.line_of(it->second));
    }
  }
  return table;
}

}  // namespace refbench::harness
