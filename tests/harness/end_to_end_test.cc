// Runs the refbench binary as a user would and checks what it prints and writes.
#include <nlohmann/json.hpp>

#include "pinning/topology.h"
#include "results/row.h"
#include "tests/harness/end_to_end_support.h"

namespace {

using namespace refbench::testing_support;

bool two_pus_0_and_1() {
  const auto topo = refbench::pinning::Topology::this_machine();
  return topo.has_pu(0) && topo.has_pu(1);
}

TEST_F(EndToEnd, RunWritesOneVerifiedRowPerStrategyWorkloadAndRepetition) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const Outcome o = refbench(
      "run --cores 0,1 --messages 3000 --warmup 100 --repetitions 2 --verify "
      "--out out.csv");
  ASSERT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_EQ(files(), (std::set<std::string>{"out.csv", "out.meta.json", "out.ratios.csv",
                                            "out.topology.xml"}));
  // The metadata record names what ran, where, built how; the XML is this machine's.
  const auto meta = nlohmann::json::parse(slurp(dir_ / "out.meta.json"));
  for (const char* key : {"refbench_version", "git_commit", "date", "host", "cpu_model", "kernel",
                          "compiler", "compiler_flags", "build_type"}) {
    EXPECT_FALSE(meta.at(key).get<std::string>().empty()) << key;
  }
  EXPECT_NE(meta.at("command_line").get<std::string>().find("refbench run --cores 0,1 "),
            std::string::npos)
      << meta.at("command_line");
  EXPECT_EQ(meta.at("topology").at("xml"), "out.topology.xml");
  EXPECT_EQ(meta.at("topology").at("source"), "this machine");
  EXPECT_EQ(meta.at("counters").at(0).at("name"), "task_clock_ns");
  EXPECT_EQ(meta.at("counters").at(0).at("source"), "sw");
  EXPECT_TRUE(meta.at("cpu_frequency").contains("governor"));
  const auto xml = refbench::pinning::Topology::load("xml:" + (dir_ / "out.topology.xml").string());
  EXPECT_EQ(xml.pus().size(), refbench::pinning::Topology::this_machine().pus().size());
  EXPECT_NE(o.out.find("  ratios (per block) "), std::string::npos) << o.out;
  EXPECT_TRUE(meta.at("checks").at("drift").is_array());
  // Every ratio of the table is in FILE.ratios.csv, per group, with the probe the blocks saw.
  const Csv ratios = parse_csv(slurp(dir_ / "out.ratios.csv"));
  std::set<std::string> pairs;
  for (std::size_t r = 0; r < ratios.rows.size(); ++r) {
    if (ratios.at(r, "cluster") != "all") continue;
    pairs.insert(ratios.at(r, "workload") + " " + ratios.at(r, "numerator") + "/" +
                 ratios.at(r, "denominator"));
    EXPECT_EQ(ratios.at(r, "blocks"), "2");
    EXPECT_GT(std::stod(ratios.at(r, "ratio")), 0);
    EXPECT_LE(std::stod(ratios.at(r, "ci_low")), std::stod(ratios.at(r, "ratio")));
    EXPECT_GE(std::stod(ratios.at(r, "ci_high")), std::stod(ratios.at(r, "ratio")));
    EXPECT_GT(std::stod(ratios.at(r, "probe_rtt_ns")), 0);
  }
  EXPECT_EQ(pairs.size(), 2u * 9u) << "6 strategies over immortal and 3 designs, per workload";
  EXPECT_TRUE(pairs.count("stream civ-deferred/civ"));

