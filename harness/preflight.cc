#include "harness/preflight.h"

#include <sys/sysinfo.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "harness/libpfm.h"
#include "harness/usage_error.h"
#include "workloads/object.h"

namespace refbench::harness {

pinning::Topology load_topology(const OutputOptions& output) {
  try {
    pinning::Topology topo = pinning::Topology::load(output.topology);
    if (!topo.is_this_machine() && !output.dry_run) {
      throw UsageError("--topology: " + topo.source() +
                       " can only be planned on, not measured (add --dry-run)");
    }
    return topo;
  } catch (const pinning::PinningError& e) {
    throw UsageError(std::string("--topology: ") + e.what());
  }
}

void check_memory(const PointOptions& options, std::size_t interpreters) {
  std::uint32_t largest = 0;
  for (std::uint32_t p : options.payloads) largest = std::max(largest, p);
  // In double: a heap of the largest objects allowed times 4096 interpreters overflows
  // 64 bits.
  const double needed =
      static_cast<double>(workloads::Heap::bytes_for(options.config.objects, largest)) *
      static_cast<double>(interpreters);
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return;
  const double allowed = static_cast<double>(info.totalram) * info.mem_unit / 2;
  if (needed > allowed) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "--objects %u with --payload %u on %zu interpreters needs %.1f GiB of heaps; at "
                  "most half of this machine's memory (%.1f GiB) is allowed",
                  options.config.objects, largest, interpreters, needed / (1 << 30),
                  allowed / (1 << 30));
    throw UsageError(text);
  }
}

void announce_counters(const CounterSet& set, std::ostream& err) {
  const std::string hardware = set.hardware_unavailable_line();
  if (!hardware.empty()) err << "refbench: " << hardware << "\n";
  for (const std::string& note : set.notes()) {
    // Hardware events all failing for one reason (no PMU here, no libpfm4 in this build)
    // was said above, once.
    const bool said =
        note.find("ENOENT") != std::string::npos || note.find(kWithoutLibpfm) != std::string::npos;
    if (hardware.empty() || !said) err << "refbench: counter " << note << "\n";
  }
}

}  // namespace refbench::harness
