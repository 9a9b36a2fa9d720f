#include "results/ratios.h"

#include <gtest/gtest.h>

namespace refbench::results {
namespace {

Observation seen(const std::string& strategy, unsigned block, double ns,
                 std::optional<double> probe = std::nullopt) {
  return {"stream", "0;1", 64, strategy, block, ns, probe};
}

const PairedRatio& find(const GroupRatios& g, const std::string& pair, unsigned cluster = 0) {
  for (const PairedRatio& r : g.ratios) {
    if (r.pair.text() == pair && r.cluster == cluster) return r;
  }
  static const PairedRatio kNone;
  ADD_FAILURE() << "no " << pair << " in cluster " << cluster;
  return kNone;
}

TEST(Ratios, HeadlinePairsAreEachOverImmortalThenTheDesignsThenTheAsked) {
  const std::vector<std::string> all = {"gil", "racy",         "atomic",  "biased",
                                        "civ", "civ-deferred", "immortal"};
  std::vector<std::string> texts;
  for (const RatioPair& p : headline_pairs(all, {{"gil", "civ"}, {"civ", "atomic"}}))
    texts.push_back(p.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"gil/immortal", "racy/immortal", "atomic/immortal",
                                             "biased/immortal", "civ/immortal",
                                             "civ-deferred/immortal", "civ/atomic", "biased/atomic",
                                             "civ-deferred/civ", "gil/civ"}))
      << "an asked pair already there is not repeated";
  EXPECT_TRUE(headline_pairs({"civ", "biased"}).empty()) << "only pairs the run has both of";
}

// Worked by hand: per-block ratios 2.0, 2.2, 1.8, 2.4, 2.1, 1.9, 2.05 (7 blocks). Sorted
// 1.8 1.9 2.0 2.05 2.1 2.2 2.4: median 2.05; for n = 7 the 95 % interval of the median is
// [x(1), x(7)] (coverage 1 - 2/128 = 98.4 %; [x(2), x(6)] covers only 87.5 %).
TEST(Ratios, MedianOfPerBlockRatiosWithItsDistributionFreeInterval) {
  const double ratios[] = {2.0, 2.2, 1.8, 2.4, 2.1, 1.9, 2.05};
  std::vector<Observation> s;
  for (unsigned b = 1; b <= 7; ++b) {
    const double machine = b % 2 == 0 ? 3.0 : 1.0;  // every other block three times slower
    s.push_back(seen("immortal", b, 100 * machine));
    s.push_back(seen("atomic", b, 100 * machine * ratios[b - 1]));
  }
  const auto groups = paired_ratios(s);
  ASSERT_EQ(groups.size(), 1u);
  const PairedRatio& r = find(groups[0], "atomic/immortal");
  EXPECT_DOUBLE_EQ(r.ratio.median, 2.05);
  EXPECT_DOUBLE_EQ(r.ratio.low, 1.8);
  EXPECT_DOUBLE_EQ(r.ratio.high, 2.4);
  EXPECT_NEAR(r.ratio.coverage, 1 - 2.0 / 128, 1e-12);
  EXPECT_EQ(r.ratio.samples, 7u);
  EXPECT_FALSE(r.probe_rtt_ns.has_value()) << "no probe on these rows";
}

// Fewer than 6 blocks: [min, max], with the coverage it has (1 - 2^(1-n)).
TEST(Ratios, FewBlocksGiveTheRangeWithItsCoverage) {
  EXPECT_NEAR(median_with_interval({1, 2, 3, 4, 5}).coverage, 0.9375, 1e-12);
  EXPECT_DOUBLE_EQ(median_with_interval({1, 2, 3, 4, 5}).low, 1);
  EXPECT_DOUBLE_EQ(median_with_interval({1, 2, 3, 4, 5}).high, 5);
  EXPECT_NEAR(median_with_interval({4, 2}).coverage, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(median_with_interval({4}).coverage, 0);
  EXPECT_EQ(median_with_interval({}).samples, 0u);
}

// A block where one strategy failed (no observation) counts for no pair with it.
TEST(Ratios, ABlockCountsOnlyWhereBothStrategiesRan) {
  std::vector<Observation> s = {seen("immortal", 1, 100), seen("atomic", 1, 300),
                                seen("immortal", 2, 100), seen("immortal", 3, 100),
                                seen("atomic", 3, 200)};
  const std::vector<GroupRatios> groups = paired_ratios(s);
  const PairedRatio& r = find(groups[0], "atomic/immortal");
  EXPECT_EQ(r.ratio.samples, 2u);
  EXPECT_DOUBLE_EQ(r.ratio.median, 2.5);
}

TEST(Ratios, FailedRowsAreNoObservation) {
  ResultRow ok;
  ok.strategy = "atomic";
  ok.messages = 10;
  ok.elapsed_s = 1e-6;
  ResultRow failed = ok;
  failed.error = "stalled";
  EXPECT_EQ(observations({ok, failed}).size(), 1u);
}

TEST(Ratios, ProbesClusterWhereOneIsMoreThanHalfAgainTheLast) {
  // 240, 250, 832, 841, 260, 851: two clusters, blocks {1,2,5} and {3,4,6}.
  const auto clusters =
      probe_clusters({{1, 240}, {2, 250}, {3, 832}, {4, 841}, {5, 260}, {6, 851}});
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0].blocks, (std::vector<unsigned>{1, 2, 5}));
  EXPECT_DOUBLE_EQ(clusters[0].probe_rtt_ns, 250);
  EXPECT_EQ(clusters[1].blocks, (std::vector<unsigned>{3, 4, 6}));
  EXPECT_DOUBLE_EQ(clusters[1].probe_rtt_ns, 841);
  // Within 1.5x of the next one up: one cluster, however many.
  EXPECT_EQ(probe_clusters({{1, 100}, {2, 149}, {3, 120}}).size(), 1u);
  EXPECT_EQ(probe_clusters({{1, 100}, {2, 151}}).size(), 2u);
  EXPECT_TRUE(probe_clusters({}).empty());
}

