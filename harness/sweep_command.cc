#include <algorithm>

#include "harness/commands.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/report.h"
#include "harness/session.h"

namespace refbench::harness {
namespace {

std::vector<PuList> swept_pu_lists(const SweepOptions& options, const pinning::Topology& topo) {
  if (options.interpreters.empty()) return sweep_pairs(topo, options.pairs);
  std::vector<PuList> lists;
  for (unsigned n : options.interpreters) {
    lists.push_back(resolve_pus(topo, "--placement", options.placement, n));
  }
  return lists;
}

std::string progress_line(std::size_t i, std::size_t total, const Point& point,
                          const results::ResultRow& row) {
  char figures[128];
  std::snprintf(figures, sizeof figures, ": %.1f ns/msg, %llu violations", row.ns_per_msg(),
                static_cast<unsigned long long>(row.violations));
  return "[" + std::to_string(i + 1) + "/" + std::to_string(total) + "] " + describe(point) +
         figures + "\n";
}

}  // namespace

int sweep_command(const SweepOptions& options, std::ostream& out, std::ostream& err) {
  const pinning::Topology topo = load_topology(options.output);
  const std::vector<PuList> pu_lists = swept_pu_lists(options, topo);
  const Plan plan = make_plan(options.points, topo, pu_lists);
  if (options.output.dry_run) {
    out << describe(plan, topo);
    return 0;
  }
  std::size_t most_interpreters = 0;
  for (const PuList& pus : pu_lists) most_interpreters = std::max(most_interpreters, pus.size());
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  check_memory(options.points, most_interpreters);
  const auto csv = open_results(options.output, counters, results::CsvFile::Mode::stream);
  announce_counters(counters, err);
  if (!options.output.quiet) {
    out << "refbench sweep: " << plan.points.size() << " points (" << plan.dimensions
        << "), rows stream to " << csv->path().string() << "\n";
    for (const std::string& note : plan.notes) out << note << "\n";
    out << std::flush;
  }
  std::vector<results::ResultRow> rows;
  const int status = execute_plan(
      topo, options.points, counters, plan, *csv, err, [&](std::size_t i, const auto& row) {
        rows.push_back(row);
        if (!options.output.quiet) err << progress_line(i, plan.points.size(), plan.points[i], row);
      });
  const SummaryAxis axis =
      options.interpreters.empty() ? SummaryAxis::distance_class : SummaryAxis::interpreters;
  out << sweep_summary(rows, axis) << "wrote " << csv->rows() << " rows to " << csv->path().string()
      << "\n";
  return status;
}

}  // namespace refbench::harness
