#include "harness/preflight.h"

#include <sys/sysinfo.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "harness/libpfm.h"
#include "harness/plan.h"
#include "harness/usage_error.h"
#include "workloads/object.h"
#include "workloads/point.h"

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

namespace {

// Half of this machine's memory: what one run may take. None if the system does not say.
std::optional<double> memory_allowed() {
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return std::nullopt;
  return static_cast<double>(info.totalram) * info.mem_unit / 2;
}

std::string gib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", bytes / (1 << 30));
  return text;
}

// The biggest point of the options on `interpreters`: each workload, the largest payload.
workloads::PointMemory biggest_point(const PointOptions& options, std::size_t interpreters) {
  workloads::PointConfig c = options.config;
  c.interpreters = static_cast<unsigned>(interpreters);
  c.payload_bytes = *std::max_element(options.payloads.begin(), options.payloads.end());
  workloads::PointMemory biggest;
  for (workloads::Workload w : options.workloads) {
    for (workloads::Strategy s : options.strategies) {
      c.workload = w;
      c.strategy = s;
      const workloads::PointMemory m = workloads::memory_needed(c);
      if (m.total() > biggest.total()) biggest = m;
    }
  }
  return biggest;
}

}  // namespace

void check_memory(const PointOptions& options, std::size_t interpreters) {
  const workloads::PointMemory m = biggest_point(options, interpreters);
  const auto allowed = memory_allowed();
  if (!allowed || m.total() <= *allowed) return;
  // The largest part first names what to change.
  const std::pair<double, std::string> parts[] = {
      {m.heaps,
       "heaps " + gib(m.heaps) + " (--objects " + std::to_string(options.config.objects) +
           ", --payload up to " +
           std::to_string(*std::max_element(options.payloads.begin(), options.payloads.end())) +
           ")"},
      {m.channels, "channels " + gib(m.channels) + " (--channel-capacity " +
                       std::to_string(options.config.channel_capacity) + ")"},
      {m.release_queues, "release queues " + gib(m.release_queues) + " (--release-queue)"},
      {m.thread_buffers, "round-trip samples " + gib(m.thread_buffers) + " (--messages)"},
      {m.ledger, "the --verify ledger " + gib(m.ledger)}};
  std::string detail;
  for (const auto& [bytes, text] : parts) {
    if (bytes >= 1 << 20) detail += (detail.empty() ? "" : ", ") + text;
  }
  throw UsageError("a point on " + std::to_string(interpreters) + " interpreters needs " +
                   gib(m.total()) + " of memory: " + detail +
                   "; at most half of this machine's memory (" + gib(*allowed) + ") is allowed");
}

void check_rows_fit(std::size_t points, std::size_t interpreters_per_point) {
  // A row as kept: its fields, its PUs and counters, strings included.
  const double per_point = static_cast<double>(sizeof(Point) + 64 * interpreters_per_point + 1024);
  const double need = static_cast<double>(points) * per_point;
  const auto allowed = memory_allowed();
  if (!allowed || need <= *allowed) return;
  throw UsageError("the plan has " + std::to_string(points) + " points and their rows would need " +
                   gib(need) + " of memory to keep; at most half of this machine's memory (" +
                   gib(*allowed) +
                   ") is allowed (fewer --pairs, --payload values, strategies or repetitions, "
                   "or --shard)");
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
