#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "results/benchmark_json.h"
#include "results/metadata.h"
#include "results/sink.h"

namespace refbench::results {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Metadata example_metadata() {
  Metadata m;
  m.refbench_version = "0.1.0";
  m.git_commit = "0123456789ab";
  m.command_line = "refbench run --cores 0,1";
  m.date = "2026-11-25T06:00:00Z";
  m.host = "bench-host";
  m.cpu_model = "Example CPU";
  m.kernel = "Linux 6.1";
  m.compiler = "GNU 12.2.0";
  m.compiler_flags = "-O2 -DNDEBUG";
  m.build_type = "Release";
  m.topology_source = "this machine";
  m.topology_summary = "this machine has 1 package";
  m.topology_xml = "r.topology.xml";
  m.pus = 2;
  m.counters = {
      {"task_clock_ns", "perf::PERF_COUNT_SW_TASK_CLOCK", "sw", "", "user+kernel",
       "time the thread ran, in ns"},
      {"page_faults", "perf::PERF_COUNT_SW_PAGE_FAULTS", "sw", "", "user",
       "page faults the thread took"},
      {"cycles", "perf::PERF_COUNT_HW_CPU_CYCLES", "unavailable", "ENOENT", "", "core cycles"}};
  m.frequency_note = "not readable here";
  m.plan = PlanRecord{"0123456789abcdef", 120, 2, 8, 15};
  return m;
}

ResultRow example_row(unsigned repetition, double elapsed) {
  ResultRow r;
  r.workload = "pingpong";
  r.strategy = "civ";
  r.interpreters = 2;
  r.placement = "0;1";
  r.pus = "0;1";
  r.distance_class = "shared_l3";
  r.wait_policy = "spin";
  r.memory = "first-touch;first-touch";
  r.repetition = repetition;
  r.payload_bytes = 64;
  r.settings = {{"objects", "1", true}, {"local_work", "0", true}};
  r.messages = 1000;
  r.elapsed_s = elapsed;
  r.rtt_p50_ns = 500;
  r.rtt_p99_ns = 700;
  r.rtt_max_ns = 900;
  r.counters = {{"task_clock_ns", "sw", 2000.0, 2.0, 1.0, 1.0, 1.0},
                {"cycles", "unavailable", {}, {}, {}, {}, {}}};
  return r;
}

// Compares with a checked-in file; REFBENCH_UPDATE_GOLDEN=1 rewrites it instead (then
// read the diff before committing it).
void expect_golden(const std::string& actual, const char* name) {
  const fs::path path = fs::path(REFBENCH_TEST_DATA_DIR) / name;
  if (const char* update = std::getenv("REFBENCH_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, slurp(path)) << name;
}

// Golden files: the schemas are contracts with users' tools (compare.py, pandas).
TEST(Json, MetadataGolden) {
  expect_golden(to_json(example_metadata()).dump(2) + "\n", "golden-meta.json");
}

// What merge and --resume read back is what was written, with or without a plan record.
TEST(Json, MetadataReadsBackAsWritten) {
  Metadata m = example_metadata();
  m.governor = "performance";
  const auto json = to_json(m);
  const Metadata back = metadata_from_json(nlohmann::json::parse(json.dump()), "m.json");
  EXPECT_EQ(to_json(back), json);
  ASSERT_TRUE(back.plan.has_value());
  EXPECT_EQ(back.plan->fingerprint, "0123456789abcdef");
  EXPECT_EQ(back.plan->points, 120u);
  EXPECT_EQ(back.plan->shard_index, 2u);
  EXPECT_EQ(back.plan->shard_count, 8u);
  EXPECT_EQ(back.plan->shard_points, 15u);
  m.plan.reset();
  EXPECT_FALSE(to_json(m).contains("plan"));
  EXPECT_FALSE(metadata_from_json(nlohmann::json::parse(to_json(m).dump()), "m.json").plan);
  // A record written before some keys existed (the plot fixtures' kind) reads with them empty.
  const Metadata old = metadata_from_json(nlohmann::json{{"host", "h"}}, "old.json");
  EXPECT_EQ(old.host, "h");
  EXPECT_EQ(old.cpu_model, "");
  EXPECT_FALSE(old.plan.has_value());
}

TEST(Json, MetadataThatIsNotARecordIsRefusedNamingTheFile) {
  auto error_of = [](const nlohmann::json& json) {
    try {
      metadata_from_json(json, "m.json");
    } catch (const OutputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of(nlohmann::json::array()),
            "m.json: not a refbench metadata record (not a JSON object)");
  EXPECT_EQ(
      error_of(nlohmann::json{{"host", 5}}).rfind("m.json: not a refbench metadata record (", 0),
      0u);
  EXPECT_EQ(error_of(nlohmann::json{{"plan", {{"fingerprint", "x"}}}})
                .rfind("m.json: not a refbench metadata record (", 0),
            0u)
      << "a plan without its points and shard";
  const fs::path dir = fs::temp_directory_path() / ("refbench-meta-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "bad.meta.json") << "{\"host\": ";
  EXPECT_THROW(read_metadata(dir / "bad.meta.json"), OutputError);
  EXPECT_THROW(read_metadata(dir / "missing.meta.json"), OutputError);
  std::ofstream(dir / "good.meta.json") << to_json(example_metadata()).dump(2);
  EXPECT_EQ(to_json(read_metadata(dir / "good.meta.json")), to_json(example_metadata()));
  fs::remove_all(dir);
}

TEST(Json, GoogleBenchmarkSchemaGolden) {
  const std::vector<ResultRow> rows = {example_row(1, 0.0004), example_row(2, 0.0005)};
  expect_golden(benchmark_json(example_metadata(), rows), "golden-benchmark.json");
}

// Two placement policies can pick the same PUs; their repetitions are two benchmarks, never
// one pooled aggregate.
TEST(Json, PointsPlacedByDifferentPoliciesStayApart) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004), example_row(1, 0.0005)};
  rows[0].placement = "scatter";
  rows[1].placement = "compact";
  const auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  std::set<std::string> names;
  for (const auto& b : json["benchmarks"]) {
    if (b["run_type"] == "iteration") names.insert(b["name"].get<std::string>());
  }
  EXPECT_EQ(names, (std::set<std::string>{
                       "pingpong/civ/interpreters:2/placement:scatter/pus:0;1/payload:64/"
                       "objects:1/local_work:0",
                       "pingpong/civ/interpreters:2/placement:compact/pus:0;1/payload:64/"
                       "objects:1/local_work:0"}));
}

TEST(Json, CpuTimeIsTheTaskClockOrSaysItWasNotMeasured) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004)};
  rows[0].counters[0].per_msg = 3.5;
  auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  EXPECT_DOUBLE_EQ(json["benchmarks"][0]["real_time"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(json["benchmarks"][0]["cpu_time"].get<double>(), 3.5);
  EXPECT_EQ(json["context"]["refbench_cpu_time"],
            "task_clock_ns of all interpreter threads per message");

  rows[0].counters.clear();
  json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  EXPECT_DOUBLE_EQ(json["benchmarks"][0]["cpu_time"].get<double>(), 400.0);
  EXPECT_EQ(json["context"]["refbench_cpu_time"],
            "not measured (no task_clock_ns counter): repeats real_time");
}

// A multiplexed figure (scaled up by more than 1.05x) is marked an estimate, with its
// scale; a counter a thread could not count says why.
TEST(Json, MultiplexedFiguresAreEstimatesAndHolesSayWhy) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004)};
  rows[0].counters = {{"task_clock_ns", "sw", 2000.0, 2.0, 1.0, 1.0, 1.0},
                      {"cycles", "hw", 4000.0, 4.0, 2.0, 2.0, 1.5},
                      {"instructions", "hw", 4000.0, 4.0, 2.0, 2.0, 1.05},
                      {"context_switches", "unavailable", {}, {}, {}, {}, {}, "interpreter 1: x"}};
  const auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  const auto& entry = json["benchmarks"][0];
  EXPECT_FALSE(entry.contains("task_clock_ns_estimate"));
  EXPECT_EQ(entry["cycles_estimate"], true);
  EXPECT_DOUBLE_EQ(entry["cycles_scale"].get<double>(), 1.5);
  EXPECT_FALSE(entry.contains("instructions_estimate")) << "1.05 is not above 1.05";
  EXPECT_EQ(entry["context_switches_problem"], "interpreter 1: x");
  EXPECT_FALSE(entry.contains("context_switches_per_msg"));
}

