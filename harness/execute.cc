#include "harness/execute.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "harness/counter_figures.h"
#include "harness/machine.h"
#include "harness/probe.h"
#include "harness/settings.h"
#include "harness/testing_aids.h"
#include "results/statistics.h"
#include "results/table.h"
#include "workloads/crew.h"
#include "workloads/point.h"

namespace refbench::harness {
namespace {

using results::ResultRow;

void describe_point(ResultRow& row, const workloads::PointConfig& c, const Point& point,
                    const std::string& topology) {
  row.workload = std::string(name(c.workload));
  row.strategy = std::string(name(c.strategy));
  row.strategy_is_correct = workloads::is_correct(c.strategy);
  row.interpreters = c.interpreters;
  row.placement = point.placement.spec_field();
  row.pus = point.placement.pus_field();
  row.distance_class = pinning::name(point.placement.distance);
  row.wait_policy = std::string(name(c.wait));
  row.topology = topology;
  row.host = host_name();
  row.repetition = point.repetition;
  row.payload_bytes = c.payload_bytes;
  for (const Setting* s : column_settings()) {
    row.settings.push_back({s->column, s->column_value(c), s->has(kBenchmarkName)});
  }
}

// The integrity columns every point that was counted has, from leaks to
// reads_after_owner_gone: a point that ran, or one whose interpreter process died.
void record_integrity(ResultRow& row, const workloads::Integrity& i) {
  row.leaks = i.leaks;
  row.premature_frees = i.events.premature_frees;
  row.use_after_free = i.events.use_after_free;
  row.double_frees = i.events.double_frees;
  row.views_left_open = i.views_left_open;
  row.resource_warnings = i.events.resource_warnings;
  row.dropped_releases = i.events.dropped_releases;
  row.pending_at_end = i.events.calls_at_end;
  row.orphaned_releases = i.events.orphaned_releases;
  row.reads_after_owner_gone = i.events.reads_after_owner_gone;
}

void record_measurements(ResultRow& row, const workloads::PointConfig& c,
                         workloads::PointResult&& r) {
  row.messages = r.messages;
  row.round_trips = r.round_trips;
  row.elapsed_s = r.elapsed_seconds;
  if (c.workload == workloads::Workload::pingpong) {
    const results::LatencySummary rtt = results::summarize_latency(std::move(r.round_trip_ns));
    row.rtt_p50_ns = rtt.p50;
    row.rtt_p99_ns = rtt.p99;
    row.rtt_max_ns = rtt.max;
  }
  const workloads::Integrity& i = r.integrity;
  record_integrity(row, i);
  row.lost_increments = i.lost_increments;
  row.lost_decrements = i.lost_decrements;
  if (c.verify) row.lost_split = i.lost_split_exact ? "exact" : "lower_bound";
  row.violations = i.violations();
}

// Each interpreter thread opens its own counters once pinned, and counts its timed phase.
class PointCounters {
 public:
  PointCounters(const CounterSet& set, unsigned interpreters)
      : set_(set), counters_(interpreters), readings_(interpreters) {}

  void add_to(workloads::ThreadHooks& hooks) {
    auto pin = hooks.on_start;
    hooks.on_start = [this, pin](unsigned i) {
      if (pin) pin(i);
      counters_[i] = std::make_unique<ThreadCounters>(set_);
    };
    hooks.on_measure_begin = [this](unsigned i) { counters_[i]->start(); };
    hooks.on_measure_end = [this](unsigned i) {
      counters_[i]->stop();
      readings_[i] = counters_[i]->read();
    };
  }

  // --isolation process: interpreter i's readings, as text, in its process; and read back
  // from that text in refbench's. One line per event: the value ("-" for none), the scale,
  // then why there is no value (the rest of the line; empty where there is one).
  std::string report(unsigned i) const {
    std::string text;
    for (const CounterReading& r : readings_[i]) {
      char figures[80];
      if (r.value) {
        std::snprintf(figures, sizeof figures, "%.17g %.17g ", *r.value, r.scale);
      } else {
        std::snprintf(figures, sizeof figures, "- %.17g ", r.scale);
      }
      std::string problem = r.problem;
      std::replace(problem.begin(), problem.end(), '\n', ' ');
      text += figures + problem + "\n";
    }
    return text;
  }
  void take_report(unsigned i, const std::string& text) {
    readings_[i].clear();
    std::istringstream lines(text);
    std::string value;
    double scale = 1;
    while (lines >> value >> scale) {
      CounterReading r;
      if (value != "-") r.value = std::stod(value);
      r.scale = scale;
      lines.get();  // the space before the problem
      std::getline(lines, r.problem);
      readings_[i].push_back(r);
    }
  }

