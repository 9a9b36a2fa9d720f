// libpfm.h in a build without libpfm4 (REFBENCH_WITH_LIBPFM=OFF): the kernel's software
// events are encoded here, by their libpfm4 names, so that task-clock, context switches,
// migrations and page faults are still counted; every other event is unavailable.
#include <array>
#include <cstdint>
#include <string_view>

#include "harness/libpfm.h"

namespace refbench::harness {
namespace {

struct SoftwareEvent {
  std::string_view name;  // libpfm4's name in its perf:: PMU
  std::uint64_t config;
};

constexpr std::array<SoftwareEvent, 7> kSoftwareEvents = {{
    {"PERF_COUNT_SW_CPU_CLOCK", PERF_COUNT_SW_CPU_CLOCK},
    {"PERF_COUNT_SW_TASK_CLOCK", PERF_COUNT_SW_TASK_CLOCK},
    {"PERF_COUNT_SW_PAGE_FAULTS", PERF_COUNT_SW_PAGE_FAULTS},
    {"PERF_COUNT_SW_CONTEXT_SWITCHES", PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"PERF_COUNT_SW_CPU_MIGRATIONS", PERF_COUNT_SW_CPU_MIGRATIONS},
    {"PERF_COUNT_SW_PAGE_FAULTS_MIN", PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"PERF_COUNT_SW_PAGE_FAULTS_MAJ", PERF_COUNT_SW_PAGE_FAULTS_MAJ},
}};

}  // namespace

const bool kLibpfmSupported = false;

const std::string& libpfm_start_problem() {
  static const std::string problem =
      std::string(kWithoutLibpfm) +
      " (REFBENCH_WITH_LIBPFM=OFF): only the kernel's software events can be counted";
  return problem;
}

std::string encode_event(const std::string& event, perf_event_attr& attr) {
  std::string_view name = event;
  if (name.starts_with("perf::")) name.remove_prefix(6);
  for (const SoftwareEvent& e : kSoftwareEvents) {
    if (e.name != name) continue;
    // As libpfm4 encodes it with PFM_PLM3: user space only.
    attr = perf_event_attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = e.config;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return "";
  }
  return std::string(kWithoutLibpfm);
}

std::vector<PmuInfo> detected_pmus() { return {}; }

std::string detected_core_pmu() { return ""; }

}  // namespace refbench::harness
