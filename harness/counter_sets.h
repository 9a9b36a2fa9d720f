// The named counter sets and the per-vendor event tables, in one place. Plain data: which
// libpfm4 event each column means on which PMU, and what that event really counts there.
// counters.cc resolves them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbench::harness {

// One counter as refbench names it in its output, and the libpfm4 event that counts it.
struct EventName {
  std::string column;  // stable output name, units where they apply: "task_clock_ns"
  // libpfm4 event string: "perf::PERF_COUNT_HW_CPU_CYCLES". Empty where this PMU has no
  // event whose meaning matches the column: the column is unavailable, `meaning` says why.
  std::string event;
  // What the event counts on this PMU, in words a reader of the figure needs ("retired
  // loads only", "any fill, by the node the address lives on"); or why there is none.
  std::string meaning{};
};

// The cache and coherence events of one vendor generation (libpfm4's PMU names: "skx",
// "amd64_fam19h_zen4", "arm_n1"). Coherence columns are named by what they count
// (`hitm_loads_*` on Intel, `*_fills_*` on AMD, `remote_socket_accesses` on Arm), so that
// two vendors' figures never share a column.
struct PmuTable {
  std::string family;             // "Intel Skylake-SP, Cascade Lake-SP"
  std::vector<std::string> pmus;  // libpfm4 names of the PMUs this table covers
  std::vector<EventName> cache;   // l1d_misses, llc_references, llc_misses
  std::vector<EventName> coherence;
};

// Software events every set but `none` counts: they work wherever perf_event_open does.
std::span<const EventName> software_events();

// The sets --counters accepts by name, and what each adds to the software events:
//   basic      cycles, instructions (and task-clock, from the software events)
//   cache      L1D load misses, last-level cache references and misses
//   coherence  cache-to-cache transfers as the PMU counts them (its table's columns)
std::span<const std::string_view> counter_set_names();  // none, basic, cache, coherence
// The events of `set` (basic, cache or coherence) on the core PMU `pmu` (libpfm4's name;
// empty where none was detected). A PMU without a table gets the kernel's generic events
// where their meaning does not depend on the vendor, and unavailable columns, with the
// reason, where it does.
std::vector<EventName> hardware_events_of(std::string_view set, std::string_view pmu);

// All tables, and the one for a libpfm4 PMU name (null if none covers it).
std::span<const PmuTable> pmu_tables();
const PmuTable* pmu_table_for(std::string_view pmu);

// A user's event name turned into a column name: lower case, runs of anything but letters
// and digits become one '_'. "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM" ->
// "mem_load_l3_hit_retired_xsnp_hitm".
std::string column_for_event(std::string_view event);

}  // namespace refbench::harness
