#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "harness/commands.h"
#include "harness/results_input.h"
#include "harness/settings.h"
#include "harness/usage_error.h"
#include "results/csv.h"
#include "results/ratios.h"
#include "results/statistics.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

// What makes two rows the same point, whatever the run: the repetition, timings and the
// wait policy and memory placement (decided per machine) are left out. So is the isolation
// where each file ran one (a threads file against a processes one pairs each point with
// itself the other way); where either ran both, read_points adds it to the point.
std::vector<std::string> point_columns() {
  std::vector<std::string> columns = {"workload", "strategy", "interpreters", "pus",
                                      "payload_bytes"};
  for (const Setting* s : column_settings()) {
    if (s->has(kComparedPoint)) columns.emplace_back(s->column);
  }
  return columns;
}

// The isolations a results file's rows ran ("thread" for a file from before the column).
std::set<std::string> isolations_in(const results::CsvTable& table) {
  std::set<std::string> found;
  const int c = table.column("isolation");
  for (const auto& row : table.rows) {
    found.insert(c < 0 || row[static_cast<std::size_t>(c)].empty()
                     ? "thread"
                     : row[static_cast<std::size_t>(c)]);
  }
  return found;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += n + ", ";
  return out;
}

struct Points {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> ns_per_msg;
  std::map<std::string, std::string> failed;       // a point with a repetition given up: why
  std::vector<results::Observation> observations;  // for the ratios, block by block
};

std::string field_of(const results::CsvTable& table, const std::vector<std::string>& row,
                     const char* column) {
  const int c = table.column(column);
  return c < 0 ? std::string() : row[static_cast<std::size_t>(c)];
}

// The row as ratios need it (probe_rtt_ns is missing from files older than the probe).
results::Observation observation_of(const results::CsvTable& table,
                                    const std::vector<std::string>& row) {
  results::Observation o;
  o.workload = field_of(table, row, "workload");
  o.pus = field_of(table, row, "pus");
  o.payload_bytes = std::strtoull(field_of(table, row, "payload_bytes").c_str(), nullptr, 10);
  o.strategy = field_of(table, row, "strategy");
  o.block = static_cast<unsigned>(std::strtoul(field_of(table, row, "repetition").c_str(), nullptr,
                                               10));  // checked: whole numbers
  o.ns_per_msg = std::strtod(field_of(table, row, "ns_per_msg").c_str(), nullptr);
  if (const std::string isolation = field_of(table, row, "isolation"); !isolation.empty())
    o.isolation = isolation;
  if (const std::string probe = field_of(table, row, "probe_rtt_ns"); is_number(probe))
    o.probe_rtt_ns = std::strtod(probe.c_str(), nullptr);
  return o;
}

Points read_points(const results::CsvTable& table, const std::filesystem::path& path,
                   bool with_isolation) {
  const int ns = table.column("ns_per_msg");
  const std::vector<std::string> names = point_columns();
  std::vector<int> key_columns;
  for (const std::string& c : names) key_columns.push_back(table.column(c));
  if (std::find(key_columns.begin(), key_columns.end(), -1) != key_columns.end()) {
    throw UsageError("compare: " + path.string() +
                     " is not a refbench results CSV (needs the columns " + listed(names) +
                     "and ns_per_msg)");
  }
  Points points;
  for (const auto& row : table.rows) {
    const std::string& figure = row[static_cast<std::size_t>(ns)];
    std::string key;
    for (int c : key_columns) key += (key.empty() ? "" : " ") + row[static_cast<std::size_t>(c)];
    // A file from before the column ran as threads.
    if (with_isolation) key += " " + observation_of(table, row).isolation;
    auto& values = points.ns_per_msg[key];
    if (values.empty() && !points.failed.count(key)) points.order.push_back(key);
    if (figure.empty()) {  // a point given up: it is not compared, and the table says why
      const std::string error = field_of(table, row, "error");
      points.failed.emplace(key, "repetition " + field_of(table, row, "repetition") + " failed" +
                                     (error.empty() ? "" : " (" + error + ")"));  // the first
      continue;
    }
    values.push_back(std::strtod(figure.c_str(), nullptr));  // checked: a number
    points.observations.push_back(observation_of(table, row));
  }
  return points;
}

std::string verdict(const std::vector<double>& a, const std::vector<double>& b, double alpha,
                    results::UTest test) {
  if (results::smallest_p_value(a.size(), b.size()) > alpha) {
    return "too few repetitions (" + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
           ": no p below " + results::fixed(alpha, 2) + " is possible)";
  }
  if (test.p_value >= alpha) return "same within noise";
  return results::median(b) < results::median(a) ? "B faster" : "B slower";
}

// "2.95x (2.80-3.10)", with the coverage where it is below 95 %.
std::string ratio_cell(const results::MedianWithInterval& m) {
  std::string text = results::fixed(m.median, 2) + "x";
  if (m.samples < 2) return text;
  text += " (" + results::fixed(m.low, 2) + "-" + results::fixed(m.high, 2);
  if (m.coverage < 0.95) text += ", " + results::fixed(100 * m.coverage, 0) + "%";
  return text + ")";
}

