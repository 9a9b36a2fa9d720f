// The two ways a point is driven, each in a translation unit of its own (they are the
// heaviest template instantiations of the project, every strategy x every shape, and
// compile in parallel): as threads, whose channels carry pointers, and over a process-mode
// point's shared region, whose channels carry offsets (region_channel.h). Internal to
// point.cc.
#pragma once

#include <stdexcept>

#include "workloads/drive.h"
#include "workloads/group_shapes.h"
#include "workloads/point.h"
#include "workloads/shapes.h"
#include "workloads/shuffle.h"
#include "workloads/strategies.h"

namespace refbench::workloads {

// Every interpreter a thread of this process.
PointResult drive_as_threads(const PointConfig& config, const ThreadHooks& hooks);
// Every interpreter a process over the point's shared region, which must be active on the
// calling thread (SharedRegion::Scope) with this process's RegionBase.
PointResult drive_in_region(const PointConfig& config, const ThreadHooks& hooks);

namespace drivers {

// Channel C: Channel<Message> for threads, RegionChannel for processes.
template <class S, class C>
PointResult drive_workload(const PointConfig& config, const ThreadHooks& hooks) {
  switch (config.workload) {
    case Workload::stream:
      return drive<S, StreamShape<S, C>>(config, hooks);
    case Workload::pingpong:
      return drive<S, PingpongShape<S, C>>(config, hooks);
    case Workload::pipeline:
      return drive<S, PipelineShape<S, C>>(config, hooks);
    case Workload::fanout:
      return drive<S, FanoutShape<S, C>>(config, hooks);
    case Workload::shuffle:
      return drive<S, ShuffleShape<S, C>>(config, hooks);
  }
  throw std::invalid_argument("unknown workload");
}

template <class C>
PointResult drive_strategy(const PointConfig& config, const ThreadHooks& hooks) {
  switch (config.strategy) {
    case Strategy::gil:
      return drive_workload<GilStrategy, C>(config, hooks);
    case Strategy::racy:
      // --verify keeps racy's stores as they run unverified; only the witness changes them.
      return config.witness ? drive_workload<RacyFor<true>, C>(config, hooks)
                            : drive_workload<RacyFor<false>, C>(config, hooks);
    case Strategy::atomic:
      return drive_workload<AtomicStrategy, C>(config, hooks);
    case Strategy::biased:
      return drive_workload<BiasedStrategy, C>(config, hooks);
    case Strategy::civ:
      return drive_workload<CivStrategy, C>(config, hooks);
    case Strategy::civ_deferred:
      return drive_workload<CivDeferredStrategy, C>(config, hooks);
    case Strategy::immortal:
      return drive_workload<ImmortalStrategy, C>(config, hooks);
  }
  throw std::invalid_argument("unknown strategy");
}

}  // namespace drivers
}  // namespace refbench::workloads
