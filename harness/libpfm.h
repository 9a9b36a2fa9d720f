// libpfm4 behind one file: naming events for perf_event_open. libpfm.cc is the only file
// that includes <perfmon/...>. Built with REFBENCH_WITH_LIBPFM=OFF, libpfm_stub.cc stands
// in for it, as Google Benchmark compiles perf_counters.cc without libpfm: it encodes the
// kernel's software events (perf::PERF_COUNT_SW_*) itself, and every other event is
// unavailable, "built without libpfm4". Callers never #ifdef; where they must know, they
// ask kLibpfmSupported.
#pragma once

#include <linux/perf_event.h>

#include <string>
#include <string_view>
#include <vector>

namespace refbench::harness {

// Whether this binary was built with libpfm4 (false: software counters only).
extern const bool kLibpfmSupported;

// Why an event cannot be counted in a build without libpfm4.
inline constexpr std::string_view kWithoutLibpfm = "built without libpfm4";

// Why libpfm4 cannot be used ("libpfm4 could not start: ..." with pfm_initialize's reason,
// or a build without it), or empty. libpfm4 is initialised once, on the first call.
const std::string& libpfm_start_problem();

// `event` (a libpfm4 name, "perf::PERF_COUNT_HW_CPU_CYCLES") encoded for perf_event_open
// counting user space only: returns empty with `attr` filled in, or why it cannot be
// (libpfm4's reason, libpfm_start_problem(), or kWithoutLibpfm).
std::string encode_event(const std::string& event, perf_event_attr& attr);

// Why libpfm4 cannot encode `event` on this machine's PMUs, or empty if it can.
inline std::string libpfm_encoding_problem(const std::string& event) {
  perf_event_attr attr{};
  return encode_event(event, attr);
}

struct PmuInfo {
  std::string name;         // libpfm4's name: "icl", "amd64_fam19h_zen3"
  std::string description;  // libpfm4's description
  bool core = false;        // the core PMU, which event tables are keyed by
  // pfm_get_pmu_info's num_cntrs and num_fixed_cntrs: the general-purpose counters and
  // the fixed ones. libpfm4 asks the CPU for its architected PMU only; for a named model
  // they come from its tables (perhaps a core's without SMT, e.g. 8 on skx).
  int counters = 0;
  int fixed_counters = 0;
};

// The PMUs libpfm4 detected on this machine, in its order (none without libpfm4).
std::vector<PmuInfo> detected_pmus();
// The core PMU libpfm4 detected ("icl", "amd64_fam19h_zen3"), or empty.
std::string detected_core_pmu();

}  // namespace refbench::harness
