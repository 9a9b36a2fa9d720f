// refbench: the command-line entry point.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
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

// A message is one line: a value holding a line break (a file name, an option's value) is
// shown with it escaped, as \n or \r.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

// Output that did not reach stdout (a full disk, /dev/full, a closed terminal) fails the
// command: a table or plan that was never printed is not a success.
int check_stdout(int status) {
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return status;
  const int error = errno;
  std::cerr << "refbench: cannot write to stdout: "
            << (error != 0 ? std::strerror(error) : "write error") << "\n";
  return status != 0 ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // A pipe closed by its reader (`refbench sweep --dry-run | head`) ends refbench quietly,
  // by the default SIGPIPE, as it ends any filter.
  std::signal(SIGPIPE, SIG_DFL);
  errno = 0;
  try {
    return check_stdout(dispatch(
        refbench::harness::parse_command_line(std::vector<std::string>(argv, argv + argc))));
  } catch (const refbench::harness::UsageError& e) {
    std::cerr << "refbench: " << one_line(e.what()) << "\n";
    return check_stdout(2);
  } catch (const std::exception& e) {
    std::cerr << "refbench: error: " << one_line(e.what()) << "\n";
    return check_stdout(1);
  }
}
