// Sharding a plan over hosts (`sweep --shard I/N`), and the plan's identity (its
// fingerprint), which `refbench merge` checks before it joins the shards' results.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/options.h"
#include "harness/plan.h"
#include "pinning/topology.h"
#include "results/metadata.h"

namespace refbench::harness {

// The most shards a plan can be cut into.
inline constexpr unsigned kMaxShards = 100000;

// "3/8": the third of eight shards (1-based). Throws UsageError naming the text and what
// is allowed for anything else ("0/4", "5/4", "1/0", "x", "1/4/2", " 1/4", "+1/4").
ShardSpec parse_shard(std::string_view text);

// The groups of a plan (points that same_group joins: every strategy and repetition of one
// workload, payload and PUs, which are compared side by side; make_plan keeps each group's
// points together) in plan order, and for each point its group's number.
std::vector<std::size_t> group_numbers(const Plan& plan);

// How many groups each shard takes, in plan order: shard k takes the next counts[k]
// groups. Each shard is a contiguous stretch of the plan, balanced by points: a shard takes
// the next group while that brings it closer to an even share of the points left (and
// always takes one while groups are left), the last takes the rest. More shards than
// groups leaves the last shards empty. `group_points`: the points of each group, in order.
std::vector<std::size_t> groups_per_shard(const std::vector<std::size_t>& group_points,
                                          unsigned shards);

// One shard of a plan: its points, in the full plan's order, and where they are in it.
struct Shard {
  ShardSpec spec;
  Plan plan;                           // the shard's points; dimensions and notes as the full plan
  std::vector<std::size_t> positions;  // each point's index in the full plan
  std::size_t full_points = 0;
  std::size_t groups = 0;  // groups in this shard
  std::size_t full_groups = 0;
};

// The spec's shard of `full`. Deterministic: the same plan always gives the same shards;
// together they hold every point of the plan exactly once, no group is split.
Shard take_shard(const Plan& full, ShardSpec spec);

// What the metadata records of a shard: the full plan's fingerprint and points, and the
// shard's index, count and points.
results::PlanRecord plan_record(const Shard& shard, const std::string& fingerprint);

// What --dry-run prints for a shard: the full plan's line, its notes, "shard I of N: k of
// M points (g of G groups)", the plan's fingerprint, and the shard's points numbered by
// their place in the full plan.
std::string describe(const Shard& shard, const pinning::Topology& topo,
                     const std::string& fingerprint);

// A stable hash (16 hex digits) of the full plan: every point's description and the
// settings every point shares that change its rows (messages or seconds, warm-up, objects,
// local work, channel capacity, --verify, --teardown, the counter columns). The same
// options on hosts of the same kind give the same fingerprint; any other plan or setting
// gives another. The noise threshold and the stall timeout change no row and are left out.
std::string plan_fingerprint(const Plan& full, const PointOptions& options,
                             const std::vector<std::string>& counter_columns);

}  // namespace refbench::harness