  const Csv csv = parse_csv(slurp(dir_ / "out.csv"));
  ASSERT_EQ(csv.rows.size(), kStrategies * 2u * 2u);
  const auto topo = refbench::pinning::Topology::this_machine();
  const std::string expected_class(refbench::pinning::name(topo.distance(0, 1)));
  std::set<std::string> strategies;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    ASSERT_EQ(csv.rows[r].size(), csv.column.size()) << "row " << r;
    strategies.insert(csv.at(r, "strategy"));
    EXPECT_EQ(csv.at(r, "pus"), "0;1");
    EXPECT_EQ(csv.at(r, "placement"), "0;1");
    EXPECT_EQ(csv.at(r, "interpreters"), "2");
    EXPECT_EQ(csv.at(r, "distance_class"), expected_class);
    EXPECT_EQ(csv.at(r, "wait_policy"), "spin");
    EXPECT_EQ(csv.at(r, "verified"), "1");
    EXPECT_GT(std::stod(csv.at(r, "ns_per_msg")), 0);
    EXPECT_GT(std::stod(csv.at(r, "msgs_per_s")), 0);
    const bool pingpong = csv.at(r, "workload") == "pingpong";
    EXPECT_EQ(csv.at(r, "messages"), pingpong ? "6000" : "3000");
    EXPECT_EQ(csv.at(r, "rtt_p50_ns").empty(), !pingpong);
    EXPECT_GT(std::stod(csv.at(r, "probe_rtt_ns")), 0) << "PUs 0 and 1: probed before each point";
    EXPECT_EQ(csv.at(r, "rtt_max_ns").empty(), !pingpong);
    EXPECT_FALSE(csv.at(r, "lost_increments").empty());
    EXPECT_FALSE(csv.at(r, "lost_decrements").empty());
    if (csv.at(r, "strategy_is_correct") == "1") {
      EXPECT_EQ(csv.at(r, "violations"), "0") << csv.at(r, "strategy");
    }
    // The drain settings are civ-deferred's, and only its rows carry them.
    const bool deferred = csv.at(r, "strategy") == "civ-deferred";
    EXPECT_EQ(csv.at(r, "release_batch"), deferred ? "100" : "") << csv.at(r, "strategy");
    EXPECT_EQ(csv.at(r, "release_queue"), deferred ? "300" : "") << csv.at(r, "strategy");
    EXPECT_EQ(csv.at(r, "dropped_releases"), "0") << csv.at(r, "strategy");
    EXPECT_EQ(csv.at(r, "drain_interval"), deferred ? "1" : "") << csv.at(r, "strategy");
  }
  EXPECT_EQ(strategies, (std::set<std::string>{"gil", "racy", "atomic", "biased", "civ",
                                               "civ-deferred", "immortal"}));
}

// --view-owner, end to end: the rows say which owner ran (civ and civ-deferred only), and
// its two counts. Strong views, torn down early or not, and id views at --teardown end
// orphan nothing; id views torn down early orphan what was still open. Every release never
// made is exactly one decrement the ledger finds lost: orphaned, or dropped by a full ring
// (civ-deferred's fanout overflows CPython's 300-call ring with fan-in, whatever the owner).
TEST_F(EndToEnd, ViewOwnerIsInTheRowsAndIdViewsMayLeakOnlyWhenTornDownEarly) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const std::string base =
      "run --strategy civ,civ-deferred,atomic --workload pipeline,fanout --cores 0,1,0 "
      "--messages 2000 --warmup 0 --repetitions 1 --verify --counters none --quiet ";
  for (const char* owner : {"strong", "id"}) {
    for (const char* teardown : {"end", "early"}) {
      const std::string what = std::string(owner) + " " + teardown;
      const std::string out = std::string(owner) + "-" + teardown + ".csv";
      const Outcome o =
          refbench(base + "--view-owner " + owner + " --teardown " + teardown + " --out " + out);
      const Csv csv = parse_csv(slurp(dir_ / out));
      ASSERT_EQ(csv.rows.size(), 3u * 2u) << what << o.err;
      std::uint64_t violations = 0;
      for (std::size_t r = 0; r < csv.rows.size(); ++r) {
        const std::string point = what + " " + csv.at(r, "strategy") + " " + csv.at(r, "workload");
        const bool views = csv.at(r, "strategy") != "atomic";
        EXPECT_EQ(csv.at(r, "view_owner"), views ? owner : "") << point;
        EXPECT_EQ(std::stoull(csv.at(r, "lost_decrements")),
                  std::stoull(csv.at(r, "orphaned_releases")) +
                      std::stoull(csv.at(r, "dropped_releases")))
            << point;
        EXPECT_EQ(csv.at(r, "lost_increments"), "0") << point;
        violations += std::stoull(csv.at(r, "violations"));
        if (std::string(owner) == "strong" || std::string(teardown) == "end") {
          EXPECT_EQ(csv.at(r, "orphaned_releases"), "0") << point;
          EXPECT_EQ(csv.at(r, "reads_after_owner_gone"), "0") << point;
          if (csv.at(r, "dropped_releases") == "0") {
            EXPECT_EQ(csv.at(r, "violations"), "0") << point;
          }
        }
      }
      EXPECT_EQ(o.status, violations > 0 ? 1 : 0) << what << o.out << o.err;
    }
  }
}

