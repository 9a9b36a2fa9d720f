// The terminal summary of a run: a table per workload and placement, medians over the
// repetitions, with the ratios between strategies measured side by side.
#pragma once

#include <string>
#include <vector>

#include "results/ratios.h"
#include "results/row.h"

namespace refbench::harness {

// All rows of one workload on one placement (every strategy, every repetition): per
// strategy the median ns/msg with its 95 % confidence interval and CV (flagged noisy above
// `noise_threshold`, a fraction), throughput, the ratio to immortal (per block), latency for
// pingpong, and violations; then the headline ratios and `asked` (--ratios), each the median
// of its per-block ratios with a 95 % interval, per probe cluster where the PUs moved; the
// harness's round trip against the probe (pingpong); and the counters per message.
std::string group_report(const std::vector<results::ResultRow>& rows, double noise_threshold,
                         const std::vector<results::RatioPair>& asked = {});

// The ratio lines of one group (results/ratios.h), as group_report prints them.
std::string ratios_lines(const results::GroupRatios& group);

enum class SummaryAxis { distance_class, interpreters };

// A sweep's summary, per workload and payload: a row per distance class (nearest first)
// or per interpreter count, a column per strategy. Cells are medians over the points of
// the row: ns per message by distance class, total messages per second by interpreters
// (what scaling should grow).
std::string sweep_summary(const std::vector<results::ResultRow>& rows, SummaryAxis axis);

// Median ns per message of `strategy` in these rows, or 0 if it did not run.
double median_ns_per_msg(const std::vector<results::ResultRow>& rows, const std::string& strategy);

}  // namespace refbench::harness
