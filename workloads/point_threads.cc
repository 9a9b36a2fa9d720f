// A point driven as threads: channels of pointers (point_drivers.h).
#include "workloads/channel.h"
#include "workloads/point_drivers.h"

namespace refbench::workloads {

PointResult drive_as_threads(const PointConfig& config, const ThreadHooks& hooks) {
  return drivers::drive_strategy<Channel<Message>>(config, hooks);
}

}  // namespace refbench::workloads
