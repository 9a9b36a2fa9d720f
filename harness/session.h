// What `run` and `sweep` share: the topology they plan on, the results file, and the loop
// that measures a plan's points.
#pragma once

#include <functional>
#include <memory>
#include <ostream>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "pinning/topology.h"
#include "results/csv.h"
#include "results/row.h"

namespace refbench::harness {

// The topology of --topology (this machine by default). Throws UsageError for a spec hwloc
// cannot load, or for a synthetic or XML topology without --dry-run: only this machine
// can be measured.
pinning::Topology load_topology(const OutputOptions& output);

// Refuses heaps that would not fit in half of this machine's memory, before anything runs.
void check_memory(const PointOptions& options, std::size_t interpreters);

// Says once, on `err`, what of the counter set cannot be counted here and why (hardware
// counters missing in a VM, an event this PMU lacks).
void announce_counters(const CounterSet& counters, std::ostream& err);

// Opens --out (or a new time-stamped file under results/), with a column group per
// counter. Throws UsageError if it cannot.
std::unique_ptr<results::CsvFile> open_results(const OutputOptions& output,
                                               const CounterSet& counters,
                                               results::CsvFile::Mode mode);

// Measures every point of the plan in order, writes its row, and hands it to `after_each`
// (with the point's index). Returns the exit status: 0, or 1 if a correct strategy showed
// a violation or a point failed; a failure stops the plan, keeps the rows already written
// and says so on `err`.
int execute_plan(const pinning::Topology& topo, const PointOptions& options,
                 const CounterSet& counters, const Plan& plan, results::CsvFile& csv,
                 std::ostream& err,
                 const std::function<void(std::size_t, const results::ResultRow&)>& after_each);

}  // namespace refbench::harness
