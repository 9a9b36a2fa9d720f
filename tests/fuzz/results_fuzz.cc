// Fuzzes the readers of results files (compare, merge, plot and sweep --resume read CSVs
// through harness/results_input.h): every text is either a table whose rows all have the
// header's fields, or a one-line UsageError that names the file; never another exception.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "harness/results_input.h"
#include "harness/usage_error.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using refbench::fuzz::expect;

const std::string& scratch_file() {
  static const std::string path = "/tmp/refbench-results-fuzz-" + std::to_string(getpid()) + ".csv";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string& path = scratch_file();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  for (const bool allow_cut : {false, true}) {
    try {
      const auto table = refbench::harness::read_results_csv(path, "fuzz: ", allow_cut);
      for (const auto& row : table.rows) {
        expect(row.size() == table.header.size(), "a row with other fields than the header");
      }
      expect(table.rows.size() == table.lines.size(), "a row without its line");
      if (!allow_cut) expect(table.cut_line == 0, "a cut row accepted");
    } catch (const refbench::harness::UsageError& e) {
      const std::string_view message = e.what();
      expect(message.rfind("fuzz: ", 0) == 0, "a message without its context", message);
      expect(message.find(path) != std::string_view::npos, "a message without the file", message);
    }
  }
  return 0;
}
