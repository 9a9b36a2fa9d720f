#include "harness/counter_sets.h"

#include <array>
#include <cctype>

namespace refbench::harness {
namespace {

const std::vector<EventName>& software() {
  static const std::vector<EventName> kSoftware = {
      {"task_clock_ns", "perf::PERF_COUNT_SW_TASK_CLOCK"},
      {"context_switches", "perf::PERF_COUNT_SW_CONTEXT_SWITCHES"},
      {"cpu_migrations", "perf::PERF_COUNT_SW_CPU_MIGRATIONS"},
      {"page_faults", "perf::PERF_COUNT_SW_PAGE_FAULTS"},
  };
  return kSoftware;
}

constexpr std::array<std::string_view, 4> kSetNames = {"none", "basic", "cache", "coherence"};

// What each coherence column means, whatever the vendor calls it:
//   c2c_near  a load served by another core's cache in the same package (Intel: HITM or
//             forward from the shared L3's snoop; AMD: another CCX of the same node)
//   c2c_far   a load served by a cache in another package or node
//   ccx_fills AMD only: fills from the L3 or another L2 of the same CCX (includes plain
//             L3 hits: AMD does not separate them)
// Only PMUs the installed libpfm4 (4.13) knows are listed: a test forces each one and
// encodes its table. Client parts (skl, icl) have no remote events: those are skipped
// with a note there, as on any PMU that lacks an event.
const std::vector<CoherenceTable>& tables() {
  static const std::vector<CoherenceTable> kTables = {
      {"Intel, HITM events (Skylake to Ice Lake)",
       {"skl", "skx", "clx", "icl", "icx"},
       {{"c2c_near", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM"},
        {"c2c_far", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM"}}},
      {"Intel, FWD events (Sapphire Rapids and later)",
       {"spr"},
       {{"c2c_near", "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD"},
        {"c2c_far", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_FWD"}}},
      {"AMD Zen 2, data cache refills",
       {"amd64_fam17h_zen2"},
       {{"c2c_near", "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE"},
        {"c2c_far", "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_RMT_CACHE"}}},
      {"AMD Zen 3, data cache fills",
       {"amd64_fam19h_zen3"},
       {{"ccx_fills", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE"},
        {"c2c_near", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL"},
        {"c2c_far", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_RMT"}}},
      {"AMD Zen 4, data cache fills",
       {"amd64_fam19h_zen4"},
       {{"ccx_fills", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX"},
        {"c2c_near", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:NEAR_CACHE_NEAR_FAR"},
        {"c2c_far", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:FAR_CACHE_NEAR_FAR"}}},
  };
  return kTables;
}

}  // namespace

std::span<const EventName> software_events() { return software(); }

std::span<const std::string_view> counter_set_names() { return kSetNames; }

std::vector<EventName> hardware_events_of(std::string_view set) {
  if (set == "basic") {
    return {{"cycles", "perf::PERF_COUNT_HW_CPU_CYCLES"},
            {"instructions", "perf::PERF_COUNT_HW_INSTRUCTIONS"}};
  }
  if (set == "cache") {
    return {{"l1d_misses", "perf::PERF_COUNT_HW_CACHE_L1D:READ:MISS"},
            {"llc_references", "perf::PERF_COUNT_HW_CACHE_REFERENCES"},
            {"llc_misses", "perf::PERF_COUNT_HW_CACHE_MISSES"}};
  }
  return {};
}

std::span<const CoherenceTable> coherence_tables() { return tables(); }

const CoherenceTable* coherence_table_for(std::string_view pmu) {
  for (const CoherenceTable& table : tables()) {
    for (const std::string& name : table.pmus) {
      if (name == pmu) return &table;
    }
  }
  return nullptr;
}

std::string column_for_event(std::string_view event) {
  std::string column;
  for (char c : event) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      column += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!column.empty() && column.back() != '_') {
      column += '_';
    }
  }
  while (!column.empty() && column.back() == '_') column.pop_back();
  return column;
}

}  // namespace refbench::harness
