#include "harness/cli.h"

#include <gtest/gtest.h>

#include <chrono>

#include "harness/settings.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

Command parse(std::vector<std::string> args) {
  args.insert(args.begin(), "refbench");
  return parse_command_line(args);
}

template <class Options>
Options parse_as(const char* command, std::vector<std::string> args) {
  args.insert(args.begin(), command);
  return std::get<Options>(parse(args));
}

RunOptions run_options(std::vector<std::string> args) { return parse_as<RunOptions>("run", args); }
SweepOptions sweep_options(std::vector<std::string> args) {
  return parse_as<SweepOptions>("sweep", args);
}

double stall_seconds(const RunOptions& o) {
  return std::chrono::duration<double>(o.points.config.stall_timeout).count();
}

std::string error_of(std::vector<std::string> args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Cli, RunDefaultsAreTheDefaultComparison) {
  const RunOptions o = run_options({});
  EXPECT_EQ(o.points.strategies.size(), workloads::kAllStrategies.size());
  EXPECT_EQ(o.points.workloads,
            (std::vector{workloads::Workload::stream, workloads::Workload::pingpong}));
  EXPECT_EQ(run_options({"--workload", "all"}).points.workloads.size(), 5u);
  EXPECT_EQ(o.points.payloads, (std::vector<std::uint32_t>{64}));
  EXPECT_FALSE(o.cores.has_value());
  EXPECT_EQ(o.points.config.messages, 0u);
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(o.points.config.duration).count(), 0.3);
  EXPECT_EQ(o.points.repetitions, 6u);
  EXPECT_DOUBLE_EQ(o.points.noise_threshold, 0.05);
  EXPECT_DOUBLE_EQ(run_options({"--noise-threshold", "2.5"}).points.noise_threshold, 0.025);
  EXPECT_FALSE(o.points.wait.has_value());
  EXPECT_EQ(o.points.memory, pinning::MemoryPolicy::local);
  EXPECT_FALSE(o.points.config.verify);
  EXPECT_TRUE(o.output.out.empty());
  EXPECT_TRUE(o.output.topology.empty());
  EXPECT_FALSE(o.output.dry_run);
}

TEST(Cli, RunTakesEveryOption) {
  const RunOptions o = run_options({"--strategy",
                                    "civ,atomic",
                                    "--workload",
                                    "pingpong",
                                    "--cores",
                                    "0,1",
                                    "--messages",
                                    "1e6",
                                    "--warmup",
                                    "0",
                                    "--payload",
                                    "4096",
                                    "--objects",
                                    "64",
                                    "--local-work",
                                    "10",
                                    "--channel-capacity",
                                    "8",
                                    "--wait",
                                    "block",
                                    "--memory",
                                    "interleave",
                                    "--repetitions",
                                    "2",
                                    "--verify",
                                    "--out",
                                    "x.csv",
                                    "--topology",
                                    "synthetic:pu:2",
                                    "--dry-run",
                                    "--quiet"});
  EXPECT_EQ(o.points.strategies,
            (std::vector{workloads::Strategy::civ, workloads::Strategy::atomic}));
  EXPECT_EQ(o.points.workloads, (std::vector{workloads::Workload::pingpong}));
  EXPECT_EQ(o.cores, "0,1");
  EXPECT_EQ(o.points.config.messages, 1000000u);
  EXPECT_EQ(o.points.config.warmup_messages, 0u);
  EXPECT_EQ(o.points.payloads, (std::vector<std::uint32_t>{4096}));
  EXPECT_EQ(o.points.config.objects, 64u);
  EXPECT_EQ(o.points.config.local_work, 10u);
  EXPECT_EQ(o.points.config.channel_capacity, 8u);
  EXPECT_EQ(o.points.wait, workloads::WaitPolicy::block);
  EXPECT_EQ(o.points.memory, pinning::MemoryPolicy::interleave);
  EXPECT_EQ(o.points.repetitions, 2u);
  EXPECT_TRUE(o.points.config.verify);
  EXPECT_EQ(o.output.out, "x.csv");
  EXPECT_EQ(o.output.topology, "synthetic:pu:2");
  EXPECT_TRUE(o.output.dry_run);
  EXPECT_TRUE(o.output.quiet);
}

