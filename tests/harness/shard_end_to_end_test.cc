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

// 16,384 PUs: 22.5 billion points, described and never stored. The dry run, sharded or
// not, answers with the count, the ends of the plan and (sharded) the fingerprint.
TEST_F(EndToEnd, ADryRunOn16384PusAnswersWithoutHoldingThePlan) {
  const std::string sweep =
      "sweep --topology 'synthetic:pack:16 numa:4 l3:4 core:16 pu:4' --pairs all --dry-run";
  const Outcome whole = refbench(sweep);
  ASSERT_EQ(whole.status, 0) << whole.err;
  EXPECT_NE(whole.out.find(": 22547202048 points (7 strategies x 2 workloads x 268419072 "
                           "placements x 1 payload x 6 repetitions)\n"),
            std::string::npos)
      << whole.out;
  EXPECT_NE(whole.out.find("  ... 22547202028 points not shown (--dry-run=all lists every "
                           "point)\n  22547202039  pingpong  civ  PUs 16383,16382"),
            std::string::npos)
      << whole.out;
  const Outcome part = refbench(sweep + " --shard 3/1000");
  ASSERT_EQ(part.status, 0) << part.err;
  EXPECT_NE(part.out.find("shard 3 of 1000: 22547196 of 22547202048 points (536838 of "
                          "536838144 groups), plan fingerprint "),
            std::string::npos)
      << part.out;
  EXPECT_NE(part.out.find("\n  45094393  stream  gil  PUs 65,8782 (cross_package)"),
            std::string::npos)
      << part.out;
  // The same plan again: the same fingerprint and points (the estimate is measured anew).
  const auto plan_part = [](const std::string& out) {
    return out.substr(0, out.find("estimated duration: "));
  };
  EXPECT_EQ(plan_part(refbench(sweep + " --shard 3/1000").out), plan_part(part.out));
  EXPECT_NE(part.out.find("\nestimated duration: "), std::string::npos) << part.out;
}

TEST_F(EndToEnd, ShardDryRunsListTheirPartsOfThePlanNumberedAsInIt) {
  const std::string sweep =
      std::string("sweep --topology ") + kTwoSockets +
      " --dry-run=all --strategy civ,atomic --repetitions 2 --payload 64,4096";
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

namespace merging {

using namespace refbench::testing_support;

// Four groups (stream and pingpong, payloads 64 and 128) of 4 points on PU 0 alone, which
// every machine has.
const std::string kSweep =
    "sweep --interpreters 2 --placement 0,0 --strategy civ,atomic --workload stream,pingpong "
    "--payload "
    "64,128 --messages 2000 --warmup 100 --repetitions 2 --quiet";

// "stream civ 0;0 64 1" for each point of a dry run, in plan order.
std::vector<std::string> planned_points(const std::string& dry_run) {
  std::vector<std::string> points;
  for (const std::string& line : point_lines(dry_run)) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string w; in >> w;) words.push_back(w);
    // 1 stream civ PUs 0,0 (same_pu) payload 64 wait yield memory ... rep 1
    std::string pus = words.at(4);
    std::replace(pus.begin(), pus.end(), ',', ';');
    points.push_back(words.at(1) + " " + words.at(2) + " " + pus + " " + words.at(7) + " " +
                     words.back());
  }
  return points;
}

std::vector<std::string> merged_points(const Csv& csv) {
  std::vector<std::string> points;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    points.push_back(csv.at(r, "workload") + " " + csv.at(r, "strategy") + " " + csv.at(r, "pus") +
                     " " + csv.at(r, "payload_bytes") + " " + csv.at(r, "repetition"));
  }
  return points;
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

