#include <algorithm>
#include <chrono>
#include <optional>

#include "harness/budget.h"
#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/output_files.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/preflight.h"
#include "harness/ratio_checks.h"
#include "harness/report.h"
#include "harness/session.h"
#include "harness/shard.h"
#include "results/metadata.h"

namespace refbench::harness {
namespace {

// Each group's table (workload, PUs, payload), in the order the groups first ran.
std::string group_reports(const std::vector<results::ResultRow>& rows,
                          const PointOptions& options) {
  std::vector<std::vector<results::ResultRow>> groups;
  for (const results::ResultRow& r : rows) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.front().workload == r.workload && g.front().pus == r.pus &&
             g.front().payload_bytes == r.payload_bytes;
    });
    if (it == groups.end()) {
      groups.push_back({r});
    } else {
      it->push_back(r);
    }
  }
  std::string out;
  for (const auto& g : groups) {
    out += group_report(g, options.noise_threshold, options.ratios) + "\n";
  }
  return out;
}

// Smaller runs that would fit `fitting` points, for a budget that this one cannot fit.
std::vector<Alternative> smaller_runs(const PointOptions& options, std::size_t points,
                                      std::size_t fitting) {
  std::vector<Alternative> smaller;
  const std::size_t strategies = options.strategies.size();
  if (const std::size_t k = largest_fitting(points, strategies, fitting); k > 0 && k < strategies) {
    smaller.push_back(
        {"--strategy with " + std::to_string(k) + " of the " + std::to_string(strategies),
         points / strategies * k});
  }
  const std::size_t repetitions = options.repetitions;
  if (const std::size_t r = largest_fitting(points, repetitions, fitting);
      r >= 2 && r < repetitions) {
    smaller.push_back({"--repetitions " + std::to_string(r), points / repetitions * r});
  }
  if (options.workloads.size() > 1) {
    smaller.push_back({"--workload " + std::string(name(options.workloads.front())),
                       points / options.workloads.size()});
  }
  return smaller;
}

}  // namespace

int run_command(const RunOptions& given, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  RunOptions options = given;
  const pinning::Topology topo = load_topology(options.output);
  // An explicit --cores list runs one interpreter per PU it names; a policy, two;
  // --interpreters N --placement P, N placed by P.
  std::vector<PuList> pu_lists;
  std::string spec = "default";
  if (options.interpreters) {
    pu_lists = {resolve_pus(topo, "--placement", options.placement, *options.interpreters)};
    spec = options.placement;
  } else if (options.cores) {
    pu_lists = {resolve_cores(topo, *options.cores)};
    spec = *options.cores;
  } else {
    pu_lists = default_pairs(topo);
  }
  const PlanSpace space(options.points, topo, PuLists::given(pu_lists), spec);
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  const Plan plan = space.materialize();
  const std::size_t check_points = counter_check_points(counters, plan);
  // --budget: the timed phase is fitted before anything is written, and kept while it runs.
  std::optional<BudgetKeeper> keeper;
  const auto fit = [&](const PointOverhead& overhead) {
    const std::size_t points = plan.points.size() + check_points;
    return fit_budget(
        *options.points.budget, std::chrono::steady_clock::now() - started, points, overhead,
        [&](std::size_t fitting) { return smaller_runs(options.points, points, fitting); });
  };
  if (options.output.dry_run) {
    out << describe(space, topo, options.output.dry_run_all);
    const PointOverhead overhead = measure_overhead(options.points);
    PointOptions costed = options.points;
    if (options.points.budget) costed.config.duration = fit(overhead);
    out << estimate_line(plan.points.size() + check_points, costed, overhead);
    return 0;
  }
  check_rows_fit(space.size(), pu_lists.front().size());
  if (options.points.budget) {
    const PointOverhead overhead = measure_overhead(options.points);
    options.points.config.duration = fit(overhead);
    keeper.emplace(*options.points.budget, started, overhead, check_points);
  }
  check_memory(options.points, pu_lists.front().size());
  // A run is one whole plan: shard 1 of 1, which refbench merge also takes.
  const results::PlanRecord record = plan_record(
      take_shard(space, ShardSpec{}), plan_fingerprint(space, options.points, counters.columns()));
  // From here a signal stops the plan cleanly: the temporary file is never stranded.
  const InterruptScope interrupt;
  const auto sink =
      open_results(options.output, topo, counters, results::Opening::whole_file, record);
  announce_counters(counters, err);
  if (!options.output.quiet) {
    out << "refbench run: " << plan.points.size() << " runs (" << plan.dimensions << "), each ";
    if (options.points.config.messages > 0) {
      out << options.points.config.messages
          << " messages (pingpong: round trips; fanout: broadcasts; shuffle: per interpreter)\n";
    } else {
      out << std::chrono::duration<double>(options.points.config.duration).count() << " s\n";
    }
    for (const std::string& note : plan.notes) out << note << "\n";
    out << "\n";
  }
  sink->ask_ratios(options.points.ratios);
  // Without --precision each group's table is printed as soon as its last point is done;
  // with it, once no group needs another block.
  const bool precision = options.points.precision.has_value();
  std::vector<results::ResultRow> rows;
  std::vector<results::ResultRow> group;
  const auto report_group = [&](std::size_t i, const results::ResultRow& row) {
    rows.push_back(row);
    if (precision) return;
    group.push_back(row);
    const bool last =
        i + 1 == plan.points.size() || !same_group(plan.points[i], plan.points[i + 1]);
    if (!last) return;
    out << group_report(group, options.points.noise_threshold, options.points.ratios) << "\n"
        << std::flush;
    group.clear();
  };
  int status = execute_plan({topo, options.points, counters, StoredPoints(plan), *sink, err,
                             nullptr, report_group, nullptr, "", precision,
                             keeper ? &*keeper : nullptr, options.points.strategies.size()});
  // The check of the counters' cost runs at the last timed phase the budget chose.
  if (keeper) options.points.config.duration = keeper->next_timed_phase(0);
  for (Plan more = next_blocks(plan, rows, options.points); status == 0 && !more.points.empty();
       more = next_blocks(plan, rows, options.points)) {
    if (!options.output.quiet) {
      out << "--precision: " << more.points.size() << " more runs (another block of "
          << "each group not yet within it)\n"
          << std::flush;
    }
    status = execute_plan({topo, options.points, counters, StoredPoints(more), *sink, err, nullptr,
                           [&](std::size_t, const results::ResultRow& row) { rows.push_back(row); },
                           nullptr, "", true});
  }
  sink->commit();
  if (precision) out << group_reports(rows, options.points);
  RatioChecks checks = check_ratios(rows, options.points);
  if (status == 0) check_counter_overhead(topo, options.points, counters, plan, checks.checks);
  for (const std::string& line : checks.checks.counter_overhead) out << "check: " << line << "\n";
  write_ratio_checks(*sink, options.output.format.value_or(results::format_for(sink->path())),
                     checks);
  err << check_lines(checks.checks);
  out << "wrote " << sink->rows() << " rows to " << sink->path().string()
      << " (metadata: " << results::metadata_path(sink->path()).string() << ")\n"
      << std::flush;
  return plot_if_asked(options.output, *sink, status, err);
}

}  // namespace refbench::harness
