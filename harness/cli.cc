#include "harness/cli.h"

#include <boost/program_options.hpp>
#include <sstream>

#include "harness/parse.h"
#include "harness/usage_error.h"

namespace po = boost::program_options;

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::WaitPolicy;
using workloads::Workload;

constexpr std::uint64_t kMaxMessages = 1'000'000'000'000;  // a trillion: days of running
constexpr double kMaxSeconds = 86400;

const char* const kOverview =
    "refbench: how reference-count strategies cost on real cores\n"
    "\n"
    "usage: refbench COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run       compare strategies between two pinned interpreters (default: all\n"
    "            strategies, stream and pingpong, on one PU and the nearest and farthest\n"
    "            pairs of this machine)\n"
    "\n"
    "refbench COMMAND --help explains a command's options; refbench --version.\n";

po::options_description run_options_description() {
  po::options_description d("refbench run options");
  auto text = [] { return po::value<std::string>()->value_name("X"); };
  d.add_options()("help,h", "explain the options and exit")(
      "strategy", text()->value_name("LIST"),
      "strategies to compare, comma-separated: gil, racy, atomic, civ, immortal, or all "
      "(default: all)")(
      "workload", text()->value_name("LIST"),
      "stream (one sender, one receiver: throughput) and/or pingpong (round trips: "
      "latency), comma-separated, or all (default: all)")(
      "cores", text()->value_name("A,B"),
      "PU OS indices for the two interpreters, sender first; 0,0 puts both on one PU "
      "(default: both on the first PU, then the nearest pair of PUs, then the farthest)")(
      "messages", text()->value_name("N"),
      "timed messages per point and repetition (pingpong: round trips, two messages "
      "each); 1e6 is accepted. Conflicts with --seconds")(
      "seconds", text()->value_name("S"),
      "timed duration per point and repetition (default: 0.5 when --messages is not given)")(
      "warmup-messages", text()->value_name("N"),
      "untimed messages before each timed phase (default: 10000)")(
      "payload", text()->value_name("BYTES"),
      "payload size of each object; the receiver reads all of it (default: 64)")(
      "objects", text()->value_name("K"),
      "distinct objects each interpreter sends in turn; 1 is one hot count, many give "
      "cold misses (default: 1)")(
      "local-work", text()->value_name("N"),
      "increment+decrement pairs on the interpreter's own objects per message sent and "
      "per message received, counted as the strategy counts everything (default: 0)")(
      "channel-capacity", text()->value_name("N"),
      "messages a channel holds before the sender waits (default: 256)")(
      "wait", text()->value_name("POLICY"),
      "what a thread does while it cannot go on: spin, yield, block, or auto = spin when "
      "the interpreters have PUs of their own, yield when they share one (default: auto)")(
      "repetitions", text()->value_name("R"),
      "repetitions of each point, interleaved across strategies (default: 5)")(
      "verify",
      "keep a ground-truth ledger of references and report lost updates; exit 1 if a "
      "correct strategy (all but racy) shows any violation")(
      "out", text()->value_name("FILE.csv"),
      "where to write the CSV (default: results/refbench-YYYYmmdd-HHMMSS.csv)")(
      "quiet,q", "print only the summary tables");
  return d;
}

std::string help_text(const po::options_description& d, const char* usage) {
  std::ostringstream out;
  out << usage << "\n" << d;
  return out.str();
}

std::string value(const po::variables_map& vm, const char* name) {
  return vm[name].as<std::string>();
}

std::uint32_t whole32(const po::variables_map& vm, const char* name, std::uint64_t min,
                      std::uint64_t max) {
  return static_cast<std::uint32_t>(
      parse_whole(std::string("--") + name, value(vm, name), min, max));
}

RunOptions to_run_options(const po::variables_map& vm) {
  RunOptions o;
  if (vm.count("strategy")) {
    o.strategies =
        parse_names<Strategy>("--strategy", value(vm, "strategy"), workloads::parse_strategy,
                              workloads::kAllStrategies, workloads::strategy_names());
  }
  if (vm.count("workload")) {
    o.workloads =
        parse_names<Workload>("--workload", value(vm, "workload"), workloads::parse_workload,
                              workloads::kAllWorkloads, workloads::workload_names());
  }
  if (vm.count("cores")) o.cores = value(vm, "cores");
  if (vm.count("messages") && vm.count("seconds")) {
    throw UsageError(
        "--messages and --seconds conflict: give one, a count of messages or a duration");
  }
  if (vm.count("messages")) {
    o.messages = parse_whole("--messages", value(vm, "messages"), 1, kMaxMessages);
  }
  if (vm.count("seconds"))
    o.seconds = parse_seconds("--seconds", value(vm, "seconds"), kMaxSeconds);
  if (vm.count("warmup-messages")) {
    o.warmup_messages =
        parse_whole("--warmup-messages", value(vm, "warmup-messages"), 0, kMaxMessages);
  }
  if (vm.count("payload")) o.payload_bytes = whole32(vm, "payload", 0, 1u << 30);
  if (vm.count("objects")) o.objects = whole32(vm, "objects", 1, 1u << 26);
  if (vm.count("local-work")) o.local_work = whole32(vm, "local-work", 0, 1u << 20);
  if (vm.count("channel-capacity"))
    o.channel_capacity = whole32(vm, "channel-capacity", 1, 1u << 30);
  if (vm.count("wait") && value(vm, "wait") != "auto") {
    o.wait = workloads::parse_wait_policy(value(vm, "wait"));
    if (!o.wait) {
      throw UsageError("--wait: '" + value(vm, "wait") +
                       "' is not allowed (allowed: " + workloads::wait_policy_names() + ", auto)");
    }
  }
  if (vm.count("repetitions")) o.repetitions = whole32(vm, "repetitions", 1, 100000);
  o.verify = vm.count("verify") > 0;
  if (vm.count("out")) {
    o.out = value(vm, "out");
    if (o.out.empty()) throw UsageError("--out: '' is not allowed (allowed: a file path)");
  }
  o.quiet = vm.count("quiet") > 0;
  return o;
}

po::variables_map parse_options(const std::vector<std::string>& args,
                                const po::options_description& d) {
  po::variables_map vm;
  try {
    // No positional arguments: an empty description makes any of them an error.
    const po::positional_options_description none;
    po::store(po::command_line_parser(args).options(d).positional(none).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see refbench run --help)");
  }
  return vm;
}

}  // namespace

Command parse_command_line(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    return HelpRequest{kOverview};
  }
  if (args[1] == "--version") return VersionRequest{};
  const std::string& command = args[1];
  const std::vector<std::string> rest(args.begin() + 2, args.end());
  if (command == "run") {
    const po::options_description d = run_options_description();
    const po::variables_map vm = parse_options(rest, d);
    if (vm.count("help")) return HelpRequest{help_text(d, "usage: refbench run [OPTIONS]")};
    return to_run_options(vm);
  }
  throw UsageError("'" + command + "' is not a command (allowed: run; see refbench --help)");
}

}  // namespace refbench::harness
