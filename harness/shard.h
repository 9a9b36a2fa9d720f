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

// How many groups each shard takes, in plan order: shard k takes the next counts[k]
// groups. Every group of a plan holds the same number of points (each strategy of each
// repetition), so balancing points is balancing groups: each shard takes the next group
// while that brings it no farther from an even share of the groups left (and always takes
// one while groups are left), the last takes the rest. More shards than groups leaves the
// last shards empty.
std::vector<std::size_t> groups_per_shard(std::size_t groups, unsigned shards);

// One shard of a plan: a stretch [first, end) of the full plan's points, whole groups.
struct Shard {
  ShardSpec spec;
  std::size_t first = 0;
  std::size_t end = 0;
  std::size_t full_points = 0;
  std::size_t groups = 0;  // groups in this shard
  std::size_t full_groups = 0;
  std::size_t points() const { return end - first; }
};

// The spec's shard of `full`. Deterministic: the same plan always gives the same shards;
// together they hold every point of the plan exactly once, no group is split.
Shard take_shard(const PlanSpace& full, ShardSpec spec);

// What the metadata records of a shard: the full plan's fingerprint and points, and the
// shard's index, count and points.
results::PlanRecord plan_record(const Shard& shard, const std::string& fingerprint);

// What --dry-run prints for a shard: the full plan's line, its notes, "shard I of N: k of
// M points (g of G groups)", the plan's fingerprint, and the shard's points numbered by
// their place in the full plan (see point_lines: all of them with `all`).
std::string describe(const Shard& shard, const PlanSpace& full, const pinning::Topology& topo,
                     const std::string& fingerprint, bool all);

// A stable hash (16 hex digits) of the full plan: every point's description (beyond
// kFingerprintEvery points, the count and kFingerprintSamples points spread evenly over
// the plan, so that a plan of billions is named in moments) and the settings every point
// shares that change its rows (messages or seconds, warm-up, objects, local work, channel
// capacity, --verify, --teardown, the counter columns). The same
// options on hosts of the same kind give the same fingerprint; any other plan or setting
// gives another. The noise threshold and the stall timeout change no row and are left out.
inline constexpr std::size_t kFingerprintEvery = std::size_t{1} << 20;
inline constexpr std::size_t kFingerprintSamples = std::size_t{1} << 16;
std::string plan_fingerprint(const PlanSpace& full, const PointOptions& options,
                             const std::vector<std::string>& counter_columns);

}  // namespace refbench::harness
