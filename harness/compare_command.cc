#include <algorithm>
#include <cstdlib>
#include <map>

#include "harness/commands.h"
#include "harness/results_input.h"
#include "harness/settings.h"
#include "harness/usage_error.h"
#include "results/csv.h"
#include "results/statistics.h"
#include "results/table.h"

namespace refbench::harness {
namespace {

// What makes two rows the same point, whatever the run: the repetition, timings and the
// wait policy and memory placement (decided per machine) are left out.
std::vector<std::string> point_columns() {
  std::vector<std::string> columns = {"workload", "strategy", "interpreters", "pus",
                                      "payload_bytes"};
  for (const Setting* s : column_settings()) {
    if (s->has(kComparedPoint)) columns.emplace_back(s->column);
  }
  return columns;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += n + ", ";
  return out;
}

struct Points {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> ns_per_msg;
};

Points read_points(const std::filesystem::path& path) {
  const results::CsvTable table = read_results_csv(path, "compare: ");
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
    if (figure.empty()) continue;  // a point given up (its error column says why)
    std::string key;
    for (int c : key_columns) key += (key.empty() ? "" : " ") + row[static_cast<std::size_t>(c)];
    auto& values = points.ns_per_msg[key];
    if (values.empty()) points.order.push_back(key);
    values.push_back(std::strtod(figure.c_str(), nullptr));  // checked: a number
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

}  // namespace

int compare_command(const CompareOptions& options, std::ostream& out) {
  const Points a = read_points(options.baseline);
  const Points b = read_points(options.candidate);
  results::TextTable table(
      {"<point (workload strategy interpreters pus payload objects "
       "local_work capacity)",
       "A ns/msg", "B ns/msg", "B/A", "p", "<verdict"});
  std::size_t matched = 0;
  for (const std::string& key : a.order) {
    const auto other = b.ns_per_msg.find(key);
    if (other == b.ns_per_msg.end()) continue;
    ++matched;
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
      << table.render();
  out << matched << " points in both; " << a.order.size() - matched << " only in A, "
      << b.order.size() - matched << " only in B\n";
  return matched > 0 ? 0 : 1;
}

}  // namespace refbench::harness
