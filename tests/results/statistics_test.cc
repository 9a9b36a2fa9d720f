#include "results/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace refbench::results {
namespace {

TEST(Statistics, MedianOfOddCountIsTheMiddleSample) {
  const std::vector<double> v = {5, 1, 3};
  EXPECT_DOUBLE_EQ(median(v), 3);
}

TEST(Statistics, MedianOfEvenCountIsTheMeanOfTheMiddleTwo) {
  const std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median(v), 2.5);
}

TEST(Statistics, EmptySamplesGiveZero) {
  const std::vector<double> none;
  EXPECT_DOUBLE_EQ(median(none), 0);
  EXPECT_DOUBLE_EQ(minimum(none), 0);
  EXPECT_DOUBLE_EQ(maximum(none), 0);
  EXPECT_DOUBLE_EQ(relative_range(none), 0);
}

TEST(Statistics, RelativeRangeIsRangeOverMedian) {
  const std::vector<double> v = {90, 100, 110};
  EXPECT_DOUBLE_EQ(relative_range(v), 0.2);
  const std::vector<double> one = {42};
  EXPECT_DOUBLE_EQ(relative_range(one), 0);
  const std::vector<double> zeros = {0, 0};
  EXPECT_DOUBLE_EQ(relative_range(zeros), 0);
}

TEST(Statistics, NearestRankPercentiles) {
  const std::vector<std::uint64_t> four = {1, 2, 3, 4};
  EXPECT_EQ(percentile_sorted(four, 50), 2u);
  EXPECT_EQ(percentile_sorted(four, 75), 3u);
  EXPECT_EQ(percentile_sorted(four, 76), 4u);
  EXPECT_EQ(percentile_sorted(four, 100), 4u);
  EXPECT_EQ(percentile_sorted(four, 0.001), 1u);

  std::vector<std::uint64_t> hundred;
  for (std::uint64_t i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_EQ(percentile_sorted(hundred, 99), 99u);
  EXPECT_EQ(percentile_sorted(hundred, 50), 50u);

  const std::vector<std::uint64_t> single = {7};
  EXPECT_EQ(percentile_sorted(single, 99), 7u);
  EXPECT_EQ(percentile_sorted({}, 50), 0u);
}

TEST(Statistics, LatencySummarySortsItsInput) {
  std::vector<std::uint64_t> samples;
  for (std::uint64_t i = 200; i >= 1; --i) samples.push_back(i * 10);
  const LatencySummary s = summarize_latency(samples);
  EXPECT_EQ(s.p50, 1000u);
  EXPECT_EQ(s.p99, 1980u);
  EXPECT_EQ(s.max, 2000u);
  const LatencySummary none = summarize_latency({});
  EXPECT_EQ(none.p50 + none.p99 + none.max, 0u);
}

}  // namespace
}  // namespace refbench::results