// An explicit --cores list runs one interpreter per PU it names: here a root and two
// receivers (fanout), a chain of three (pipeline), three all to all (shuffle), each row with
// its interpreters, placement and the protocol's hand-offs.
TEST_F(EndToEnd, RunPlacesOneInterpreterPerListedPuForTheShapes) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const Outcome o = refbench(
      "run --workload fanout,pipeline,shuffle --strategy atomic,civ --cores 0,1,0 "
      "--messages 2000 --warmup 100 --repetitions 2 --verify --out shapes.csv");
  ASSERT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("fanout on PUs 0,1,0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("shuffle on PUs 0,1,0"), std::string::npos) << o.out;
  const Csv csv = parse_csv(slurp(dir_ / "shapes.csv"));
  ASSERT_EQ(csv.rows.size(), 3u * 2u * 2u);
  const auto topo = refbench::pinning::Topology::this_machine();
  const std::string expected_class(refbench::pinning::name(topo.distance(0, 1)));
  std::map<std::string, int> rows_per_workload;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string workload = csv.at(r, "workload");
    ++rows_per_workload[workload];
    EXPECT_EQ(csv.at(r, "interpreters"), "3");
    EXPECT_EQ(csv.at(r, "placement"), "0;1;0");
    EXPECT_EQ(csv.at(r, "pus"), "0;1;0");
    EXPECT_EQ(csv.at(r, "distance_class"), expected_class) << "every shape links 0 and 1";
    EXPECT_EQ(csv.at(r, "wait_policy"), "yield") << "two interpreters share PU 0";
    // fanout: 2000 broadcasts to 2 receivers; pipeline: 2000 sends passed on by 2 stages;
    // shuffle: 2000 sends by each of 3.
    EXPECT_EQ(csv.at(r, "messages"), workload == "shuffle" ? "6000" : "4000") << workload;
    EXPECT_EQ(csv.at(r, "round_trips"), "");
    EXPECT_EQ(csv.at(r, "violations"), "0") << workload << " " << csv.at(r, "strategy");
    EXPECT_EQ(csv.at(r, "error"), "");
  }
  EXPECT_EQ(rows_per_workload,
            (std::map<std::string, int>{{"fanout", 4}, {"pipeline", 4}, {"shuffle", 4}}));
}

TEST_F(EndToEnd, BothInterpretersOnOnePuYieldInsteadOfSpinning) {
  const Outcome o = refbench(
      "run --strategy civ,atomic --cores 0,0 --messages 2000 --repetitions 1 --out same.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "same.csv"));
  ASSERT_EQ(csv.rows.size(), 4u);
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "distance_class"), "same_pu");
    EXPECT_EQ(csv.at(r, "wait_policy"), "yield");
    EXPECT_EQ(csv.at(r, "probe_rtt_ns"), "") << "one PU: no distance to probe";
  }
}

TEST_F(EndToEnd, DefaultOutputIsATimeStampedFileUnderResults) {
  const Outcome o = refbench(
      "run --strategy immortal --workload stream --cores 0,0 --seconds 0.05 "
      "--repetitions 1");
  ASSERT_EQ(o.status, 0) << o.err;
  const auto names = files();
  ASSERT_EQ(names.size(), 5u) << "results/ with the CSV, its metadata, ratios and topology";
  std::size_t csvs = 0;
  for (const std::string& name : names) {
    if (name == "results") continue;
    EXPECT_EQ(name.rfind("results/refbench-", 0), 0u) << name;
    csvs += name.size() > 4 && name.substr(name.size() - 4) == ".csv";
  }
  EXPECT_EQ(csvs, 2u) << "the results and their ratios";
}

struct BadInput {
  const char* args;
  const char* message;  // what the one line on stderr must contain
};

