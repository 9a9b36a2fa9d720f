// The named counter sets and the per-vendor event tables, in one place. Plain data: which
// libpfm4 event names each set means on which PMU. counters.cc resolves them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbench::harness {

// One counter as refbench names it in its output, and the libpfm4 event that counts it.
struct EventName {
  std::string column;  // stable output name, units where they apply: "task_clock_ns"
  std::string event;   // libpfm4 event string: "perf::PERF_COUNT_HW_CPU_CYCLES"
};

// The coherence events of one family of PMUs (libpfm4's PMU names, e.g. "skx", "icl").
struct CoherenceTable {
  std::string family;             // "Intel (HITM, Skylake to Ice Lake)"
  std::vector<std::string> pmus;  // libpfm4 names of the PMUs this table covers
  std::vector<EventName> events;
};

// Software events every set but `none` counts: they work wherever perf_event_open does.
std::span<const EventName> software_events();

// The sets --counters accepts by name, and what each adds to the software events:
//   basic      cycles, instructions (and task-clock, from the software events)
//   cache      L1D load misses, last-level cache references and misses
//   coherence  cache-to-cache transfers of the detected PMU (coherence_table)
std::span<const std::string_view> counter_set_names();            // none, basic, cache, coherence
std::vector<EventName> hardware_events_of(std::string_view set);  // basic or cache

// All coherence tables, and the one for a libpfm4 PMU name (null if none covers it).
std::span<const CoherenceTable> coherence_tables();
const CoherenceTable* coherence_table_for(std::string_view pmu);

// A user's event name turned into a column name: lower case, runs of anything but letters
// and digits become one '_'. "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM" ->
// "mem_load_l3_hit_retired_xsnp_hitm".
std::string column_for_event(std::string_view event);

}  // namespace refbench::harness
