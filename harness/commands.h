// The commands: each returns the exit status (0 ok, 1 a failure while measuring) and
// throws UsageError for input it cannot run, before it writes any file.
#pragma once

#include <ostream>

#include "harness/options.h"

namespace refbench::results {
class ResultSink;
}  // namespace refbench::results

namespace refbench::harness {

// Plans the points (default or --cores placements), runs them, writes the CSV as a whole
// file, and prints a table per workload and placement. Exit 1 if a correct strategy showed
// a violation or a point failed (the rows finished before are kept).
int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// Plans the points over PU pairs or interpreter counts, runs them with a progress line
// each, streams rows to the CSV, and ends with a summary per distance class (or per
// interpreter count). Exit status as run_command's.
int sweep_command(const SweepOptions& options, std::ostream& out, std::ostream& err);

// Runs random verified points (strategy, workload, payload, pool size, local work, channel
// capacity, wait policy, early teardown, all drawn from --seed) for --seconds or --points,
// and prints what each strategy showed. Exit 1 if a correct strategy showed a violation,
// a point stalled, or the ground truth disagreed.
int stress_command(const StressOptions& options, std::ostream& out, std::ostream& err);

// Compares two results CSVs point by point: medians, B/A, and whether the difference is
// beyond the noise of both (Mann-Whitney U). Exit 1 if no point is in both.
int compare_command(const CompareOptions& options, std::ostream& out);

// Joins the results of a sharded sweep's shards (each CSV with its FILE.meta.json) into one
// CSV in the plan's order, with a metadata record naming every shard and its host. Throws
// UsageError, before it writes anything, for files that are not shards of one plan (another
// fingerprint or header, a shard twice, a point twice, shards missing or unfinished without
// --partial). Prints where the result went and, loudly, whether the shards' hosts differ.
int merge_command(const MergeOptions& options, std::ostream& out);

// Draws the plots of a results CSV with plots/refbench_plot.py (Debian's python3 with
// matplotlib), and returns the script's exit status.
int plot_command(const PlotOptions& options, std::ostream& err);

// With --plot, after run or sweep: draws the plots of the finished results file beside it
// (as plot_command) unless the plan was interrupted or wrote no row. Returns the exit
// status: `status`, or 1 if it was 0 and the plots could not be drawn.
int plot_if_asked(const OutputOptions& output, const results::ResultSink& sink, int status,
                  std::ostream& err);

// Describes the PMUs, the counter sets as they map here, and what can be counted.
int events_command(std::ostream& out);

// Describes the topology, the distance classes present, and optionally a placement.
int topology_command(const TopologyOptions& options, std::ostream& out);

}  // namespace refbench::harness