// Blocks that saw two distances: the group is flagged, the ratios are given per cluster
// (each exact here), and the pooled one (which mixes them) keeps its place.
TEST(Ratios, DriftGivesTheRatiosOfEachProbeCluster) {
  std::vector<Observation> s;
  for (unsigned b = 1; b <= 6; ++b) {
    const bool far = b == 3 || b == 4 || b == 6;
    const double probe = far ? 840 : 240;
    s.push_back(seen("immortal", b, far ? 850 : 250, probe));
    s.push_back(seen("atomic", b, far ? 850 * 1.2 : 250 * 2.0, probe));
  }
  const GroupRatios g = paired_ratios(s)[0];
  EXPECT_TRUE(g.drift);
  EXPECT_EQ(drift_line(g),
            "PUs 0,1 moved during the run: probe 240 ns in 3 blocks, 840 ns in 3 blocks");
  EXPECT_DOUBLE_EQ(find(g, "atomic/immortal", 1).ratio.median, 2.0);
  EXPECT_DOUBLE_EQ(*find(g, "atomic/immortal", 1).probe_rtt_ns, 240);
  EXPECT_DOUBLE_EQ(find(g, "atomic/immortal", 2).ratio.median, 1.2);
  EXPECT_EQ(find(g, "atomic/immortal", 0).ratio.samples, 6u);
  EXPECT_DOUBLE_EQ(*find(g, "atomic/immortal", 0).probe_rtt_ns, 540) << "median of six probes";
}

TEST(Ratios, NoDriftWithOneDistance) {
  std::vector<Observation> s = {seen("immortal", 1, 100, 240.0), seen("atomic", 1, 200, 250.0)};
  const GroupRatios g = paired_ratios(s)[0];
  EXPECT_FALSE(g.drift);
  EXPECT_EQ(drift_line(g), "");
  EXPECT_EQ(g.clusters.size(), 1u);
  EXPECT_DOUBLE_EQ(g.clusters[0].probe_rtt_ns, 245);
}

// --precision stops a group once every pooled ratio has a 95 % interval within the bound.
TEST(Ratios, PrecisionNeedsA95PercentIntervalWithinTheBound) {
  std::vector<Observation> s;
  const double ratios[] = {2.0, 2.02, 1.98, 2.01, 1.99, 2.0};
  for (unsigned b = 1; b <= 5; ++b) {
    s.push_back(seen("immortal", b, 100));
    s.push_back(seen("atomic", b, 100 * ratios[b - 1]));
  }
  EXPECT_FALSE(precise_enough(paired_ratios(s)[0], 0.02)) << "5 blocks cover 93.75 %";
  s.push_back(seen("immortal", 6, 100));
  s.push_back(seen("atomic", 6, 100 * ratios[5]));
  const GroupRatios g = paired_ratios(s)[0];
  // Six blocks: [x(1), x(6)] = [1.98, 2.02] around 2.0: +-1 %.
  EXPECT_NEAR(relative_half_width(find(g, "atomic/immortal").ratio), 0.01, 1e-12);
  EXPECT_TRUE(precise_enough(g, 0.02));
  EXPECT_FALSE(precise_enough(g, 0.005));
}

