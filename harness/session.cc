#include "harness/session.h"

#include <sys/sysinfo.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "harness/execute.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

std::filesystem::path default_output_path() {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::filesystem::path dir = "results";
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / ("refbench-" + std::string(stamp) + ".csv");
  for (int n = 2; std::filesystem::exists(path); ++n) {
    path = dir / ("refbench-" + std::string(stamp) + "-" + std::to_string(n) + ".csv");
  }
  return path;
}

}  // namespace

pinning::Topology load_topology(const OutputOptions& output) {
  try {
    pinning::Topology topo = pinning::Topology::load(output.topology);
    if (!topo.is_this_machine() && !output.dry_run) {
      throw UsageError("--topology: " + topo.source() +
                       " can only be planned on, not measured (add --dry-run)");
    }
    return topo;
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--topology: ") + e.what());
  }
}

void check_memory(const PointOptions& options, std::size_t interpreters) {
  std::uint32_t largest = 0;
  for (std::uint32_t p : options.payloads) largest = std::max(largest, p);
  const double per_object = 64.0 + ((largest + 63) / 64) * 64.0;
  const double needed = per_object * options.objects * static_cast<double>(interpreters);
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return;
  const double allowed = static_cast<double>(info.totalram) * info.mem_unit / 2;
  if (needed > allowed) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "--objects %u with --payload %u on %zu interpreters needs %.1f GiB of heaps; at "
                  "most half of this machine's memory (%.1f GiB) is allowed",
                  options.objects, largest, interpreters, needed / (1 << 30), allowed / (1 << 30));
    throw UsageError(text);
  }
}

void announce_counters(const CounterSet& set, std::ostream& err) {
  const std::string hardware = set.hardware_unavailable_line();
  if (!hardware.empty()) err << "refbench: " << hardware << "\n";
  for (const std::string& note : set.notes()) {
    // Hardware events all failing for one reason was said above, once.
    if (hardware.empty() || note.find("ENOENT") == std::string::npos) {
      err << "refbench: counter " << note << "\n";
    }
  }
}

std::unique_ptr<results::CsvFile> open_results(const OutputOptions& output,
                                               const CounterSet& counters,
                                               results::CsvFile::Mode mode) {
  if (std::filesystem::is_directory(output.out)) {
    throw UsageError("--out: '" + output.out.string() + "' is a directory (allowed: a file path)");
  }
  try {
    const std::filesystem::path path = output.out.empty() ? default_output_path() : output.out;
    return std::make_unique<results::CsvFile>(path, results::csv_header(counters.columns()), mode);
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

int execute_plan(const pinning::Topology& topo, const PointOptions& options,
                 const CounterSet& counters, const Plan& plan, results::CsvFile& csv,
                 std::ostream& err,
                 const std::function<void(std::size_t, const results::ResultRow&)>& after_each) {
  std::size_t failing_rows = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    try {
      const results::ResultRow row = measure(topo, options, counters, plan.points[i]);
      csv.write_row(results::csv_fields(row));
      if (row.strategy_is_correct && row.violations > 0) ++failing_rows;
      after_each(i, row);
    } catch (const std::exception& e) {
      csv.commit();
      err << "refbench: error: " << describe(plan.points[i]) << ": " << e.what() << "; the "
          << csv.rows() << " rows finished before it are in " << csv.path().string() << "\n";
      return 1;
    }
  }
  csv.commit();
  if (failing_rows > 0) {
    err << "refbench: FAIL: " << failing_rows
        << " rows of correct strategies show violations (see the violations column of "
        << csv.path().string() << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace refbench::harness