class Merge : public EndToEnd {
 protected:
  // Runs shard i of n of kSweep (plus `extra` options) into `file`.
  void run_shard(int i, int n, const std::string& file, const std::string& extra = "") {
    const Outcome o = refbench(kSweep + extra + " --shard " + std::to_string(i) + "/" +
                               std::to_string(n) + " --out " + file);
    ASSERT_EQ(o.status, 0) << o.out << o.err;
  }
  void run_three_shards() {
    for (int i = 1; i <= 3; ++i) run_shard(i, 3, "s" + std::to_string(i) + ".csv");
  }
  void copy_shard(const std::string& from, const std::string& to) {
    fs::copy_file(dir_ / (from + ".csv"), dir_ / (to + ".csv"));
    fs::copy_file(dir_ / (from + ".meta.json"), dir_ / (to + ".meta.json"));
  }
  nlohmann::json meta(const std::string& name) {
    return nlohmann::json::parse(slurp(dir_ / (name + ".meta.json")));
  }
  void write_meta(const std::string& name, const nlohmann::json& json) {
    std::ofstream(dir_ / (name + ".meta.json")) << json.dump(2);
  }
  // Merging `args` into all.csv is refused with `message`, and leaves no file of it.
  void expect_refused(const std::string& args, const std::string& message) {
    const Outcome o = refbench("merge " + args + " --out all.csv");
    EXPECT_EQ(o.status, 2) << args;
    EXPECT_EQ(o.err, "refbench: merge: " + message + "\n") << args;
    EXPECT_EQ(o.out, "") << args;
    for (const char* leftover : {"all.csv", "all.csv.tmp", "all.meta.json", "all.meta.json.tmp"}) {
      EXPECT_FALSE(fs::exists(dir_ / leftover)) << leftover << " after " << args;
    }
  }
};

