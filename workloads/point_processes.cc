// A point driven as processes over its shared region: channels of offsets (point_drivers.h,
// region_channel.h).
#include "workloads/point_drivers.h"
#include "workloads/region_channel.h"

namespace refbench::workloads {

PointResult drive_in_region(const PointConfig& config, const ThreadHooks& hooks) {
  return drivers::drive_strategy<RegionChannel>(config, hooks);
}

}  // namespace refbench::workloads