// A failed point is flagged as Google Benchmark flags a run that skipped with an error, and
// stays out of the aggregates: compare.py must never read its zero time as a figure.
TEST(Json, AFailedPointCarriesGoogleBenchmarksErrorFields) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004), example_row(2, 0)};
  rows[1].messages = 0;
  rows[1].error = "stalled: no message moved for 10 s (--stall-timeout); the point was given up";
  const auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  const auto& failed = json["benchmarks"][1];
  EXPECT_EQ(failed["run_type"], "iteration");
  EXPECT_EQ(failed["error_occurred"], true);
  EXPECT_EQ(failed["error_message"], rows[1].error);
  EXPECT_FALSE(json["benchmarks"][0].contains("error_occurred"));
  EXPECT_FALSE(failed.contains("leaks")) << "a stalled point counted nothing";
  for (const auto& b : json["benchmarks"]) {
    if (b["run_type"] == "aggregate" && b["aggregate_name"] == "mean") {
      EXPECT_DOUBLE_EQ(b["real_time"].get<double>(), 400.0) << "the failed run is left out";
      EXPECT_EQ(b["repetitions"], 1);
    }
  }
  rows.erase(rows.begin());  // only the failed run: no aggregates at all
  const auto alone = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  EXPECT_EQ(alone["benchmarks"].size(), 1u);
}

