// Going on with an interrupted sweep: which points of the plan its CSV already holds.
#pragma once

#include <filesystem>
#include <vector>

#include "harness/counters.h"
#include "harness/options.h"
#include "harness/plan.h"
#include "results/metadata.h"

namespace refbench::harness {

// The points of `stretch` (a shard of a sweep's plan) whose rows the CSV at `path`
// already holds, as indices in the whole plan, sorted. The file must be
// this sweep's: refbench's columns with the same counters, the settings every point shares
// (objects, local work, channel capacity, warm-up, --verify) equal to this sweep's, and no
// row for a point this sweep does not plan. Throws UsageError naming the file and what
// differs.
// The file is read strictly (harness/results_input.h); a last row cut short is not a point
// done, and its line goes to `cut_line` (0: none).
std::vector<std::size_t> points_done(const std::filesystem::path& path, const PlanStretch& stretch,
                                     const PointOptions& options, const CounterSet& counters,
                                     std::size_t* cut_line = nullptr);

// As points_done for a shard, and the metadata beside the file, where it records a
// plan (refbench before sharding did not), must record this one: the same shard of a plan
// with the same fingerprint. Throws UsageError naming the file and what differs.
std::vector<std::size_t> shard_points_done(const std::filesystem::path& path,
                                           const PlanStretch& shard, const PointOptions& options,
                                           const CounterSet& counters,
                                           const results::PlanRecord& ours,
                                           std::size_t* cut_line = nullptr);

}  // namespace refbench::harness
