// The command line: the only place that knows Boost.Program_options.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "harness/options.h"

namespace refbench::harness {

// `refbench --help`, `refbench run --help`: the text to print, exit 0.
struct HelpRequest {
  std::string text;
};
struct VersionRequest {};
struct EventsRequest {};

using Command =
    std::variant<HelpRequest, VersionRequest, RunOptions, SweepOptions, StressOptions,
                 CompareOptions, MergeOptions, PlotOptions, TopologyOptions, EventsRequest>;

// Parses argv (argv[0] is the program). Throws UsageError, with one line naming the bad
// value and what is allowed, for anything it cannot accept.
Command parse_command_line(const std::vector<std::string>& args);

}  // namespace refbench::harness