  std::vector<results::CounterFigure> figures(workloads::Workload w,
                                              const std::vector<workloads::Traffic>& traffic,
                                              std::uint64_t messages) const {
    std::vector<workloads::Role> roles;
    const auto n = static_cast<unsigned>(readings_.size());
    for (unsigned i = 0; i < n; ++i) roles.push_back(workloads::role(w, i, n));
    return counter_figures(set_, readings_, roles, traffic, messages);
  }

 private:
  const CounterSet& set_;
  std::vector<std::unique_ptr<ThreadCounters>> counters_;
  std::vector<std::vector<CounterReading>> readings_;
};

// The error column of a point the watchdog gave up, in the CLI's words.
std::string stalled_error(const workloads::PointStalled& stalled) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g",
                std::chrono::duration<double>(stalled.timeout).count());
  return std::string("stalled: no message moved for ") + seconds +
         " s (--stall-timeout); the point was given up";
}

// The bare round trip between the sender's PU and the first receiver's, right before the
// point; none when they are one PU.
std::optional<double> probe_before(const pinning::Topology& topo, const PuList& pus) {
  if (pus.size() < 2 || pus[0] == pus[1] || !topo.is_this_machine()) return std::nullopt;
  return probe_round_trip_ns(topo, pus[0], pus[1]);
}

// A row for a point given up: its settings, where its memory was, and empty figures.
ResultRow without_figures(ResultRow row, const std::vector<std::string>& memory_used,
                          const CounterSet& counters) {
  row.memory = results::join(memory_used, ";");
  for (const std::string& name : counters.columns())
    row.counters.push_back({name, "", {}, {}, {}, {}, {}});
  return row;
}

// The error column of a point whose threads the system would not create: what failed, how
// many threads the point needs, and the limit that likely stopped it.
std::string threads_error(const std::system_error& e, const workloads::PointConfig& c) {
  const bool interpreter_thread = dynamic_cast<const workloads::ThreadsNotStarted*>(&e) != nullptr;
  return std::string(interpreter_thread ? "" : "could not start the watchdog thread: ") + e.what() +
         "; the point needs " + std::to_string(c.interpreters) + " interpreter threads" +
         (c.stall_timeout.count() > 0 ? " and a watchdog thread" : "") + "; " + thread_limits();
}

}  // namespace

ResultRow measure(const pinning::Topology& topo, const PointOptions& options,
                  const CounterSet& counters, const Point& point, BlockProbe* block) {
  const workloads::PointConfig config = point_config(options, point);
  std::vector<std::string> memory_used;
  workloads::ThreadHooks hooks =
      point_hooks(topo, point.placement.pus, options.memory, memory_used);
  PointCounters point_counters(counters, config.interpreters);
  point_counters.add_to(hooks);
  if (config.isolation == workloads::Isolation::process) {
    // The hooks run in each interpreter's process and record in its copy of the harness:
    // its heap's placement and its counters come back as text.
    hooks.report = [&](unsigned i) { return memory_used[i] + "\n" + point_counters.report(i); };
    hooks.on_report = [&](unsigned i, const std::string& text) {
      const std::size_t end = text.find('\n');
      memory_used[i] = text.substr(0, end);
      if (end != std::string::npos) point_counters.take_report(i, text.substr(end + 1));
    };
  }
  add_testing_aids(hooks, config);
  ResultRow row;
  describe_point(row, config, point, topo.source());
  std::vector<workloads::Traffic> traffic;  // what each interpreter sent and received
  try {
    if (block != nullptr && block->taken && block->pus == point.placement.pus) {
      row.probe_rtt_ns = block->rtt_ns;
    } else {
      row.probe_rtt_ns = probe_before(topo, point.placement.pus);
      if (block != nullptr) *block = BlockProbe{true, point.placement.pus, row.probe_rtt_ns};
    }
    workloads::PointResult result = workloads::run_point(config, hooks);
    traffic = result.traffic;
    record_measurements(row, config, std::move(result));
  } catch (const workloads::PointStalled& stalled) {
    row.error = stalled_error(stalled);
    return without_figures(std::move(row), memory_used, counters);
  } catch (const workloads::InterpreterProcessDied& died) {
    // --isolation process: the error names the interpreter, its process and the signal, and
    // what the point left (Runtime::inventory) is in the integrity columns. Its violations
    // stay empty: the kill left those references, not the strategy.
    row.error = died.what();
    if (died.left) {
      record_integrity(row, died.left->integrity);
      row.integrity_counted = true;
    }
    return without_figures(std::move(row), memory_used, counters);
  } catch (const std::system_error& e) {
    // A thread the system would not create (issue 13): the point is given up, not hung.
    if (e.code() != std::errc::resource_unavailable_try_again) throw;
    row.error = threads_error(e, config);
    return without_figures(std::move(row), memory_used, counters);
  }
  row.memory = results::join(memory_used, ";");
  row.counters = point_counters.figures(config.workload, traffic, row.messages);
  return row;
}

}  // namespace refbench::harness
