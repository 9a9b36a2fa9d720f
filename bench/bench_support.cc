#include "bench/bench_support.h"

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
  const std::string missing = setup->counters.hardware_unavailable_line();
  std::cout << "PUs " << setup->pus[0] << "," << setup->pus[1] << " ("
            << pinning::name(setup->topology.distance(setup->pus[0], setup->pus[1])) << ")\n";
  if (!missing.empty()) std::cout << missing << "\n";
  return setup;
}

}  // namespace refbench::bench
