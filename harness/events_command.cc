// `refbench events`: what this machine can count, as CounterSet resolves it here.
#include <string>
#include <string_view>

#include "harness/commands.h"
#include "harness/counter_sets.h"
#include "harness/counters.h"
#include "harness/libpfm.h"

namespace refbench::harness {
namespace {

// The PMUs libpfm4 detected, each set as it maps here and whether each event can be opened
// (and why not), perf_event_paranoid, and the coherence tables.
std::string describe_counters(PerfSystem& system) {
  std::string out;
  if (!libpfm_start_problem().empty()) out += libpfm_start_problem() + "\n";
  out += "PMUs libpfm4 detected:\n";
  for (const PmuInfo& pmu : detected_pmus()) {
    out += "  " + pmu.name + " (" + pmu.description + ")" + (pmu.core ? ", core PMU" : "") + "\n";
  }
  out += "perf_event_paranoid: " + perf_event_paranoid() + "\n";
  out += CounterSet::resolve("none", system).group_size_line() + "\n";
  const std::size_t software = software_events().size();
  for (std::string_view set : {"basic", "cache", "coherence"}) {
    const CounterSet resolved = CounterSet::resolve(set, system);
    if (set == "basic") out += "\nsoftware events (counted by every set but none):\n";
    for (std::size_t i = 0; i < resolved.events().size(); ++i) {
      if (i == software) out += "\nset " + std::string(set) + " adds:\n";
      if (i < software && set != "basic") continue;
      const CounterEvent& e = resolved.events()[i];
      const std::string source =
          e.source == CounterSource::unavailable
              ? std::string(name(e.source))
              : std::string(name(e.source)) + " (" + std::string(name(e.scope)) + ")";
      out += "  " + e.column + std::string(e.column.size() < 18 ? 18 - e.column.size() : 1, ' ') +
             source + "  " + e.event +
             (e.problem.empty() ? "" : "\n" + std::string(22, ' ') + e.problem) + "\n";
    }
  }
  out += "\ncoherence tables (chosen by the core PMU):\n";
  for (const CoherenceTable& table : coherence_tables()) {
    out += "  " + table.family + ":";
    for (const std::string& p : table.pmus) out += " " + p;
    out += "\n";
  }
  return out;
}

}  // namespace

int events_command(std::ostream& out) {
  out << describe_counters(real_perf_system());
  return 0;
}

}  // namespace refbench::harness
