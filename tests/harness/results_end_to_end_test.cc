// What comes out of a run, end to end: JSON for Google Benchmark's tools, comparing two
// runs, and a sweep stopped with Ctrl-C and resumed.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/harness/end_to_end_support.h"

extern char** environ;

namespace {

using namespace refbench::testing_support;

TEST_F(EndToEnd, JsonFollowsGoogleBenchmarksSchema) {
  const Outcome o = refbench(
      "run --strategy civ,atomic --workload stream --cores 0,0 --messages 2000 --repetitions 3 "
      "--out r.json");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(files(), (std::set<std::string>{"r.json", "r.meta.json", "r.topology.xml"}));
  const auto json = nlohmann::json::parse(slurp(dir_ / "r.json"));
  const auto& context = json.at("context");
  for (const char* key : {"date", "host_name", "executable", "num_cpus", "library_build_type"}) {
    EXPECT_TRUE(context.contains(key)) << key;
  }
  EXPECT_EQ(context.at("refbench").at("topology").at("xml"), "r.topology.xml");
  std::map<std::string, int> iterations, aggregates;
  for (const auto& b : json.at("benchmarks")) {
    EXPECT_EQ(b.at("time_unit"), "ns");
    EXPECT_GT(b.at("real_time").get<double>(), 0);
    if (b.at("run_type") == "iteration") {
      ++iterations[b.at("name").get<std::string>()];
      EXPECT_EQ(b.at("iterations"), 2000);
      EXPECT_EQ(b.at("threads"), 2);
      EXPECT_TRUE(b.contains("msgs_per_s"));
      EXPECT_TRUE(b.contains("task_clock_ns_per_msg"));
    } else {
      ++aggregates[b.at("aggregate_name").get<std::string>()];
    }
  }
  EXPECT_EQ(iterations.size(), 2u);
  for (const auto& [name, count] : iterations) {
    EXPECT_EQ(count, 3) << name;
    EXPECT_EQ(name.rfind("stream/", 0), 0u) << name;
    EXPECT_NE(name.find("/pus:0;0/payload:64/"), std::string::npos) << name;
  }
  EXPECT_EQ(aggregates,
            (std::map<std::string, int>{{"cv", 2}, {"mean", 2}, {"median", 2}, {"stddev", 2}}));
}

// compare, plot and merge read the CSV; given refbench's JSON they say so on one line.
TEST_F(EndToEnd, ReadersOfResultsNameTheCsvWhenGivenTheJson) {
  ASSERT_EQ(refbench("run --strategy immortal --workload stream --cores 0,0 --messages 2000 "
                     "--repetitions 1 --counters none --out a.json")
                .status,
            0);
  const std::string said =
      "a.json is refbench's JSON (Google Benchmark's schema, for its tools); this reads "
      "refbench's CSV: the same run written with --out FILE.csv (or --format csv)\n";
  for (const char* command : {"compare a.json a.json", "plot a.json", "merge a.json --out m.csv"}) {
    const Outcome o = refbench(command);
    EXPECT_EQ(o.status, 2) << command;
    EXPECT_EQ(o.err.rfind("refbench: ", 0), 0u) << o.err;
    EXPECT_NE(o.err.find(said), std::string::npos) << command << ": " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

TEST_F(EndToEnd, CompareSaysWhetherADifferenceIsBeyondTheNoise) {
  const std::string run =
      "run --strategy gil,immortal --workload stream --cores 0,0 --messages 3000 --warmup 100 ";
  ASSERT_EQ(refbench(run + "--repetitions 4 --out a.csv").status, 0);
  ASSERT_EQ(refbench(run + "--repetitions 2 --out few.csv").status, 0);

  const Outcome same = refbench("compare a.csv a.csv");
  ASSERT_EQ(same.status, 0) << same.err;
  EXPECT_NE(same.out.find("same within noise"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("2 points in both; 0 only in A, 0 only in B"), std::string::npos);
  EXPECT_NE(same.out.find("1.000"), std::string::npos) << "B/A of a file with itself";

  const Outcome few = refbench("compare a.csv few.csv");
  ASSERT_EQ(few.status, 0) << few.err;
  EXPECT_NE(few.out.find("too few repetitions (4 and 2"), std::string::npos) << few.out;

  const Outcome missing = refbench("compare a.csv nowhere.csv");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("nowhere.csv"), std::string::npos);
  std::ofstream(dir_ / "other.csv") << "a,b\n1,2\n";
  const Outcome foreign = refbench("compare a.csv other.csv");
  EXPECT_EQ(foreign.status, 2);
  EXPECT_NE(foreign.err.find("is not a refbench results CSV"), std::string::npos) << foreign.err;
}

std::size_t data_rows(const fs::path& csv) {
  const std::string text = slurp(csv);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return lines > 0 ? lines - 1 : 0;
}

// Ctrl-C in the middle: the point being measured finishes, every finished row is kept, and
// the sweep says how to go on; going on completes the same set of points, each once.
TEST_F(EndToEnd, ASweepStoppedWithCtrlCResumesToTheSamePoints) {
  const std::vector<std::string> sweep = {
      "sweep",     "--pairs", "classes",       "--strategy", "all",   "--workload", "stream",
      "--seconds", "0.05",    "--repetitions", "4",          "--out", "s.csv"};
  const pid_t pid = start_refbench(dir_, sweep);
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (data_rows(dir_ / "s.csv") < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGINT);
  int raw = 0;
  waitpid(pid, &raw, 0);
  ASSERT_TRUE(WIFEXITED(raw));
  const std::string err = slurp(dir_ / "stderr.txt");
  EXPECT_EQ(WEXITSTATUS(raw), 130) << err;
  EXPECT_NE(err.find("refbench: interrupted (SIGINT) after"), std::string::npos) << err;
  EXPECT_NE(err.find("refbench: to go on: "), std::string::npos) << err;
  EXPECT_NE(err.find("refbench sweep --pairs classes "), std::string::npos) << err;
  EXPECT_NE(err.find("--resume 's.csv'"), std::string::npos) << err;
  const std::size_t kept = data_rows(dir_ / "s.csv");
  const std::size_t total = parse_csv(slurp(dir_ / "s.csv")).rows.size();
  EXPECT_EQ(kept, total) << "every row in the file is whole";

  std::string same;  // the same sweep, as the hint says
  for (const std::string& word : sweep) same += word + " ";
  // A dry run checks the file and says what is left, and writes nothing.
  const std::string before = slurp(dir_ / "s.csv");
  const Outcome dry = refbench(same + "--resume s.csv --dry-run");
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_NE(dry.out.find("resuming s.csv: " + std::to_string(kept) + " of "), std::string::npos)
      << dry.out;
  EXPECT_EQ(slurp(dir_ / "s.csv"), before);
  const Outcome dry_other = refbench(same + "--objects 4 --resume s.csv --dry-run");
  EXPECT_EQ(dry_other.status, 2) << dry_other.out;

  const Outcome resumed = refbench(same + "--resume s.csv");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("refbench sweep: resuming s.csv: " + std::to_string(kept)),
            std::string::npos)
      << resumed.out;

  const Csv csv = parse_csv(slurp(dir_ / "s.csv"));
  std::set<std::string> points;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    points.insert(csv.at(r, "strategy") + " " + csv.at(r, "pus") + " " + csv.at(r, "repetition"));
  }
  const std::size_t classes = csv.rows.size() / (kStrategies * 4);
  EXPECT_EQ(csv.rows.size(), points.size()) << "no point twice";
  EXPECT_EQ(points.size(), classes * kStrategies * 4) << "every point of the plan";
  EXPECT_GE(classes, 1u);

  // A file from another sweep is refused, with what differs.
  const Outcome other = refbench(same + "--objects 4 --resume s.csv");
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.err.find("--resume: s.csv was made with --objects 1; this sweep has --objects 4"),
            std::string::npos)
      << other.err;
}

