#include "harness/ratio_checks.h"

#include <algorithm>
#include <map>

#include "harness/execute.h"
#include "results/csv.h"
#include "results/statistics.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

std::string pus_text(std::string pus) {
  std::replace(pus.begin(), pus.end(), ';', ',');
  return pus;
}

std::string group_name(const results::GroupRatios& g) {
  const std::string as = g.isolation == "process" ? ", as processes"
                         : g.across_isolations()  ? ", process/thread"
                                                  : "";
  return g.workload + " on PUs " + pus_text(g.pus) + ", payload " +
         std::to_string(g.payload_bytes) + " B" + as;
}

// The rows of one group of one isolation (workload, PUs, payload, isolation), as
// group_report and paired_ratios take them.
std::vector<results::ResultRow> rows_of(const std::vector<results::ResultRow>& rows,
                                        const results::GroupRatios& g) {
  std::vector<results::ResultRow> out;
  for (const results::ResultRow& r : rows) {
    if (r.workload == g.workload && r.pus == g.pus && r.payload_bytes == g.payload_bytes &&
        r.isolation() == g.isolation)
      out.push_back(r);
  }
  return out;
}

// The first point of each group of the plan (workload, payload, PUs), in plan order.
std::vector<Point> group_firsts(const Plan& plan) {
  std::vector<Point> firsts;
  for (const Point& p : plan.points) {
    if (std::none_of(firsts.begin(), firsts.end(),
                     [&](const Point& f) { return same_group(f, p); }))
      firsts.push_back(p);
  }
  return firsts;
}

std::string not_precise(const results::GroupRatios& g, double precision) {
  std::string which;
  for (const results::PairedRatio& r : g.ratios) {
    if (r.cluster != 0) continue;
    if (r.ratio.coverage >= 0.95 && results::relative_half_width(r.ratio) <= precision) continue;
    which += (which.empty() ? "" : ", ") + g.label(r) + " +-" +
             results::fixed(100 * results::relative_half_width(r.ratio), 1) + "%";
  }
  return which;
}

}  // namespace

RatioChecks check_ratios(const std::vector<results::ResultRow>& rows, const PointOptions& options) {
  RatioChecks outcome;
  outcome.groups = results::paired_ratios(results::observations(rows), options.ratios);
  for (const results::GroupRatios& g : outcome.groups) {
    // The group across isolations has the blocks of its two: their drift is said once.
    if (g.drift && !g.across_isolations()) outcome.checks.drift.push_back(results::drift_line(g));
    const auto rtt =
        g.across_isolations() ? std::nullopt : results::harness_round_trip(rows_of(rows, g));
    if (rtt) {
      outcome.checks.harness_round_trip.push_back(
          group_name(g) + ": immortal's p50 round trip " + results::fixed(rtt->harness_ns, 0) +
          " ns, the bare probe " + results::fixed(rtt->probe_ns, 0) + " ns (" +
          results::fixed(rtt->factor, 2) + "x; the harness adds " +
          results::fixed(rtt->harness_ns - rtt->probe_ns, 0) + " ns)" +
          (rtt->within_bound
               ? ""
               : "; FLAGGED: outside " + results::fixed(results::kLeastHarnessFactor, 1) + "-" +
                     results::fixed(results::kMostHarnessFactor, 0) + "x"));
    }
    if (options.precision) {
      const std::string which = not_precise(g, *options.precision);
      if (!which.empty()) {
        outcome.checks.precision_not_reached.push_back(group_name(g) + ": " + which + " (asked +-" +
                                                       results::fixed(100 * *options.precision, 1) +
                                                       "%)");
      }
    }
  }
  return outcome;
}

std::filesystem::path ratios_path(const std::filesystem::path& results) {
  std::filesystem::path p = results;
  return p.replace_extension(".ratios.csv");
}

void write_ratio_checks(const results::ResultSink& sink, results::Format format,
                        const RatioChecks& outcome) {
  if (format == results::Format::csv) {
    results::write_file_atomically(ratios_path(sink.path()), results::ratios_csv(outcome.groups));
  }
  const std::filesystem::path meta = results::metadata_path(sink.path());
  results::Metadata metadata = results::read_metadata(meta);
  metadata.checks = outcome.checks;
  results::write_file_atomically(meta, results::to_json(metadata).dump(2) + "\n");
}

