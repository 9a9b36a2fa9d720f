#include "harness/shard.h"

#include <cstdint>
#include <cstdio>
#include <numeric>

#include "harness/settings.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

// Digits only: no sign, no spaces, no exponent, at most 6 of them (kMaxShards has 6).
bool parse_count(std::string_view text, unsigned& value) {
  if (text.empty() || text.size() > 6) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

// FNV-1a, 64 bits: simple, and the same on every host and compiler (std::hash is not).
class Fnv1a {
 public:
  void add(std::string_view text) {
    for (char c : text) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 0x100000001b3;
    }
    hash_ ^= '\n';  // ends each item, so "ab","c" and "a","bc" differ
    hash_ *= 0x100000001b3;
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325;
};

}  // namespace

ShardSpec parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  ShardSpec spec;
  const bool parsed = slash != std::string_view::npos &&
                      parse_count(text.substr(0, slash), spec.index) &&
                      parse_count(text.substr(slash + 1), spec.count);
  if (!parsed || spec.index < 1 || spec.index > spec.count || spec.count > kMaxShards) {
    throw UsageError("--shard: '" + std::string(text) +
                     "' is not allowed (allowed: I/N, the I-th of N shards, whole numbers with "
                     "1 <= I <= N <= " +
                     std::to_string(kMaxShards) + ", e.g. 3/8)");
  }
  return spec;
}

std::vector<std::size_t> group_numbers(const Plan& plan) {
  std::vector<std::size_t> of_point;
  std::size_t group = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    if (i > 0 && !same_group(plan.points[i - 1], plan.points[i])) ++group;
    of_point.push_back(group);
  }
  return of_point;
}

std::vector<std::size_t> groups_per_shard(const std::vector<std::size_t>& group_points,
                                          unsigned shards) {
  std::vector<std::size_t> counts(shards, 0);
  std::size_t points_left =
      std::accumulate(group_points.begin(), group_points.end(), static_cast<std::size_t>(0));
  std::size_t next = 0;
  for (unsigned k = 0; k < shards && next < group_points.size(); ++k) {
    const std::size_t shards_left = shards - k;
    std::size_t taken = 0;
    while (next < group_points.size()) {
      const std::size_t size = group_points[next];
      // Past the first group, take the next while taken + size / 2 <= points_left /
      // shards_left, i.e. while it brings the shard no farther from an even share. The
      // last shard's share is all that is left, so it takes the rest.
      if (counts[k] > 0 && (2 * taken + size) * shards_left > 2 * points_left) break;
      taken += size;
      ++counts[k];
      ++next;
    }
    points_left -= taken;
  }
  return counts;
}

Shard take_shard(const Plan& full, ShardSpec spec) {
  const std::vector<std::size_t> group_of = group_numbers(full);
  std::vector<std::size_t> group_points;
  for (std::size_t g : group_of) {
    if (g == group_points.size()) group_points.push_back(0);
    ++group_points[g];
  }
  const std::vector<std::size_t> counts = groups_per_shard(group_points, spec.count);
  // This shard's groups are [first, first + counts[index - 1]).
  const std::size_t first = std::accumulate(counts.begin(), counts.begin() + (spec.index - 1),
                                            static_cast<std::size_t>(0));
  const std::size_t end = first + counts[spec.index - 1];

  Shard shard;
  shard.spec = spec;
  shard.plan.dimensions = full.dimensions;
  shard.plan.notes = full.notes;
  shard.full_points = full.points.size();
  shard.groups = end - first;
  shard.full_groups = group_points.size();
  for (std::size_t i = 0; i < full.points.size(); ++i) {
    if (group_of[i] >= first && group_of[i] < end) {
      shard.plan.points.push_back(full.points[i]);
      shard.positions.push_back(i);
    }
  }
  return shard;
}

results::PlanRecord plan_record(const Shard& shard, const std::string& fingerprint) {
  return {fingerprint, shard.full_points, shard.spec.index, shard.spec.count,
          shard.plan.points.size()};
}

std::string describe(const Shard& shard, const pinning::Topology& topo,
                     const std::string& fingerprint) {
  std::string out = "plan on " + topo.source() + ": " + std::to_string(shard.full_points) +
                    " points (" + shard.plan.dimensions + ")\n";
  for (const std::string& note : shard.plan.notes) out += note + "\n";
  out += "shard " + std::to_string(shard.spec.index) + " of " + std::to_string(shard.spec.count) +
         ": " + std::to_string(shard.plan.points.size()) + " of " +
         std::to_string(shard.full_points) + " points (" + std::to_string(shard.groups) + " of " +
         std::to_string(shard.full_groups) + " groups), plan fingerprint " + fingerprint + "\n";
  for (std::size_t i = 0; i < shard.plan.points.size(); ++i) {
    out += "  " + std::to_string(shard.positions[i] + 1) + "  " + describe(shard.plan.points[i]) +
           "\n";
  }
  return out;
}

std::string plan_fingerprint(const Plan& full, const PointOptions& options,
                             const std::vector<std::string>& counter_columns) {
  Fnv1a hash;
  // 2: the settings come from the table (harness/settings.h), one entry each.
  hash.add("refbench plan 2");
  for (const Setting& s : point_settings()) {
    if (s.has(kFingerprint)) hash.add(std::string(s.flag) + " " + s.show(options.config));
  }
  std::string counters = "counters";
  for (const std::string& column : counter_columns) counters += " " + column;
  hash.add(counters);
  for (const Point& point : full.points) hash.add(describe(point));
  return hash.hex();
}

}  // namespace refbench::harness