// The PNG files under `dir`, which must each be a real, non-trivial PNG.
std::set<std::string> pngs_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".png") continue;
    names.insert(entry.path().filename().string());
    const std::string bytes = slurp(entry.path());
    EXPECT_GT(bytes.size(), 10000u) << entry.path();
    EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n") << entry.path();
  }
  return names;
}

TEST_F(EndToEnd, PlotFlagDrawsTheRunsPlotsBesideItsCsv) {
  const Outcome o = refbench(
      "run --strategy racy,civ,immortal --workload stream --cores 0,1 --messages 3000 "
      "--repetitions 2 --out r.csv --plot");
  ASSERT_EQ(o.status, 0) << o.err;
  const std::set<std::string> drawn = pngs_in(dir_ / "r-plots");
  EXPECT_TRUE(drawn.contains("classes-stream.png")) << o.out;
  EXPECT_TRUE(drawn.contains("counters-stream.png")) << o.out;
  EXPECT_TRUE(fs::exists(dir_ / "r-plots" / "classes-stream.svg"));
  // A single pair cannot make a heatmap, nor one interpreter count a scaling curve: said.
  EXPECT_NE(o.out.find("heatmap: skipped"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("scaling: skipped"), std::string::npos) << o.out;

  const Outcome again = refbench("plot r.csv --out figures");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(pngs_in(dir_ / "figures"), drawn);
}

TEST_F(EndToEnd, PlotRefusesWhatIsNotAResultsCsv) {
  std::ofstream(dir_ / "notes.csv") << "a,b\n1,2\n";
  const Outcome o = refbench("plot notes.csv");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("plot: notes.csv is not a refbench results CSV (needs the columns workload"),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(dir_ / "notes-plots"));
  EXPECT_EQ(refbench("plot missing.csv").status, 2);
}

