// Where a point's interpreters run: resolving --cores, and the default set of placements.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pinning/distance.h"
#include "pinning/topology.h"
#include "workloads/point.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {

struct Placement {
  std::vector<unsigned> pus;  // OS indices, interpreter order
  pinning::DistanceClass distance = pinning::DistanceClass::same_pu;

  // "0;1", as in the CSV's pus column.
  std::string pus_field() const;
  // "0,1", as a user would type it.
  std::string pus_text() const;
};

// The placement a --cores spec names. Throws UsageError if the topology cannot satisfy it.
Placement resolve_placement(const pinning::Topology& topo, std::string_view spec,
                            unsigned interpreters);

// Both interpreters on the first PU, then the nearest pair of distinct PUs, then the
// farthest pair: one of each distance class among those, in that order.
std::vector<Placement> default_placements(const pinning::Topology& topo);

// --wait auto: spin when every interpreter has a PU of its own (lowest latency), yield when
// two share one (a spinning waiter would hold the PU for a whole scheduler slice).
workloads::WaitPolicy automatic_wait_policy(const Placement& placement);

// Pins interpreter i to placement.pus[i] and checks, with hwloc_get_last_cpu_location,
// that it runs there when it starts and still when it finishes; a thread found elsewhere
// fails the point with a message naming the interpreter and both PUs.
workloads::ThreadHooks pinning_hooks(const pinning::Topology& topo, const Placement& placement);

}  // namespace refbench::harness
