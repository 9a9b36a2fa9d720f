#include "harness/counter_sets.h"

#include <array>
#include <cctype>

namespace refbench::harness {
namespace {

const std::vector<EventName>& software() {
  static const std::vector<EventName> kSoftware = {
      {"task_clock_ns", "perf::PERF_COUNT_SW_TASK_CLOCK", "time the thread ran, in ns"},
      {"context_switches", "perf::PERF_COUNT_SW_CONTEXT_SWITCHES",
       "times the thread was switched out"},
      {"cpu_migrations", "perf::PERF_COUNT_SW_CPU_MIGRATIONS",
       "times the thread moved to another PU"},
      {"page_faults", "perf::PERF_COUNT_SW_PAGE_FAULTS", "page faults the thread took"},
  };
  return kSoftware;
}

constexpr std::array<std::string_view, 4> kSetNames = {"none", "basic", "cache", "coherence"};

// ---- What each column means, vendor by vendor. Every event here is in libpfm4 4.13's table
// for the PMUs listed (tests/harness/counters_test.cc encodes each under its forced PMU; the
// Arm tables, which libpfm4 compiles only on Arm, against a recorded copy of its names).
//
// Coherence figures are not comparable across vendors, and their columns say so:
//   Intel counts retired loads only (no stores or RFOs, no prefetches), by where the line
//     came from: `hitm_loads_*` (a modified line in another core's cache), `fwd_loads_*`
//     (Sapphire Rapids: modified or clean, forwarded by another core; Intel no longer tells
//     them apart in the same package).
//   AMD counts fills of the data cache (Zen 3/4: any fill, demand and prefetch; Zen 2:
//     demand fills only), and splits "near" from "far" by the NUMA node the *address* lives
//     on, not by where the supplying cache is: `*_fills_near_address`, `*_fills_far_address`.
//     Its same-CCX fills include plain L3 hits.
//   Arm's core PMUs have no event for a line from another core's cache: only accesses to
//     another socket (memory or cache alike).

EventName unavailable(std::string column, std::string why) {
  return {std::move(column), "", std::move(why)};
}

const std::string kNoLlcOnAmd =
    "no LLC event on this PMU's core counters: Zen's L3 is counted by its L3 PMU, per CCX, not "
    "per thread, and the generic cache-references/misses count L2 requests and misses on Zen";
const std::string kL1dGeneric =
    "the kernel's generic L1D read-miss event (its mapping for this vendor)";

std::vector<EventName> intel_cache(const char* llc_reference, const char* requests) {
  return {{"l1d_misses", "MEM_LOAD_RETIRED:L1_MISS", "retired loads that missed the L1D"},
          {"llc_references", std::string("LONGEST_LAT_CACHE:") + llc_reference,
           std::string("core-originated cacheable ") + requests + " to the L3"},
          {"llc_misses", "LONGEST_LAT_CACHE:MISS",
           std::string("core-originated cacheable ") + requests + " that missed the L3"}};
}

std::vector<EventName> amd_cache() {
  return {{"l1d_misses", "perf::PERF_COUNT_HW_CACHE_L1D:READ:MISS", kL1dGeneric},
          unavailable("llc_references", kNoLlcOnAmd),
          unavailable("llc_misses", kNoLlcOnAmd)};
}

std::vector<EventName> intel_client_coherence(const std::string& hitm_same) {
  return {{"hitm_loads_same_package", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", hitm_same},
          unavailable("hitm_loads_other_package",
                      "a client part has one package: no remote-HITM event on this PMU")};
}

std::vector<EventName> arm_cache() {
  const std::string llc =
      "as the interconnect signals them (the DSU's L3 or the system-level cache); reads zero "
      "where the system does not signal them";
  return {{"l1d_misses", "L1D_CACHE_REFILL_RD", "L1D refills caused by reads"},
          {"llc_references", "LL_CACHE_RD", "last-level cache reads, " + llc},
          {"llc_misses", "LL_CACHE_MISS_RD", "last-level cache read misses, " + llc}};
}

std::vector<EventName> arm_coherence() {
  return {unavailable("hitm_loads_same_package",
                      "no event for a line taken from another core's cache on Neoverse core "
                      "PMUs"),
          {"remote_socket_accesses", "REMOTE_ACCESS",
           "accesses served by another socket, its memory or its caches alike: not a "
           "cache-to-cache count"}};
}

const std::vector<PmuTable>& tables() {
  const std::string hitm_same =
      "retired loads served by a modified line in another core's cache in this package "
      "(loads only: no stores, no prefetches)";
  const std::string hitm_other =
      "retired loads served by a modified line in a cache of another package (loads only)";
  static const std::vector<PmuTable> kTables = {
      {"Intel Skylake-SP, Cascade Lake-SP",
       {"skx", "clx"},
       intel_cache("REFERENCE", "demand requests"),
       {{"hitm_loads_same_package", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", hitm_same},
        {"hitm_loads_other_package", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM", hitm_other}}},
      {"Intel Ice Lake-SP",
       {"icx"},
       intel_cache("REFERENCES", "requests (not L3 prefetches)"),
       {{"hitm_loads_same_package", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", hitm_same},
        {"hitm_loads_other_package", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM", hitm_other}}},
      {"Intel Sapphire Rapids (Emerald Rapids where libpfm4 detects it as spr)",
       {"spr"},
       intel_cache("REFERENCE", "requests (not L3 prefetches)"),
       // XSNP_FWD is not HITM renamed: it counts clean lines forwarded too. REMOTE_FWD (clean
       // lines from a remote cache) is not a modified-line transfer either; REMOTE_HITM is.
       {{"fwd_loads_same_package", "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",
         "retired loads served by another core of this package, forwarding a modified or a "
         "clean line (Intel does not separate them here; loads only)"},
        {"hitm_loads_other_package", "MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM", hitm_other}}},
      {"Intel Skylake (client: one package)",
       {"skl"},
       intel_cache("REFERENCE", "demand requests"),
       intel_client_coherence(hitm_same)},
      {"Intel Ice Lake (client: one package)",
       {"icl"},
       intel_cache("REFERENCES", "requests (not L3 prefetches)"),
       intel_client_coherence(hitm_same)},
      {"AMD Zen 2",
       {"amd64_fam17h_zen2"},
       amd_cache(),
       {{"demand_fills_l3_or_other_ccx_near_address",
         "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE",
         "demand fills from this CCX's L3 or another CCX's cache, the address homed in this "
         "node (plain L3 hits included; demand only)"},
        {"demand_fills_other_ccx_far_address",
         "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_RMT_CACHE",
         "demand fills from another CCX's cache, the address homed in another node (by where "
         "the address lives, not where the cache is)"}}},
      {"AMD Zen 3",
       {"amd64_fam19h_zen3"},
       amd_cache(),
       {{"same_ccx_fills", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE",
         "any fill from the L3 or another L2 of this CCX (plain L3 hits included)"},
        {"other_ccx_fills_near_address", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL",
         "any fill from another CCX's cache, the address homed in this node"},
        {"other_ccx_fills_far_address", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_RMT",
         "any fill from another CCX's cache, the address homed in another node (by where the "
         "address lives, not where the cache is)"}}},
      {"AMD Zen 4",
       {"amd64_fam19h_zen4"},
       amd_cache(),
       {{"same_ccx_fills", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX",
         "any fill from the L3 or another L2 of this CCX (plain L3 hits included)"},
        {"other_ccx_fills_near_address", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:NEAR_CACHE_NEAR_FAR",
         "any fill from another CCX's cache, the address homed in this node"},
        {"other_ccx_fills_far_address", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:FAR_CACHE_NEAR_FAR",
         "any fill from another CCX's cache, the address homed in another node (by where the "
         "address lives, not where the cache is)"}}},
      {"Arm Neoverse N1", {"arm_n1"}, arm_cache(), arm_coherence()},
      {"Arm Neoverse N2", {"arm_n2"}, arm_cache(), arm_coherence()},
      {"Arm Neoverse V1", {"arm_v1"}, arm_cache(), arm_coherence()},
      {"Arm Neoverse V2", {"arm_v2"}, arm_cache(), arm_coherence()},
  };
  return kTables;
}

}  // namespace

std::span<const EventName> software_events() { return software(); }

std::span<const std::string_view> counter_set_names() { return kSetNames; }

std::vector<EventName> hardware_events_of(std::string_view set, std::string_view pmu) {
  if (set == "basic") {
    return {{"cycles", "perf::PERF_COUNT_HW_CPU_CYCLES", "core cycles"},
            {"instructions", "perf::PERF_COUNT_HW_INSTRUCTIONS", "instructions retired"}};
  }
  const PmuTable* table = pmu_table_for(pmu);
  const std::string no_table =
      "no event table for PMU '" + std::string(pmu.empty() ? "none" : pmu) + "'";
  if (set == "cache") {
    if (table != nullptr) return table->cache;
    const std::string why =
        no_table + ": the generic cache events count a different level on each vendor";
    return {{"l1d_misses", "perf::PERF_COUNT_HW_CACHE_L1D:READ:MISS", kL1dGeneric},
            unavailable("llc_references", why),
            unavailable("llc_misses", why)};
  }
  if (set == "coherence") {
    if (table != nullptr) return table->coherence;
    return {unavailable("coherence_events",
                        no_table + ": coherence events are vendor events, named per table")};
  }
  return {};
}

std::span<const PmuTable> pmu_tables() { return tables(); }

const PmuTable* pmu_table_for(std::string_view pmu) {
  for (const PmuTable& table : tables()) {
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