TEST_F(EndToEnd, BadInputIsOneLineExitTwoAndNoFile) {
  const BadInput cases[] = {
      {"run --strategy fast --out x.csv", "'fast' is not allowed (allowed: gil, racy,"},
      {"run --cores 0,99999 --out x.csv", "99999"},
      {"run --messages 0 --out x.csv", "--messages: '0' is not allowed"},
      {"run --messages -5 --out x.csv", "--messages: '-5' is not allowed"},
      {"run --objects 0 --out x.csv", "--objects: '0' is not allowed"},
      {"run --repetitions -1 --out x.csv", "--repetitions: '-1' is not allowed"},
      {"run --messages 10 --seconds 1 --out x.csv", "--messages and --seconds conflict"},
      {"run --messages 10 --out no-such-dir/x.csv", "no-such-dir/x.csv.tmp: No such file"},
      {"run --messages 10 --out .", "is a directory"},
      {"run --objects 60000000 --payload 1000000 --out x.csv", "GiB of memory: heaps "},
      // Channels count too (56 channels of 2^30 slots), refused before anything is made.
      {"run --workload shuffle --cores 0,1,0,1,0,1,0,1 --channel-capacity 1073741824 "
       "--out x.csv",
       "GiB of memory: channels "},
      // A sweep whose rows could not be kept for its summary is refused before it starts
      // (its plan is never stored: a dry run of it answers at once).
      {"sweep --payload 1..100000 --repetitions 100000 --out x.csv",
       "points and their rows would need"},
      {"frobnicate", "'frobnicate' is not a command"},
      {"run --memory remote --out x.csv",
       "--memory: remote memory needs 2 NUMA nodes; this machine has 1"},
      {"run --topology xml:/no/such.xml --dry-run", "--topology: "},
      {"sweep --interpreters 3 --placement 0,1,0 --out x.csv", "stream runs pairs"},
      {"run --cores 0,1,0 --workload stream --out x.csv",
       "stream runs pairs of interpreters: 3 is not allowed"},
      {"run --cores 0 --workload fanout --out x.csv",
       "fanout runs one interpreter sending to the others: 1 is not allowed"},
      {"run --workload shuffle --teardown early --out x.csv", "shuffle cannot tear down early"},
      {"run --ratios civ --out x.csv", "--ratios: 'civ' is not a ratio"},
      {"run --ratios civ/fast --out x.csv", "--ratios: 'civ/fast' names no strategy 'fast'"},
      {"run --precision 0 --out x.csv", "--precision"},
      {"run --precision 5 --repetitions 6 --max-repetitions 4 --out x.csv",
       "--max-repetitions: 4 is below --repetitions 6"},
      {"sweep --interpreters 4000 --placement compact --out x.csv", "compact needs 4000 PUs"},
      {"sweep --interpreters 9999 --placement compact --out x.csv", "from 1 to 4096"},
      {"topology --placement cross-package", "cross-package needs 2 packages"},
      {"run --counters basic,NO_SUCH_EVENT --out x.csv", "'NO_SUCH_EVENT' is not an event libpfm4"},
      {"run --counters none,basic --out x.csv", "'none' cannot be combined"},
  };
  for (const BadInput& c : cases) {
    const Outcome o = refbench(c.args);
    EXPECT_EQ(o.status, 2) << c.args;
    EXPECT_NE(o.err.find(c.message), std::string::npos) << c.args << " -> " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << c.args << " -> " << o.err;
    EXPECT_EQ(o.err.rfind("refbench: ", 0), 0u) << o.err;
    EXPECT_TRUE(files().empty()) << c.args;
  }
}

constexpr const char* kTwoSockets = "'synthetic:pack:2 numa:2 l3:2 core:4 pu:2'";

std::string golden(const char* name) { return slurp(fs::path(REFBENCH_TEST_DATA_DIR) / name); }

