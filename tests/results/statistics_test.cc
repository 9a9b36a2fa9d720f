#include "results/statistics.h"

#include <gtest/gtest.h>

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
