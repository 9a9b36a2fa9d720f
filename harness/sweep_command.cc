#include <unistd.h>

#include <algorithm>

#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/output_files.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/preflight.h"
#include "harness/progress.h"
#include "harness/ratio_checks.h"
#include "harness/report.h"
#include "harness/resume.h"
#include "harness/session.h"
#include "harness/shard.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

// What chose the lists, for the placement column.
std::string placement_spec(const SweepOptions& options) {
  if (!options.interpreters.empty()) return options.placement;
  switch (options.pairs) {
    case PairSelection::all:
      return "pairs:all";
    case PairSelection::unordered:
      return "pairs:unordered";
    case PairSelection::classes:
      return "pairs:classes";
  }
  return "pairs";
}

std::vector<PuList> swept_pu_lists(const SweepOptions& options, const pinning::Topology& topo) {
  if (options.interpreters.empty()) {
    const double pus = static_cast<double>(topo.pus().size());
    if (options.pairs != PairSelection::classes) {
      check_plan_size(options.points,
                      options.pairs == PairSelection::all ? pus * (pus - 1) : pus * (pus - 1) / 2,
                      2);
    }
    std::vector<PuList> pairs = sweep_pairs(topo, options.pairs);
    if (pairs.empty()) {
      // One PU (a one-PU cpuset, taskset -c 0) has no pair of distinct PUs.
      throw UsageError("--pairs " + placement_spec(options).substr(6) + ": " + topo.source() +
                       " has " + std::to_string(topo.pus().size()) +
                       " PU that this process may run on, and pairs of distinct PUs need two "
                       "(allow more with taskset or the cpuset, or use --pairs classes)");
    }
    return pairs;
  }
  std::vector<PuList> lists;
  for (unsigned n : options.interpreters) {
    lists.push_back(resolve_pus(topo, "--placement", options.placement, n));
  }
  return lists;
}

// The plan without the points `done`.
Plan without(const Plan& plan, const std::vector<bool>& done) {
  Plan rest = plan;
  rest.points.clear();
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    if (!done[i]) rest.points.push_back(plan.points[i]);
  }
  return rest;
}

std::string resume_hint(const SweepOptions& options, const std::filesystem::path& file) {
  if (!options.resume.empty()) return options.output.command_line;
  // --force replaced the file once; going on appends to it (and --resume refuses --force).
  std::string command = options.output.command_line;
  for (std::size_t at; (at = command.find(" --force")) != std::string::npos;) {
    const std::size_t end = at + 8;
    if (end != command.size() && command[end] != ' ') break;
    command.erase(at, 8);
  }
  return command + " --resume '" + file.string() + "'";
}

// "120 points", or where the sweep is sharded "shard 2 of 8: 15 of 120 points".
std::string points_text(const Shard& shard) {
  const std::string points = std::to_string(shard.plan.points.size());
  if (shard.spec.count == 1) return points + " points";
  return "shard " + std::to_string(shard.spec.index) + " of " + std::to_string(shard.spec.count) +
         ": " + points + " of " + std::to_string(shard.full_points) + " points";
}

// More shards than groups: the shard has nothing to run. It still leaves a valid results
// file (the header, its metadata) and exits 0, so a job array's task succeeds and merge
// sees every shard.
int empty_shard(const Shard& shard, results::ResultSink& sink, std::ostream& out) {
  sink.commit();
  out << "refbench sweep: shard " << shard.spec.index << " of " << shard.spec.count
      << " has no points: the plan's " << shard.full_groups
      << (shard.full_groups == 1 ? " group" : " groups")
      << " (a workload, payload and PUs with all their strategies and repetitions, never "
         "split) went to the shards before it; wrote "
      << sink.path().string() << " with the header only\n"
      << std::flush;
  return 0;
}

}  // namespace