// Plans on machines we do not have, compared line by line with checked-in expectations.
TEST_F(EndToEnd, PlansOnSyntheticMachinesMatchTheirGoldenFiles) {
  struct Case {
    std::string args;
    const char* golden;
  };
  const Case cases[] = {
      {"topology --topology 'synthetic:pack:2 core:2 pu:2' --placement scatter --interpreters 4 "
       "--matrix",
       "topology-command-two-packages.txt"},
      {std::string("sweep --topology ") + kTwoSockets +
           " --dry-run --strategy civ --workload stream --repetitions 1",
       "sweep-classes-dry-run.txt"},
      {std::string("sweep --topology ") + kTwoSockets +
           " --dry-run --strategy gil,civ --workload pingpong --repetitions 1 --interpreters "
           "2,4,8 --placement scatter --memory interleave",
       "sweep-scaling-dry-run.txt"},
      {std::string("run --topology ") + kTwoSockets +
           " --dry-run --repetitions 1 --strategy atomic",
       "run-default-dry-run.txt"},
  };
  for (const Case& c : cases) {
    const Outcome o = refbench(c.args);
    EXPECT_EQ(o.status, 0) << c.args << o.err;
    // The estimate is measured here, so it is checked for its form and left out of the
    // comparison.
    std::string out = o.out;
    if (c.args.find("--dry-run") != std::string::npos) {
      const std::size_t at = out.find("\nestimated duration: ");
      ASSERT_NE(at, std::string::npos) << c.args << "\n" << out;
      const std::size_t end = out.find('\n', at + 1);
      const std::string line = out.substr(at + 1, end - at);
      EXPECT_NE(line.find(" points x "), std::string::npos) << line;
      EXPECT_NE(line.find(" timed + "), std::string::npos) << line;
      EXPECT_NE(line.find(" warm-up, probe and set-up, measured on PUs "), std::string::npos)
          << line;
      EXPECT_EQ(end, out.size() - 1) << "the estimate ends the dry run";
      out.erase(at + 1);
    }
    EXPECT_EQ(out, golden(c.golden)) << c.args;
    EXPECT_TRUE(files().empty()) << "a plan writes nothing: " << c.args;
  }
}

// A firmware matrix with near and far nodes (NPS4: 12 and 32) splits the cross-node pairs:
// the default comparison's farthest pair is at 32, and classes names each distance.
TEST_F(EndToEnd, NumaDistancesSplitClassesAndChooseTheFarthestPair) {
  const std::string nps4 = " --topology xml:" REFBENCH_TEST_DATA_DIR "/one-socket-nps4.xml";
  const Outcome run = refbench("run" + nps4 + " --dry-run --repetitions 1 --strategy atomic");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("PUs 0,6 (numa_distance_32)  payload 64  wait spin  memory "
                         "local:numa0;local:numa3"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("same_package"), std::string::npos) << run.out;
  const Outcome classes = refbench("sweep" + nps4 +
                                   " --dry-run=all --repetitions 1 --strategy atomic "
                                   "--workload stream");
  ASSERT_EQ(classes.status, 0) << classes.err;
  for (const char* line : {"PUs 0,0 (same_pu)", "PUs 0,1 (same_numa)", "PUs 0,2 (numa_distance_12)",
                           "PUs 0,6 (numa_distance_32)"}) {
    EXPECT_NE(classes.out.find(line), std::string::npos) << line << "\n" << classes.out;
  }
  const Outcome topology = refbench("topology" + nps4 + " --matrix");
  ASSERT_EQ(topology.status, 0) << topology.err;
  EXPECT_NE(topology.out.find("  numa_distance_12: PUs 0,2\n  numa_distance_32: PUs 0,6\n"),
            std::string::npos)
      << topology.out;
  EXPECT_NE(topology.out.find("nN different NUMA nodes at distance N"), std::string::npos);
  EXPECT_NE(topology.out.find("n32"), std::string::npos) << topology.out;
}

// --budget fits the timed phase to the budget, or refuses before anything is written,
// naming what would fit. (How well it keeps the budget is a measurement: README, not here.)
TEST_F(EndToEnd, ABudgetFitsThePlanOrIsRefusedNamingWhatWould) {
  const Outcome refused = refbench("sweep --pairs all --budget 1s --counters none --out s.csv");
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(refused.err.rfind("refbench: --budget 1.0s: the plan's ", 0), 0u) << refused.err;
  EXPECT_NE(refused.err.find(" points need at least "), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("(10.0 ms timed, the floor, + "), std::string::npos) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_TRUE(files().empty());
  const Outcome dry = refbench(
      "sweep --topology 'synthetic:pack:1 core:4 pu:1' --pairs all "
      "--strategy immortal --workload stream --repetitions 2 "
      "--budget 1h --dry-run");
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_NE(dry.out.find("estimated duration: 1h 00m 00s (24 points x 150.0 s: "),
            std::string::npos)
      << dry.out;
  const Outcome conflict = refbench("run --budget 10s --seconds 1 --out r.csv");
  EXPECT_EQ(conflict.status, 2);
  EXPECT_NE(conflict.err.find("--budget and --seconds conflict"), std::string::npos)
      << conflict.err;
  const Outcome ran = refbench(
      "run --strategy immortal,atomic --workload stream --cores 0,0 --repetitions 2 --budget 2s "
      "--counters none --out r.csv");
  ASSERT_EQ(ran.status, 0) << ran.err;
  EXPECT_EQ(parse_csv(slurp(dir_ / "r.csv")).rows.size(), 4u);
}

