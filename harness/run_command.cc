#include <chrono>

#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/output_files.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/preflight.h"
#include "harness/report.h"
#include "harness/session.h"
#include "harness/shard.h"
#include "results/metadata.h"

namespace refbench::harness {

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const pinning::Topology topo = load_topology(options.output);
  // An explicit --cores list runs one interpreter per PU it names; a policy, two.
  const std::vector<PuList> pu_lists =
      options.cores ? std::vector<PuList>{resolve_cores(topo, *options.cores)}
                    : default_pairs(topo);
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
  std::vector<results::ResultRow> group;
  const auto report_group = [&](std::size_t i, const results::ResultRow& row) {
    group.push_back(row);
    const bool last =
        i + 1 == plan.points.size() || !same_group(plan.points[i], plan.points[i + 1]);
    if (!last) return;
    out << group_report(group, options.points.noise_threshold) << "\n" << std::flush;
    group.clear();
  };
  const int status = execute_plan(
      {topo, options.points, counters, plan, *sink, err, nullptr, report_group, nullptr, ""});
  out << "wrote " << sink->rows() << " rows to " << sink->path().string()
      << " (metadata: " << results::metadata_path(sink->path()).string() << ")\n"
      << std::flush;
  return plot_if_asked(options.output, *sink, status, err);
}

}  // namespace refbench::harness