TEST(Cli, WaitAutoMeansChosenPerPlacement) {
  EXPECT_FALSE(run_options({"--wait", "auto"}).points.wait.has_value());
}

TEST(Cli, SweepDefaultsToOnePairPerDistanceClass) {
  const SweepOptions o = sweep_options({});
  EXPECT_EQ(o.pairs, PairSelection::classes);
  EXPECT_TRUE(o.interpreters.empty());
  EXPECT_EQ(sweep_options({"--pairs", "all"}).pairs, PairSelection::all);
  EXPECT_EQ(sweep_options({"--pairs", "unordered"}).pairs, PairSelection::unordered);
  EXPECT_EQ(sweep_options({"--pairs", "symmetric"}).pairs, PairSelection::symmetric);
  EXPECT_EQ(sweep_options({"--pairs", "sample:12"}).pairs, PairSelection::sample);
  EXPECT_EQ(sweep_options({"--pairs", "sample:12"}).sample_k, 12u);
}

TEST(Cli, SweepScalesInterpretersWithAPlacement) {
  const SweepOptions o =
      sweep_options({"--interpreters", "2,4..6", "--placement", "scatter", "--payload", "64,4096"});
  EXPECT_EQ(o.interpreters, (std::vector<unsigned>{2, 4, 5, 6}));
  EXPECT_EQ(o.placement, "scatter");
  EXPECT_EQ(o.points.payloads, (std::vector<std::uint32_t>{64, 4096}));
}

TEST(Cli, SweepTakesAShard) {
  EXPECT_FALSE(sweep_options({}).shard.has_value());
  const SweepOptions o = sweep_options({"--shard", "3/8", "--resume", "s3.csv"});
  ASSERT_TRUE(o.shard.has_value());
  EXPECT_EQ(o.shard->index, 3u);
  EXPECT_EQ(o.shard->count, 8u);
  EXPECT_EQ(error_of({"sweep", "--shard", "9/8"}),
            "--shard: '9/8' is not allowed (allowed: I/N, the I-th of N shards, whole numbers "
            "with 1 <= I <= N <= 100000, e.g. 3/8)");
  EXPECT_EQ(error_of({"run", "--shard", "1/2"}).rfind("unrecognised option '--shard'", 0), 0u)
      << "only a sweep is sharded";
}

TEST(Cli, TopologyTakesASpecAPlacementAndTheMatrix) {
  const auto o = parse_as<TopologyOptions>(
      "topology",
      {"--topology", "xml:x.xml", "--placement", "scatter", "--interpreters", "4", "--matrix"});
  EXPECT_EQ(o.topology, "xml:x.xml");
  EXPECT_EQ(o.placement, "scatter");
  EXPECT_EQ(o.interpreters, 4u);
  EXPECT_TRUE(o.matrix);
}

TEST(Cli, CompareAndPlotTakeFiles) {
  const auto c = std::get<CompareOptions>(parse({"compare", "a.csv", "b.csv", "--alpha", "0.01"}));
  EXPECT_EQ(c.baseline, "a.csv");
  EXPECT_EQ(c.candidate, "b.csv");
  EXPECT_DOUBLE_EQ(c.alpha, 0.01);
  const auto p = std::get<PlotOptions>(parse({"plot", "r.csv", "--out", "figs"}));
  EXPECT_EQ(p.csv, "r.csv");
  EXPECT_EQ(p.out, "figs");
  EXPECT_EQ(error_of({"compare", "a.csv"}),
            "compare: needs 2 files, got 1 (see refbench compare --help)");
  EXPECT_EQ(error_of({"plot"}), "plot: needs 1 file, got 0 (see refbench plot --help)");
}

