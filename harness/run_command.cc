#include <algorithm>
#include <chrono>

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

}  // namespace

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const pinning::Topology topo = load_topology(options.output);
  // An explicit --cores list runs one interpreter per PU it names; a policy, two.
  const std::vector<PuList> pu_lists =
      options.cores ? std::vector<PuList>{resolve_cores(topo, *options.cores)}
                    : default_pairs(topo);
  check_plan_size(options.points, static_cast<double>(pu_lists.size()), pu_lists.front().size());
  const Plan plan =
      make_plan(options.points, topo, pu_lists, options.cores ? *options.cores : "default");
  if (options.output.dry_run) {
    out << describe(plan, topo);
    return 0;
  }
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  check_memory(options.points, pu_lists.front().size());
  // A run is one whole plan: shard 1 of 1, which refbench merge also takes.
  const results::PlanRecord record = plan_record(
      take_shard(plan, ShardSpec{}), plan_fingerprint(plan, options.points, counters.columns()));
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
  int status = execute_plan({topo, options.points, counters, plan, *sink, err, nullptr,
                             report_group, nullptr, "", precision});
  for (Plan more = next_blocks(plan, rows, options.points); status == 0 && !more.points.empty();
       more = next_blocks(plan, rows, options.points)) {
    if (!options.output.quiet) {
      out << "--precision: " << more.points.size() << " more runs (another block of "
          << "each group not yet within it)\n"
          << std::flush;
    }
    status = execute_plan({topo, options.points, counters, more, *sink, err, nullptr,
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
