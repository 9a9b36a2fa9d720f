#include "harness/output_files.h"

#include <ctime>
#include <filesystem>
#include <string>

#include "harness/machine.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

std::filesystem::path default_output_path(results::Format format) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::filesystem::path dir = "results";
  std::filesystem::create_directories(dir);
  const std::string extension = format == results::Format::json ? ".json" : ".csv";
  std::filesystem::path path = dir / ("refbench-" + std::string(stamp) + extension);
  for (int n = 2; std::filesystem::exists(path); ++n) {
    path = dir / ("refbench-" + std::string(stamp) + "-" + std::to_string(n) + extension);
  }
  return path;
}

// The topology's XML and the metadata record beside the results, each written whole.
void write_beside(const std::filesystem::path& results_path, const pinning::Topology& topo,
                  const results::Metadata& metadata) {
  const std::filesystem::path xml = results::topology_xml_path(results_path);
  const std::string temporary = xml.string() + ".tmp";
  topo.export_xml(temporary);
  std::filesystem::rename(temporary, xml);
  results::write_file_atomically(results::metadata_path(results_path),
                                 results::to_json(metadata).dump(2) + "\n");
}

}  // namespace

std::unique_ptr<results::ResultSink> open_results(const OutputOptions& output,
                                                  const pinning::Topology& topo,
                                                  const CounterSet& counters,
                                                  results::Opening opening,
                                                  const results::PlanRecord& plan) {
  if (std::filesystem::is_directory(output.out)) {
    throw UsageError("--out: '" + output.out.string() + "' is a directory (allowed: a file path)");
  }
  const results::Format format = output.format.value_or(
      output.out.empty() ? results::Format::csv : results::format_for(output.out));
  try {
    const std::filesystem::path path =
        output.out.empty() ? default_output_path(format) : output.out;
    results::Metadata metadata = describe_machine(topo, counters, output.command_line);
    metadata.topology_xml = results::topology_xml_path(path).filename().string();
    metadata.plan = plan;
    auto sink = results::open_sink(path, format, opening, counters.columns(), metadata);
    const bool keep_metadata = opening == results::Opening::append &&
                               std::filesystem::exists(results::metadata_path(path));
    if (!keep_metadata) write_beside(path, topo, metadata);
    return sink;
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

}  // namespace refbench::harness
