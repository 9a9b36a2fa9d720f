// The phases every point goes through, for a strategy S and a workload shape. A header so
// that bench/ can run the same driver over another channel.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "workloads/actor.h"
#include "workloads/crew.h"
#include "workloads/phase.h"
#include "workloads/point.h"
#include "workloads/runtime.h"

namespace refbench::workloads {

// The phases every point goes through, on every interpreter thread:
//   pin, make the heap, [sync], warm-up phase, [sync], timed phase, check the pinning.
template <class S, class Shape>
PointResult drive(const PointConfig& config, const ThreadHooks& hooks) {
  constexpr unsigned kThreads = 2;
  Runtime runtime(config, kThreads, S::kSharedLock, &S::drop_heap_reference);
  Shape shape(config);

  std::vector<Actor<S>> actors;  // cache-line aligned: each thread writes only its own
  actors.reserve(kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    actors.emplace_back(runtime.interpreter(i), config, runtime.ledger());
  }
  std::array<Clock::time_point, kThreads> starts{};
  std::array<Clock::time_point, kThreads> ends{};
  std::array<std::uint64_t, kThreads> counted{};
  PointResult result;
  if (config.workload == Workload::pingpong && config.messages > 0) {
    result.round_trip_ns.reserve(config.messages);
  }

  Crew crew(kThreads, [&] { shape.cancel(); });
  crew.run([&](unsigned i) {
    if (hooks.on_start) hooks.on_start(i);
    runtime.make_heap(i, [&](std::span<std::byte> memory) {
      if (hooks.on_heap) hooks.on_heap(i, memory);
    });
    crew.sync();
    shape.play(i, actors[i], PhaseLimit::sends(config.warmup_messages), nullptr);
    crew.sync();
    starts[i] = Clock::now();
    const PhaseLimit limit = config.messages > 0
                                 ? PhaseLimit::sends(config.messages)
                                 : PhaseLimit::deadline(starts[i] + config.duration);
    counted[i] = shape.play(i, actors[i], limit, &result.round_trip_ns);
    ends[i] = Clock::now();
    if (hooks.on_finish) hooks.on_finish(i);
  });

  Tally events;
  for (auto& actor : actors) {
    events += actor.tally();
    result.checksum += actor.checksum();
  }
  for (std::uint64_t n : counted) result.messages += n;
  if (config.workload == Workload::pingpong) result.round_trips = result.messages / 2;
  const auto elapsed =
      *std::max_element(ends.begin(), ends.end()) - *std::min_element(starts.begin(), starts.end());
  result.elapsed_seconds = std::chrono::duration<double>(elapsed).count();
  result.integrity = runtime.audit_and_tear_down(events, S::kStrategy != Strategy::immortal);
  return result;
}

}  // namespace refbench::workloads
