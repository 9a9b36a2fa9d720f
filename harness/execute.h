// Measuring one point of a plan on this machine and turning it into a result row.
#pragma once

#include <optional>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "pinning/topology.h"
#include "results/row.h"

namespace refbench::harness {

// Runs `point` with its interpreters pinned, their heaps placed and `counters` counted on
// each of them around the timed phase, and returns its row. Throws whatever stopped the
// point (a thread that could not be pinned, say).
// With `block`, the probe (probe_rtt_ns) is taken once per block: by the first point that
// runs on the block's PUs, and given to the others (set taken = false to start a block).
struct BlockProbe {
  bool taken = false;
  PuList pus;
  std::optional<double> rtt_ns;
};
results::ResultRow measure(const pinning::Topology& topo, const PointOptions& options,
                           const CounterSet& counters, const Point& point,
                           BlockProbe* block = nullptr);

}  // namespace refbench::harness
