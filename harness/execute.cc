#include "harness/execute.h"

#include <cstdlib>
#include <memory>
#include <thread>

#include "harness/counter_figures.h"
#include "harness/machine.h"
#include "results/statistics.h"
#include "workloads/point.h"
#include "workloads/watchdog.h"

namespace refbench::harness {
namespace {

using results::ResultRow;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ";") + part;
  return out;
}

void describe_point(ResultRow& row, const workloads::PointConfig& c, const Point& point,
                    const std::string& topology) {
  row.workload = std::string(name(c.workload));
  row.strategy = std::string(name(c.strategy));
  row.strategy_is_correct = workloads::is_correct(c.strategy);
  row.interpreters = c.interpreters;
  row.placement = point.placement.spec_field();
  row.pus = point.placement.pus_field();
  row.distance_class = std::string(pinning::name(point.placement.distance));
  row.wait_policy = std::string(name(c.wait));
  row.topology = topology;
  row.host = host_name();
  row.repetition = point.repetition;
  row.payload_bytes = c.payload_bytes;
  row.objects = c.objects;
  row.local_work = c.local_work;
  row.channel_capacity = c.channel_capacity;
  row.warmup_messages = c.warmup_messages;
  if (c.strategy == workloads::Strategy::civ_deferred) {
    row.release_queue = c.release_queue;
    row.release_batch = c.release_batch;
    row.drain_interval = c.drain_interval;
  }
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
  row.verified = c.verify;
  row.teardown = std::string(workloads::name(c.teardown));
  row.leaks = i.leaks;
  row.premature_frees = i.events.premature_frees;
  row.use_after_free = i.events.use_after_free;
  row.double_frees = i.events.double_frees;
  row.views_left_open = i.views_left_open;
  row.resource_warnings = i.events.resource_warnings;
  row.dropped_releases = i.events.dropped_releases;
  row.lost_increments = i.lost_increments;
  row.lost_decrements = i.lost_decrements;
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

  std::vector<results::CounterFigure> figures(workloads::Workload w, std::uint64_t messages) const {
    std::vector<workloads::Role> roles;
    const auto n = static_cast<unsigned>(readings_.size());
    for (unsigned i = 0; i < n; ++i) roles.push_back(workloads::role(w, i, n));
    return counter_figures(set_, readings_, roles, messages);
  }

 private:
  const CounterSet& set_;
  std::vector<std::unique_ptr<ThreadCounters>> counters_;
  std::vector<std::vector<CounterReading>> readings_;
};

// A testing aid (README, Stress): REFBENCH_INJECT_STALL=STRATEGY makes the receivers of
// that strategy's points start three stall timeouts late, so the watchdog must act.
void inject_stall_if_asked(workloads::ThreadHooks& hooks, const workloads::PointConfig& c) {
  const char* strategy = std::getenv("REFBENCH_INJECT_STALL");
  if (strategy == nullptr || name(c.strategy) != strategy || c.stall_timeout.count() == 0) return;
  auto begin = hooks.on_measure_begin;
  hooks.on_measure_begin = [begin, c](unsigned i) {
    if (begin) begin(i);
    if (workloads::role(c.workload, i, c.interpreters) == workloads::Role::receiver) {
      std::this_thread::sleep_for(3 * c.stall_timeout);
    }
  };
}

}  // namespace

ResultRow measure(const pinning::Topology& topo, const PointOptions& options,
                  const CounterSet& counters, const Point& point) {
  const workloads::PointConfig config = point_config(options, point);
  std::vector<std::string> memory_used;
  workloads::ThreadHooks hooks =
      point_hooks(topo, point.placement.pus, options.memory, memory_used);
  PointCounters point_counters(counters, config.interpreters);
  point_counters.add_to(hooks);
  inject_stall_if_asked(hooks, config);
  ResultRow row;
  describe_point(row, config, point, topo.source());
  try {
    record_measurements(row, config, workloads::run_point(config, hooks));
  } catch (const workloads::PointStalled& stalled) {
    row.error = stalled.what();
    row.memory = join(memory_used);
    for (const std::string& name : counters.columns())
      row.counters.push_back({name, "", {}, {}, {}, {}, {}});
    return row;
  }
  row.memory = join(memory_used);
  row.counters = point_counters.figures(config.workload, row.messages);
  return row;
}

}  // namespace refbench::harness
