// The terminal summary of a run: a table per workload and placement, medians over the
// repetitions, with the ratios between strategies measured side by side.
#pragma once

#include <string>
#include <vector>

#include "results/row.h"

namespace refbench::harness {

// All rows of one workload on one placement (every strategy, every repetition).
std::string group_report(const std::vector<results::ResultRow>& rows);

// Median ns per message of `strategy` in these rows, or 0 if it did not run.
double median_ns_per_msg(const std::vector<results::ResultRow>& rows, const std::string& strategy);

}  // namespace refbench::harness
