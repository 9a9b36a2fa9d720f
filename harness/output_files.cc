#include "harness/output_files.h"

#include <ctime>
#include <filesystem>
#include <string>

#include "harness/machine.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

namespace fs = std::filesystem;

fs::path default_output_path(results::Format format) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const fs::path dir = "results";
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw UsageError("--out: cannot make the directory " + dir.string() +
                     " for the results: " + error.message() + " (give --out FILE elsewhere)");
  }
  const std::string extension = format == results::Format::json ? ".json" : ".csv";
  fs::path path = dir / ("refbench-" + std::string(stamp) + extension);
  for (int n = 2; fs::exists(path, error); ++n) {
    path = dir / ("refbench-" + std::string(stamp) + "-" + std::to_string(n) + extension);
  }
  return path;
}

// The files refbench would write must each be a regular file or a new path, and an
// existing result is not written over without --force.
void check_targets(const fs::path& path, const OutputOptions& output, results::Opening opening) {
  for (const fs::path& target :
       {path, results::metadata_path(path), results::topology_xml_path(path)}) {
    results::check_regular_or_new(target);
  }
  std::error_code error;
  const bool exists = fs::exists(path, error);
  if (opening == results::Opening::append) {
    if (!exists) throw results::OutputError(path.string() + " does not exist (nothing to resume)");
    return;
  }
  if (exists && !output.force) {
    throw results::OutputError(path.string() + " exists (refbench never writes over a result): " +
                               (opening == results::Opening::stream
                                    ? "use --resume to go on or --force to replace it"
                                    : "use --force to replace it"));
  }
}

// The topology's XML and the metadata record beside the results, each written whole; if
// the second cannot be written, neither is left.
void write_beside(const fs::path& results_path, const pinning::Topology& topo,
                  const results::Metadata& metadata) {
  const fs::path xml = results::topology_xml_path(results_path);
  results::write_file_atomically(xml, topo.xml());
  try {
    results::write_file_atomically(results::metadata_path(results_path),
                                   results::to_json(metadata).dump(2) + "\n");
  } catch (...) {
    std::error_code ignored;
    fs::remove(xml, ignored);
    throw;
  }
}

}  // namespace

std::unique_ptr<results::ResultSink> open_results(const OutputOptions& output,
                                                  const pinning::Topology& topo,
                                                  const CounterSet& counters,
                                                  results::Opening opening,
                                                  const results::PlanRecord& plan) {
  const results::Format format = output.format.value_or(
      output.out.empty() ? results::Format::csv : results::format_for(output.out));
  const fs::path path = output.out.empty() ? default_output_path(format) : output.out;
  try {
    check_targets(path, output, opening);
    results::Metadata metadata = describe_machine(topo, counters, output.command_line);
    metadata.topology_xml = results::topology_xml_path(path).filename().string();
    metadata.plan = plan;
    auto sink =
        results::open_sink(path, format, opening, output.force, counters.columns(), metadata);
    std::error_code error;
    const bool keep_metadata =
        opening == results::Opening::append && fs::exists(results::metadata_path(path), error);
    try {
      if (!keep_metadata) write_beside(path, topo, metadata);
    } catch (...) {
      // A stream was created in place: take it away with the files beside it.
      if (opening == results::Opening::stream) fs::remove(path, error);
      throw;
    }
    return sink;
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

}  // namespace refbench::harness
