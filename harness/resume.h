// Going on with an interrupted sweep: which points of the plan its CSV already holds.
#pragma once

#include <filesystem>
#include <vector>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"

namespace refbench::harness {

// For each point of `plan`, whether the CSV at `path` already has its row. The file must be
// this sweep's: refbench's columns with the same counters, the settings every point shares
// (objects, local work, channel capacity, warm-up, --verify) equal to this sweep's, and no
// row for a point this sweep does not plan. Throws UsageError naming the file and what
// differs.
std::vector<bool> points_done(const std::filesystem::path& path, const Plan& plan,
                              const PointOptions& options, const CounterSet& counters);

}  // namespace refbench::harness
