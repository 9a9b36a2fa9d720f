#include "results/benchmark_json.h"

#include <map>
#include <optional>

#include "results/ratios.h"
#include "results/statistics.h"

namespace refbench::results {
namespace {

using Json = nlohmann::ordered_json;

Json context(const Metadata& m) {
  return {{"date", m.date},
          {"host_name", m.host},
          {"executable", "refbench"},
          {"num_cpus", m.pus},
          {"mhz_per_cpu", 0},
          {"cpu_scaling_enabled", m.governor.has_value() && *m.governor != "performance"},
          {"caches", Json::array()},
          {"library_build_type", m.build_type == "Release" ? "release" : "debug"},
          {"refbench", to_json(m)}};
}

void add_counters(Json& entry, const ResultRow& r) {
  entry["msgs_per_s"] = r.msgs_per_s();
  entry["violations"] = r.violations;
  if (r.rtt_p50_ns) entry["rtt_p50_ns"] = *r.rtt_p50_ns;
  if (r.rtt_p99_ns) entry["rtt_p99_ns"] = *r.rtt_p99_ns;
  if (r.rtt_max_ns) entry["rtt_max_ns"] = *r.rtt_max_ns;
  if (r.lost_increments) entry["lost_increments"] = *r.lost_increments;
  if (r.lost_decrements) entry["lost_decrements"] = *r.lost_decrements;
  for (const CounterFigure& f : r.counters) {
    if (f.per_msg) entry[f.name + "_per_msg"] = *f.per_msg;
    // Multiplexed: the figure is the count scaled up from part of the time.
    if (f.per_msg && f.estimate()) {
      entry[f.name + "_scale"] = *f.scale;
      entry[f.name + "_estimate"] = true;
    }
    if (!f.problem.empty()) entry[f.name + "_problem"] = f.problem;
  }
}

// A point whose interpreter process died: what the dead process left, counted once every
// process of the point was gone, under the CSV's integrity column names.
void add_what_was_left(Json& entry, const ResultRow& r) {
  entry["leaks"] = r.leaks;
  entry["premature_frees"] = r.premature_frees;
  entry["use_after_free"] = r.use_after_free;
  entry["double_frees"] = r.double_frees;
  entry["views_left_open"] = r.views_left_open;
  entry["resource_warnings"] = r.resource_warnings;
  entry["dropped_releases"] = r.dropped_releases;
  entry["pending_at_end"] = r.pending_at_end;
  entry["orphaned_releases"] = r.orphaned_releases;
  entry["reads_after_owner_gone"] = r.reads_after_owner_gone;
}

// Google Benchmark's cpu_time: the CPU time of all interpreter threads per message, which
// is the task-clock software counter when it was counted. Without it (--counters none)
// there is no CPU time, and cpu_time repeats real_time, as the context says.
std::optional<double> cpu_ns_per_msg(const ResultRow& r) {
  for (const CounterFigure& f : r.counters) {
    if (f.name == "task_clock_ns" && f.per_msg) return f.per_msg;
  }
  return std::nullopt;
}

double cpu_time(const ResultRow& r) { return cpu_ns_per_msg(r).value_or(r.ns_per_msg()); }

Json iteration(const ResultRow& r, std::size_t family, std::size_t repetitions) {
  Json entry = {{"name", point_name(r)},
                {"family_index", family},
                {"per_family_instance_index", 0},
                {"run_name", point_name(r)},
                {"run_type", "iteration"},
                {"repetitions", repetitions},
                {"repetition_index", r.repetition - 1},
                {"threads", r.interpreters},
                {"iterations", r.messages},
                {"real_time", r.ns_per_msg()},
                {"cpu_time", cpu_time(r)},
                {"time_unit", "ns"},
                {"label", r.distance_class + " " + r.wait_policy + " " + r.memory}};
  if (!r.error.empty()) {
    // As Google Benchmark writes a run that called SkipWithError: flagged, with its reason,
    // so that no tool reads its zero time as a figure.
    entry["error_occurred"] = true;
    entry["error_message"] = r.error;
    if (r.integrity_counted) add_what_was_left(entry, r);
    return entry;
  }
  add_counters(entry, r);
  return entry;
}

Json aggregate(const std::string& name, std::size_t family, std::size_t repetitions,
               unsigned threads, const char* kind, double real, double cpu, const char* unit) {
  return {{"name", name + "_" + kind}, {"family_index", family},  {"per_family_instance_index", 0},
          {"run_name", name},          {"run_type", "aggregate"}, {"repetitions", repetitions},
          {"threads", threads},        {"aggregate_name", kind},  {"aggregate_unit", unit},
          {"iterations", repetitions}, {"real_time", real},       {"cpu_time", cpu},
          {"time_unit", "ns"}};
}

// The mean, median, stddev and cv entries of one point, as Google Benchmark writes them.
void add_aggregates(Json& benchmarks, const std::string& name, std::size_t family,
                    const std::vector<const ResultRow*>& all_runs) {
  std::vector<const ResultRow*> runs;  // failed runs measured nothing: left out
  for (const ResultRow* r : all_runs) {
    if (r->error.empty()) runs.push_back(r);
  }
  if (runs.empty()) return;
  std::vector<double> real, cpu;
  for (const ResultRow* r : runs) {
    real.push_back(r->ns_per_msg());
    cpu.push_back(cpu_time(*r));
  }
  const Summary wall = summarize(real);
  const Summary used = summarize(cpu);
  const std::size_t n = runs.size();
  const unsigned threads = runs.front()->interpreters;
  benchmarks.push_back(aggregate(name, family, n, threads, "mean", wall.mean, used.mean, "time"));
  benchmarks.push_back(
      aggregate(name, family, n, threads, "median", wall.median, used.median, "time"));
  benchmarks.push_back(
      aggregate(name, family, n, threads, "stddev", wall.stddev, used.stddev, "time"));
  benchmarks.push_back(aggregate(name, family, n, threads, "cv", wall.cv, used.cv, "percentage"));
}

std::string cpu_time_note(const std::vector<ResultRow>& rows) {
  for (const ResultRow& r : rows) {
    if (!cpu_ns_per_msg(r)) return "not measured (no task_clock_ns counter): repeats real_time";
  }
  return "task_clock_ns of all interpreter threads per message";
}

}  // namespace

namespace {

// "/objects:1/local_work:0...": the settings that name a point, where they apply.
std::string settings_in_name(const ResultRow& r) {
  std::string out;
  for (const SettingField& s : r.settings) {
    if (s.names_benchmark && !s.value.empty()) out += "/" + s.column + ":" + s.value;
  }
  return out;
}

}  // namespace

std::string point_name(const ResultRow& r) {
  // The placement too: two policies may pick the same PUs, and their repetitions must not
  // be pooled into one benchmark.
  return r.workload + "/" + r.strategy + "/interpreters:" + std::to_string(r.interpreters) +
         (r.placement.empty() ? "" : "/placement:" + r.placement) + "/pus:" + r.pus +
         "/payload:" + std::to_string(r.payload_bytes) + settings_in_name(r) +
         // Named only as processes, so that every thread point keeps its name.
         (r.setting("isolation") == "process" ? "/isolation:process" : "");
}

namespace {

Json ratios_json(const std::vector<ResultRow>& rows, const std::vector<RatioPair>& asked) {
  Json out = Json::array();
  for (const GroupRatios& g : paired_ratios(observations(rows), asked)) {
    for (const PairedRatio& r : g.ratios) {
      Json entry = {{"workload", g.workload},
                    {"pus", g.pus},
                    {"payload_bytes", g.payload_bytes},
                    {"numerator", r.pair.numerator},
                    {"denominator", r.pair.denominator},
                    {"cluster", r.cluster == 0 ? Json("all") : Json(r.cluster)},
                    {"ratio", r.ratio.median},
                    {"ci_low", r.ratio.low},
                    {"ci_high", r.ratio.high},
                    {"ci_coverage", r.ratio.coverage},
                    {"blocks", r.ratio.samples},
                    {"probe_rtt_ns", r.probe_rtt_ns ? Json(*r.probe_rtt_ns) : Json(nullptr)},
                    {"drift", g.drift},
                    {"isolation", g.isolation}};
      out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace

std::string benchmark_json(const Metadata& metadata, const std::vector<ResultRow>& rows,
                           const std::vector<RatioPair>& asked) {
  // Points in the order they first appear, with their repetitions' ns per message.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ResultRow*>> points;
  for (const ResultRow& r : rows) {
    auto& list = points[point_name(r)];
    if (list.empty()) order.push_back(point_name(r));
    list.push_back(&r);
  }
  Json benchmarks = Json::array();
  for (std::size_t family = 0; family < order.size(); ++family) {
    const auto& runs = points[order[family]];
    for (const ResultRow* r : runs) benchmarks.push_back(iteration(*r, family, runs.size()));
    add_aggregates(benchmarks, order[family], family, runs);
  }
  Json described = context(metadata);
  described["refbench_cpu_time"] = cpu_time_note(rows);
  const Json document = {
      {"context", described}, {"benchmarks", benchmarks}, {"ratios", ratios_json(rows, asked)}};
  return document.dump(2) + "\n";
}

}  // namespace refbench::results
