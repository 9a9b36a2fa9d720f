// What run, sweep and stress settle before the first point runs: the topology they plan
// on, that the heaps fit in this machine's memory, and what of the counters can be counted
// here. Each refuses (UsageError) or says so before any result file is written.
#pragma once

#include <cstddef>
#include <ostream>

#include "harness/counters.h"
#include "harness/options.h"
#include "pinning/topology.h"

namespace refbench::harness {

// The topology of --topology (this machine by default). Throws UsageError for a spec hwloc
// cannot load, or for a synthetic or XML topology without --dry-run: only this machine
// can be measured.
pinning::Topology load_topology(const OutputOptions& output);

// Refuses a point whose memory (heaps, channels, release queues, round-trip samples, the
// --verify ledger: workloads::memory_needed) would not fit in half of this machine's
// memory, before anything runs, naming the figure and its largest parts.
void check_memory(const PointOptions& options, std::size_t interpreters);

// Refuses, before the first point, a plan of `points` whose rows (kept for its summary
// and ratios) would not fit in half of this machine's memory. The plan itself is never
// stored (plan.h's PlanSpace); its rows are.
void check_rows_fit(std::size_t points, std::size_t interpreters_per_point);

// Says once, on `err`, what of the counter set cannot be counted here and why (hardware
// counters missing in a VM, an event this PMU lacks, a build without libpfm4).
void announce_counters(const CounterSet& counters, std::ostream& err);

}  // namespace refbench::harness