TEST_F(EndToEnd, ASyntheticMachineCanOnlyBePlanned) {
  const Outcome o = refbench(std::string("sweep --topology ") + kTwoSockets + " --out x.csv");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "refbench: --topology: synthetic:pack:2 numa:2 l3:2 core:4 pu:2 can only be planned "
            "on, not measured (add --dry-run)\n");
  EXPECT_TRUE(files().empty());
}

TEST_F(EndToEnd, TopologyDescribesThisMachine) {
  const Outcome o = refbench("topology --matrix");
  ASSERT_EQ(o.status, 0) << o.err;
  const auto topo = refbench::pinning::Topology::this_machine();
  EXPECT_EQ(o.out.rfind(topo.describe(), 0), 0u) << o.out;
  EXPECT_NE(o.out.find("same_pu: PUs"), std::string::npos);
}

// One row per pair, strategy, workload and repetition, each with the right class.
TEST_F(EndToEnd, SweepOverAllPairsWritesEveryPointWithItsClass) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const Outcome o =
      refbench("sweep --pairs all --messages 2000 --warmup 100 --repetitions 2 --out s.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const auto topo = refbench::pinning::Topology::this_machine();
  const std::size_t pus = topo.pus().size();
  const Csv csv = parse_csv(slurp(dir_ / "s.csv"));
  ASSERT_EQ(csv.rows.size(), pus * (pus - 1) * kStrategies * 2 * 2);
  std::map<std::string, int> rows_per_pair;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string pair = csv.at(r, "pus");
    ++rows_per_pair[pair];
    const auto semicolon = pair.find(';');
    const unsigned a = std::stoul(pair.substr(0, semicolon));
    const unsigned b = std::stoul(pair.substr(semicolon + 1));
    EXPECT_NE(a, b);
    EXPECT_EQ(csv.at(r, "distance_class"), refbench::pinning::name(topo.distance(a, b)));
    EXPECT_EQ(csv.at(r, "placement"), "pairs:all");
    EXPECT_FALSE(csv.at(r, "memory").empty());
  }
  EXPECT_EQ(rows_per_pair.size(), pus * (pus - 1));
  for (const auto& [pair, count] : rows_per_pair) EXPECT_EQ(count, kStrategies * 2 * 2) << pair;
  EXPECT_NE(o.out.find("by distance class"), std::string::npos) << o.out;
  EXPECT_EQ(o.err.find("[1/"), std::string::npos) << "no progress line when not a terminal";
}

// --pairs symmetric measures each pair both ways inside every repetition block; the rows
// say which way (pus) and resume tells the two apart.
TEST_F(EndToEnd, ASymmetricSweepMeasuresBothWaysInEachBlock) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const std::string sweep =
      "sweep --pairs symmetric --strategy immortal,atomic --workload stream --messages 2000 "
      "--warmup 100 --repetitions 2 --counters none ";
  const Outcome o = refbench(sweep + "--out s.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "s.csv"));
  const auto topo = refbench::pinning::Topology::this_machine();
  const std::size_t pairs = topo.pus().size() * (topo.pus().size() - 1) / 2;
  ASSERT_EQ(csv.rows.size(), pairs * 2 * 2 * 2);
  // The first pair's group: immortal and atomic one way, then the other, block by block.
  const std::vector<std::string> expected = {"1 immortal 0;1", "1 atomic 0;1",   "1 immortal 1;0",
                                             "1 atomic 1;0",   "2 immortal 0;1", "2 atomic 0;1",
                                             "2 immortal 1;0", "2 atomic 1;0"};
  for (std::size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(csv.at(r, "repetition") + " " + csv.at(r, "strategy") + " " + csv.at(r, "pus"),
              expected[r])
        << r;
    EXPECT_EQ(csv.at(r, "placement"), "pairs:symmetric");
  }
  // Every row is a point of the plan, none is taken for another: nothing left to run.
  const Outcome resumed = refbench(sweep + "--resume s.csv --dry-run");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("points already there, 0 to go"), std::string::npos) << resumed.out;
}

