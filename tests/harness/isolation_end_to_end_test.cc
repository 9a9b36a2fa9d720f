// --isolation thread,process through the binary: each strategy as threads and as processes in
// every repetition block, a table per isolation, each strategy's process/thread ratio in the
// summary and in FILE.ratios.csv, and compare and stress keeping the two apart.
#include <string>
#include <vector>

#include "tests/harness/end_to_end_support.h"
#include "tests/thread_sanitizer.h"

namespace {

using namespace refbench::testing_support;

TEST_F(EndToEnd, BothIsolationsRunSideBySideWithTheirRatios) {
  SKIP_UNDER_TSAN();
  const Outcome o = refbench(
      "run --strategy atomic,immortal --workload stream --cores 0,1 --messages 3000 --warmup 100 "
      "--wait yield --repetitions 2 --verify --counters none --isolation thread,process "
      "--out both.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "both.csv"));
  ASSERT_EQ(csv.rows.size(), 8u) << o.err;
  // In each block: atomic as threads, as processes, then immortal the same.
  const std::vector<std::pair<std::string, std::string>> order = {
      {"atomic", "thread"}, {"atomic", "process"}, {"immortal", "thread"}, {"immortal", "process"}};
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "strategy"), order[r % 4].first) << r;
    EXPECT_EQ(csv.at(r, "isolation"), order[r % 4].second) << r;
    EXPECT_EQ(csv.at(r, "repetition"), std::to_string(r / 4 + 1)) << r;
    EXPECT_EQ(csv.at(r, "violations"), "0") << r;
  }
  EXPECT_NE(o.out.find("stream on PUs 0,1 (same_numa), as threads"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("stream on PUs 0,1 (same_numa), as processes"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("atomic process/thread"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("immortal process/thread"), std::string::npos) << o.out;
  const Csv ratios = parse_csv(slurp(dir_ / "both.ratios.csv"));
  std::vector<std::string> across;
  for (std::size_t r = 0; r < ratios.rows.size(); ++r) {
    if (ratios.at(r, "isolation") != "process/thread") continue;
    EXPECT_EQ(ratios.at(r, "numerator"), ratios.at(r, "denominator"));
    EXPECT_EQ(ratios.at(r, "blocks"), "2");
    across.push_back(ratios.at(r, "numerator"));
  }
  EXPECT_EQ(across, (std::vector<std::string>{"atomic", "immortal"}));

  // compare keeps the isolations apart where a file holds both.
  const Outcome compared = refbench("compare both.csv both.csv");
  EXPECT_EQ(compared.status, 0) << compared.err;
  EXPECT_NE(compared.out.find("4 points in both"), std::string::npos) << compared.out;
  EXPECT_NE(compared.out.find("stream 0;1 64 process/thread  atomic process/thread"),
            std::string::npos)
      << compared.out;
}

// stress draws each point's isolation where both are asked for, and says how many of each.
TEST_F(EndToEnd, StressDrawsBothIsolations) {
  SKIP_UNDER_TSAN();
  const Outcome o = refbench("stress --isolation thread,process --points 8 --seed 11");
  EXPECT_EQ(o.status, 0) << o.err << o.out;
  EXPECT_NE(o.out.find("each interpreter a thread or a process (drawn)"), std::string::npos)
      << o.out;
  const std::size_t counts = o.out.find("; per isolation: thread ");
  ASSERT_NE(counts, std::string::npos) << o.out;
  EXPECT_NE(o.out.find(", process ", counts), std::string::npos) << o.out;
}

}  // namespace