TEST(Json, RatiosArrayBesideTheBenchmarks) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004), example_row(1, 0.0002)};
  rows[1].strategy = "immortal";
  rows[0].probe_rtt_ns = rows[1].probe_rtt_ns = 240;
  const auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  ASSERT_EQ(json["ratios"].size(), 1u);
  EXPECT_EQ(json["ratios"][0]["numerator"], "civ");
  EXPECT_EQ(json["ratios"][0]["denominator"], "immortal");
  EXPECT_DOUBLE_EQ(json["ratios"][0]["ratio"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(json["ratios"][0]["probe_rtt_ns"].get<double>(), 240.0);
  EXPECT_EQ(json["ratios"][0]["drift"], false);
}

TEST(Json, FilesBesideTheResults) {
  EXPECT_EQ(metadata_path("results/refbench-1.csv"), "results/refbench-1.meta.json");
  EXPECT_EQ(topology_xml_path("out.json"), "out.topology.xml");
  EXPECT_EQ(format_for("x.json"), Format::json);
  EXPECT_EQ(format_for("x.csv"), Format::csv);
  EXPECT_EQ(format_for("x"), Format::csv);
}

TEST(Sink, JsonIsWrittenWholeOnCommit) {
  const fs::path dir = fs::temp_directory_path() / ("refbench-sink-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    auto sink =
        open_sink(dir / "r.json", Format::json, Opening::stream, false, {}, example_metadata());
    sink->write(example_row(1, 0.0004));
    EXPECT_FALSE(fs::exists(dir / "r.json"));
    sink->commit();
  }
  const auto json = nlohmann::json::parse(slurp(dir / "r.json"));
  EXPECT_EQ(json.at("benchmarks").size(), 1u + 4u);
  EXPECT_THROW(open_sink(dir / "no" / "r.json", Format::json, Opening::stream, false, {},
                         example_metadata()),
               OutputError);
  fs::remove_all(dir);
}

const std::vector<std::string> kCounters = {"task_clock_ns", "cycles"};

TEST(Sink, AppendAddsRowsUnderTheExistingHeader) {
  const fs::path dir = fs::temp_directory_path() / ("refbench-append-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    auto first = open_sink(dir / "s.csv", Format::csv, Opening::stream, false, kCounters,
                           example_metadata());
    first->write(example_row(1, 0.0004));
    first->commit();
  }
  {
    auto more = open_sink(dir / "s.csv", Format::csv, Opening::append, false, kCounters,
                          example_metadata());
    more->write(example_row(2, 0.0005));
    more->commit();
  }
  const CsvTable table = read_csv(dir / "s.csv");
  EXPECT_EQ(table.header, csv_header(kCounters));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[1][static_cast<std::size_t>(table.column("repetition"))], "2");
  fs::remove_all(dir);
}

// An interpreter process that died leaves references and views: its error entry carries
// them under the CSV's column names, as the CSV's error row does.
TEST(Json, AKilledProcessesEntryCarriesWhatItLeft) {
  std::vector<ResultRow> rows = {example_row(1, 0.0004), example_row(2, 0)};
  ResultRow& killed = rows[1];
  killed.messages = 0;
  killed.error = "interpreter 1 (pid 4242) was killed by SIGKILL; the point was given up";
  killed.integrity_counted = true;
  killed.leaks = 1;
  killed.views_left_open = 257;
  const auto json = nlohmann::json::parse(benchmark_json(example_metadata(), rows));
  const auto& entry = json["benchmarks"][1];
  EXPECT_EQ(entry["error_occurred"], true);
  EXPECT_EQ(entry["leaks"], 1);
  EXPECT_EQ(entry["views_left_open"], 257);
  EXPECT_EQ(entry["double_frees"], 0);
  EXPECT_FALSE(entry.contains("violations")) << "the kill left them, not the strategy";
}

}  // namespace
}  // namespace refbench::results
