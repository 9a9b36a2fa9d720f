#include <unistd.h>

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
#include "harness/progress.h"
#include "harness/ratio_checks.h"
#include "harness/report.h"
#include "harness/resume.h"
#include "harness/session.h"
#include "harness/shard.h"
#include "harness/usage_error.h"
#include "pinning/placement.h"

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
    case PairSelection::symmetric:
      return "pairs:symmetric";
    case PairSelection::classes:
      return "pairs:classes";
    case PairSelection::sample:
      return "pairs:sample:" + std::to_string(options.sample_k);
  }
  return "pairs";
}

PuLists swept_pu_lists(const SweepOptions& options, const pinning::Topology& topo) {
  if (options.interpreters.empty()) {
    if (topo.pus().size() < 2 && options.pairs != PairSelection::classes &&
        options.pairs != PairSelection::sample) {
      // One PU (a one-PU cpuset, taskset -c 0) has no pair of distinct PUs.
      throw UsageError("--pairs " + placement_spec(options).substr(6) + ": " + topo.source() +
                       " has " + std::to_string(topo.pus().size()) +
                       " PU that this process may run on, and pairs of distinct PUs need two "
                       "(allow more with taskset or the cpuset, or use --pairs classes)");
    }
    if (options.pairs == PairSelection::classes || options.pairs == PairSelection::sample) {
      return PuLists::given(sweep_pairs(topo, options.pairs, options.sample_k));
    }
    return PuLists::every_pair(topo, options.pairs != PairSelection::all);
  }
  std::vector<PuList> lists;
  for (unsigned n : options.interpreters) {
    lists.push_back(resolve_pus(topo, "--placement", options.placement, n));
  }
  return PuLists::given(std::move(lists));
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
  const std::string points = std::to_string(shard.points());
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

// Smaller sweeps that would fit `fitting` points, for a budget that this one cannot fit.
std::vector<Alternative> smaller_sweeps(const SweepOptions& options, const PlanSpace& full,
                                        const pinning::Topology& topo, std::size_t points,
                                        std::size_t fitting) {
  std::vector<Alternative> smaller;
  const bool pairs = options.interpreters.empty();
  if (pairs && options.pairs == PairSelection::all) {
    smaller.push_back({"--pairs unordered", points / 2});
  }
  if (pairs && options.pairs != PairSelection::classes) {
    const std::size_t classes = sweep_pairs(topo, PairSelection::classes).size();
    smaller.push_back({"--pairs classes", points / full.lists().size() * classes});
  }
  if (pairs && options.pairs != PairSelection::classes && options.pairs != PairSelection::sample) {
    // sample:K measures about K pairs of each class, one way.
    const std::size_t classes = sweep_pairs(topo, PairSelection::classes).size();
    // A symmetric plan's lists are measured both ways; a sample's one way.
    const std::size_t per_pair =
        points / full.lists().size() / (options.pairs == PairSelection::symmetric ? 2 : 1);
    const std::size_t k = per_pair * classes == 0 ? 0 : fitting / (per_pair * classes);
    if (k >= 1) {
      // A class smaller than K gives all it has: the count is the sample's own.
      const std::size_t sampled =
          pinning::sample_pairs(topo, static_cast<unsigned>(std::min<std::size_t>(k, 100000)))
              .size();
      smaller.push_back({"--pairs sample:" + std::to_string(k), per_pair * sampled});
    }
  }
  const std::size_t strategies = options.points.strategies.size();
  if (const std::size_t k = largest_fitting(points, strategies, fitting); k > 0 && k < strategies) {
    smaller.push_back(
        {"--strategy with " + std::to_string(k) + " of the " + std::to_string(strategies),
         points / strategies * k});
  }
  const std::size_t repetitions = options.points.repetitions;
  if (const std::size_t r = largest_fitting(points, repetitions, fitting);
      r >= 2 && r < repetitions) {
    smaller.push_back({"--repetitions " + std::to_string(r), points / repetitions * r});
  }
  return smaller;
}

// With --budget, the timed phase that fits `points` in what is left of it since `started`
// (refused, naming what would fit, if none does).
std::chrono::nanoseconds fit_sweep(const SweepOptions& options, const PlanSpace& full,
                                   const pinning::Topology& topo, std::size_t points,
                                   const PointOverhead& overhead,
                                   std::chrono::steady_clock::time_point started) {
  return fit_budget(
      *options.points.budget, std::chrono::steady_clock::now() - started, points, overhead,
      [&](std::size_t fitting) { return smaller_sweeps(options, full, topo, points, fitting); });
}

}  // namespace