// A stalled point (made to stall: its receivers start late) is given up by the watchdog:
// an error row with empty figures, a message, the other points still measured, exit 1.
TEST_F(EndToEnd, AStalledPointGetsAnErrorRowAndTheRunGoesOn) {
  const Outcome o = refbench(
      "run --strategy atomic,civ --workload stream --cores 0,1 --messages 200000 "
      "--channel-capacity 4 --wait block --repetitions 2 --stall-timeout 0.2 --out r.csv",
      "REFBENCH_INJECT_STALL=civ ");
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_NE(o.err.find("stalled: no message moved for 0.2 s"), std::string::npos) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "r.csv"));
  ASSERT_EQ(csv.rows.size(), 4u);
  for (std::size_t r = 0; r < 4; ++r) {
    if (csv.at(r, "strategy") == "civ") {
      EXPECT_NE(csv.at(r, "error").find("stalled"), std::string::npos);
      EXPECT_EQ(csv.at(r, "ns_per_msg"), "");
      EXPECT_EQ(csv.at(r, "violations"), "");
    } else {
      EXPECT_EQ(csv.at(r, "error"), "");
      EXPECT_EQ(csv.at(r, "messages"), "200000");
      EXPECT_EQ(csv.at(r, "violations"), "0");
    }
  }
  EXPECT_NE(o.out.find("error: civ repetition 1: stalled"), std::string::npos) << o.out;

  // compare never reads a point given up as a figure: it says so instead.
  const Outcome compared = refbench("compare r.csv r.csv");
  ASSERT_EQ(compared.status, 0) << compared.err;
  EXPECT_NE(compared.out.find("not compared: A repetition 1 failed (stalled"), std::string::npos)
      << compared.out;
  EXPECT_NE(compared.out.find("1 points not compared"), std::string::npos) << compared.out;
}

// In Google Benchmark's JSON a point given up is flagged as its runs that skip with an error
// are, and is left out of the aggregates.
TEST_F(EndToEnd, AStalledPointInJsonCarriesTheErrorFields) {
  const Outcome o = refbench(
      "run --strategy atomic,civ --workload stream --cores 0,1 --messages 200000 "
      "--channel-capacity 4 --wait block --repetitions 1 --stall-timeout 0.2 --out r.json",
      "REFBENCH_INJECT_STALL=civ ");
  EXPECT_EQ(o.status, 1) << o.err;
  const auto json = nlohmann::json::parse(slurp(dir_ / "r.json"));
  std::size_t errors = 0;
  for (const auto& b : json.at("benchmarks")) {
    const bool civ = b.at("name").get<std::string>().rfind("stream/civ/", 0) == 0;
    if (b.at("run_type") == "aggregate") {
      EXPECT_FALSE(civ) << "a failed point has no aggregates";
      continue;
    }
    EXPECT_EQ(b.value("error_occurred", false), civ);
    if (civ) {
      ++errors;
      EXPECT_NE(b.at("error_message").get<std::string>().find("stalled"), std::string::npos);
    }
  }
  EXPECT_EQ(errors, 1u);
  EXPECT_TRUE(json.at("ratios").is_array());
}

