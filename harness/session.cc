#include "harness/session.h"

#include <sys/sysinfo.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "harness/commands.h"
#include "harness/execute.h"
#include "harness/interrupt.h"
#include "harness/libpfm.h"
#include "harness/machine.h"
#include "harness/usage_error.h"
#include "results/metadata.h"

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
    // Hardware events all failing for one reason (no PMU here, no libpfm4 in this build)
    // was said above, once.
    const bool said =
        note.find("ENOENT") != std::string::npos || note.find(kWithoutLibpfm) != std::string::npos;
    if (hardware.empty() || !said) err << "refbench: counter " << note << "\n";
  }
}

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

int execute_plan(const PlanRun& run) {
  std::size_t failing_rows = 0;
  const InterruptScope interrupt;
  for (std::size_t i = 0; i < run.plan.points.size(); ++i) {
    if (InterruptScope::requested()) {
      run.sink.commit();
      if (run.before_message) run.before_message();
      run.err << "refbench: interrupted after " << i << " of " << run.plan.points.size()
              << " points; the " << run.sink.rows() << " rows finished are in "
              << run.sink.path().string() << "\n";
      if (!run.resume_hint.empty()) run.err << "refbench: to go on: " << run.resume_hint << "\n";
      return kInterrupted;
    }
    const Point& point = run.plan.points[i];
    if (run.before_each) run.before_each(i, point);
    try {
      const results::ResultRow row = measure(run.topo, run.options, run.counters, point);
      run.sink.write(row);
      if (row.strategy_is_correct && row.violations > 0) ++failing_rows;
      if (!row.error.empty()) {
        ++failing_rows;
        if (run.before_message) run.before_message();
        run.err << "refbench: " << describe(point) << ": " << row.error
                << "; its row says so, and the run goes on\n";
      }
      if (run.after_each) run.after_each(i, row);
    } catch (const std::exception& e) {
      run.sink.commit();
      if (run.before_message) run.before_message();
      run.err << "refbench: error: " << describe(point) << ": " << e.what() << "; the "
              << run.sink.rows() << " rows finished before it are in " << run.sink.path().string()
              << "\n";
      return 1;
    }
  }
  run.sink.commit();
  if (run.before_message) run.before_message();
  if (failing_rows > 0) {
    run.err << "refbench: FAIL: " << failing_rows
            << " rows of correct strategies show violations or were given up (see the "
               "violations and error columns of "
            << run.sink.path().string() << ")\n";
    return 1;
  }
  return 0;
}

int plot_if_asked(const OutputOptions& output, const results::ResultSink& sink, int status,
                  std::ostream& err) {
  if (!output.plot) return status;
  if (status == kInterrupted || sink.rows() == 0) {
    err << "refbench: no plots: the run did not finish (refbench plot " << sink.path().string()
        << " draws what is there)\n";
    return status;
  }
  const int plotted = plot_command(PlotOptions{sink.path(), {}}, err);
  if (plotted != 0) err << "refbench: the plots could not be drawn (exit " << plotted << ")\n";
  return status == 0 && plotted != 0 ? 1 : status;
}

}  // namespace refbench::harness