std::string ratio_verdict(const results::PairedRatio& a, const results::PairedRatio& b,
                          bool a_drift, bool b_drift) {
  if (a_drift || b_drift)
    return std::string("not comparable: ") + (a_drift ? "A" : "B") + " drifted";
  if (a.probe_rtt_ns && b.probe_rtt_ns &&
      std::max(*a.probe_rtt_ns, *b.probe_rtt_ns) >
          results::kDriftFactor * std::min(*a.probe_rtt_ns, *b.probe_rtt_ns)) {
    return "not comparable: probes " + results::fixed(*a.probe_rtt_ns, 0) + " and " +
           results::fixed(*b.probe_rtt_ns, 0) + " ns";
  }
  if (a.ratio.samples < 2 || b.ratio.samples < 2) return "too few blocks";
  if (b.ratio.low > a.ratio.high) return "B higher (intervals apart)";
  if (b.ratio.high < a.ratio.low) return "B lower (intervals apart)";
  return "same within intervals";
}

// The ratios of A against B, group by group and pair by pair (pooled over blocks).
std::string ratio_comparison(const Points& a, const Points& b, bool with_isolation) {
  const auto groups_a = results::paired_ratios(a.observations);
  const auto groups_b = results::paired_ratios(b.observations);
  results::TextTable table({"<group", "<ratio", "<A (95% CI)", "<B (95% CI)", "B/A", "<verdict"});
  for (const results::GroupRatios& ga : groups_a) {
    const auto gb = std::find_if(groups_b.begin(), groups_b.end(), [&](const auto& g) {
      return g.workload == ga.workload && g.pus == ga.pus && g.payload_bytes == ga.payload_bytes &&
             (g.isolation == ga.isolation || !with_isolation);
    });
    if (gb == groups_b.end()) continue;
    for (const results::PairedRatio& ra : ga.ratios) {
      if (ra.cluster != 0) continue;
      const auto rb = std::find_if(gb->ratios.begin(), gb->ratios.end(), [&](const auto& r) {
        return r.cluster == 0 && r.pair == ra.pair;
      });
      if (rb == gb->ratios.end()) continue;
      table.add_row({ga.workload + " " + ga.pus + " " + std::to_string(ga.payload_bytes) +
                         (with_isolation && ga.isolation != "thread" ? " " + ga.isolation : ""),
                     ga.label(ra), ratio_cell(ra.ratio), ratio_cell(rb->ratio),
                     results::fixed(rb->ratio.median / ra.ratio.median, 3),
                     ratio_verdict(ra, *rb, ga.drift, gb->drift)});
    }
  }
  if (table.rows() == 0) return "";
  return "\nratios, each the median of its per-block ratios (group: workload pus payload)\n" +
         table.render();
}

}  // namespace

int compare_command(const CompareOptions& options, std::ostream& out) {
  const results::CsvTable table_a = read_results_csv(options.baseline, "compare: ");
  const results::CsvTable table_b = read_results_csv(options.candidate, "compare: ");
  const std::set<std::string> isolations_a = isolations_in(table_a);
  const std::set<std::string> isolations_b = isolations_in(table_b);
  const bool with_isolation = isolations_a.size() > 1 || isolations_b.size() > 1;
  const Points a = read_points(table_a, options.baseline, with_isolation);
  const Points b = read_points(table_b, options.candidate, with_isolation);
  results::TextTable table(
      {std::string("<point (workload strategy interpreters pus payload objects local_work "
                   "capacity") +
           (with_isolation ? " isolation)" : ")"),
       "A ns/msg", "B ns/msg", "B/A", "p", "<verdict"});
  std::size_t matched = 0;
  std::size_t refused = 0;
  for (const std::string& key : a.order) {
    const auto other = b.ns_per_msg.find(key);
    if (other == b.ns_per_msg.end()) continue;
    ++matched;
    const auto failed_a = a.failed.find(key);
    const auto failed_b = b.failed.find(key);
    if (failed_a != a.failed.end() || failed_b != b.failed.end()) {
      ++refused;
      table.add_row({key, "-", "-", "-", "-",
                     "not compared: " + (failed_a != a.failed.end() ? "A " + failed_a->second
                                                                    : "B " + failed_b->second)});
      continue;
    }
    const auto& va = a.ns_per_msg.at(key);
    const auto& vb = other->second;
    const results::UTest test = results::mann_whitney_u(va, vb);
    const double ma = results::median(va), mb = results::median(vb);
    table.add_row({key, results::fixed(ma, 1), results::fixed(mb, 1),
                   ma > 0 ? results::fixed(mb / ma, 3) : "-", results::fixed(test.p_value, 3),
                   verdict(va, vb, options.alpha, test)});
  }
  out << "A = " << options.baseline.string() << "\nB = " << options.candidate.string()
      << "\nmedians of ns per message; p: two-sided Mann-Whitney U over the repetitions, "
      << "significant below " << results::fixed(options.alpha, 2) << "\n\n"
      << table.render() << ratio_comparison(a, b, with_isolation);
  if (refused > 0) {
    out << refused << " points not compared: a repetition failed in A or B (its row's error "
        << "column says why)\n";
  }
  out << matched << " points in both; " << a.order.size() - matched << " only in A, "
      << b.order.size() - matched << " only in B\n";
  return matched > 0 ? 0 : 1;
}

}  // namespace refbench::harness
