// `refbench run`: plan the points, run them, write the CSV, print the summary.
#pragma once

#include <ostream>

#include "harness/run_options.h"

namespace refbench::harness {

// Returns the exit status: 0, or 1 if a correct strategy showed a violation or a point
// failed (the rows already finished are kept). Throws UsageError for input it cannot run
// (before any file is written).
int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace refbench::harness
