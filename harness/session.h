// What `run` and `sweep` share: the topology they plan on, the results file with its
// metadata, and the loop that measures a plan's points.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "pinning/topology.h"
#include "results/row.h"
#include "results/sink.h"

namespace refbench::harness {

// Exit status of a plan stopped by Ctrl-C (128 + SIGINT, as shells report it).
inline constexpr int kInterrupted = 130;

// The topology of --topology (this machine by default). Throws UsageError for a spec hwloc
// cannot load, or for a synthetic or XML topology without --dry-run: only this machine
// can be measured.
pinning::Topology load_topology(const OutputOptions& output);

// Refuses heaps that would not fit in half of this machine's memory, before anything runs.
void check_memory(const PointOptions& options, std::size_t interpreters);

// Says once, on `err`, what of the counter set cannot be counted here and why (hardware
// counters missing in a VM, an event this PMU lacks, a build without libpfm4).
void announce_counters(const CounterSet& counters, std::ostream& err);

// Opens the results file (--out, or a new time-stamped file under results/) in its format
// (--format, else by extension), and writes beside it the metadata record
// (FILE.meta.json, with `plan`: which plan and shard the file holds) and the topology's
// hwloc XML (FILE.topology.xml). With Opening::append the rows go to the end of --out, an
// existing CSV, and metadata already there is kept. Throws UsageError if a file cannot be
// written.
std::unique_ptr<results::ResultSink> open_results(const OutputOptions& output,
                                                  const pinning::Topology& topo,
                                                  const CounterSet& counters,
                                                  results::Opening opening,
                                                  const results::PlanRecord& plan);

struct PlanRun {
  const pinning::Topology& topo;
  const PointOptions& options;
  const CounterSet& counters;
  const Plan& plan;
  results::ResultSink& sink;
  std::ostream& err;
  std::function<void(std::size_t, const Point&)> before_each;
  std::function<void(std::size_t, const results::ResultRow&)> after_each;
  // Called before a message is printed on `err` (to erase a progress line).
  std::function<void()> before_message;
  // How to continue after Ctrl-C, said when it happens; empty: start again.
  std::string resume_hint;
};

// Measures every point of the plan in order, writes its row and hands it to after_each.
// Returns the exit status: 0; 1 if a correct strategy showed a violation or a point
// failed (the plan stops, the rows written are kept, and `err` says so); kInterrupted
// after Ctrl-C (the point being measured finishes and is kept, and `err` says how to go
// on).
int execute_plan(const PlanRun& run);

// With --plot, draws the plots of the finished results file beside it (refbench plot)
// unless the plan was interrupted or wrote no row. Returns the exit status: `status`, or
// 1 if it was 0 and the plots could not be drawn.
int plot_if_asked(const OutputOptions& output, const results::ResultSink& sink, int status,
                  std::ostream& err);

}  // namespace refbench::harness