// `merge shard-*.csv` takes each shard's FILE.ratios.csv too: left out, with a note.
TEST_F(Merge, AShardsRatiosGivenBesideItAreLeftOut) {
  run_three_shards();
  ASSERT_TRUE(fs::exists(dir_ / "s1.ratios.csv"));
  const Outcome o = refbench(
      "merge s1.csv s1.ratios.csv s2.csv s2.ratios.csv s3.csv "
      "s3.ratios.csv --out all.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("refbench merge: left out s1.ratios.csv: the ratios of a shard, not rows\n"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(parse_csv(slurp(dir_ / "all.csv")).rows.size(), 16u);
  // Alone, without its shard, it is no shard: refused as any other file that is not one.
  const Outcome alone = refbench("merge s1.ratios.csv s2.csv s3.csv --out other.csv");
  EXPECT_EQ(alone.status, 2);
}

// A merged result is a result: merge never writes over one unless told to with --force.
TEST_F(Merge, AnExistingOutIsKeptUnlessForced) {
  run_three_shards();
  std::ofstream(dir_ / "all.csv") << "an earlier merge\n";
  const Outcome refused = refbench("merge s1.csv s2.csv s3.csv --out all.csv");
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(refused.err,
            "refbench: --out: all.csv exists (refbench never writes over a result): use "
            "--force to replace it\n");
  EXPECT_EQ(slurp(dir_ / "all.csv"), "an earlier merge\n");
  EXPECT_FALSE(fs::exists(dir_ / "all.meta.json"));
  const Outcome forced = refbench("merge s1.csv s2.csv s3.csv --out all.csv --force");
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(parse_csv(slurp(dir_ / "all.csv")).rows.size(), 16u);
  EXPECT_TRUE(fs::exists(dir_ / "all.meta.json"));
}

TEST_F(Merge, ShardsJoinIntoTheWholePlanEachPointOnceInPlanOrder) {
  const Outcome plan = refbench(kSweep + " --dry-run");
  ASSERT_EQ(plan.status, 0) << plan.err;
  const std::vector<std::string> planned = planned_points(plan.out);
  ASSERT_EQ(planned.size(), 16u);
  run_three_shards();

  const Outcome o = refbench("merge s3.csv s1.csv s2.csv --out all.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string fingerprint = meta("s1").at("plan").at("fingerprint");
  EXPECT_NE(o.out.find("refbench merge: 3 of 3 shards of plan " + fingerprint +
                       ", 16 of 16 points, measured on " + host_name() + "\n"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("WARNING"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("wrote 16 rows to all.csv (metadata: all.meta.json)"), std::string::npos);

  const Csv merged = parse_csv(slurp(dir_ / "all.csv"));
  EXPECT_EQ(merged_points(merged), planned) << "every planned point once, in the plan's order";
  for (std::size_t r = 0; r < merged.rows.size(); ++r) {
    EXPECT_EQ(merged.at(r, "host"), host_name()) << r;
  }
  // The shards' rows, unchanged, shard after shard.
  std::string rows;
  for (const char* shard : {"s1.csv", "s2.csv", "s3.csv"}) {
    const std::string text = slurp(dir_ / shard);
    rows += text.substr(text.find("\r\n") + 2);
  }
  const std::string all = slurp(dir_ / "all.csv");
  EXPECT_EQ(all.substr(all.find("\r\n") + 2), rows);

  const nlohmann::json record = meta("all");
  EXPECT_EQ(record.at("host"), host_name());
  EXPECT_EQ(record.at("plan"),
            (nlohmann::json{{"fingerprint", fingerprint},
                            {"points", 16},
                            {"shard", {{"index", 1}, {"count", 1}, {"points", 16}}}}));
  const auto& shards = record.at("merged").at("shards");
  ASSERT_EQ(shards.size(), 3u);
  std::size_t rows_of_shards = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(shards[i].at("file"), "s" + std::to_string(i + 1) + ".csv");
    EXPECT_EQ(shards[i].at("metadata").at("plan").at("shard").at("index"), i + 1);
    EXPECT_EQ(shards[i].at("metadata").at("host"), host_name());
    rows_of_shards += shards[i].at("rows").get<std::size_t>();
  }
  EXPECT_EQ(rows_of_shards, 16u);
  EXPECT_EQ(record.at("merged").at("notes"), nlohmann::json::array());

  // An unsharded sweep is shard 1 of 1 of the same plan: it merges on its own, and with
  // the same rows' points.
  const Outcome whole = refbench(kSweep + " --out whole.csv");
  ASSERT_EQ(whole.status, 0) << whole.err;
  EXPECT_EQ(meta("whole").at("plan").at("fingerprint"), fingerprint);
  ASSERT_EQ(refbench("merge whole.csv --out again.csv").status, 0);
  EXPECT_EQ(merged_points(parse_csv(slurp(dir_ / "again.csv"))), planned);
}

TEST_F(Merge, WhatIsNotOneSplitOfOnePlanIsRefusedAndNothingIsWritten) {
  run_three_shards();
  expect_refused("s1.csv s3.csv",
                 "shard 2 of 3 is missing (given: 1, 3); merge them all, or pass --partial");
  expect_refused("s1.csv",
                 "shards 2-3 of 3 are missing (given: 1); merge them all, or pass --partial");
  expect_refused("s1.csv s2.csv s1.csv s3.csv", "s1.csv and s1.csv are both shard 1 of 3");
  copy_shard("s2", "copy");
  expect_refused("s1.csv s2.csv copy.csv s3.csv", "s2.csv and copy.csv are both shard 2 of 3");

  run_shard(2, 3, "objects.csv", " --objects 2");
  const std::string ours = meta("s1").at("plan").at("fingerprint");
  const std::string theirs = meta("objects").at("plan").at("fingerprint");
  expect_refused("s1.csv objects.csv s3.csv",
                 "objects.csv is from another plan than s1.csv (plan fingerprint " + theirs +
                     ", s1.csv's " + ours +
                     "): other sweep options, or a machine of another topology");
  run_shard(2, 3, "counters.csv", " --counters none");
  expect_refused("s1.csv counters.csv s3.csv",
                 "counters.csv has other columns than s1.csv (another --counters, or another "
                 "refbench version)");
  run_shard(2, 4, "four.csv");
  expect_refused("s1.csv four.csv",
                 "four.csv is shard 2 of 4 and s1.csv shard 1 of 3: the shards of one merge "
                 "come from one --shard I/N split");

  std::ofstream(dir_ / "notes.csv") << "a,b\r\n1,2\r\n";
  expect_refused("s1.csv notes.csv",
                 "notes.csv is not a refbench results CSV (needs the columns workload, strategy, "
                 "pus, payload_bytes, repetition and ns_per_msg; line 1 lacks workload)");
  fs::copy_file(dir_ / "s2.csv", dir_ / "lone.csv");
  expect_refused("s1.csv lone.csv s3.csv",
                 "lone.csv has no lone.meta.json beside it (merge needs each shard's metadata: "
                 "its plan and shard)");
  expect_refused("s1.csv nowhere.csv", "cannot read nowhere.csv: No such file or directory");
  fs::copy_file(dir_ / "s2.csv", dir_ / "old.csv");
  nlohmann::json old = meta("s2");
  old.erase("plan");
  write_meta("old", old);
  expect_refused("s1.csv old.csv s3.csv",
                 "old.meta.json records no plan (written by stress, or by a refbench from before "
                 "sharding): only sweeps and runs can be merged");

  // Shard 1's rows again, labelled shard 3: every point of them twice.
  copy_shard("s1", "again");
  nlohmann::json relabelled = meta("s1");
  relabelled["plan"]["shard"]["index"] = 3;
  write_meta("again", relabelled);
  const Csv first = parse_csv(slurp(dir_ / "s1.csv"));
  expect_refused("s1.csv s2.csv again.csv", "again.csv row 2 (" + first.at(0, "workload") + " " +
                                                first.at(0, "strategy") + " PUs 0;0 payload " +
                                                first.at(0, "payload_bytes") +
                                                " rep 1) is also in s1.csv row 2");
}

TEST_F(Merge, PartialMergesSayWhatIsMissing) {
  run_three_shards();
  // Shard 2 interrupted after its first row.
  const std::string text = slurp(dir_ / "s2.csv");
  const std::size_t header_end = text.find("\r\n") + 2;
  copy_shard("s2", "cut");
  std::ofstream(dir_ / "cut.csv", std::ios::binary)
      << text.substr(0, text.find("\r\n", header_end) + 2);
  const std::size_t planned = meta("s2").at("plan").at("shard").at("points");
  const std::string unfinished =
      "cut.csv has 1 of the " + std::to_string(planned) + " points of shard 2 of 3";
  expect_refused("s1.csv cut.csv s3.csv",
                 unfinished +
                     " (interrupted? finish it with sweep --resume, or merge with "
                     "--partial)");

  const Outcome o = refbench("merge s1.csv cut.csv --out all.csv --partial");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("refbench merge: PARTIAL: shard 3 of 3 is missing (given: 1-2)\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("refbench merge: PARTIAL: " + unfinished + "\n"), std::string::npos)
      << o.out;
  const std::size_t rows = parse_csv(slurp(dir_ / "all.csv")).rows.size();
  EXPECT_EQ(rows, parse_csv(slurp(dir_ / "s1.csv")).rows.size() + 1);
  const nlohmann::json notes = meta("all").at("merged").at("notes");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], "PARTIAL: shard 3 of 3 is missing (given: 1-2)");
}

// Shards from machines of another kind are allowed, and said loudly.
TEST_F(Merge, ShardsFromDifferentCpuModelsAreMergedWithAWarning) {
  run_three_shards();
  nlohmann::json other = meta("s2");
  other["cpu_model"] = "Another CPU";
  other["host"] = "elsewhere";
  write_meta("s2", other);
  const std::string ours = meta("s1").at("cpu_model");
  const Outcome o = refbench("merge s1.csv s2.csv s3.csv --out all.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string warning = "WARNING: the shards ran on different CPU models:";
  EXPECT_NE(o.out.find("refbench merge: " + warning), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Another CPU (shard 2);"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(ours + " (shards 1, 3);"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("measured on " + host_name() + ", elsewhere\n"), std::string::npos) << o.out;
  const nlohmann::json record = meta("all");
  ASSERT_EQ(record.at("merged").at("notes").size(), 1u);
  EXPECT_EQ(record.at("merged").at("notes")[0].get<std::string>().rfind(warning, 0), 0u);
  EXPECT_EQ(record.at("cpu_model"), ours + "; Another CPU");
  EXPECT_EQ(record.at("merged").at("shards")[1].at("metadata").at("host"), "elsewhere");
}

}  // namespace merging
