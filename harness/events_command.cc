// `refbench events`: what this machine can count, as CounterSet resolves it here.
#include <string>
#include <string_view>

#include "harness/commands.h"
#include "harness/counter_sets.h"
#include "harness/counters.h"
#include "harness/libpfm.h"

namespace refbench::harness {
namespace {

// One column: its name, where it comes from, the event, what it counts here, and why it
// cannot be counted (if it cannot).
std::string column_line(const std::string& column, const std::string& source,
                        const std::string& event, const std::string& meaning,
                        const std::string& problem) {
  const auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(text.size() < width ? width - text.size() : 1, ' ');
  };
  std::string out = "  " + pad(column, 42) + pad(source, 18) + event + "\n";
  if (!meaning.empty() && meaning != problem) out += std::string(6, ' ') + meaning + "\n";
  if (!problem.empty()) out += std::string(6, ' ') + "unavailable: " + problem + "\n";
  return out;
}

// The PMUs libpfm4 detected, each set as it maps here, with what each column counts and
// whether it can be opened (and why not), perf_event_paranoid, and every vendor table.
std::string describe_counters(PerfSystem& system) {
  std::string out;
  if (!libpfm_start_problem().empty()) out += libpfm_start_problem() + "\n";
  out += "PMUs libpfm4 detected:\n";
  for (const PmuInfo& pmu : detected_pmus()) {
    out += "  " + pmu.name + " (" + pmu.description + ")" + (pmu.core ? ", core PMU" : "") + "\n";
  }
  const PmuTable* table = pmu_table_for(detected_core_pmu());
  out += "event table: " + (table ? table->family : "none for this PMU") + "\n";
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
      out += column_line(e.column, source, e.event, e.meaning, e.problem);
    }
  }
  out += "\nevent tables (chosen by the core PMU; LIBPFM_FORCE_PMU=NAME picks one):\n";
  for (const PmuTable& t : pmu_tables()) {
    out += "  " + t.family + ":";
    for (const std::string& p : t.pmus) out += " " + p;
    out += "\n";
    for (const auto* events : {&t.cache, &t.coherence}) {
      for (const EventName& e : *events) {
        out += "    " + e.column + ": " + (e.event.empty() ? "unavailable" : e.event) + ": " +
               e.meaning + "\n";
      }
    }
  }
  return out;
}

}  // namespace

int events_command(std::ostream& out) {
  out << describe_counters(real_perf_system());
  return 0;
}

}  // namespace refbench::harness
