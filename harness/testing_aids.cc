#include "harness/testing_aids.h"

#include <cstdlib>
#include <thread>

namespace refbench::harness {

void add_testing_aids(workloads::ThreadHooks& hooks, const workloads::PointConfig& config) {
  const char* strategy = std::getenv("REFBENCH_INJECT_STALL");
  if (strategy == nullptr || name(config.strategy) != strategy ||
      config.stall_timeout.count() == 0) {
    return;
  }
  auto begin = hooks.on_measure_begin;
  hooks.on_measure_begin = [begin, config](unsigned i) {
    if (begin) begin(i);
    if (workloads::role(config.workload, i, config.interpreters) == workloads::Role::receiver) {
      std::this_thread::sleep_for(3 * config.stall_timeout);
    }
  };
}

}  // namespace refbench::harness
