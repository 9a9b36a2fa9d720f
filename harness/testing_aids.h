// Testing aids that reach into a run from outside the process (an end-to-end test runs the
// real binary): each is off unless its environment variable is set, and none touches a
// point that runs without it.
#pragma once

#include "workloads/point.h"

namespace refbench::harness {

// REFBENCH_INJECT_STALL=STRATEGY: the receivers of that strategy's points start three stall
// timeouts late, so that the watchdog must give the point up.
// REFBENCH_INJECT_KILL=STRATEGY: with --isolation process, interpreter 1 of that strategy's
// points kills its own process (SIGKILL) as its timed phase starts.
void add_testing_aids(workloads::ThreadHooks& hooks, const workloads::PointConfig& config);

}  // namespace refbench::harness