namespace {

// The points of a group the counter check runs again: immortal and atomic where the group
// has them (the floor and the simplest counted strategy), else its first strategy.
std::vector<Point> overhead_points(const Plan& plan, const Point& first) {
  std::vector<Point> chosen;
  for (workloads::Strategy s : {workloads::Strategy::immortal, workloads::Strategy::atomic}) {
    for (const Point& p : plan.points) {
      if (same_group(p, first) && p.repetition == first.repetition && p.strategy == s) {
        chosen.push_back(p);
        break;
      }
    }
  }
  if (chosen.empty()) chosen.push_back(first);
  return chosen;
}

}  // namespace

std::size_t counter_check_points(const CounterSet& counters, const Plan& plan) {
  if (counters.columns().empty()) return 0;
  std::size_t points = 0;
  // Each point checked runs twice: without counters and with them.
  for (const Point& first : group_firsts(plan)) points += 2 * overhead_points(plan, first).size();
  return points;
}

void check_counter_overhead(const pinning::Topology& topo, const PointOptions& options,
                            const CounterSet& counters, const Plan& plan,
                            results::RunChecks& checks) {
  if (counters.columns().empty()) return;
  static const CounterSet none = CounterSet::resolve("none");
  for (const Point& first : group_firsts(plan)) {
    std::vector<double> ratios;
    std::string which;
    for (const Point& p : overhead_points(plan, first)) {
      // Back to back, so that both see the same machine.
      const results::ResultRow off = measure(topo, options, none, p);
      const results::ResultRow on = measure(topo, options, counters, p);
      if (!off.error.empty() || !on.error.empty() || off.ns_per_msg() <= 0) continue;
      ratios.push_back(on.ns_per_msg() / off.ns_per_msg());
      which +=
          (which.empty() ? "" : ", ") + on.strategy + " " + results::fixed(ratios.back(), 3) + "x";
    }
    if (ratios.empty()) continue;
    // Flagged when every strategy checked is beyond the bound the same way: one pair of
    // runs alone moves by more than that on a noisy machine.
    const bool beyond = results::minimum(ratios) > kMostCounterOverhead ||
                        results::maximum(ratios) < 1 / kMostCounterOverhead;
    checks.counter_overhead.push_back(
        std::string(name(first.workload)) + " on PUs " + first.placement.pus_text() +
        ": counters on / off " + which +
        " (each run again without and with counters, back to "
        "back)" +
        (beyond ? "; FLAGGED: beyond " + results::fixed(kMostCounterOverhead, 2) + "x" : ""));
  }
}

std::string check_lines(const results::RunChecks& checks) {
  std::string out;
  for (const std::string& line : checks.drift) out += "refbench: drift: " + line + "\n";
  for (const std::string& line : checks.harness_round_trip) {
    if (line.find("FLAGGED") != std::string::npos) out += "refbench: check: " + line + "\n";
  }
  for (const std::string& line : checks.counter_overhead) {
    if (line.find("FLAGGED") != std::string::npos) out += "refbench: check: " + line + "\n";
  }
  for (const std::string& line : checks.precision_not_reached) {
    out += "refbench: precision not reached: " + line + "\n";
  }
  return out;
}

Plan next_blocks(const Plan& plan, const std::vector<results::ResultRow>& rows,
                 const PointOptions& options) {
  Plan more;
  if (!options.precision) return more;
  const std::vector<results::GroupRatios> groups =
      results::paired_ratios(results::observations(rows), options.ratios);
  for (const Point& first : group_firsts(plan)) {
    unsigned blocks = 0;
    for (const results::ResultRow& r : rows) {
      if (r.workload == name(first.workload) && r.pus == first.placement.pus_field() &&
          r.payload_bytes == first.payload_bytes)
        blocks = std::max(blocks, r.repetition);
    }
    // Every isolation's ratios of the group, and those across isolations, must be precise.
    bool found = false;
    bool precise = true;
    for (const results::GroupRatios& g : groups) {
      if (g.workload != name(first.workload) || g.pus != first.placement.pus_field() ||
          g.payload_bytes != first.payload_bytes)
        continue;
      found = true;
      precise = precise && results::precise_enough(g, *options.precision);
    }
    if (blocks >= options.max_repetitions) continue;
    if (found && precise) continue;
    for (const Point& p : plan.points) {
      if (!same_group(p, first) || p.repetition != first.repetition) continue;
      Point next = p;
      next.repetition = blocks + 1;
      more.points.push_back(next);
    }
  }
  more.dimensions = std::to_string(more.points.size()) + " points of further blocks";
  return more;
}

}  // namespace refbench::harness
