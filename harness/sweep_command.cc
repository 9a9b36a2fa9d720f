#include <unistd.h>

#include <algorithm>

#include "harness/commands.h"
#include "harness/placements.h"
#include "harness/plan.h"
#include "harness/progress.h"
#include "harness/report.h"
#include "harness/resume.h"
#include "harness/session.h"
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
  if (options.interpreters.empty()) return sweep_pairs(topo, options.pairs);
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
  return options.output.command_line + " --resume '" + file.string() + "'";
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
  const Plan full_plan = make_plan(options.points, topo, pu_lists, placement_spec(options));
  const CounterSet counters = CounterSet::resolve(options.points.counters);
  if (options.output.dry_run) {
    out << describe(full_plan, topo);
    // A resumed dry run checks the file as the real resume would, and says what is left.
    if (!options.resume.empty()) {
      const Plan left =
          without(full_plan, points_done(options.resume, full_plan, options.points, counters));
      out << "resuming " << options.resume.string() << ": "
          << full_plan.points.size() - left.points.size() << " of " << full_plan.points.size()
          << " points already there, " << left.points.size() << " to go\n";
    }
    return 0;
  }
  std::size_t most_interpreters = 0;
  for (const PuList& pus : pu_lists) most_interpreters = std::max(most_interpreters, pus.size());
  check_memory(options.points, most_interpreters);
  const bool resuming = !options.resume.empty();
  const Plan plan =
      resuming
          ? without(full_plan, points_done(options.resume, full_plan, options.points, counters))
          : full_plan;
  const auto sink = open_results(options.output, topo, counters,
                                 resuming ? results::Opening::append : results::Opening::stream);
  announce_counters(counters, err);
  if (!options.output.quiet) {
    if (resuming) {
      out << "refbench sweep: resuming " << sink->path().string() << ": "
          << full_plan.points.size() - plan.points.size() << " of " << full_plan.points.size()
          << " points already there, " << plan.points.size() << " to go\n";
    } else {
      out << "refbench sweep: " << plan.points.size() << " points (" << plan.dimensions
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
  const SummaryAxis axis =
      options.interpreters.empty() ? SummaryAxis::distance_class : SummaryAxis::interpreters;
  out << sweep_summary(rows, axis) << "wrote " << sink->rows() << " rows to "
      << sink->path().string() << "\n"
      << std::flush;
  return plot_if_asked(options.output, *sink, 0, err);
}

}  // namespace refbench::harness