TEST(Ratios, HarnessRoundTripAgainstTheProbe) {
  ResultRow r;
  r.workload = "pingpong";
  r.strategy = "immortal";
  r.messages = 2;
  r.rtt_p50_ns = 600;
  r.probe_rtt_ns = 240;
  auto check = harness_round_trip({r});
  ASSERT_TRUE(check.has_value());
  EXPECT_DOUBLE_EQ(check->factor, 2.5);
  EXPECT_TRUE(check->within_bound);
  r.rtt_p50_ns = 230;  // a few percent below the probe's batch means: the two meet
  EXPECT_TRUE(harness_round_trip({r})->within_bound);
  r.rtt_p50_ns = 200;  // well below the bare line: something is wrong
  EXPECT_FALSE(harness_round_trip({r})->within_bound);
  r.probe_rtt_ns.reset();
  EXPECT_FALSE(harness_round_trip({r}).has_value());
}

TEST(Ratios, CsvHasTheColumnsTheIssueNames) {
  std::vector<Observation> s = {seen("immortal", 1, 100, 240.0), seen("atomic", 1, 250, 240.0)};
  EXPECT_EQ(ratios_csv(paired_ratios(s)),
            "workload,pus,payload_bytes,numerator,denominator,cluster,ratio,ci_low,ci_high,"
            "ci_coverage,blocks,probe_rtt_ns,drift,isolation\r\n"
            "stream,0;1,64,atomic,immortal,all,2.5000,2.5000,2.5000,0.0000,1,240.0,0,thread\r\n");
}

Observation as_process(Observation o) {
  o.isolation = "process";
  return o;
}

// --isolation thread,process: each isolation's strategies are compared among themselves, and
// each strategy as processes over itself as threads, block by block, in a group of its own
// after the two. Worked by hand: atomic as processes over threads 2.0 in block 1 (the machine
// fast), 2.2 in block 2 (three times slower): median 2.1 over 2 blocks, [2.0, 2.2].
TEST(Ratios, EachStrategyAsProcessesOverItselfAsThreadsBlockByBlock) {
  const std::vector<Observation> s = {
      seen("immortal", 1, 100),
      seen("atomic", 1, 200),
      as_process(seen("immortal", 1, 100)),
      as_process(seen("atomic", 1, 400)),
      seen("immortal", 2, 300),
      seen("atomic", 2, 600),
      as_process(seen("immortal", 2, 300)),
      as_process(seen("atomic", 2, 1320)),
      seen("civ", 2, 900)};  // civ ran only as threads: no process/thread ratio for it
  const std::vector<GroupRatios> groups = paired_ratios(s);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].isolation, "thread");
  EXPECT_EQ(groups[1].isolation, "process");
  EXPECT_EQ(groups[2].isolation, kAcrossIsolations);
  // Within each isolation, the ratios of its own rows only.
  EXPECT_DOUBLE_EQ(find(groups[0], "atomic/immortal").ratio.median, 2.0);
  EXPECT_DOUBLE_EQ(find(groups[1], "atomic/immortal").ratio.median, (4.0 + 4.4) / 2);
  ASSERT_EQ(groups[2].ratios.size(), 2u);
  const PairedRatio& atomic = find(groups[2], "atomic/atomic");
  EXPECT_DOUBLE_EQ(atomic.ratio.median, 2.1);
  EXPECT_DOUBLE_EQ(atomic.ratio.low, 2.0);
  EXPECT_DOUBLE_EQ(atomic.ratio.high, 2.2);
  EXPECT_EQ(atomic.ratio.samples, 2u);
  EXPECT_DOUBLE_EQ(find(groups[2], "immortal/immortal").ratio.median, 1.0);
  EXPECT_NE(ratios_csv(groups).find("stream,0;1,64,atomic,atomic,all,2.1000,2.0000,2.2000,"
                                    "0.5000,2,,0,process/thread\r\n"),
            std::string::npos);
}

// One isolation alone (every run before --isolation, or a processes-only run): no group
// across isolations, and rows from before the column read as threads.
TEST(Ratios, OneIsolationHasNoRatiosAcrossIsolations) {
  const std::vector<Observation> s = {as_process(seen("immortal", 1, 100)),
                                      as_process(seen("atomic", 1, 300))};
  const std::vector<GroupRatios> groups = paired_ratios(s);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].isolation, "process");
  ResultRow old;
  old.strategy = "atomic";
  old.messages = 10;
  old.elapsed_s = 1e-6;
  EXPECT_EQ(observations({old}).front().isolation, "thread");
  old.settings.push_back({"isolation", "process", false});
  EXPECT_EQ(observations({old}).front().isolation, "process");
}

}  // namespace
}  // namespace refbench::results
