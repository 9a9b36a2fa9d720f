// What a run or sweep says about its own figures once its points are done: the ratios
// between strategies taken per repetition block (results/ratios.h), written beside the
// results, and the checks recorded in the metadata (drift, the harness's round trip against
// the probe, precision not reached). Also --precision's rule for adding blocks.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "results/metadata.h"
#include "results/ratios.h"
#include "results/row.h"
#include "results/sink.h"

namespace refbench::harness {

struct RatioChecks {
  std::vector<results::GroupRatios> groups;
  results::RunChecks checks;
};

// The ratios of `rows` (the headline pairs and `options.ratios`) and the checks.
RatioChecks check_ratios(const std::vector<results::ResultRow>& rows, const PointOptions& options);

// `results.csv` -> `results.ratios.csv`.
std::filesystem::path ratios_path(const std::filesystem::path& results);

// Beside the results: FILE.ratios.csv (a JSON results file carries its ratios itself), and
// the checks added to FILE.meta.json. Each file written whole or not at all.
void write_ratio_checks(const results::ResultSink& sink, results::Format format,
                        const RatioChecks& outcome);

// With counters on, what counting costs: in each group, immortal and atomic (else the
// group's first strategy) run again without counters and then with them, back to back (rows
// not written: a check, not figures); time with over time without, recorded in
// `checks.counter_overhead` and flagged when every strategy checked is beyond
// kMostCounterOverhead the same way. Nothing with no counters.
inline constexpr double kMostCounterOverhead = 1.10;
void check_counter_overhead(const pinning::Topology& topo, const PointOptions& options,
                            const CounterSet& counters, const Plan& plan,
                            results::RunChecks& checks);

// How many points check_counter_overhead runs for `plan` (for --budget).
std::size_t counter_check_points(const CounterSet& counters, const Plan& plan);

// One line per finding, for the terminal: "refbench: drift: PUs 0,1 moved ...".
std::string check_lines(const results::RunChecks& checks);

// --precision: one more repetition block (every strategy the group ran, in the plan's order)
// for each group of `plan` whose headline ratios are not yet within `options.precision`,
// until it has options.max_repetitions blocks. Empty when every group is done.
Plan next_blocks(const Plan& plan, const std::vector<results::ResultRow>& rows,
                 const PointOptions& options);

}  // namespace refbench::harness
