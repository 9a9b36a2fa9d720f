#include "harness/testing_aids.h"

#include <csignal>
#include <cstdlib>
#include <thread>

namespace refbench::harness {

namespace {

// REFBENCH_INJECT_KILL=STRATEGY (--isolation process only): interpreter 1 of that
// strategy's points kills its own process with SIGKILL when its timed phase starts.
void add_kill(workloads::ThreadHooks& hooks, const workloads::PointConfig& config) {
  const char* strategy = std::getenv("REFBENCH_INJECT_KILL");
  if (strategy == nullptr || name(config.strategy) != strategy ||
      config.isolation != workloads::Isolation::process) {
    return;
  }
  auto begin = hooks.on_measure_begin;
  hooks.on_measure_begin = [begin](unsigned i) {
    if (begin) begin(i);
    if (i == 1) raise(SIGKILL);
  };
}

}  // namespace

void add_testing_aids(workloads::ThreadHooks& hooks, const workloads::PointConfig& config) {
  add_kill(hooks, config);
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
