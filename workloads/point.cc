#include "workloads/point.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "workloads/drive.h"
#include "workloads/shapes.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

void check(const PointConfig& config) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (const std::string problem = interpreters_problem(config.workload, config.interpreters);
      !problem.empty()) {
    bad(problem);
  }
  if (config.messages == 0 && config.duration.count() <= 0) {
    bad("a point needs messages > 0 or a duration > 0");
  }
  if (config.objects == 0) bad("a point needs at least one object");
  if (config.channel_capacity == 0) bad("a channel needs a capacity of at least 1");
  if (config.release_queue == 0) bad("a release queue needs room for at least 1 request");
  if (config.release_batch == 0) bad("a release batch needs at least 1 request");
  if (config.drain_interval == 0) bad("a drain interval needs at least 1 safe point");
}

template <class S>
PointResult drive_workload(const PointConfig& config, const ThreadHooks& hooks) {
  switch (config.workload) {
    case Workload::stream:
      return drive<S, StreamShape<S>>(config, hooks);
    case Workload::pingpong:
      return drive<S, PingpongShape<S>>(config, hooks);
  }
  throw std::invalid_argument("unknown workload");
}

}  // namespace

std::vector<std::pair<unsigned, unsigned>> links(Workload, unsigned interpreters) {
  std::vector<std::pair<unsigned, unsigned>> pairs;
  for (unsigned sender = 0; sender + 1 < interpreters; sender += 2) {
    pairs.emplace_back(sender, sender + 1);
  }
  return pairs;
}

Role role(Workload, unsigned interpreter) {
  return interpreter % 2 == 0 ? Role::sender : Role::receiver;
}

std::string interpreters_problem(Workload workload, unsigned interpreters) {
  if (interpreters >= 2 && interpreters % 2 == 0) return "";
  return std::string(name(workload)) +
         " runs pairs of interpreters: " + std::to_string(interpreters) +
         " is not allowed (allowed: an even count, 2 or more)";
}

PointResult run_point(const PointConfig& config, const ThreadHooks& hooks) {
  check(config);
  switch (config.strategy) {
    case Strategy::gil:
      return drive_workload<GilStrategy>(config, hooks);
    case Strategy::racy:
      return config.verify ? drive_workload<RacyWitnessedStrategy>(config, hooks)
                           : drive_workload<RacyStrategy>(config, hooks);
    case Strategy::atomic:
      return drive_workload<AtomicStrategy>(config, hooks);
    case Strategy::biased:
      return drive_workload<BiasedStrategy>(config, hooks);
    case Strategy::civ:
      return drive_workload<CivStrategy>(config, hooks);
    case Strategy::civ_deferred:
      return drive_workload<CivDeferredStrategy>(config, hooks);
    case Strategy::immortal:
      return drive_workload<ImmortalStrategy>(config, hooks);
  }
  throw std::invalid_argument("unknown strategy");
}

}  // namespace refbench::workloads
