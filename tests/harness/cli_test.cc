#include "harness/cli.h"

#include <gtest/gtest.h>

#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

Command parse(std::vector<std::string> args) {
  args.insert(args.begin(), "refbench");
  return parse_command_line(args);
}

RunOptions run(std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  return std::get<RunOptions>(parse(args));
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
  const RunOptions o = run({});
  EXPECT_EQ(o.strategies.size(), 5u);
  EXPECT_EQ(o.workloads.size(), 2u);
  EXPECT_FALSE(o.cores.has_value());
  EXPECT_EQ(o.messages, 0u);
  EXPECT_DOUBLE_EQ(o.seconds, 0.5);
  EXPECT_EQ(o.repetitions, 5u);
  EXPECT_FALSE(o.wait.has_value());
  EXPECT_FALSE(o.verify);
  EXPECT_TRUE(o.out.empty());
}

TEST(Cli, RunTakesEveryOption) {
  const RunOptions o = run({"--strategy",
                            "civ,atomic",
                            "--workload",
                            "pingpong",
                            "--cores",
                            "0,1",
                            "--messages",
                            "1e6",
                            "--warmup-messages",
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
                            "--repetitions",
                            "5",
                            "--verify",
                            "--out",
                            "x.csv"});
  EXPECT_EQ(o.strategies, (std::vector{workloads::Strategy::civ, workloads::Strategy::atomic}));
  EXPECT_EQ(o.workloads, (std::vector{workloads::Workload::pingpong}));
  EXPECT_EQ(o.cores, "0,1");
  EXPECT_EQ(o.messages, 1000000u);
  EXPECT_EQ(o.warmup_messages, 0u);
  EXPECT_EQ(o.payload_bytes, 4096u);
  EXPECT_EQ(o.objects, 64u);
  EXPECT_EQ(o.local_work, 10u);
  EXPECT_EQ(o.channel_capacity, 8u);
  EXPECT_EQ(o.wait, workloads::WaitPolicy::block);
  EXPECT_EQ(o.repetitions, 5u);
  EXPECT_TRUE(o.verify);
  EXPECT_EQ(o.out, "x.csv");
}

TEST(Cli, WaitAutoMeansChosenPerPlacement) {
  EXPECT_FALSE(run({"--wait", "auto"}).wait.has_value());
}

TEST(Cli, MessagesAndSecondsConflict) {
  EXPECT_EQ(error_of({"run", "--messages", "10", "--seconds", "1"}),
            "--messages and --seconds conflict: give one, a count of messages or a duration");
}

TEST(Cli, BadValuesNameTheOptionAndWhatIsAllowed) {
  EXPECT_EQ(
      error_of({"run", "--strategy", "fast"}),
      "--strategy: 'fast' is not allowed (allowed: gil, racy, atomic, civ, immortal, or all)");
  EXPECT_EQ(error_of({"run", "--workload", "fanout"}),
            "--workload: 'fanout' is not allowed (allowed: stream, pingpong, or all)");
  EXPECT_EQ(error_of({"run", "--wait", "sleep"}),
            "--wait: 'sleep' is not allowed (allowed: spin, yield, block, auto)");
  EXPECT_EQ(error_of({"run", "--repetitions", "0"}),
            "--repetitions: '0' is not allowed (allowed: a whole number from 1 to 100000)");
  EXPECT_EQ(error_of({"run", "--objects", "-2"}),
            "--objects: '-2' is not allowed (allowed: a whole number from 1 to 67108864)");
  EXPECT_EQ(
      error_of({"run", "--channel-capacity", "0"}),
      "--channel-capacity: '0' is not allowed (allowed: a whole number from 1 to 1073741824)");
  EXPECT_EQ(error_of({"run", "--out", ""}), "--out: '' is not allowed (allowed: a file path)");
}

TEST(Cli, UnknownOptionsAndCommandsAreUsageErrors) {
  EXPECT_EQ(error_of({"run", "--fast"}), "unrecognised option '--fast' (see refbench run --help)");
  EXPECT_EQ(error_of({"launch"}), "'launch' is not a command (allowed: run; see refbench --help)");
  EXPECT_NE(error_of({"run", "--strategy"}), "no error");
  EXPECT_NE(error_of({"run", "--strategy", "gil", "--strategy", "civ"}), "no error");
  EXPECT_NE(error_of({"run", "extra"}), "no error");
}

TEST(Cli, HelpExplainsEveryOptionWithItsDefault) {
  const auto help = std::get<HelpRequest>(parse({"run", "--help"})).text;
  for (const char* option :
       {"--strategy", "--workload", "--cores", "--messages", "--seconds", "--warmup-messages",
        "--payload", "--objects", "--local-work", "--channel-capacity", "--wait", "--repetitions",
        "--verify", "--out"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  EXPECT_NE(help.find("default: 0.5"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({})));
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"--help"})));
  EXPECT_TRUE(std::holds_alternative<VersionRequest>(parse({"--version"})));
}

}  // namespace
}  // namespace refbench::harness
