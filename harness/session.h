// The loop that run and sweep share: measuring a plan's points in order, each row written
// as it finishes, stopping cleanly on a failure or Ctrl-C. What comes before it is in
// preflight.h (topology, memory, counters) and output_files.h (the results file).
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

#include "harness/budget.h"
#include "harness/counters.h"
#include "harness/interrupt.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "pinning/topology.h"
#include "results/row.h"
#include "results/sink.h"

namespace refbench::harness {

struct PlanRun {
  const pinning::Topology& topo;
  const PointOptions& options;
  const CounterSet& counters;
  const PointSequence& points;
  results::ResultSink& sink;
  std::ostream& err;
  std::function<void(std::size_t, const Point&)> before_each;
  std::function<void(std::size_t, const results::ResultRow&)> after_each;
  // Called before a message is printed on `err` (to erase a progress line).
  std::function<void()> before_message;
  // How to continue after Ctrl-C, said when it happens; empty: start again.
  std::string resume_hint;
  // More points may follow in the same file (--precision's further blocks): the sink is
  // committed only if the run stops early, and otherwise left for the caller to commit.
  bool more_to_come = false;
  // --budget: before each block of `block` points (one repetition of every strategy of a
  // group), the keeper chooses the timed phase; after each point it learns what it cost.
  BudgetKeeper* budget = nullptr;
  std::size_t block = 1;
};

// Measures every point in order, writes its row and hands it to after_each.
// Returns the exit status: 0; 1 if a correct strategy showed a violation or a point
// failed (the plan stops, the rows written are kept, and `err` says so); 128 + the signal
// after Ctrl-C, SIGTERM or SIGHUP (the point being measured finishes and is kept, and `err` says
// how to go on).
int execute_plan(const PlanRun& run);

}  // namespace refbench::harness