int sweep_command(const SweepOptions& given, std::ostream& out, std::ostream& err) {
  SweepOptions options = given;
  if (!options.resume.empty()) {
    if (!options.output.out.empty() && options.output.out != options.resume) {
      throw UsageError("--resume " + options.resume.string() + " and --out " +
                       options.output.out.string() +
                       " conflict: a resumed sweep appends to the "
                       "file it resumes");
    }
    if (results::format_for(options.resume) != results::Format::csv ||
        options.output.format == results::Format::json) {
      throw UsageError("--resume: only a CSV can be resumed (JSON is written whole at the end)");
    }
    options.output.out = options.resume;
  }
  const pinning::Topology topo = load_topology(options.output);
  const std::vector<PuList> pu_lists = swept_pu_lists(options, topo);
  std::size_t widest = 0;
  for (const PuList& pus : pu_lists) widest = std::max(widest, pus.size());
  check_plan_size(options.points, static_cast<double>(pu_lists.size()), widest);
  const Plan full_plan = make_plan(options.points, topo, pu_lists, placement_spec(options));
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  const Shard shard = take_shard(full_plan, options.shard.value_or(ShardSpec{}));
  const results::PlanRecord record =
      plan_record(shard, plan_fingerprint(full_plan, options.points, counters.columns()));
  const bool resuming = !options.resume.empty();
  std::size_t cut_line = 0;
  const auto done = [&] {
    return shard_points_done(options.resume, shard.plan, options.points, counters, record,
                             &cut_line);
  };
  // A last row cut short (a killed sweep, a full disk) is removed when the file is opened
  // to append, and its point runs again.
  const auto say_cut = [&](const char* what) {
    if (cut_line == 0) return;
    err << "refbench: --resume: " << options.resume.string() << " line " << cut_line
        << " is a row cut short (its writer was killed, or the disk was full); " << what << "\n";
  };
  if (options.output.dry_run) {
    // A resumed dry run checks the file as the real resume would, and says what is left.
    const Plan left = resuming ? without(shard.plan, done()) : shard.plan;
    out << (options.shard ? describe(shard, topo, record.fingerprint) : describe(full_plan, topo));
    if (resuming) {
      say_cut("a resume removes it and runs its point again");
      out << "resuming " << options.resume.string() << ": "
          << shard.plan.points.size() - left.points.size() << " of " << shard.plan.points.size()
          << " points already there, " << left.points.size() << " to go\n";
    }
    return 0;
  }
  std::size_t most_interpreters = 0;
  for (const PuList& pus : pu_lists) most_interpreters = std::max(most_interpreters, pus.size());
  check_memory(options.points, most_interpreters);
  const Plan plan = resuming ? without(shard.plan, done()) : shard.plan;
  // From here a signal stops the plan cleanly: the temporary file is never stranded.
  const InterruptScope interrupt;
  const auto sink =
      open_results(options.output, topo, counters,
                   resuming ? results::Opening::append : results::Opening::stream, record);
  say_cut("removed it; its point runs again");
  if (shard.plan.points.empty()) return empty_shard(shard, *sink, out);
  announce_counters(counters, err);
  if (!options.output.quiet) {
    if (resuming) {
      out << "refbench sweep: resuming " << sink->path().string() << ": "
          << shard.plan.points.size() - plan.points.size() << " of " << shard.plan.points.size()
          << " points already there, " << plan.points.size() << " to go\n";
    } else {
      out << "refbench sweep: " << points_text(shard) << " (" << plan.dimensions
          << "), rows written to " << sink->path().string() << " as they finish\n";
    }
    for (const std::string& note : plan.notes) out << note << "\n";
    out << std::flush;
  }
  std::vector<results::ResultRow> rows;
  {
    ProgressLine progress(err, isatty(STDERR_FILENO) == 1 && !options.output.quiet,
                          plan.points.size());
    const int status =
        execute_plan({topo, options.points, counters, plan, *sink, err,
                      [&](std::size_t i, const Point& point) { progress.show(i, describe(point)); },
                      [&](std::size_t, const results::ResultRow& row) { rows.push_back(row); },
                      [&] { progress.clear(); }, resume_hint(options, sink->path())});
    if (status != 0) return plot_if_asked(options.output, *sink, status, err);
  }
  // The ratios of a resumed sweep would cover only the points run now: none are written.
  if (!resuming) {
    const RatioChecks checks = check_ratios(rows, options.points);
    write_ratio_checks(*sink, options.output.format.value_or(results::format_for(sink->path())),
                       checks);
    err << check_lines(checks.checks);
  }
  const SummaryAxis axis =
      options.interpreters.empty() ? SummaryAxis::distance_class : SummaryAxis::interpreters;
  out << sweep_summary(rows, axis) << "wrote " << sink->rows() << " rows to "
      << sink->path().string() << "\n"
      << std::flush;
  return plot_if_asked(options.output, *sink, 0, err);
}

}  // namespace refbench::harness
