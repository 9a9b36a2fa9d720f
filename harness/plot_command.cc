#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/results_input.h"
#include "harness/usage_error.h"
#include "results/sink.h"

extern char** environ;

namespace refbench::harness {
namespace {

// Debian's interpreter, where python3-matplotlib is installed (a python3 earlier on PATH,
// from pyenv say, may not have it). REFBENCH_PYTHON overrides.
std::string python() {
  const char* chosen = std::getenv("REFBENCH_PYTHON");
  return chosen != nullptr ? chosen : "/usr/bin/python3";
}

// The script in the source tree this binary was built from; REFBENCH_PLOTS_DIR overrides.
std::filesystem::path plot_script() {
  const char* dir = std::getenv("REFBENCH_PLOTS_DIR");
  return std::filesystem::path(dir != nullptr ? dir : REFBENCH_PLOTS_DIR) / "refbench_plot.py";
}

}  // namespace

int plot_command(const PlotOptions& options, std::ostream& err) {
  if (!std::filesystem::is_regular_file(options.csv)) {
    throw UsageError("plot: '" + options.csv.string() + "' is not a file (allowed: a results CSV)");
  }
  // Read as compare and merge read it, so that a file cut short or edited by hand is one
  // line naming the file, line and field, before the script runs.
  read_results_csv(options.csv, "plot: ");
  const std::filesystem::path script = plot_script();
  if (!std::filesystem::is_regular_file(script) || access(python().c_str(), X_OK) != 0) {
    err << "refbench: plots need " << python() << " and " << script.string()
        << " (scripts/setup installs python3-matplotlib and python3-pandas)\n";
    return 1;
  }
  std::vector<std::string> words = {python(), script.string(), options.csv.string()};
  if (!options.out.empty()) words.insert(words.end(), {"--out", options.out.string()});
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  if (posix_spawn(&child, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    err << "refbench: cannot start " << python() << "\n";
    return 1;
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int plot_if_asked(const OutputOptions& output, const results::ResultSink& sink, int status,
                  std::ostream& err) {
  if (!output.plot) return status;
  if (is_interrupted_status(status) || sink.rows() == 0) {
    err << "refbench: no plots: the run did not finish (refbench plot " << sink.path().string()
        << " draws what is there)\n";
    return status;
  }
  const int plotted = plot_command(PlotOptions{sink.path(), {}}, err);
  if (plotted != 0) err << "refbench: the plots could not be drawn (exit " << plotted << ")\n";
  return status == 0 && plotted != 0 ? 1 : status;
}

}  // namespace refbench::harness