// --precision end to end: blocks are added to the plan's two, never past --max-repetitions
// (with 4 blocks no interval covers 95 %, so the bound is never met whatever the timings),
// and the run says which ratios did not get there. The stopping rule itself is tested on
// exact figures in ratio_checks_test.cc.
TEST_F(EndToEnd, PrecisionAddsBlocksUpToMaxRepetitionsAndSaysWhatWasNotReached) {
  const Outcome o = refbench(
      "run --strategy atomic,immortal --workload stream --cores 0,0 --messages 2000 --warmup 100 "
      "--repetitions 2 --precision 50 --max-repetitions 4 --out tight.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "tight.csv"));
  ASSERT_EQ(csv.rows.size(), 8u) << "2 strategies x 4 blocks";
  EXPECT_EQ(csv.at(7, "repetition"), "4");
  EXPECT_NE(o.err.find("refbench: precision not reached: stream on PUs 0,0, payload 64 B: "
                       "atomic/immortal"),
            std::string::npos)
      << o.err;
  const auto meta = nlohmann::json::parse(slurp(dir_ / "tight.meta.json"));
  EXPECT_EQ(meta.at("checks").at("precision_not_reached").size(), 1u);
}

// compare sets the ratios of A against B, each with its interval, beside the times.
TEST_F(EndToEnd, CompareComparesTheRatiosWithTheirIntervals) {
  const std::string run =
      "run --strategy atomic,immortal --workload stream --cores 0,0 --messages 3000 "
      "--warmup 100 --repetitions 6 ";
  ASSERT_EQ(refbench(run + "--out a.csv").status, 0);
  const Outcome o = refbench("compare a.csv a.csv");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("ratios, each the median of its per-block ratios"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("atomic/immortal"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("same within intervals"), std::string::npos) << o.out;
}

// The first three columns of each strategy's line of a stress report: strategy, points,
// early teardowns. They depend on the seed only.
std::vector<std::string> drawn_points(const std::string& report) {
  std::vector<std::string> lines;
  std::istringstream in(report);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string strategy, points, early;
    words >> strategy >> points >> early;
    if (strategy == "gil" || strategy == "racy" || strategy == "atomic" || strategy == "civ" ||
        strategy == "immortal") {
      lines.push_back(strategy + " " + points + " " + early);
    }
    if (line.rfind("points per workload:", 0) == 0) lines.push_back(line);
  }
  return lines;
}

TEST_F(EndToEnd, StressFindsNothingWrongButRacyAndASeedReproducesThePoints) {
  const Outcome first = refbench("stress --points 30 --seed 11");
  EXPECT_EQ(first.status, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("seed 11"), std::string::npos);
  const Outcome second = refbench("stress --points 30 --seed 11");
  EXPECT_EQ(second.status, 0) << second.out << second.err;
  EXPECT_FALSE(drawn_points(first.out).empty()) << first.out;
  // The N-interpreter shapes are drawn too, on 2 to 4 interpreters.
  for (const char* drawn : {"pipeline", "fanout", "shuffle", "per interpreter count: 2: "}) {
    EXPECT_NE(first.out.find(drawn), std::string::npos) << drawn << "\n" << first.out;
  }
  EXPECT_EQ(drawn_points(first.out), drawn_points(second.out));
  EXPECT_EQ(files(), std::set<std::string>{}) << "stress writes no file";
  EXPECT_EQ(refbench("stress --points 3 --seconds 1").status, 2);
  EXPECT_EQ(refbench("stress --seed -1").status, 2);
}

}  // namespace
