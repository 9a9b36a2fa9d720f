#include "harness/report.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace refbench::harness {
namespace {

results::ResultRow row(const std::string& strategy, double ns_per_msg, unsigned rep) {
  results::ResultRow r;
  r.workload = "stream";
  r.strategy = strategy;
  r.strategy_is_correct = strategy != "racy";
  r.pus = "0;1";
  r.distance_class = "shared_l3";
  r.wait_policy = "spin";
  r.repetition = rep;
  r.messages = 1000;
  r.elapsed_s = ns_per_msg * 1000 / 1e9;
  return r;
}

TEST(Report, TableOfMediansWithRatiosMeasuredSideBySide) {
  std::vector<results::ResultRow> rows;
  for (unsigned rep = 1; rep <= 3; ++rep) {
    rows.push_back(row("atomic", 140 + 10 * rep, rep));  // 150, 160, 170: median 160
    rows.push_back(row("civ", 320, rep));
    rows.push_back(row("immortal", 80, rep));
  }
  EXPECT_EQ(group_report(rows, 0.05),
            "stream on PUs 0,1 (shared_l3), wait spin, 3 repetitions, medians\n"
            "  strategy  ns/msg  95% CI of median          CV  msgs/s  vs immortal  violations\n"
            "  --------  ------  ----------------  ----------  ------  -----------  ----------\n"
            "  atomic     160.0      needs 6 reps  6.2% noisy   6.25M        2.00x  0\n"
            "  civ        320.0      needs 6 reps        0.0%   3.12M        4.00x  0\n"
            "  immortal    80.0      needs 6 reps        0.0%   12.5M        1.00x  0\n"
            "  noisy: CV above 5.0%; more repetitions or a quieter machine would narrow it\n"
            "  ratios (per block)  median  95% CI           blocks\n"
            "  ------------------  ------  ---------------  ------\n"
            "  atomic/immortal      2.00x  1.88-2.12 (75%)       3\n"
            "  civ/immortal         4.00x  4.00-4.00 (75%)       3\n"
            "  civ/atomic           2.00x  1.88-2.13 (75%)       3\n");
}

results::ResultRow as(results::ResultRow r, const std::string& isolation) {
  r.settings.push_back({"isolation", isolation, false});
  return r;
}

// --isolation thread,process: a table per isolation, then each strategy as processes over
// itself as threads, per block. Block 2's machine is three times slower for both.
TEST(Report, BothIsolationsGiveATableEachAndTheirRatios) {
  std::vector<results::ResultRow> rows;
  for (unsigned rep = 1; rep <= 2; ++rep) {
    const double machine = rep == 1 ? 1 : 3;
    rows.push_back(as(row("atomic", 100 * machine, rep), "thread"));
    rows.push_back(as(row("atomic", 150 * machine, rep), "process"));
    rows.push_back(as(row("immortal", 50 * machine, rep), "thread"));
    rows.push_back(as(row("immortal", 50 * machine, rep), "process"));
  }
  const std::string report = group_report(rows, 10);
  const std::size_t threads = report.find("stream on PUs 0,1 (shared_l3), as threads, wait spin");
  const std::size_t processes =
      report.find("stream on PUs 0,1 (shared_l3), as processes, wait spin");
  const std::size_t across = report.find("each strategy as processes over itself as threads");
  ASSERT_NE(threads, std::string::npos) << report;
  ASSERT_NE(processes, std::string::npos) << report;
  ASSERT_NE(across, std::string::npos) << report;
  EXPECT_LT(threads, processes);
  EXPECT_LT(processes, across);
  // Each isolation's own ratios: atomic/immortal 2 as threads, 3 as processes.
  EXPECT_NE(report.find("atomic/immortal      2.00x", threads), std::string::npos) << report;
  EXPECT_NE(report.find("atomic/immortal      3.00x", processes), std::string::npos) << report;
  EXPECT_NE(report.substr(across).find("atomic process/thread     1.50x  1.50-1.50 (50%)       2"),
            std::string::npos)
      << report;
  EXPECT_NE(report.substr(across).find("immortal process/thread   1.00x"), std::string::npos)
      << report;
  // One isolation: as before, and a processes-only run says so in its title.
  std::vector<results::ResultRow> only;
  for (const results::ResultRow& r : rows) {
    if (r.setting("isolation") == "process") only.push_back(r);
  }
  const std::string alone = group_report(only, 10);
  EXPECT_EQ(alone.find("stream on PUs 0,1 (shared_l3), as processes, wait spin"), 0u) << alone;
  EXPECT_EQ(alone.find("process/thread"), std::string::npos) << alone;
}

// A sweep that ran both isolations shows each strategy as processes in a column of its own.
TEST(Report, SweepSummaryGivesProcessesTheirOwnColumns) {
  const std::vector<results::ResultRow> rows = {as(row("atomic", 100, 1), "thread"),
                                                as(row("atomic", 250, 1), "process")};
  const std::string summary = sweep_summary(rows, SummaryAxis::distance_class);
  EXPECT_NE(summary.find("atomic  atomic (process)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("100.0"), std::string::npos) << summary;
  EXPECT_NE(summary.find("250.0"), std::string::npos) << summary;
}

// A ratio is taken inside each block, where both strategies saw the same machine: blocks
// three times slower slow both, so each figure is noisy and the ratio is not.
// Classes are summarised nearest first: NUMA distances (ranked where same_package stands)
// by their value, not as text (where "numa_distance_32" would sort before "same_numa").
TEST(Report, SweepSummaryOrdersNumaDistancesByValue) {
  std::vector<results::ResultRow> rows;
  for (const auto& [distance_class, ns] :
       std::vector<std::pair<std::string, double>>{{"numa_distance_32", 300},
                                                   {"same_numa", 100},
                                                   {"numa_distance_120", 900},
                                                   {"numa_distance_12", 200}}) {
    rows.push_back(row("atomic", ns, 1));
    rows.back().distance_class = distance_class;
  }
  const std::string summary = sweep_summary(rows, SummaryAxis::distance_class);
  const std::size_t same_numa = summary.find("same_numa");
  const std::size_t near = summary.find("numa_distance_12 ");
  const std::size_t far = summary.find("numa_distance_32 ");
  const std::size_t farthest = summary.find("numa_distance_120");
  ASSERT_NE(farthest, std::string::npos) << summary;
  EXPECT_LT(same_numa, near) << summary;
  EXPECT_LT(near, far) << summary;
  EXPECT_LT(far, farthest) << summary;
}

TEST(Report, RatiosArePairedWithinBlocks) {
  std::vector<results::ResultRow> rows;
  const double slow[] = {1, 3, 1, 3, 1, 3};  // the machine per block
  for (unsigned rep = 1; rep <= 6; ++rep) {
    rows.push_back(row("atomic", 200 * slow[rep - 1], rep));
    rows.push_back(row("immortal", 100 * slow[rep - 1], rep));
  }
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("  atomic/immortal      2.00x  2.00-2.00       6\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("200.0 - 600.0"), std::string::npos) << "each figure alone is wide" << text;
}

TEST(Report, DriftIsSaidWithTheRatiosOfEachProbeCluster) {
  std::vector<results::ResultRow> rows;
  for (unsigned rep = 1; rep <= 6; ++rep) {
    const bool far = rep > 2;
    results::ResultRow a = row("atomic", far ? 900 : 200, rep);
    results::ResultRow i = row("immortal", far ? 300 : 100, rep);
    a.probe_rtt_ns = i.probe_rtt_ns = far ? 840.0 : 240.0;
    rows.push_back(a);
    rows.push_back(i);
  }
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("  drift: PUs 0,1 moved during the run: probe 240 ns in 2 blocks, 840 ns in "
                      "4 blocks; pooled ratios mix them\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2.00x 2.00-2.00 (50%), 2 blocks"), std::string::npos) << text;
  EXPECT_NE(text.find("3.00x 3.00-3.00 (88%), 4 blocks"), std::string::npos) << text;
  EXPECT_EQ(text.find(", probe "), std::string::npos) << "no single probe in the title" << text;
}

// Each newer design is compared with what it replaces, for the pairs the run has.
TEST(Report, RatiosCompareEachDesignWithWhatItReplaces) {
  std::vector<results::ResultRow> rows = {row("atomic", 200, 1), row("biased", 150, 1),
                                          row("civ", 400, 1), row("civ-deferred", 600, 1)};
  EXPECT_NE(group_report(rows, 0.05)
                .find("  civ/atomic           2.00x  -            1\n"
                      "  biased/atomic        0.75x  -            1\n"
                      "  civ-deferred/civ     1.50x  -            1\n"),
            std::string::npos)
      << group_report(rows, 0.05);
  rows = {row("biased", 150, 1), row("civ", 400, 1)};
  EXPECT_EQ(group_report(rows, 0.05).find("ratios"), std::string::npos) << "no pair, no line";
}

TEST(Report, SixRepetitionsGiveAConfidenceInterval) {
  std::vector<results::ResultRow> rows;
  for (unsigned rep = 1; rep <= 6; ++rep) rows.push_back(row("atomic", 100 + rep, rep));
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("101.0 - 106.0"), std::string::npos) << text;
  EXPECT_EQ(text.find("noisy"), std::string::npos) << text;
}

TEST(Report, CountersPerMessageNeverRoundARareEventToZero) {
  std::vector<results::ResultRow> rows = {row("atomic", 100, 1), row("civ", 200, 1)};
  rows[0].counters = {{"task_clock_ns", "sw", 1, 217.6734, {}, {}, 1},
                      {"page_faults", "sw", 3, 0.0000031234, {}, {}, 1},
                      {"cycles", "unavailable", {}, {}, {}, {}, {}}};
  rows[1].counters = {{"task_clock_ns", "sw", 1, 0.25, {}, {}, 1},
                      {"page_faults", "sw", 0, 0.0, {}, {}, 1},
                      {"cycles", "unavailable", {}, {}, {}, {}, {}}};
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("  per message  task_clock_ns  page_faults\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  atomic             217.673   0.00000312\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  civ                  0.250            0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("cycles"), std::string::npos) << "nothing counted, no column";
}

// A median over multiplexed figures is marked an estimate; a counter a row could not
// count says why, under the table.
TEST(Report, CountersMarkEstimatesAndSayWhyOneIsMissing) {
  std::vector<results::ResultRow> rows = {row("atomic", 100, 1), row("civ", 200, 1)};
  rows[0].counters = {{"task_clock_ns", "sw", 1, 200, {}, {}, 1},
                      {"cycles", "hw", 1, 300, {}, {}, 2.5},
                      {"context_switches", "sw", 1, 0.5, {}, {}, 1}};
  rows[1].counters = {{"task_clock_ns", "sw", 1, 100, {}, {}, 1},
                      {"cycles", "hw", 1, 400, {}, {}, 1},
                      {"context_switches",
                       "unavailable",
                       {},
                       {},
                       {},
                       {},
                       {},
                       "interpreter 0: never counted: the PMU did not schedule its group"}};
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("  per message  task_clock_ns    cycles  context_switches\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  atomic             200.000  ~300.000             0.500\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  civ                100.000   400.000                 -\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("~ estimate: multiplexed"), std::string::npos) << text;
  EXPECT_NE(text.find("counter context_switches not counted in civ repetition 1: interpreter 0: "
                      "never counted: the PMU did not schedule its group\n"),
            std::string::npos)
      << text;
}

TEST(Report, ViolationsAreExpectedOnlyFromRacy) {
  std::vector<results::ResultRow> rows = {row("racy", 100, 1), row("gil", 200, 1)};
  rows[0].violations = 7;
  rows[1].violations = 1;
  const std::string text = group_report(rows, 0.05);
  EXPECT_NE(text.find("7 (expected: racy)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 FAIL"), std::string::npos) << text;
  EXPECT_EQ(text.find("ratios"), std::string::npos) << "no pair, no ratio table";
}

TEST(Report, PingpongShowsRoundTripPercentiles) {
  results::ResultRow r = row("atomic", 300, 1);
  r.workload = "pingpong";
  r.rtt_p50_ns = 580;
  r.rtt_p99_ns = 1200;
  r.rtt_max_ns = 40000;
  const std::string text = group_report({r}, 0.05);
  EXPECT_NE(text.find("rtt p50 ns"), std::string::npos);
  EXPECT_NE(text.find("580"), std::string::npos);
  EXPECT_NE(text.find("40000"), std::string::npos);
}

}  // namespace
}  // namespace refbench::harness