TEST(Cli, MergeTakesShardFilesAndAnOutput) {
  const auto m = std::get<MergeOptions>(parse({"merge", "s1.csv", "s2.csv", "--out", "all.csv"}));
  EXPECT_EQ(m.inputs, (std::vector<std::filesystem::path>{"s1.csv", "s2.csv"}));
  EXPECT_EQ(m.out, "all.csv");
  EXPECT_FALSE(m.partial);
  EXPECT_EQ(m.command_line, "refbench merge s1.csv s2.csv --out all.csv");
  EXPECT_TRUE(
      std::get<MergeOptions>(parse({"merge", "s1.csv", "--partial", "--out", "a.csv"})).partial);
  EXPECT_EQ(error_of({"merge", "--out", "all.csv"}),
            "merge: needs the shards' files, got none (see refbench merge --help)");
  EXPECT_EQ(error_of({"merge", "s1.csv"}),
            "merge: needs --out FILE.csv, where the merged results go");
  EXPECT_EQ(error_of({"merge", "s1.csv", "--out", "all.json"}),
            "--out: 'all.json' is not allowed (allowed: a CSV file path; merge writes CSV)");
  EXPECT_EQ(error_of({"merge", "s1.csv", "--out", ""}),
            "--out: '' is not allowed (allowed: a CSV file path; merge writes CSV)");
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"merge", "--help"})));
  const auto overview = std::get<HelpRequest>(parse({"--help"})).text;
  EXPECT_NE(overview.find("\n  merge     join the results of a sweep's shards"), std::string::npos)
      << overview;
}

TEST(Cli, TheCommandLineIsKeptAsTyped) {
  const RunOptions o = run_options({"--topology", "synthetic:pack:2 pu:2", "--dry-run"});
  EXPECT_EQ(o.output.command_line, "refbench run --topology 'synthetic:pack:2 pu:2' --dry-run");
  const SweepOptions s = sweep_options({"--resume", "it's.csv"});
  EXPECT_EQ(s.output.command_line, "refbench sweep --resume 'it'\\''s.csv'");
  EXPECT_EQ(s.resume, "it's.csv");
}

TEST(Cli, FormatAndPlot) {
  const RunOptions json = run_options({"--format", "json"});
  EXPECT_EQ(json.output.format, results::Format::json);
  EXPECT_FALSE(json.output.plot);
  const RunOptions plotted = run_options({"--out", "r.csv", "--plot"});
  EXPECT_TRUE(plotted.output.plot);
  EXPECT_EQ(error_of({"run", "--format", "json", "--plot"}),
            "--plot: plots are drawn from a CSV, not JSON (allowed with --format csv)");
  EXPECT_EQ(error_of({"sweep", "--out", "r.json", "--plot"}),
            "--plot: plots are drawn from a CSV, not JSON (allowed with --format csv)");
  EXPECT_EQ(error_of({"run", "--format", "xml"}),
            "--format: 'xml' is not allowed (allowed: csv, json)");
}

TEST(Cli, ConflictsAndMissingPartners) {
  EXPECT_EQ(error_of({"run", "--messages", "10", "--seconds", "1"}),
            "--messages and --seconds conflict: give one, a count of messages or a duration");
  EXPECT_EQ(error_of({"sweep", "--pairs", "all", "--interpreters", "4"}),
            "--pairs and --interpreters conflict: a sweep visits PU pairs or scales interpreters, "
            "not both");
  EXPECT_EQ(error_of({"sweep", "--interpreters", "4"}),
            "--interpreters and --placement go together: --interpreters 2,4,8 --placement scatter");
  EXPECT_EQ(error_of({"sweep", "--placement", "scatter"}),
            "--interpreters and --placement go together: --interpreters 2,4,8 --placement scatter");
  EXPECT_EQ(error_of({"topology", "--interpreters", "4"}), "--interpreters needs --placement SPEC");
}