namespace refbench::results {
namespace {

TEST(Statistics, MeanStddevAndCvWithExactValues) {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_DOUBLE_EQ(mean(v), 5);
  EXPECT_DOUBLE_EQ(stddev(v), std::sqrt(32.0 / 7));  // sample stddev: sum of squares 32, n-1 = 7
  EXPECT_DOUBLE_EQ(coefficient_of_variation(v), std::sqrt(32.0 / 7) / 5);
  const std::vector<double> one = {3};
  EXPECT_DOUBLE_EQ(stddev(one), 0);
  EXPECT_DOUBLE_EQ(coefficient_of_variation(one), 0);
  const std::vector<double> zero_mean = {-1, 1};
  EXPECT_DOUBLE_EQ(coefficient_of_variation(zero_mean), 0);
}

// Order-statistic intervals: n = 6 gives [x1, x6] (coverage 1 - 2/64), n = 10 gives
// [x2, x9] (P(B <= 1) = 11/1024), n = 20 gives [x6, x15] (P(B <= 5) = 21700/2^20).
TEST(Statistics, MedianConfidenceIntervalFromOrderStatistics) {
  auto ordered = [](std::size_t n) {
    std::vector<double> v;
    for (std::size_t i = n; i >= 1; --i) v.push_back(static_cast<double>(i));  // unsorted
    return v;
  };
  EXPECT_FALSE(median_confidence_interval(ordered(5)).has_value()) << "n = 5 cannot reach 95 %";
  const auto six = median_confidence_interval(ordered(6));
  ASSERT_TRUE(six.has_value());
  EXPECT_EQ(six->low, 1);
  EXPECT_EQ(six->high, 6);
  EXPECT_DOUBLE_EQ(six->coverage, 1 - 2.0 / 64);
  const auto ten = median_confidence_interval(ordered(10));
  ASSERT_TRUE(ten.has_value());
  EXPECT_EQ(ten->low, 2);
  EXPECT_EQ(ten->high, 9);
  EXPECT_NEAR(ten->coverage, 1 - 2 * 11.0 / 1024, 1e-12);
  const auto twenty = median_confidence_interval(ordered(20));
  ASSERT_TRUE(twenty.has_value());
  EXPECT_EQ(twenty->low, 6);
  EXPECT_EQ(twenty->high, 15);
  EXPECT_NEAR(twenty->coverage, 1 - 2 * 21700.0 / 1048576, 1e-12);
  EXPECT_FALSE(median_confidence_interval({}).has_value());
}

TEST(Statistics, SummaryOfRepetitions) {
  const std::vector<double> v = {10, 12, 11, 13, 9, 11};
  const Summary s = summarize(v);
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.median, 11);
  EXPECT_DOUBLE_EQ(s.mean, 11);
  EXPECT_DOUBLE_EQ(s.min, 9);
  EXPECT_DOUBLE_EQ(s.max, 13);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(10.0 / 5));
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(2.0) / 11);
  ASSERT_TRUE(s.ci95.has_value());
  EXPECT_EQ(s.ci95->low, 9);
  EXPECT_EQ(s.ci95->high, 13);
}

}  // namespace
}  // namespace refbench::results

namespace refbench::results {
namespace {

// Expected values checked independently: exact p by enumerating every arrangement of the
// pooled values; the approximation by the textbook formula (mid-ranks, tie-corrected
// variance, continuity correction), as scipy.stats.mannwhitneyu computes it.
TEST(MannWhitney, ExactForSmallSamplesWithoutTies) {
  const std::vector<double> low = {1, 2, 3, 4};
  const std::vector<double> high = {5, 6, 7, 8};
  const UTest apart = mann_whitney_u(low, high);
  EXPECT_TRUE(apart.exact);
  EXPECT_DOUBLE_EQ(apart.u, 0);
  EXPECT_NEAR(apart.p_value, 2.0 / 70, 1e-12);  // the most extreme of C(8,4) = 70
  const std::vector<double> a = {1, 3, 5, 7};
  const std::vector<double> b = {2, 4, 6, 8};
  const UTest mixed = mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(mixed.u, 6);
  EXPECT_NEAR(mixed.p_value, 0.6857142857142857, 1e-12);
  const std::vector<double> c = {10, 11, 12};
  const std::vector<double> d = {1, 2, 3, 4, 5};
  const UTest three_five = mann_whitney_u(c, d);
  EXPECT_DOUBLE_EQ(three_five.u, 15);
  EXPECT_NEAR(three_five.p_value, 2.0 / 56, 1e-12);  // C(8,3) = 56
}

TEST(MannWhitney, NormalApproximationWithTies) {
  const std::vector<double> a = {1, 2, 2, 3, 4, 5};
  const std::vector<double> b = {2, 3, 4, 4, 6, 7};
  const UTest t = mann_whitney_u(a, b);
  EXPECT_FALSE(t.exact);
  EXPECT_DOUBLE_EQ(t.u, 9.5);
  EXPECT_NEAR(t.p_value, 0.19302930133511165, 1e-9);
}

TEST(MannWhitney, EdgeCases) {
  const std::vector<double> one = {1};
  EXPECT_DOUBLE_EQ(mann_whitney_u(one, {}).p_value, 1);
  const std::vector<double> same = {3, 3, 3};
  EXPECT_DOUBLE_EQ(mann_whitney_u(same, same).p_value, 1);
  EXPECT_NEAR(smallest_p_value(4, 4), 2.0 / 70, 1e-12);
  EXPECT_NEAR(smallest_p_value(3, 3), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(smallest_p_value(0, 5), 1);
}

}  // namespace
}  // namespace refbench::results
