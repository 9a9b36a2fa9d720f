#include "harness/shard.h"

#include <algorithm>
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

std::vector<std::size_t> groups_per_shard(std::size_t groups, unsigned shards) {
  std::vector<std::size_t> counts(shards, 0);
  std::size_t left = groups;
  for (unsigned k = 0; k < shards && left > 0; ++k) {
    const std::size_t shards_left = shards - k;
    // Having taken t groups, the shard takes one more while (2t + 1) x shards_left <=
    // 2 x left, i.e. while t + 1/2 is no more than an even share: the largest such t + 1
    // is (2 x left + shards_left) / (2 x shards_left). At least one; at most what is left.
    const std::size_t taken =
        std::clamp<std::size_t>((2 * left + shards_left) / (2 * shards_left), 1, left);
    counts[k] = taken;
    left -= taken;
  }
  return counts;
}

Shard take_shard(const PlanSpace& full, ShardSpec spec) {
  const std::vector<std::size_t> counts = groups_per_shard(full.groups(), spec.count);
  // This shard's groups are [first, first + counts[index - 1]).
  const std::size_t first = std::accumulate(counts.begin(), counts.begin() + (spec.index - 1),
                                            static_cast<std::size_t>(0));
  Shard shard;
  shard.spec = spec;
  shard.first = first * full.group_size();
  shard.end = (first + counts[spec.index - 1]) * full.group_size();
  shard.full_points = full.size();
  shard.groups = counts[spec.index - 1];
  shard.full_groups = full.groups();
  return shard;
}

results::PlanRecord plan_record(const Shard& shard, const std::string& fingerprint) {
  return {fingerprint, shard.full_points, shard.spec.index, shard.spec.count, shard.points()};
}

std::string describe(const Shard& shard, const PlanSpace& full, const pinning::Topology& topo,
                     const std::string& fingerprint, bool all) {
  std::string out = plan_heading(full, topo);
  out += "shard " + std::to_string(shard.spec.index) + " of " + std::to_string(shard.spec.count) +
         ": " + std::to_string(shard.points()) + " of " + std::to_string(shard.full_points) +
         " points (" + std::to_string(shard.groups) + " of " + std::to_string(shard.full_groups) +
         " groups), plan fingerprint " + fingerprint + "\n";
  const PlanStretch points(full, shard.first, shard.end);
  return out + point_lines(points, all, [&](std::size_t i) { return shard.first + i + 1; });
}

std::string plan_fingerprint(const PlanSpace& full, const PointOptions& options,
                             const std::vector<std::string>& counter_columns) {
  Fnv1a hash;
  // 2: the settings come from the table (harness/settings.h), one entry each.
  hash.add("refbench plan 2");
  for (const Setting& s : point_settings()) {
    if (s.has(kFingerprint)) hash.add(std::string(s.flag) + " " + s.fingerprint_value(options));
  }
  // Added only when given, so that every plan without it keeps its fingerprint.
  if (options.budget) {
    hash.add("--budget " + std::to_string(options.budget->count()) + " ns");
  }
  std::string counters = "counters";
  for (const std::string& column : counter_columns) counters += " " + column;
  hash.add(counters);
  if (full.size() <= kFingerprintEvery) {
    for (std::size_t i = 0; i < full.size(); ++i) hash.add(describe(full.at(i)));
    return hash.hex();
  }
  hash.add("sampled " + std::to_string(full.size()) + " points");
  for (std::size_t k = 0; k < kFingerprintSamples; ++k) {
    hash.add(describe(full.at(k * (full.size() - 1) / (kFingerprintSamples - 1))));
  }
  return hash.hex();
}

}  // namespace refbench::harness