// --pairs sample:K: K pairs of each distance class (the class's own count where smaller).
TEST_F(EndToEnd, ASampledSweepTakesKPairsOfEachClass) {
  const Outcome o = refbench(std::string("sweep --topology ") + kTwoSockets +
                             " --pairs sample:2 --strategy civ --workload stream "
                             "--repetitions 1 --dry-run=all");
  ASSERT_EQ(o.status, 0) << o.err;
  std::map<std::string, int> per_class;
  std::istringstream lines(o.out);
  for (std::string line; std::getline(lines, line);) {
    const auto open = line.find(" (");
    if (line.rfind("  ", 0) != 0 || open == std::string::npos) continue;
    ++per_class[line.substr(open + 2, line.find(')', open) - open - 2)];
  }
  EXPECT_EQ(per_class, (std::map<std::string, int>{{"same_pu", 2},
                                                   {"smt_sibling", 2},
                                                   {"shared_l3", 2},
                                                   {"same_numa", 2},
                                                   {"same_package", 2},
                                                   {"cross_package", 2}}))
      << o.out;
  const Outcome bad = refbench("sweep --pairs sample:0 --dry-run");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--pairs sample:K"), std::string::npos) << bad.err;
}

// run places N interpreters by a policy, as sweep does (issue 17).
TEST_F(EndToEnd, RunPlacesInterpretersByAPolicy) {
  const Outcome o = refbench(std::string("run --topology ") + kTwoSockets +
                             " --interpreters 4 --placement scatter --strategy atomic "
                             "--workload stream --repetitions 1 --dry-run");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("  1  stream  atomic  PUs 0,32,16,48 (cross_package)"), std::string::npos)
      << o.out;
}

TEST_F(EndToEnd, SweepScalesPairsOfInterpreters) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const Outcome o = refbench(
      "sweep --interpreters 2,4 --placement 0,1,0,1 --strategy gil,atomic --workload stream "
      "--messages 2000 --repetitions 1 --out scale.csv --quiet");
  // 0,1,0,1 names 4 PUs: right for 4 interpreters, wrong for 2.
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("0,1,0,1 names 4 PUs for 2 interpreters"), std::string::npos) << o.err;

  const Outcome ok = refbench(
      "sweep --interpreters 2 --placement compact --strategy gil,atomic --workload stream "
      "--messages 2000 --repetitions 1 --out scale.csv --quiet");
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("by interpreters"), std::string::npos) << ok.out;
  const Csv csv = parse_csv(slurp(dir_ / "scale.csv"));
  ASSERT_EQ(csv.rows.size(), 2u);
  EXPECT_EQ(csv.at(0, "interpreters"), "2");
  EXPECT_EQ(csv.at(0, "pus"), "0;1");
  EXPECT_EQ(csv.at(0, "placement"), "compact");
}

// Every workload, the N-interpreter shapes included, in one sweep over counts: each row
// with the policy that placed it, and the summary per workload.
TEST_F(EndToEnd, SweepRunsEveryWorkloadWithItsPlacement) {
  if (!two_pus_0_and_1()) GTEST_SKIP() << "needs PUs 0 and 1";
  const Outcome two = refbench(
      "sweep --interpreters 2 --placement compact --strategy atomic --workload all "
      "--messages 500 --repetitions 1 --out n.csv --quiet");
  ASSERT_EQ(two.status, 0) << two.err;
  EXPECT_NE(two.out.find("fanout, payload 64 B: median msgs/s (all interpreters together)"),
            std::string::npos)
      << two.out;
  const Csv csv = parse_csv(slurp(dir_ / "n.csv"));
  ASSERT_EQ(csv.rows.size(), 5u);
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "placement"), "compact");
    EXPECT_EQ(csv.at(r, "messages"), csv.at(r, "workload") == "stream"     ? "500"
                                     : csv.at(r, "workload") == "pingpong" ? "1000"
                                     : csv.at(r, "workload") == "shuffle"  ? "1000"
                                                                           : "500")
        << csv.at(r, "workload");
  }
}

