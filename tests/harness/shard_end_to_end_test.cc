// Sharded sweeps end to end: each shard's plan, empty shards, and joining the shards'
// results with refbench merge.
#include <nlohmann/json.hpp>

#include "tests/harness/end_to_end_support.h"

namespace {

using namespace refbench::testing_support;

const char* const kTwoSockets = "'synthetic:pack:2 numa:2 l3:2 core:4 pu:2'";

// The numbered point lines of a dry run ("  12  stream  civ  PUs ...").
std::vector<std::string> point_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  ", 0) == 0) lines.push_back(line);
  }
  return lines;
}

TEST_F(EndToEnd, ShardDryRunsListTheirPartsOfThePlanNumberedAsInIt) {
  const std::string sweep = std::string("sweep --topology ") + kTwoSockets +
                            " --dry-run --strategy civ,atomic --repetitions 2 --payload 64,4096";
  const Outcome whole = refbench(sweep);
  ASSERT_EQ(whole.status, 0) << whole.err;
  const std::vector<std::string> all = point_lines(whole.out);
  ASSERT_EQ(all.size(), 2u * 2 * 6 * 2 * 2);  // strategies x workloads x classes x payloads x reps
  std::vector<std::string> joined;
  std::string fingerprint;
  for (int i = 1; i <= 5; ++i) {
    const Outcome part = refbench(sweep + " --shard " + std::to_string(i) + "/5");
    ASSERT_EQ(part.status, 0) << part.err;
    const std::vector<std::string> lines = point_lines(part.out);
    EXPECT_NE(part.out.find("shard " + std::to_string(i) +
                            " of 5: " + std::to_string(lines.size()) + " of 96 points"),
              std::string::npos)
        << part.out;
    const auto at = part.out.find("plan fingerprint ");
    ASSERT_NE(at, std::string::npos) << part.out;
    const std::string own = part.out.substr(at + 17, 16);
    if (i > 1) {
      EXPECT_EQ(own, fingerprint) << "every shard names the same plan";
    }
    fingerprint = own;
    // 24 groups of 4 points over 5 shards: 4 or 5 groups each.
    EXPECT_TRUE(lines.size() == 16 || lines.size() == 20) << lines.size();
    joined.insert(joined.end(), lines.begin(), lines.end());
  }
  EXPECT_EQ(joined, all) << "the shards, in order, are the plan";
  EXPECT_EQ(files(), std::set<std::string>{}) << "a dry run writes nothing";

  const Outcome other = refbench(sweep + " --objects 2 --shard 1/5");
  const auto at = other.out.find("plan fingerprint ");
  ASSERT_NE(at, std::string::npos) << other.out;
  EXPECT_NE(other.out.substr(at + 17, 16), fingerprint) << "other options, another plan";

  const Outcome bad = refbench(sweep + " --shard 6/5");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err,
            "refbench: --shard: '6/5' is not allowed (allowed: I/N, the I-th of N shards, whole "
            "numbers with 1 <= I <= N <= 100000, e.g. 3/8)\n");
  EXPECT_EQ(bad.out, "");
}

// One group (one workload, payload and pair of PUs) cannot be split: the second of two
// shards has nothing to run, and says so with a valid, header-only result.
TEST_F(EndToEnd, AShardWithNoPointsWritesTheHeaderAndSucceeds) {
  const Outcome o = refbench(
      "sweep --interpreters 2 --placement 0,0 --strategy civ,atomic --workload stream "
      "--messages 2000 --repetitions 2 --shard 2/2 --out s2.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("refbench sweep: shard 2 of 2 has no points: the plan's 1 group ("),
            std::string::npos)
      << o.out;
  EXPECT_EQ(files(), (std::set<std::string>{"s2.csv", "s2.meta.json", "s2.topology.xml"}));
  const std::string csv = slurp(dir_ / "s2.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1) << csv;
  EXPECT_EQ(csv.rfind("workload,strategy,", 0), 0u) << csv;
  const auto meta = nlohmann::json::parse(slurp(dir_ / "s2.meta.json"));
  EXPECT_EQ(meta.at("plan").at("points"), 4);
  EXPECT_EQ(meta.at("plan").at("shard"),
            (nlohmann::json{{"index", 2}, {"count", 2}, {"points", 0}}));
}

}  // namespace