int sweep_command(const SweepOptions& given, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
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
  const PlanSpace full_plan(
      options.points, topo, swept_pu_lists(options, topo), placement_spec(options),
      options.interpreters.empty() && options.pairs == PairSelection::symmetric);
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  const Shard shard = take_shard(full_plan, options.shard.value_or(ShardSpec{}));
  const results::PlanRecord record =
      plan_record(shard, plan_fingerprint(full_plan, options.points, counters.columns()));
  const bool resuming = !options.resume.empty();
  std::size_t cut_line = 0;
  const auto done = [&]() -> std::vector<std::size_t> {
    if (!resuming) return {};
    return shard_points_done(options.resume, PlanStretch(full_plan, shard.first, shard.end),
                             options.points, counters, record, &cut_line);
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
    const PlanStretch left(full_plan, shard.first, shard.end, done());
    out << (options.shard
                ? describe(shard, full_plan, topo, record.fingerprint, options.output.dry_run_all)
                : describe(full_plan, topo, options.output.dry_run_all));
    if (resuming) {
      say_cut("a resume removes it and runs its point again");
      out << "resuming " << options.resume.string() << ": " << shard.points() - left.size()
          << " of " << shard.points() << " points already there, " << left.size() << " to go\n";
    }
    const PointOverhead overhead = measure_overhead(options.points);
    PointOptions costed = options.points;
    if (options.points.budget) {
      costed.config.duration = fit_sweep(options, full_plan, topo, left.size(), overhead, started);
    }
    out << estimate_line(left.size(), costed, overhead);
    return 0;
  }
  const std::size_t widest = full_plan.lists().widest();
  // Every row is kept for the summary: the shard's rows must fit.
  check_rows_fit(shard.points(), widest);
  check_memory(options.points, widest);
  const PlanStretch plan(full_plan, shard.first, shard.end, done());
  // --budget: the timed phase is fitted before anything is written, and kept while it runs.
  std::optional<BudgetKeeper> keeper;
  if (options.points.budget) {
    const PointOverhead overhead = measure_overhead(options.points);
    options.points.config.duration =
        fit_sweep(options, full_plan, topo, plan.size(), overhead, started);
    keeper.emplace(*options.points.budget, started, overhead);
  }
  // From here a signal stops the plan cleanly: the temporary file is never stranded.
  const InterruptScope interrupt;
  const auto sink =
      open_results(options.output, topo, counters,
                   resuming ? results::Opening::append : results::Opening::stream, record);
  say_cut("removed it; its point runs again");
  if (shard.points() == 0) return empty_shard(shard, *sink, out);
  announce_counters(counters, err);
  if (!options.output.quiet) {
    if (resuming) {
      out << "refbench sweep: resuming " << sink->path().string() << ": "
          << shard.points() - plan.size() << " of " << shard.points() << " points already there, "
          << plan.size() << " to go\n";
    } else {
      out << "refbench sweep: " << points_text(shard) << " (" << full_plan.dimensions()
          << "), rows written to " << sink->path().string() << " as they finish\n";
    }
    if (keeper) {
      out << "--budget " << duration_words(std::chrono::duration<double>(keeper->budget()).count())
          << ": each point's timed phase about "
          << std::chrono::duration<double>(options.points.config.duration).count()
          << " s to start with, adjusted block by block\n";
    }
    for (const std::string& note : full_plan.notes()) out << note << "\n";
    out << std::flush;
  }
  std::vector<results::ResultRow> rows;
  {
    ProgressLine progress(err, isatty(STDERR_FILENO) == 1 && !options.output.quiet, plan.size());
    const int status =
        execute_plan({topo, options.points, counters, plan, *sink, err,
                      [&](std::size_t i, const Point& point) {
                        progress.show(i, (keeper ? keeper->left_text() + "  " : std::string()) +
                                             describe(point));
                      },
                      [&](std::size_t, const results::ResultRow& row) { rows.push_back(row); },
                      [&] { progress.clear(); }, resume_hint(options, sink->path()), false,
                      keeper ? &*keeper : nullptr, full_plan.block_size()});
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