TEST(Cli, BadValuesNameTheOptionAndWhatIsAllowed) {
  EXPECT_EQ(error_of({"run", "--strategy", "fast"}),
            "--strategy: 'fast' is not allowed (allowed: gil, racy, atomic, biased, civ, "
            "civ-deferred, immortal, or all)");
  EXPECT_EQ(error_of({"run", "--workload", "fan-out"}),
            "--workload: 'fan-out' is not allowed (allowed: stream, pingpong, pipeline, fanout, "
            "shuffle, or all)");
  EXPECT_EQ(error_of({"run", "--wait", "sleep"}),
            "--wait: 'sleep' is not allowed (allowed: spin, yield, block, auto)");
  EXPECT_EQ(error_of({"run", "--memory", "near"}),
            "--memory: 'near' is not allowed (allowed: local, remote, interleave)");
  EXPECT_EQ(error_of({"run", "--stall-timeout", "abc"}),
            "--stall-timeout: 'abc' is not allowed (allowed: seconds, more than 0 and at most "
            "86400, or 0 for never)");
  EXPECT_DOUBLE_EQ(stall_seconds(run_options({"--stall-timeout", "0"})), 0);
  EXPECT_DOUBLE_EQ(stall_seconds(run_options({"--stall-timeout", "2.5"})), 2.5);
  EXPECT_DOUBLE_EQ(stall_seconds(run_options({})), 30);
  EXPECT_EQ(error_of({"stress", "--points", "3", "--seconds", "1"}),
            "--seconds and --points conflict: give one, a duration or a count of points");
  EXPECT_EQ(error_of({"run", "--teardown", "late"}),
            "--teardown: 'late' is not allowed (allowed: end, early)");
  EXPECT_EQ(run_options({"--teardown", "early"}).points.config.teardown,
            workloads::Teardown::early);
  EXPECT_EQ(run_options({}).points.config.teardown, workloads::Teardown::end);
  EXPECT_EQ(error_of({"run", "--workload", "stream,shuffle", "--teardown", "early"}),
            "--teardown early: shuffle cannot tear down early: every interpreter sends and "
            "receives until the end, so none is a pure sender (with shuffle: --teardown end)");
  EXPECT_EQ(error_of({"sweep", "--workload", "all", "--teardown", "early"}),
            error_of({"run", "--workload", "shuffle", "--teardown", "early"}));
  EXPECT_EQ(
      run_options({"--workload", "pipeline,fanout", "--teardown", "early"}).points.config.teardown,
      workloads::Teardown::early);
  EXPECT_EQ(error_of({"run", "--repetitions", "0"}),
            "--repetitions: '0' is not allowed (allowed: a whole number from 1 to 100000)");
  EXPECT_EQ(error_of({"run", "--objects", "-2"}),
            "--objects: '-2' is not allowed (allowed: a whole number from 1 to 67108864)");
  EXPECT_EQ(
      error_of({"run", "--channel-capacity", "0"}),
      "--channel-capacity: '0' is not allowed (allowed: a whole number from 1 to 1073741824)");
  EXPECT_EQ(error_of({"run", "--payload", "64,64"}), "--payload: 64 is listed twice");
  EXPECT_EQ(error_of({"run", "--out", ""}), "--out: '' is not allowed (allowed: a file path)");
  EXPECT_EQ(error_of({"run", "--topology", ""}),
            "--topology: '' is not allowed (allowed: synthetic:DESC or xml:FILE)");
  EXPECT_EQ(error_of({"sweep", "--pairs", "some"}),
            "--pairs: 'some' is not allowed (allowed: all, unordered, symmetric, classes, "
            "sample:K)");
  EXPECT_EQ(error_of({"sweep", "--interpreters", "8..2", "--placement", "compact"}),
            "--interpreters: '8..2' is not allowed (allowed: ranges A..B with A <= B, at most "
            "100000 values in all)");
}

