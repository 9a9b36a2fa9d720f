// The one file that includes <perfmon/...> (see libpfm.h); libpfm_stub.cc replaces it in a
// build without libpfm4.
#include "harness/libpfm.h"

// The kernel's definitions first: libpfm4's header then uses them instead of its own copy.
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

namespace refbench::harness {

const bool kLibpfmSupported = true;

// libpfm4 keeps global state: initialise it once, and remember why if it failed.
const std::string& libpfm_start_problem() {
  static const std::string problem = [] {
    const int result = pfm_initialize();
    return result == PFM_SUCCESS ? std::string()
                                 : "libpfm4 could not start: " + std::string(pfm_strerror(result));
  }();
  return problem;
}

std::string encode_event(const std::string& event, perf_event_attr& attr) {
  if (!libpfm_start_problem().empty()) return libpfm_start_problem();
  attr = perf_event_attr{};
  attr.size = sizeof attr;
  pfm_perf_encode_arg_t arg{};
  arg.attr = &attr;
  arg.size = sizeof arg;
  const int result =
      pfm_get_os_event_encoding(event.c_str(), PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
  return result == PFM_SUCCESS ? "" : pfm_strerror(result);
}

std::vector<PmuInfo> detected_pmus() {
  std::vector<PmuInfo> pmus;
  if (!libpfm_start_problem().empty()) return pmus;
  int pmu = 0;
  pfm_for_all_pmus(pmu) {
    pfm_pmu_info_t info{};
    info.size = sizeof info;
    if (pfm_get_pmu_info(static_cast<pfm_pmu_t>(pmu), &info) != PFM_SUCCESS || !info.is_present) {
      continue;
    }
    pmus.push_back({info.name != nullptr ? info.name : "", info.desc != nullptr ? info.desc : "",
                    info.type == PFM_PMU_TYPE_CORE, info.num_cntrs, info.num_fixed_cntrs});
  }
  return pmus;
}

std::string detected_core_pmu() {
  for (const PmuInfo& pmu : detected_pmus()) {
    if (pmu.core) return pmu.name;
  }
  return "";
}

}  // namespace refbench::harness
