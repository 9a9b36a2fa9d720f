#include "bench/bench_support.h"

#include <unistd.h>

#include <cstdlib>

#include "harness/usage_error.h"

namespace refbench::bench {
namespace {

// The value of --NAME=VALUE in argv (and removes it), or `fallback`.
std::string take_flag(std::vector<char*>& args, const std::string& name, std::string fallback) {
  const std::string prefix = "--" + name + "=";
  for (auto it = args.begin() + 1; it != args.end(); ++it) {
    if (std::strncmp(*it, prefix.c_str(), prefix.size()) == 0) {
      std::string value = *it + prefix.size();
      args.erase(it);
      return value;
    }
  }
  return fallback;
}

bool has_flag(const std::vector<char*>& args, const char* prefix) {
  for (char* a : args) {
    if (std::strncmp(a, prefix, std::strlen(prefix)) == 0) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<Setup> set_up(int& argc, std::vector<char*>& args, int repetitions) {
  static std::string repetition_flag,
      interleave_flag = "--benchmark_enable_random_interleaving=true";
  auto setup = std::make_unique<Setup>();
  try {
    setup->pus =
        harness::resolve_pus(setup->topology, "--cores", take_flag(args, "cores", "0,1"), 2);
    setup->counters = harness::CounterSet::resolve(take_flag(args, "counters", "basic"));
  } catch (const std::exception& e) {
    std::cerr << args.front() << ": " << e.what() << "\n";
    return nullptr;
  }
  if (!has_flag(args, "--benchmark_repetitions")) {
    repetition_flag = "--benchmark_repetitions=" + std::to_string(repetitions);
    args.insert(args.begin() + 1, repetition_flag.data());
  }
  if (!has_flag(args, "--benchmark_enable_random_interleaving")) {
    args.insert(args.begin() + 1, interleave_flag.data());
  }
  argc = static_cast<int>(args.size());
  // On stderr, so that stdout holds only what --benchmark_format asked for.
  const std::string missing = setup->counters.hardware_unavailable_line();
  const std::string pus = std::to_string(setup->pus[0]) + "," + std::to_string(setup->pus[1]);
  const std::string distance =
      pinning::name(setup->topology.pair_class(setup->pus[0], setup->pus[1]));
  std::cerr << "PUs " << pus << " (" << distance << ")\n";
  if (!missing.empty()) std::cerr << missing << "\n";
  benchmark::AddCustomContext("refbench_pus", pus);
  benchmark::AddCustomContext("refbench_distance_class", distance);
  benchmark::AddCustomContext("refbench_counters",
                              missing.empty() ? "as named (hardware and software)" : missing);
  return setup;
}

namespace {

// The value of --NAME=VALUE or --NAME VALUE in args, or `otherwise`.
std::string flag_value(const std::vector<char*>& args, const std::string& name,
                       const std::string& otherwise) {
  const std::string prefix = "--" + name + "=";
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string arg = args[i];
    if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
    if (arg == "--" + name) return "true";
  }
  return otherwise;
}

bool truthy(const std::string& value) {
  return value == "true" || value == "yes" || value == "1" || value == "on" || value == "t" ||
         value == "y";
}

}  // namespace

std::unique_ptr<benchmark::BenchmarkReporter> display_reporter(const std::vector<char*>& args) {
  const std::string format = flag_value(args, "benchmark_format", "console");
  if (format == "json") return std::make_unique<benchmark::JSONReporter>();
  if (format == "csv") {
    // Deprecated by Google Benchmark, but a flag it still honours: so do we.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    return std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
  }
  // As Google Benchmark decides: colour on a terminal that has it, or when asked.
  const std::string color = flag_value(args, "benchmark_color", "auto");
  const char* term = std::getenv("TERM");
  const bool colour =
      color == "auto" ? isatty(STDOUT_FILENO) == 1 && term != nullptr && std::string(term) != "dumb"
                      : truthy(color);
  int options = benchmark::ConsoleReporter::OO_None;
  if (colour) options |= benchmark::ConsoleReporter::OO_Color;
  if (truthy(flag_value(args, "benchmark_counters_tabular", "false"))) {
    options |= benchmark::ConsoleReporter::OO_Tabular;
  }
  return std::make_unique<benchmark::ConsoleReporter>(
      static_cast<benchmark::ConsoleReporter::OutputOptions>(options));
}

}  // namespace refbench::bench