TEST(Cli, UnknownOptionsAndCommandsAreUsageErrors) {
  EXPECT_EQ(error_of({"run", "--fast"}), "unrecognised option '--fast' (see refbench run --help)");
  EXPECT_EQ(error_of({"sweep", "--cores", "0,1"}),
            "unrecognised option '--cores' (see refbench sweep --help)");
  EXPECT_EQ(error_of({"launch"}),
            "'launch' is not a command (allowed: run, sweep, stress, compare, merge, plot, "
            "topology, events; see refbench --help)");
  EXPECT_NE(error_of({"run", "--strategy"}), "no error");
  EXPECT_NE(error_of({"run", "--strategy", "gil", "--strategy", "civ"}), "no error");
  EXPECT_NE(error_of({"run", "extra"}), "no error");
}

// Found by the fuzzer (tests/fuzz/crashes/cli): Boost's placeholder substitution looped forever
// on a token that holds its own placeholder.
TEST(Cli, TokensThatLookLikeBoostPlaceholdersAreQuotedAsTyped) {
  EXPECT_EQ(error_of({"run", "-%original_token%"}),
            "unrecognised option '-%original_token%' (see refbench run --help)");
  EXPECT_EQ(error_of({"run", "--%option%"}),
            "unrecognised option '--%option%' (see refbench run --help)");
  EXPECT_EQ(error_of({"sweep", "--fast%canonical_option%"}),
            "unrecognised option '--fast%canonical_option%' (see refbench sweep --help)");
}

// The help text with each run of spaces and line breaks made one space (Boost wraps it).
std::string help_of(const char* command) {
  const Command parsed = parse({command, "--help"});
  std::string flat;
  for (char c : std::get<HelpRequest>(parsed).text) {
    const bool space = c == ' ' || c == '\n';
    if (space && !flat.empty() && flat.back() == ' ') continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

TEST(Cli, HelpExplainsEveryOptionWithItsDefault) {
  const std::string help = help_of("run");
  for (const char* option :
       {"--strategy", "--workload", "--cores",       "--messages",        "--seconds",
        "--warmup",   "--payload",  "--objects",     "--local-work",      "--channel-capacity",
        "--wait",     "--memory",   "--repetitions", "--noise-threshold", "--verify",
        "--topology", "--dry-run",  "--out",         "--format",          "--plot",
        "--quiet"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  EXPECT_NE(help.find("default: 0.3"), std::string::npos);
  EXPECT_NE(help.find("(default: 6)"), std::string::npos);
  const auto sweep = std::get<HelpRequest>(parse({"sweep", "--help"})).text;
  for (const char* option :
       {"--pairs", "--interpreters", "--placement", "--dry-run", "--resume", "--shard"}) {
    EXPECT_NE(sweep.find(option), std::string::npos) << option;
  }
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"topology", "--help"})));
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({})));
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"--help"})));
  EXPECT_TRUE(std::holds_alternative<VersionRequest>(parse({"--version"})));
}

