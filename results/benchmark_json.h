// Results in Google Benchmark's JSON schema, so that its tools/compare.py reads them.
#pragma once

#include <string>
#include <vector>

#include "results/metadata.h"
#include "results/ratios.h"
#include "results/row.h"

namespace refbench::results {

// {"context": {...Google Benchmark's keys..., "refbench": metadata},
//  "benchmarks": [one "iteration" entry per row, then per point "aggregate" entries for
//  the mean, median, stddev and cv of ns per message]}.
// A point is everything but the repetition; its name, shared by its repetitions as in
// Google Benchmark, is "workload/strategy/interpreters:N/pus:A;B/payload:P/objects:K/
// local_work:W". real_time and cpu_time are ns per message (the interpreters' CPU time is
// the task_clock_ns_per_msg counter); iterations are messages; every other figure is a
// user counter, and the distance class, wait policy and memory are in the label. A point
// that failed carries "error_occurred": true and its "error_message", as Google Benchmark
// writes a skipped run, and is left out of the aggregates. Then "ratios": the paired
// ratios (results/ratios.h) of the headline pairs and `asked`, as FILE.ratios.csv has them.
std::string benchmark_json(const Metadata& metadata, const std::vector<ResultRow>& rows,
                           const std::vector<RatioPair>& asked = {});

// The point a row belongs to (its name above).
std::string point_name(const ResultRow& row);

}  // namespace refbench::results
