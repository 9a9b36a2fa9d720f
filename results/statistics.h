// Small statistics on samples. Edge cases are part of the contract and tested exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace refbench::results {

// Median of the samples: the middle one, or the mean of the two middle ones for an even
// count. 0 for no samples. The input need not be sorted.
double median(std::span<const double> samples);
double minimum(std::span<const double> samples);  // 0 for no samples
double maximum(std::span<const double> samples);  // 0 for no samples

// (max - min) / median, the spread of repetitions as a fraction; 0 for fewer than two
// samples or a zero median.
double relative_range(std::span<const double> samples);

// Nearest-rank percentile of `sorted` (ascending): the smallest sample such that at least
// p % of the samples are <= it. p in (0, 100]; 0 for no samples. p50 of {1,2,3,4} is 2.
std::uint64_t percentile_sorted(std::span<const std::uint64_t> sorted, double p);

// p50, p99 and max of latency samples (sorts a copy).
struct LatencySummary {
  std::uint64_t p50 = 0;
  std::uint64_t p99 = 0;
  std::uint64_t max = 0;
};
LatencySummary summarize_latency(std::vector<std::uint64_t> samples);

}  // namespace refbench::results
