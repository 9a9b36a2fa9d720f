// refbench: the command-line entry point.
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/usage_error.h"
#include "harness/version.h"

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this for an aggregate; clang 14 does not implement that yet (P1816).
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

int dispatch(const refbench::harness::Command& command) {
  using namespace refbench::harness;
  return std::visit(
      Overloaded{
          [](const HelpRequest& help) {
            std::cout << help.text;
            return 0;
          },
          [](const VersionRequest&) {
            std::cout << "refbench " << kVersion << " (" << kGitCommit << ")\n";
            return 0;
          },
          [](const RunOptions& options) { return run_command(options, std::cout, std::cerr); },
          [](const SweepOptions& options) { return sweep_command(options, std::cout, std::cerr); },
          [](const StressOptions& options) {
            return stress_command(options, std::cout, std::cerr);
          },
          [](const TopologyOptions& options) { return topology_command(options, std::cout); },
          [](const CompareOptions& options) { return compare_command(options, std::cout); },
          [](const MergeOptions& options) { return merge_command(options, std::cout); },
          [](const PlotOptions& options) { return plot_command(options, std::cerr); },
          [](const EventsRequest&) { return events_command(std::cout); }},
      command);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(
        refbench::harness::parse_command_line(std::vector<std::string>(argv, argv + argc)));
  } catch (const refbench::harness::UsageError& e) {
    std::cerr << "refbench: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "refbench: error: " << e.what() << "\n";
    return 1;
  }
}
