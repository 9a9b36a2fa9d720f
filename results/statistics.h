// Small statistics on samples. Edge cases are part of the contract and tested exactly.
#pragma once

#include <cstdint>
#include <optional>
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

// Arithmetic mean; 0 for no samples.
double mean(std::span<const double> samples);
// Sample standard deviation (n - 1 in the denominator); 0 for fewer than two samples.
double stddev(std::span<const double> samples);
// Coefficient of variation: stddev / mean; 0 for fewer than two samples or a zero mean.
double coefficient_of_variation(std::span<const double> samples);

// A distribution-free confidence interval of the median from order statistics: the
// widest-inside [x(l), x(n-l+1)] of the sorted samples such that the probability that the
// median lies outside is at most 1 - confidence (the binomial(n, 1/2) tails). Needs enough
// samples: with 95 %, at least 6 (for n <= 5 even [min, max] covers less than 95 %).
struct Interval {
  double low = 0;
  double high = 0;
  double coverage = 0;  // the interval's exact coverage, >= the confidence asked for
};
std::optional<Interval> median_confidence_interval(std::span<const double> samples,
                                                   double confidence = 0.95);

// Everything refbench reports about one point's repetitions of one figure.
struct Summary {
  std::size_t count = 0;
  double median = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double stddev = 0;
  double cv = 0;                 // coefficient of variation, a fraction
  std::optional<Interval> ci95;  // of the median; empty with fewer than 6 samples
};
Summary summarize(std::span<const double> samples);

// The two-sided Mann-Whitney U test of two samples (as Google Benchmark's compare.py uses
// through scipy): u is the U of `a`, p the probability, if both came from one distribution,
// of a U at least as far from its mean. Exact (every arrangement of ranks counted) when
// there are no ties and both samples have at most 50 values; otherwise the normal
// approximation with tie and continuity corrections. p is 1 for an empty sample.
struct UTest {
  double u = 0;
  double p_value = 1;
  bool exact = false;
};
UTest mann_whitney_u(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value the exact test can give samples of sizes n and m:
// 2 / C(n+m, n). Below alpha it takes at least 4 and 4 for alpha = 0.05.
double smallest_p_value(std::size_t n, std::size_t m);

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