// Every counter column group says where its figures come from; without a PMU the hardware
// ones are empty, never zero, and the reason is said once.
TEST_F(EndToEnd, CountersCarryTheirSourceAndSayOnceWhatIsMissing) {
  const Outcome o = refbench(
      "run --strategy immortal,atomic --workload stream --cores 0,0 --messages 3000 "
      "--repetitions 1 --counters basic --out k.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "k.csv"));
  ASSERT_EQ(csv.rows.size(), 2u);
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "task_clock_ns_source"), "sw");
    EXPECT_GT(std::stod(csv.at(r, "task_clock_ns_per_msg")), 0);
    EXPECT_EQ(csv.at(r, "task_clock_ns_scale"), "1.000");
    const std::string cycles = csv.at(r, "cycles_source");
    ASSERT_TRUE(cycles == "hw" || cycles == "unavailable") << cycles;
    EXPECT_EQ(csv.at(r, "cycles").empty(), cycles == "unavailable");
    EXPECT_EQ(csv.at(r, "cycles_per_msg").empty(), cycles == "unavailable");
  }
  const bool no_pmu = csv.at(0, "cycles_source") == "unavailable";
  std::size_t said = 0;
  for (std::size_t at = o.err.find("hardware counters unavailable"); at != std::string::npos;
       at = o.err.find("hardware counters unavailable", at + 1)) {
    ++said;
  }
  EXPECT_EQ(said, no_pmu ? 1u : 0u) << o.err;
}

// Per-role figures are per message each role's threads sent or received: pingpong's two
// threads each move one message each way per round trip, so their figures times the round
// trips add up to the total; a pipeline's first and last stage each move the N objects
// the first stage sent (the middle stage counts in the total only).
TEST_F(EndToEnd, PerRoleCounterFiguresArePerWhatEachRoleMoved) {
  for (const std::string workload_and_cores : {"pingpong --cores 0,0", "pipeline --cores 0,0,0"}) {
    const std::string out = workload_and_cores.substr(0, workload_and_cores.find(' ')) + ".csv";
    const Outcome o = refbench("run --strategy atomic --workload " + workload_and_cores +
                               " --messages 2000 --warmup 100 --repetitions 1 --counters basic "
                               "--out " +
                               out);
    ASSERT_EQ(o.status, 0) << o.err;
    const Csv csv = parse_csv(slurp(dir_ / out));
    ASSERT_EQ(csv.rows.size(), 1u);
    const std::string workload = csv.at(0, "workload");
    ASSERT_EQ(csv.at(0, "task_clock_ns_source"), "sw") << workload;
    const double total = std::stod(csv.at(0, "task_clock_ns"));
    const double sender = std::stod(csv.at(0, "task_clock_ns_sender_per_msg"));
    const double receiver = std::stod(csv.at(0, "task_clock_ns_receiver_per_msg"));
    EXPECT_GT(sender, 0) << workload;
    EXPECT_GT(receiver, 0) << workload;
    if (workload == "pingpong") {
      ASSERT_EQ(csv.at(0, "round_trips"), "2000");
      EXPECT_NEAR((sender + receiver) * 2000, total, 1e-4 * total);
    } else {
      ASSERT_EQ(workload, "pipeline");
      ASSERT_EQ(csv.at(0, "messages"), "4000") << "two hand-offs per object";
      EXPECT_LT((sender + receiver) * 2000, total) << "the middle stage ran too";
    }
  }
}

TEST_F(EndToEnd, NoCountersNoCounterColumns) {
  const Outcome o = refbench(
      "run --strategy immortal --workload stream --cores 0,0 --messages 1000 --repetitions 1 "
      "--counters none --out n.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "n.csv"));
  EXPECT_EQ(csv.column.count("task_clock_ns"), 0u);
  EXPECT_EQ(csv.column.size(), refbench::results::csv_header().size());
  EXPECT_TRUE(o.err.empty()) << o.err;
}

TEST_F(EndToEnd, EventsListsTheSetsAndTheirSources) {
  const Outcome o = refbench("events");
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* text : {"PMUs libpfm4 detected:", "perf_event_paranoid:",
                           "sw (user+kernel)  perf::PERF_COUNT_SW_TASK_CLOCK", "set basic adds:",
                           "set cache adds:", "set coherence adds:", "event tables"}) {
    EXPECT_NE(o.out.find(text), std::string::npos) << text << "\n" << o.out;
  }
}

TEST_F(EndToEnd, HelpAndVersionExitZero) {
  const Outcome help = refbench("run --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--channel-capacity"), std::string::npos);
  const Outcome version = refbench("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("refbench ", 0), 0u);
}

}  // namespace
