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

// Refuses heaps that would not fit in half of this machine's memory, before anything runs.
void check_memory(const PointOptions& options, std::size_t interpreters);

// Says once, on `err`, what of the counter set cannot be counted here and why (hardware
// counters missing in a VM, an event this PMU lacks, a build without libpfm4).
void announce_counters(const CounterSet& counters, std::ostream& err);

}  // namespace refbench::harness
