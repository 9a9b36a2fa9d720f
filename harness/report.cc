#include "harness/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <tuple>

#include "pinning/distance.h"
#include "results/ratios.h"
#include "results/statistics.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

using results::ResultRow;

// A counter per message: thousandths, or 3 significant figures below 0.1 so a rare event
// (a page fault per million messages: 0.00000100) never reads as 0; exactly 0 is "0".
std::string per_message_text(double x) {
  if (x == 0) return "0";
  return std::fabs(x) >= 0.1 ? results::fixed(x, 3) : results::significant(x, 3);
}

// 3 significant figures with an SI suffix: 1.23M, 456k.
std::string si(double x) {
  const char* suffix = "";
  for (const auto& [scale, name] : {std::pair{1e9, "G"}, {1e6, "M"}, {1e3, "k"}}) {
    if (x >= scale) {
      x /= scale;
      suffix = name;
      break;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g%s", x, suffix);
  return buffer;
}

std::vector<std::string> strategies_in_order(const std::vector<ResultRow>& rows) {
  std::vector<std::string> names;
  for (const ResultRow& r : rows) {
    if (std::find(names.begin(), names.end(), r.strategy) == names.end())
      names.push_back(r.strategy);
  }
  return names;
}

template <class Field>
std::vector<double> collect(const std::vector<ResultRow>& rows, const std::string& strategy,
                            Field field) {
  std::vector<double> values;
  for (const ResultRow& r : rows) {
    if (r.strategy == strategy) values.push_back(field(r));
  }
  return values;
}

std::string violations_cell(const std::vector<ResultRow>& rows, const std::string& strategy) {
  std::uint64_t total = 0;
  bool correct = true;
  bool id_view = false;
  for (const ResultRow& r : rows) {
    if (r.strategy != strategy) continue;
    total += r.violations;
    correct = r.strategy_is_correct;
    id_view = id_view || r.setting("view_owner") == "id";
  }
  std::string cell = std::to_string(total);
  if (!correct && total > 0) cell += " (expected: racy)";
  // CPython's id-only view leaks when its owner is gone: a failure of the design, which is
  // what --view-owner id is there to show (the run still exits 1).
  if (correct && total > 0) cell += id_view ? " FAIL (id view: owner gone)" : " FAIL";
  return cell;
}

// ", as processes" for a process-mode group; ", as threads" where the run had both.
std::string isolation_title(const ResultRow& first, bool both) {
  if (first.isolation() == "process") return ", as processes";
  return both ? ", as threads" : "";
}

std::string title(const ResultRow& first, std::size_t repetitions,
                  const results::GroupRatios& ratios, bool both_isolations) {
  std::string pus = first.pus;
  std::replace(pus.begin(), pus.end(), ';', ',');
  std::string t = first.workload + " on PUs " + pus + " (" + first.distance_class + ")" +
                  isolation_title(first, both_isolations) + ", wait " + first.wait_policy + ", " +
                  std::to_string(repetitions) + " repetition" + (repetitions == 1 ? "" : "s");
  if (ratios.clusters.size() == 1) {
    t += ", probe " + results::fixed(ratios.clusters.front().probe_rtt_ns, 0) + " ns";
  }
  return t + ", medians\n";
}

// Counters per message (medians over repetitions), for the counters that were counted. A
// median over rows any of which was multiplexed (scaled up beyond kEstimateScale) is an
// estimate, marked "~"; a counter the set could count that some row lacks says why.
std::string counter_table(const std::vector<ResultRow>& rows) {
  std::vector<std::string> counted;
  std::vector<std::string> problems;
  for (const auto& figure : rows.front().counters) {
    const bool any = std::any_of(rows.begin(), rows.end(), [&](const ResultRow& r) {
      return std::any_of(r.counters.begin(), r.counters.end(), [&](const auto& f) {
        return f.name == figure.name && f.per_msg.has_value();
      });
    });
    if (any) counted.push_back(figure.name);
    for (const ResultRow& r : rows) {
      const auto it = std::find_if(r.counters.begin(), r.counters.end(),
                                   [&](const auto& f) { return f.name == figure.name; });
      if (it != r.counters.end() && !it->problem.empty()) {
        problems.push_back("counter " + figure.name + " not counted in " + r.strategy +
                           " repetition " + std::to_string(r.repetition) + ": " + it->problem);
        break;
      }
    }
  }
  std::string notes;
  for (const std::string& p : problems) notes += p + "\n";
  if (counted.empty()) return notes;
  std::vector<std::string> header = {"<per message"};
  header.insert(header.end(), counted.begin(), counted.end());
  results::TextTable table(header);
  bool estimates = false;
  for (const std::string& s : strategies_in_order(rows)) {
    std::vector<std::string> cells = {s};
    for (const std::string& counter : counted) {
      std::vector<double> values;
      bool estimate = false;
      for (const ResultRow& r : rows) {
        if (r.strategy != s) continue;
        for (const auto& f : r.counters) {
          if (f.name != counter || !f.per_msg) continue;
          values.push_back(*f.per_msg);
          estimate = estimate || f.estimate();
        }
      }
      estimates = estimates || (estimate && !values.empty());
      cells.push_back(
          values.empty() ? "-" : (estimate ? "~" : "") + per_message_text(results::median(values)));
    }
    table.add_row(std::move(cells));
  }
  if (estimates) {
    notes +=
        "~ estimate: multiplexed (the counter ran part of the time and was scaled up by "
        "more than " +
        results::fixed(results::CounterFigure::kEstimateScale, 2) + "x; see its _scale)\n";
  }
  return table.render() + notes;
}

}  // namespace

double median_ns_per_msg(const std::vector<ResultRow>& rows, const std::string& strategy) {
  const auto values = collect(rows, strategy, [](const ResultRow& r) { return r.ns_per_msg(); });
  return results::median(values);
}

namespace {

// "2.80-3.10": the 95 % interval of a median ratio; with fewer than 6 blocks it is
// [min, max] and its coverage is said: "2.80-3.10 (94%)"; with one block there is none.
std::string interval_text(const results::MedianWithInterval& m) {
  if (m.samples < 2) return "-";
  std::string text = results::fixed(m.low, 2) + "-" + results::fixed(m.high, 2);
  if (m.coverage < 0.95) text += " (" + results::fixed(100 * m.coverage, 0) + "%)";
  return text;
}

const results::PairedRatio* find_ratio(const results::GroupRatios& group,
                                       const results::RatioPair& pair, unsigned cluster) {
  for (const results::PairedRatio& r : group.ratios) {
    if (r.cluster == cluster && r.pair == pair) return &r;
  }
  return nullptr;
}

// The check of the harness against the bare round trip, for pingpong with immortal.
std::string round_trip_check_line(const std::vector<ResultRow>& rows) {
  const auto check = results::harness_round_trip(rows);
  if (!check) return "";
  std::string line = "  check: immortal's p50 round trip " + results::fixed(check->harness_ns, 0) +
                     " ns is " + results::fixed(check->factor, 2) + "x the bare probe's " +
                     results::fixed(check->probe_ns, 0) + " ns: the harness adds " +
                     results::fixed(check->harness_ns - check->probe_ns, 0) + " ns";
  if (!check->within_bound) {
    line += "; FLAGGED: outside 1-" + results::fixed(results::kMostHarnessFactor, 0) +
            "x, the probe or the point did not measure what it should";
  }
  return line + "\n";
}

}  // namespace

// The comparisons people quote, each a strategy over what it is an alternative to, taken
// per repetition block: a table of the median of the per-block ratios, its 95 % interval and
// the blocks it had. A group whose probes moved says so first, and gives each probe
// cluster's ratios beside the pooled ones (which mix them).
std::string ratios_lines(const results::GroupRatios& group) {
  if (group.ratios.empty()) return "";
  std::vector<std::string> header = {"<ratios (per block)", "median", "<95% CI", "blocks"};
  for (const results::ProbeCluster& cluster : group.clusters) {
    if (!group.drift) break;
    header.push_back("<at probe " + results::fixed(cluster.probe_rtt_ns, 0) + " ns");
  }
  results::TextTable table(header);
  for (const results::PairedRatio& r : group.ratios) {
    if (r.cluster != 0) continue;
    std::vector<std::string> cells = {group.label(r), results::fixed(r.ratio.median, 2) + "x",
                                      interval_text(r.ratio), std::to_string(r.ratio.samples)};
    for (std::size_t c = 0; group.drift && c < group.clusters.size(); ++c) {
      const results::PairedRatio* at = find_ratio(group, r.pair, static_cast<unsigned>(c + 1));
      cells.push_back(at == nullptr
                          ? "-"
                          : results::fixed(at->ratio.median, 2) + "x " + interval_text(at->ratio) +
                                ", " + std::to_string(at->ratio.samples) + " blocks");
    }
    table.add_row(std::move(cells));
  }
  const std::string drift =
      group.drift ? "  drift: " + results::drift_line(group) + "; pooled ratios mix them\n" : "";
  return drift + table.render();
}

namespace {

// The report of one group's rows of one isolation; `both_isolations`: the run had both.
std::string isolation_report(const std::vector<ResultRow>& all_rows, double noise_threshold,
                             const std::vector<results::RatioPair>& asked, bool both_isolations) {
  // Points given up (stalled) have no figures: said after the table, never averaged in.
  std::vector<ResultRow> rows;
  std::string errors;
  for (const ResultRow& r : all_rows) {
    if (r.error.empty()) {
      rows.push_back(r);
    } else {
      errors += "  error: " + r.strategy + " repetition " + std::to_string(r.repetition) + ": " +
                r.error + "\n";
    }
  }
  if (rows.empty()) return errors;
  const bool pingpong = rows.front().rtt_p50_ns.has_value();
  std::vector<std::string> header = {"<strategy", "ns/msg", "95% CI of median",
                                     "CV",        "msgs/s", "vs immortal"};
  if (pingpong) header.insert(header.end(), {"rtt p50 ns", "rtt p99 ns", "rtt max ns"});
  header.push_back("<violations");
  results::TextTable table(header);

  const std::vector<results::GroupRatios> paired =
      results::paired_ratios(results::observations(rows), asked);
  const results::GroupRatios& ratios = paired.front();
  const auto vs_immortal = [&](const std::string& s) -> std::string {
    for (const results::PairedRatio& r : ratios.ratios) {
      if (r.cluster == 0 && r.pair == results::RatioPair{s, "immortal"})
        return results::fixed(r.ratio.median, 2) + "x";
    }
    return s == "immortal" ? "1.00x" : "-";
  };
  std::size_t repetitions = 0;
  bool any_noisy = false;
  for (const std::string& s : strategies_in_order(rows)) {
    const auto ns = collect(rows, s, [](const ResultRow& r) { return r.ns_per_msg(); });
    const auto rate = collect(rows, s, [](const ResultRow& r) { return r.msgs_per_s(); });
    const results::Summary summary = results::summarize(ns);
    repetitions = ns.size();
    const bool noisy = summary.cv > noise_threshold;
    any_noisy = any_noisy || noisy;
    std::vector<std::string> cells = {
        s,
        results::fixed(summary.median, 1),
        summary.ci95
            ? results::fixed(summary.ci95->low, 1) + " - " + results::fixed(summary.ci95->high, 1)
            : "needs 6 reps",
        results::fixed(100 * summary.cv, 1) + "%" + (noisy ? " noisy" : ""),
        si(results::median(rate)),
        vs_immortal(s)};
    if (pingpong) {
      auto p50 =
          collect(rows, s, [](const ResultRow& r) { return double(r.rtt_p50_ns.value_or(0)); });
      auto p99 =
          collect(rows, s, [](const ResultRow& r) { return double(r.rtt_p99_ns.value_or(0)); });
      auto max =
          collect(rows, s, [](const ResultRow& r) { return double(r.rtt_max_ns.value_or(0)); });
      cells.insert(cells.end(), {results::fixed(results::median(p50), 0),
                                 results::fixed(results::median(p99), 0),
                                 results::fixed(results::maximum(max), 0)});
    }
    cells.push_back(violations_cell(rows, s));
    table.add_row(std::move(cells));
  }

  std::string out = title(rows.front(), repetitions, ratios, both_isolations) + table.render();
  if (any_noisy) {
    out += "  noisy: CV above " + results::fixed(100 * noise_threshold, 1) +
           "%; more repetitions or a quieter machine would narrow it\n";
  }
  return out + ratios_lines(ratios) + round_trip_check_line(rows) + errors + counter_table(rows);
}

// Each strategy as processes over itself as threads, per block, where both ran.
std::string across_isolations_report(const std::vector<ResultRow>& rows) {
  for (const results::GroupRatios& g : results::paired_ratios(results::observations(rows))) {
    if (!g.across_isolations() || g.ratios.empty()) continue;
    return "each strategy as processes over itself as threads, per repetition block:\n" +
           ratios_lines(g);
  }
  return "";
}

}  // namespace

std::string group_report(const std::vector<ResultRow>& rows, double noise_threshold,
                         const std::vector<results::RatioPair>& asked) {
  std::vector<std::string> isolations;
  for (const ResultRow& r : rows) {
    if (std::find(isolations.begin(), isolations.end(), r.isolation()) == isolations.end())
      isolations.push_back(r.isolation());
  }
  if (isolations.size() <= 1) return isolation_report(rows, noise_threshold, asked, false);
  std::string out;
  for (const std::string& isolation : isolations) {
    std::vector<ResultRow> same;
    for (const ResultRow& r : rows) {
      if (r.isolation() == isolation) same.push_back(r);
    }
    out += isolation_report(same, noise_threshold, asked, true);
  }
  return out + across_isolations_report(rows);
}

namespace {

// The row key of a summary, and its place in the order rows are shown: by interpreters, or
// by class nearest first (a class refbench does not know first of all).
using SummaryKey = std::tuple<int, unsigned, std::string>;
SummaryKey summary_key(const ResultRow& r, SummaryAxis axis) {
  if (axis == SummaryAxis::interpreters) {
    return {static_cast<int>(r.interpreters), 0, std::to_string(r.interpreters)};
  }
  const auto c = pinning::parse_pair_class(r.distance_class);
  if (!c) return {-1, 0, r.distance_class};
  return {static_cast<int>(c->level), c->numa_distance, r.distance_class};
}

std::string summary_table(const std::vector<ResultRow>& rows, SummaryAxis axis) {
  const bool by_class = axis == SummaryAxis::distance_class;
  std::vector<SummaryKey> keys;
  for (const ResultRow& r : rows) {
    const auto key = summary_key(r, axis);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  const std::vector<std::string> strategies = strategies_in_order(rows);
  std::vector<std::string> header = {by_class ? "<distance class" : "interpreters"};
  header.insert(header.end(), strategies.begin(), strategies.end());
  results::TextTable table(header);
  for (const auto& key : keys) {
    std::vector<std::string> cells = {std::get<2>(key)};
    for (const std::string& s : strategies) {
      std::vector<double> values;
      for (const ResultRow& r : rows) {
        if (r.strategy == s && summary_key(r, axis) == key) {
          values.push_back(by_class ? r.ns_per_msg() : r.msgs_per_s());
        }
      }
      cells.push_back(values.empty() ? "-"
                      : by_class     ? results::fixed(results::median(values), 1)
                                     : si(results::median(values)));
    }
    table.add_row(std::move(cells));
  }
  return table.render();
}

}  // namespace

namespace {

// Where a sweep ran both isolations, its process rows become strategies of their own,
// "atomic (process)", beside the threads' columns.
std::vector<ResultRow> labelled_by_isolation(std::vector<ResultRow> rows) {
  const bool both = std::any_of(rows.begin(), rows.end(),
                                [](const ResultRow& r) { return r.isolation() == "process"; }) &&
                    std::any_of(rows.begin(), rows.end(),
                                [](const ResultRow& r) { return r.isolation() == "thread"; });
  if (!both) return rows;
  for (ResultRow& r : rows) {
    if (r.isolation() == "process") r.strategy += " (process)";
  }
  return rows;
}

}  // namespace

std::string sweep_summary(const std::vector<ResultRow>& measured, SummaryAxis axis) {
  const std::vector<ResultRow> rows = labelled_by_isolation(measured);
  std::vector<std::pair<std::string, std::uint64_t>> groups;  // workload, payload
  for (const ResultRow& r : rows) {
    const std::pair<std::string, std::uint64_t> g{r.workload, r.payload_bytes};
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  std::string out;
  for (const auto& [workload, payload] : groups) {
    std::vector<ResultRow> selected;
    for (const ResultRow& r : rows) {
      if (r.workload == workload && r.payload_bytes == payload) selected.push_back(r);
    }
    out += workload + ", payload " + std::to_string(payload) + " B: median " +
           (axis == SummaryAxis::distance_class
                ? "ns/msg by distance class"
                : "msgs/s (all interpreters together) by interpreters") +
           "\n" + summary_table(selected, axis) + "\n";
  }
  return out;
}

}  // namespace refbench::harness
