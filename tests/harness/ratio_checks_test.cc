#include "harness/ratio_checks.h"

#include <gtest/gtest.h>

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::Workload;

// A stream on PUs 0,1 of atomic and immortal, planned with `repetitions` blocks.
struct Fixture {
  pinning::Topology topo = pinning::Topology::load("synthetic:pack:1 core:2 pu:1");
  PointOptions options;
  Plan plan;
  explicit Fixture(unsigned repetitions) {
    options.strategies = {Strategy::atomic, Strategy::immortal};
    options.workloads = {Workload::stream};
    options.repetitions = repetitions;
    options.precision = 0.05;
    options.max_repetitions = 8;
    plan = make_plan(options, topo, {{0, 1}});
  }
};

// Blocks 1..n of both strategies, atomic/immortal = ratios[b-1] in block b.
std::vector<results::ResultRow> rows(const std::vector<double>& ratios) {
  std::vector<results::ResultRow> out;
  for (unsigned b = 1; b <= ratios.size(); ++b) {
    for (const char* s : {"atomic", "immortal"}) {
      results::ResultRow r;
      r.workload = "stream";
      r.strategy = s;
      r.pus = "0;1";
      r.payload_bytes = 64;
      r.repetition = b;
      r.messages = 1000;
      const double ns = std::string(s) == "atomic" ? 100 * ratios[b - 1] : 100;
      r.elapsed_s = ns * 1000 / 1e9;
      out.push_back(r);
    }
  }
  return out;
}

TEST(Precision, ABlockMoreUntilSixBlocksGiveANarrowEnoughInterval) {
  const Fixture f(2);
  const Plan more = next_blocks(f.plan, rows({2.0, 2.0}), f.options);
  ASSERT_EQ(more.points.size(), 2u) << "two blocks have no 95 % interval: one more block";
  EXPECT_EQ(more.points[0].repetition, 3u);
  EXPECT_EQ(more.points[0].strategy, Strategy::atomic);
  EXPECT_EQ(more.points[1].strategy, Strategy::immortal);
  EXPECT_EQ(next_blocks(f.plan, rows({2.0, 2.0, 2.0, 2.0, 2.0}), f.options).points.size(), 2u)
      << "five blocks cover 93.75 %";
  EXPECT_TRUE(
      next_blocks(f.plan, rows({2.0, 2.02, 1.98, 2.0, 2.01, 1.99}), f.options).points.empty())
      << "six blocks, +-1 %: within 5 %";
}

TEST(Precision, StopsAtMaxRepetitionsAndSaysWhatWasNotReached) {
  const Fixture f(2);
  const std::vector<double> wide = {1, 3, 1, 3, 1, 3, 1, 3};
  EXPECT_EQ(next_blocks(f.plan, rows({1, 3, 1, 3, 1, 3, 1}), f.options).points.size(), 2u);
  EXPECT_TRUE(next_blocks(f.plan, rows(wide), f.options).points.empty()) << "8 is the most";
  const RatioChecks checks = check_ratios(rows(wide), f.options);
  ASSERT_EQ(checks.checks.precision_not_reached.size(), 1u);
  EXPECT_EQ(checks.checks.precision_not_reached[0],
            "stream on PUs 0,1, payload 64 B: atomic/immortal +-50.0% (asked +-5.0%)");
}

TEST(Precision, OffAddsNothing) {
  Fixture f(2);
  f.options.precision.reset();
  EXPECT_TRUE(next_blocks(f.plan, rows({1, 3}), f.options).points.empty());
}

}  // namespace
}  // namespace refbench::harness