// --isolation: a plan dimension of run, sweep and stress, as strategies are (a list: each
// strategy runs under each isolation in every block); its fingerprint keeps a resumed sweep
// from mixing plans, and compare pairs a point run as threads with the same point run as
// processes (it does not name the point).
TEST(Cli, IsolationIsADimensionOfThePlan) {
  using workloads::Isolation;
  using Isolations = std::vector<Isolation>;
  EXPECT_EQ(run_options({}).points.isolations, Isolations{Isolation::thread});
  EXPECT_EQ(run_options({"--isolation", "process"}).points.isolations,
            Isolations{Isolation::process});
  EXPECT_EQ(run_options({"--isolation", "thread,process"}).points.isolations,
            (Isolations{Isolation::thread, Isolation::process}));
  EXPECT_EQ(run_options({"--isolation", "all"}).points.isolations,
            (Isolations{Isolation::thread, Isolation::process}));
  EXPECT_EQ(sweep_options({"--isolation", "process,thread"}).points.isolations,
            (Isolations{Isolation::process, Isolation::thread}));
  EXPECT_EQ(parse_as<StressOptions>("stress", {"--isolation", "process"}).base.isolations,
            Isolations{Isolation::process});
  EXPECT_EQ(parse_as<StressOptions>("stress", {}).base.isolations, Isolations{Isolation::thread});
  EXPECT_EQ(error_of({"run", "--isolation", "fork"}),
            "--isolation: 'fork' is not allowed (allowed: thread, process, or all)");
  EXPECT_EQ(error_of({"run", "--isolation", "thread,thread"}),
            "--isolation: 'thread' is listed twice");
  const Setting& s = setting("isolation");
  ASSERT_NE(s.column, nullptr);
  EXPECT_STREQ(s.column, "isolation");
  EXPECT_TRUE(s.has(kFingerprint));
  // A plan dimension: the resume key holds it (resume_test), not a check of every row.
  EXPECT_FALSE(s.has(kResumeIdentity));
  EXPECT_FALSE(s.has(kComparedPoint));
  EXPECT_FALSE(s.has(kBenchmarkName));
  workloads::PointConfig c;
  c.isolation = Isolation::process;
  EXPECT_EQ(s.column_value(c), "process");
  // The fingerprint records the list; one isolation reads as it did when it was a setting.
  EXPECT_EQ(s.fingerprint_value(run_options({}).points), "thread");
  EXPECT_EQ(s.fingerprint_value(run_options({"--isolation", "process,thread"}).points),
            "process,thread");
}

// --view-owner: one entry of the settings table, which gives it its column, its roles and
// the strategies it applies to (those whose traits say they hand over views).
TEST(Cli, ViewOwnerIsAViewSettingOfThePoint) {
  using workloads::Strategy;
  using workloads::ViewOwner;
  EXPECT_EQ(run_options({}).points.config.view_owner, ViewOwner::strong);
  EXPECT_EQ(run_options({"--view-owner", "id"}).points.config.view_owner, ViewOwner::id);
  EXPECT_EQ(run_options({"--view-owner", "strong"}).points.config.view_owner, ViewOwner::strong);
  EXPECT_EQ(sweep_options({"--view-owner", "id"}).points.config.view_owner, ViewOwner::id);
  EXPECT_EQ(error_of({"run", "--view-owner", "weak"}),
            "--view-owner: 'weak' is not allowed (allowed: strong, id)");

  const Setting& s = setting("view-owner");
  ASSERT_NE(s.column, nullptr);
  EXPECT_STREQ(s.column, "view_owner");
  for (SettingRole role : {kFingerprint, kResumeIdentity, kComparedPoint, kBenchmarkName}) {
    EXPECT_TRUE(s.has(role)) << role;
  }
  workloads::PointConfig c;
  c.view_owner = ViewOwner::id;
  for (Strategy strategy : workloads::kAllStrategies) {
    c.strategy = strategy;
    const bool views = strategy == Strategy::civ || strategy == Strategy::civ_deferred;
    EXPECT_EQ(s.column_value(c), views ? "id" : "") << name(strategy);
  }
  EXPECT_NE(help_of("run").find("--view-owner"), std::string::npos);
  EXPECT_NE(help_of("run").find("(default: strong)"), std::string::npos);
}

TEST(Cli, RunPlacesInterpretersByAPolicyLikeSweep) {
  const auto o =
      std::get<RunOptions>(parse({"run", "--interpreters", "4", "--placement", "scatter"}));
  EXPECT_EQ(o.interpreters, std::optional<unsigned>(4));
  EXPECT_EQ(o.placement, "scatter");
  EXPECT_EQ(error_of({"run", "--interpreters", "4"}),
            "--interpreters and --placement go together: --interpreters 4 --placement scatter");
  EXPECT_EQ(error_of({"run", "--cores", "0,1", "--interpreters", "4", "--placement", "scatter"}),
            "--cores and --interpreters conflict: --cores names the PUs; --interpreters N "
            "--placement P places N by a policy");
}

}  // namespace
}  // namespace refbench::harness
